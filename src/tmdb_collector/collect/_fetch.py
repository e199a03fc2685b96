"""One work item → the record writes and deletions it stands for, at the fewest requests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

from tmdb_collector.collect._plan import (
    first_request,
    follow_up_requests,
    listed_seasons,
    requested_seasons,
    requests_for,
    season_records,
    series_records,
    split_season_blocks,
)
from tmdb_collector.collect._settings import CollectorSettings
from tmdb_collector.kinds import JSONObject, Kind, RecordKey
from tmdb_collector.queue import Reason, WorkItem
from tmdb_collector.store import EncodedWrite, RecordDeletion, RecordStore, RecordWrite
from tmdb_collector.tmdb import NotFound, TMDBClient

__all__ = ["FetchedItem", "ItemFetcher", "requests_for"]

#: Tombstone reasons, as the change log shows them.
NOT_FOUND = "404 on fetch"
MISSING_FROM_EXPORT = "missing from export"

Output = RecordWrite | RecordDeletion
#: What a FetchedItem holds: its records encoded as soon as they are fetched.
Encoded = EncodedWrite | RecordDeletion


@dataclass(frozen=True, slots=True)
class FetchedItem:
    """What one item turned into: the records to write (in order), the requests it took (not
    counting the client's retries) and the listed seasons TMDB's answers left out."""

    records: tuple[Output, ...] | tuple[Encoded, ...]
    requests: int
    missing_seasons: int = 0


class ItemFetcher:
    """Fetches work items through one client (so through one pacer). A failure is raised: the
    TMDB client's errors, MalformedResponseError for an answer that holds no records."""

    def __init__(
        self,
        client: TMDBClient,
        records: RecordStore,
        settings: CollectorSettings,
        now_ms: Callable[[], int],
    ) -> None:
        self._client = client
        self._records = records
        self._settings = settings
        self._now_ms = now_ms

    async def fetch(self, item: WorkItem) -> FetchedItem:
        """The item's records, encoded (``RecordStore.encode``, in a worker thread) as soon as
        they arrive: its message may wait for its other items a while, and held as JSON the
        records of a few messages run to hundreds of MB of Python objects for the garbage
        collector to walk; encoded they take kilobytes each."""
        fetched = await self._fetch(item)
        writes = [record for record in fetched.records if isinstance(record, RecordWrite)]
        if not writes:
            return fetched
        encoded = iter(await asyncio.to_thread(self._records.encode, writes))
        records = tuple(
            next(encoded) if isinstance(record, RecordWrite) else record
            for record in fetched.records
        )
        return replace(fetched, records=records)

    async def _fetch(self, item: WorkItem) -> FetchedItem:
        key = item.record_key
        if item.reason is Reason.DELETED and not item.confirm:
            # The harvester is sure (CONFIRM_DELETIONS=false): no need to ask TMDB.
            return FetchedItem(await self._tombstones(key, MISSING_FROM_EXPORT), requests=0)
        if key.kind is Kind.TV:
            return await self._series(key)
        if key.kind is Kind.TV_SEASON:
            return await self._season(key)
        appends = self._settings.appends_for(key.kind)
        answer = await self._client.details(key, appends)
        if isinstance(answer, NotFound):
            return FetchedItem(await self._tombstones(key, NOT_FOUND), requests_for(appends))
        write = RecordWrite(key, answer, self._now_ms(), key.api_path, appends)
        return FetchedItem((write,), requests_for(appends))

    async def _series(self, key: RecordKey) -> FetchedItem:
        if self._settings.season_details:
            return await self._series_and_seasons(key)
        appends = first_request(key, self._settings.appends_for(Kind.TV))
        answer = await self._client.details(key, appends)
        requests = requests_for(appends)
        if isinstance(answer, NotFound):
            return FetchedItem(await self._tombstones(key, NOT_FOUND), requests)
        fetched_at = self._now_ms()
        series, blocks = split_season_blocks(answer)
        more = follow_up_requests(listed_seasons(series), requested_seasons(appends))
        answers = await asyncio.gather(*(self._client.details(key, chunk) for chunk in more))
        requests += len(more)
        for extra in answers:
            if isinstance(extra, NotFound):  # deleted between the requests
                return FetchedItem(await self._tombstones(key, NOT_FOUND), requests)
            blocks.update(split_season_blocks(extra)[1])
        parts = series_records(key.id, series, blocks)
        # The series record keeps its own appends; each season/N block is a record of its own.
        own = tuple(item for item in appends if not item.startswith("season/"))
        records: list[Output] = [RecordWrite(key, parts.series, fetched_at, key.api_path, own)]
        records += [
            RecordWrite(
                season_key, season, fetched_at, key.api_path, (f"season/{season_key.season}",)
            )
            for season_key, season in parts.seasons.items()
        ]
        episodes, episode_requests = await self._episodes(parts.episodes, fetched_at, key.api_path)
        records += episodes
        return FetchedItem(tuple(records), requests + episode_requests, len(parts.missing_seasons))

    async def _series_and_seasons(self, key: RecordKey) -> FetchedItem:
        """SEASON_DETAILS: the series with its own appends, then each season it lists from the
        season endpoint with the season appends, stored as that endpoint answers."""
        appends = self._settings.appends_for(Kind.TV)
        answer = await self._client.details(key, appends)
        requests = requests_for(appends)
        if isinstance(answer, NotFound):
            return FetchedItem(await self._tombstones(key, NOT_FOUND), requests)
        fetched_at = self._now_ms()
        seasons = [
            RecordKey(Kind.TV_SEASON, key.id, number) for number in sorted(listed_seasons(answer))
        ]
        fetched = await asyncio.gather(*(self._season_records(season) for season in seasons))
        records: list[Output] = [RecordWrite(key, answer, fetched_at, key.api_path, appends)]
        missing = 0
        for season_records_, season_requests in fetched:
            requests += season_requests
            if season_records_ is None:
                missing += 1  # listed, yet 404 on its own: counted and left alone, as a gap
            else:
                records += season_records_
        return FetchedItem(tuple(records), requests, missing)

    async def _season(self, key: RecordKey) -> FetchedItem:
        """A season asked for on its own (the harvester plans series, but a person may not)."""
        records, requests = await self._season_records(key)
        if records is None:
            return FetchedItem(await self._tombstones(key, NOT_FOUND), requests)
        return FetchedItem(tuple(records), requests)

    async def _season_records(self, key: RecordKey) -> tuple[list[Output] | None, int]:
        """The season from its own endpoint (with the season appends when SEASON_DETAILS) and
        its episodes, and the requests they took; None for the records when it answers 404."""
        appends = (
            self._settings.appends_for(Kind.TV_SEASON) if self._settings.season_details else ()
        )
        answer = await self._client.details(key, appends)
        requests = requests_for(appends)
        if isinstance(answer, NotFound):
            return None, requests
        fetched_at = self._now_ms()
        assert key.season is not None  # noqa: S101 - a TV_SEASON key always has one
        _, listed = season_records(key.id, key.season, answer)
        records: list[Output] = [RecordWrite(key, answer, fetched_at, key.api_path, appends)]
        episodes, episode_requests = await self._episodes(listed, fetched_at, key.api_path)
        return [*records, *episodes], requests + episode_requests

    async def _episodes(
        self, listed: dict[RecordKey, JSONObject], fetched_at: int, path: str
    ) -> tuple[list[Output], int]:
        """Episode records: as their season lists them, or (EPISODE_DETAILS) each fetched."""
        if not self._settings.episode_details:
            return [RecordWrite(key, doc, fetched_at, path) for key, doc in listed.items()], 0
        appends = self._settings.appends_for(Kind.TV_EPISODE)
        keys = list(listed)
        answers = await asyncio.gather(*(self._client.details(key, appends) for key in keys))
        records: list[Output] = []
        for key, answer in zip(keys, answers, strict=True):
            if isinstance(answer, NotFound):
                # Its season lists it, so TMDB has it: keep the season's copy rather than lose it.
                records.append(RecordWrite(key, listed[key], fetched_at, path))
            else:
                records.append(RecordWrite(key, answer, self._now_ms(), key.api_path, appends))
        return records, len(keys) * requests_for(appends)

    async def _tombstones(self, key: RecordKey, reason: str) -> tuple[RecordDeletion, ...]:
        """A deletion of ``key`` and, for a series, of every season and episode stored of it:
        they cannot outlive their series, and nothing else would ever delete them."""
        deleted_at = self._now_ms()
        deletions = [RecordDeletion(key, reason, deleted_at)]
        if key.kind is Kind.TV:
            for kind in (Kind.TV_SEASON, Kind.TV_EPISODE):
                children = await self._stored_children(kind, key.id)
                deletions += [
                    RecordDeletion(child, f"series {reason}", deleted_at) for child in children
                ]
        return tuple(deletions)

    async def _stored_children(self, kind: Kind, series_id: int) -> list[RecordKey]:
        """The seasons or episodes of a series that have a current object in the store."""
        return await self._records.stored_parts(kind, series_id)
