"""The record layer (RecordStore) on every backend: local directory, memory and S3 on moto.

Write semantics (created/unchanged/updated/stale/deleted/revived/absent), history and retention,
the change log (complete under concurrent writers, at-least-once across a crash), and the layout.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from store.conftest import StoreCase
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.schema import DeletedRecordError
from tmdb_collector.store import (
    ChangeEntry,
    EncodedWrite,
    ObjectInfo,
    ObjectStore,
    RecordDeletion,
    RecordIndex,
    RecordStore,
    RecordWrite,
    StoreError,
    WriteResult,
    open_object_store,
)

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "tmdb" / "fixtures"
#: 2025-11-23 22:13:20 UTC: change-log pieces land in dated folders.
T0 = 1_763_936_000_000
MOVIE = RecordKey(Kind.MOVIE, 550)
SERIES = RecordKey(Kind.TV, 1399)
SEASON = RecordKey(Kind.TV_SEASON, 1399, 1)
EPISODE = RecordKey(Kind.TV_EPISODE, 1399, 1, 1)


class Clock:
    """The RecordStore's now_ms: moves only when a test says so."""

    def __init__(self, now_ms: int = T0) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms


class CrashBeforeCurrent:
    """An ObjectStore whose puts of current records fail: a writer dying after the change log."""

    def __init__(self, inner: ObjectStore) -> None:
        self._inner = inner

    @property
    def url(self) -> str:
        return self._inner.url

    async def get(self, key: str) -> bytes | None:
        return await self._inner.get(key)

    async def get_range(self, key: str, start: int, length: int) -> bytes | None:
        return await self._inner.get_range(key, start, length)

    async def head(self, key: str) -> ObjectInfo | None:
        return await self._inner.head(key)

    async def put(self, key: str, data: bytes) -> None:
        if key.startswith("records/"):
            raise StoreError(f"simulated crash before writing {key}")
        await self._inner.put(key, data)

    async def create(self, key: str, data: bytes) -> bool:
        return await self._inner.create(key, data)

    async def delete(self, key: str) -> None:
        await self._inner.delete(key)

    def list(
        self, prefix: str = "", *, start_after: str | None = None
    ) -> AsyncIterator[ObjectInfo]:
        return self._inner.list(prefix, start_after=start_after)


class CountingLists(CrashBeforeCurrent):
    """An ObjectStore that counts listings and lets every write through."""

    def __init__(self, inner: ObjectStore) -> None:
        super().__init__(inner)
        self.listed: list[str] = []
        self.starts: list[str | None] = []

    async def put(self, key: str, data: bytes) -> None:
        await self._inner.put(key, data)

    def list(
        self, prefix: str = "", *, start_after: str | None = None
    ) -> AsyncIterator[ObjectInfo]:
        self.listed.append(prefix)
        self.starts.append(start_after)
        return self._inner.list(prefix, start_after=start_after)


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return document


def movie(movie_id: int, title: str) -> dict[str, Any]:
    return {"id": movie_id, "title": title, "adult": False, "genres": []}


def fetched(key: RecordKey, document: dict[str, Any], at_ms: int) -> RecordWrite:
    return RecordWrite(key, document, at_ms, key.api_path, ("credits",))


async def snapshot(store: ObjectStore) -> dict[str, str | None]:
    """Every object's key and etag: equal snapshots mean nothing was written."""
    return {info.key: info.etag async for info in store.list()}


def without_index(objects: dict[str, str | None]) -> dict[str, str | None]:
    """A snapshot's record, history and change-log objects: an unchanged refetch writes no
    others (its confirmation goes to one index fragment, see test_index.py)."""
    return {key: etag for key, etag in objects.items() if not key.startswith("index/")}


def new_index_objects(after: dict[str, str | None], before: dict[str, str | None]) -> list[str]:
    return sorted(key for key in after.keys() - before.keys() if key.startswith("index/"))


async def all_changes(records: RecordStore, **window: int) -> list[ChangeEntry]:
    return [entry async for entry in records.changes(**window)]


def changes_of(results: Sequence[WriteResult]) -> list[str]:
    return [result.change for result in results]


async def test_create_unchanged_update_and_stale(store_case: StoreCase) -> None:
    clock = Clock()
    records = RecordStore(store_case.store, now_ms=clock)
    fight_club = load("movie/550")
    [created] = await records.write_batch([fetched(MOVIE, fight_club, T0)])
    assert (created.change, created.old_hash) == ("created", None)
    assert created.new_hash is not None

    before = await snapshot(store_case.store)
    clock.now_ms += 1000
    [again] = await records.write_batch([fetched(MOVIE, fight_club, T0 + 1000)])
    assert again == WriteResult(MOVIE, "unchanged", created.new_hash, created.new_hash)
    after = await snapshot(store_case.store)
    assert without_index(after) == without_index(before)  # idempotent: no record written
    assert len(new_index_objects(after, before)) == 1  # ... only checked_at moved

    retitled = fight_club | {"title": "Fight Club (Director's Cut)"}
    [updated] = await records.write_batch([fetched(MOVIE, retitled, T0 + 2000)])
    assert (updated.change, updated.old_hash) == ("updated", created.new_hash)
    [stale] = await records.write_batch([fetched(MOVIE, movie(550, "late"), T0 + 1500)])
    assert (stale.change, stale.old_hash) == ("stale", updated.new_hash)

    current = await records.read(MOVIE)
    assert current is not None
    assert not current.deleted
    assert current.json() == retitled
    assert (current.content_hash, current.fetched_at_ms) == (updated.new_hash, T0 + 2000)
    assert (current.deleted_at_ms, current.deletion_reason) == (None, None)
    assert [e.change for e in await all_changes(records)] == ["created", "updated"]
    assert await records.read(RecordKey(Kind.MOVIE, 551)) is None


async def test_history_versions_and_reading_at_a_time(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    for step in range(3):
        await records.write_batch([fetched(MOVIE, movie(550, f"v{step}"), T0 + step * 100)])
    history = await records.history(MOVIE)
    assert [(v.number, v.at_ms, v.deleted, v.reason) for v in history] == [
        (1, T0, False, None),
        (2, T0 + 100, False, None),
        (3, T0 + 200, False, None),
    ]
    current = await records.read(MOVIE)
    assert current is not None
    assert history[-1].content_hash == current.content_hash
    # The superseded versions are in history; the newest is the current object itself.
    assert all(v.object_key.startswith("history/movie/0550/550/") for v in history[:-1])
    assert history[-1].object_key == "records/movie/0550/550.rec"

    for number, title in ((1, "v0"), (2, "v1"), (-1, "v2"), (-3, "v0")):
        version = await records.read_version(MOVIE, number)
        assert version is not None
        assert version.json()["title"] == title
    assert await records.read_version(MOVIE, 4) is None
    assert await records.read_version(MOVIE, -4) is None
    with pytest.raises(ValueError, match="count from 1"):
        await records.read_version(MOVIE, 0)

    assert await records.read_at(MOVIE, T0 - 1) is None
    for at_ms, title in ((T0, "v0"), (T0 + 99, "v0"), (T0 + 150, "v1"), (T0 + 10**6, "v2")):
        version = await records.read_at(MOVIE, at_ms)
        assert version is not None
        assert version.json()["title"] == title


async def test_retention_keeps_the_newest_versions(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store, retention_versions=3, now_ms=Clock())
    for step in range(5):
        await records.write_batch([fetched(MOVIE, movie(550, f"v{step}"), T0 + step)])
    await records.write_batch([RecordDeletion(MOVIE, "missing from export", T0 + 5)])
    history = await records.history(MOVIE)
    assert [v.at_ms for v in history] == [T0 + 3, T0 + 4, T0 + 5]  # the tombstone counts
    assert [v.deleted for v in history] == [False, False, True]
    oldest = await records.read_version(MOVIE, 1)
    assert oldest is not None
    assert oldest.json()["title"] == "v3"
    with pytest.raises(ValueError, match="at least 1"):
        RecordStore(store_case.store, retention_versions=0)


async def test_delete_revive_and_delete_what_is_absent(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    [created] = await records.write_batch(
        [fetched(EPISODE, load("tv/1399/season/1/episode/1"), T0)]
    )
    [deleted] = await records.write_batch([RecordDeletion(EPISODE, "404 on fetch", T0 + 10)])
    assert (deleted.change, deleted.old_hash) == ("deleted", created.new_hash)

    tombstone = await records.read(EPISODE)
    assert tombstone is not None
    assert tombstone.deleted
    assert (tombstone.deleted_at_ms, tombstone.deletion_reason) == (T0 + 10, "404 on fetch")
    assert tombstone.record.tombstone.last_content_hash == created.new_hash
    with pytest.raises(DeletedRecordError, match="404 on fetch"):
        tombstone.json()
    last_content = await records.read_version(EPISODE, -2)
    assert last_content is not None
    assert last_content.json() == load("tv/1399/season/1/episode/1")
    [version] = [v for v in await records.history(EPISODE) if v.deleted]
    assert (version.at_ms, version.reason) == (T0 + 10, "404 on fetch")

    before = await snapshot(store_case.store)
    [again] = await records.write_batch([RecordDeletion(EPISODE, "404 on fetch", T0 + 20)])
    assert again.change == "unchanged"
    [absent] = await records.write_batch([RecordDeletion(RecordKey(Kind.MOVIE, 9), "x", T0)])
    assert absent == WriteResult(RecordKey(Kind.MOVIE, 9), "absent", None, None)
    after = await snapshot(store_case.store)
    assert without_index(after) == without_index(before)
    assert len(new_index_objects(after, before)) == 1  # the repeated 404 confirmed

    returned = {"id": 63056, "name": "Winter Is Coming", "episode_number": 1}
    [revived] = await records.write_batch([fetched(EPISODE, returned, T0 + 30)])
    assert (revived.change, revived.old_hash) == ("revived", deleted.new_hash)
    current = await records.read(EPISODE)
    assert current is not None
    assert not current.deleted
    assert current.json() == returned
    log = await all_changes(records)
    assert [(e.change, e.reason) for e in log] == [
        ("created", "fetched"),
        ("deleted", "404 on fetch"),
        ("revived", "fetched"),
    ]


async def test_a_deletion_older_than_the_current_version_is_stale(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    await records.write_batch([fetched(MOVIE, movie(550, "back"), T0 + 10)])
    [late] = await records.write_batch([RecordDeletion(MOVIE, "missing from export", T0)])
    assert late.change == "stale"
    current = await records.read(MOVIE)
    assert current is not None
    assert not current.deleted


async def test_a_batch_mixing_every_outcome(store_case: StoreCase) -> None:
    clock = Clock()
    records = RecordStore(store_case.store, now_ms=clock)
    keys = [RecordKey(Kind.MOVIE, n) for n in range(1, 6)]
    await records.write_batch([fetched(key, movie(key.id, "first"), T0) for key in keys])
    await records.write_batch([RecordDeletion(keys[4], "missing from export", T0 + 1)])
    clock.now_ms += 60_000
    new = RecordKey(Kind.PERSON, 287)
    results = await records.write_batch(
        [
            fetched(new, load("person/287"), T0 + 10),  # created
            fetched(keys[0], movie(1, "first"), T0 + 10),  # unchanged
            fetched(keys[1], movie(2, "second"), T0 + 10),  # updated
            fetched(keys[2], movie(3, "older"), T0 - 10),  # stale
            RecordDeletion(keys[3], "404 on fetch", T0 + 10),  # deleted
            fetched(keys[4], movie(5, "again"), T0 + 10),  # revived
            RecordDeletion(RecordKey(Kind.MOVIE, 99), "404 on fetch", T0 + 10),  # absent
            fetched(keys[1], movie(2, "third"), T0 + 20),  # the same key again: builds on it
        ]
    )
    assert changes_of(results) == [
        "created",
        "unchanged",
        "updated",
        "stale",
        "deleted",
        "revived",
        "absent",
        "updated",
    ]
    assert results[7].old_hash == results[2].new_hash
    second = await records.read(keys[1])
    assert second is not None
    assert second.json()["title"] == "third"
    assert [v.at_ms for v in await records.history(keys[1])] == [T0, T0 + 10, T0 + 20]

    logged = await all_changes(records, since_ms=clock.now_ms)
    changed = [r for r in results if r.change not in ("unchanged", "stale", "absent")]
    assert [(e.key, e.change, e.old_hash, e.new_hash) for e in logged] == [
        (r.key, r.change, r.old_hash, r.new_hash) for r in changed
    ]
    assert {e.time_ms for e in logged} == {clock.now_ms}
    assert len(await all_changes(records, until_ms=clock.now_ms)) == 6  # 5 created, 1 deleted
    assert await all_changes(records, since_ms=clock.now_ms + 1) == []


async def test_concurrent_writers_lose_no_change_log_entries_or_index_rows(
    store_case: StoreCase,
) -> None:
    clock = Clock()
    writers = [RecordStore(store_case.store, now_ms=clock) for _ in range(4)]

    async def work(number: int, records: RecordStore) -> list[WriteResult]:
        results: list[WriteResult] = []
        for batch in range(3):
            ids = [1000 * number + 10 * batch + n for n in range(1, 4)]
            items = [fetched(RecordKey(Kind.MOVIE, i), movie(i, "x"), T0) for i in ids]
            results += await records.write_batch(items)
        # And all of them on one shared key: every version is logged.
        results += await records.write_batch(
            [fetched(MOVIE, movie(550, f"writer {number}"), T0 + number)]
        )
        return results

    outcomes = await asyncio.gather(*(work(n, w) for n, w in enumerate(writers)))
    results = [result for outcome in outcomes for result in outcome]
    changed = {(r.key, r.new_hash) for r in results if r.change in ("created", "updated")}
    logged = [(e.key, e.new_hash) for e in await all_changes(writers[0])]
    assert len(logged) == len(changed)
    assert set(logged) == changed
    pieces = [info.key async for info in store_case.store.list("changelog")]
    # One piece per batch that changed something: 3 per writer, plus each shared-key write that
    # was not stale (a writer that lost the race to a newer fetch changes nothing).
    shared = [r for r in results if r.key == MOVIE and r.change != "stale"]
    assert len(pieces) == 3 * len(writers) + len(shared)
    assert len({piece.rsplit("-", 2)[1] for piece in pieces}) == len(writers)

    # The index has a row for every record written, holding what that write stored. (Which of
    # the shared key's concurrent versions its row and its current object hold is the race
    # docs/storage.md describes, so only its presence is checked.)
    table = await RecordIndex(store_case.store).table(Kind.MOVIE)
    ids, hashes = table.column("id").to_pylist(), table.column("content_hash").to_pylist()
    rows = dict(zip(ids, hashes, strict=True))
    assert set(rows) == {r.key.id for r in results}
    for result in results:
        if result.key != MOVIE:
            assert result.new_hash is not None
            assert rows[result.key.id] == result.new_hash.hex()


async def test_a_crash_after_the_change_log_is_healed_by_redelivery(
    store_case: StoreCase,
) -> None:
    clock = Clock()
    batch = [fetched(MOVIE, movie(550, "v1"), T0), fetched(SERIES, load("tv/1399"), T0)]
    crashing = RecordStore(CrashBeforeCurrent(store_case.store), now_ms=clock)
    with pytest.raises(StoreError, match="simulated crash"):
        await crashing.write_batch(batch)
    records = RecordStore(store_case.store, now_ms=clock)
    assert await records.read(MOVIE) is None  # the current objects were never written
    assert len(await all_changes(records)) == 2  # but the change log has the entries

    clock.now_ms += 1000
    results = await records.write_batch(batch)  # the queue redelivers the batch
    assert changes_of(results) == ["created", "created"]
    current = await records.read(SERIES)
    assert current is not None
    assert current.json() == load("tv/1399")
    logged = [(e.key, e.new_hash) for e in await all_changes(records)]
    for result in results:
        assert logged.count((result.key, result.new_hash)) == 2  # at least once: dedupe on it
    assert len(await records.history(MOVIE)) == 1  # the history version was created once


async def test_layout_of_every_kind_of_key(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    documents = {
        MOVIE: load("movie/550"),
        SERIES: load("tv/1399"),
        SEASON: load("tv/1399/season/1"),
        EPISODE: load("tv/1399/season/1/episode/1"),
    }
    results = await records.write_batch([fetched(k, d, T0) for k, d in documents.items()])
    await records.write_batch([RecordDeletion(EPISODE, "404 on fetch", T0 + 1)])
    keys = set(await snapshot(store_case.store))

    assert {key for key in keys if key.startswith("records/")} == {
        "records/movie/0550/550.rec",
        "records/tv/0375/1399.rec",
        "records/tv_season/0375/1399/1.rec",
        "records/tv_episode/0375/1399/1/1.rec",
    }
    # History holds only superseded versions: the created records have none; the episode's
    # first version went there when its tombstone replaced it, named by its own time and hash.
    hashes = {result.key: result.new_hash for result in results}
    episode_hash = hashes[EPISODE]
    assert episode_hash is not None
    assert {key for key in keys if key.startswith("history/")} == {
        f"history/tv_episode/0375/1399/1/1/{T0:013d}-{episode_hash.hex()[:16]}.rec"
    }

    pieces = sorted(key for key in keys if key.startswith("changelog/"))
    assert len(pieces) == 2
    for piece in pieces:
        assert re.fullmatch(
            r"changelog/2025-11-23/22/1763936000000-[0-9a-f]{12}-00000[12]\.jsonl\.zst", piece
        ), piece
    fragments = sorted(key for key in keys if key.startswith("index/"))
    assert len(fragments) == 4 + 1  # one per kind and batch (docs/storage.md, "Index")
    assert len(keys) == 4 + 1 + 2 + 5  # nothing outside records/, history/, changelog/, index/


async def test_a_record_protobuf_cannot_hold_is_rejected_and_the_rest_goes_on(
    store_case: StoreCase,
) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    other = RecordKey(Kind.MOVIE, 551)
    broken = movie(551, "half an emoji \ud83d")  # a lone surrogate: no valid UTF-8 exists for it
    good, rejected = await records.write_batch(
        [fetched(MOVIE, load("movie/550"), T0), fetched(other, broken, T0)]
    )
    assert good.change == "created"
    assert (rejected.change, rejected.new_hash) == ("rejected", None)
    assert rejected.error is not None
    assert "cannot hold" in rejected.error
    assert await records.read(other) is None
    assert await records.history(other) == []
    assert [e.key for e in await all_changes(records)] == [MOVIE]


async def test_records_encoded_ahead_are_stored_as_if_written_whole(
    store_case: StoreCase,
) -> None:
    # The collector encodes each record as it arrives and lets its JSON go: what it stores,
    # logs and indexes must be exactly what writing the JSON would have given.
    whole = RecordStore(open_object_store("memory://"), now_ms=Clock())
    ahead = RecordStore(store_case.store, now_ms=Clock())
    other = RecordKey(Kind.MOVIE, 551)
    batch = [
        fetched(MOVIE, load("movie/550"), T0),
        fetched(SERIES, load("tv/1399"), T0),
        fetched(other, movie(551, "half an emoji \ud83d"), T0),  # protobuf cannot hold it
    ]
    encoded = ahead.encode(batch)
    assert all(isinstance(item, EncodedWrite) for item in encoded)
    assert encoded[2].encoded is None
    assert encoded[2].error is not None
    assert encoded[0].fields["title"] == "Fight Club"
    assert "credits" not in encoded[0].fields  # only what the index row reads is kept

    expected = await whole.write_batch(batch)
    results = await ahead.write_batch(encoded)
    assert results == expected
    assert changes_of(results) == ["created", "created", "rejected"]
    for key in (MOVIE, SERIES):
        stored = await ahead.read(key)
        assert stored is not None
        assert stored.json() == (await whole.read(key)).json()  # type: ignore[union-attr]
    index = RecordIndex(store_case.store)
    reference = RecordIndex(whole.objects)
    for kind in (Kind.MOVIE, Kind.TV):
        assert (await index.table(kind)).to_pylist() == (await reference.table(kind)).to_pylist()

    # Encoded again, unchanged: only the index row's checked_at moves, as for a refetch.
    later = [fetched(MOVIE, load("movie/550"), T0 + 1000)]
    assert changes_of(await ahead.write_batch(ahead.encode(later))) == ["unchanged"]
    [row] = (await index.table(Kind.MOVIE)).to_pylist()
    assert row["title"] == "Fight Club"
    assert row["checked_at"] > row["updated_at"]


async def test_new_records_cost_no_history_listing(store_case: StoreCase) -> None:
    # A created record has one version: listing its history to prune it would be a wasted
    # request per record of a first mirror.
    counting = CountingLists(store_case.store)
    records = RecordStore(counting, retention_versions=1, now_ms=Clock())
    new = [fetched(RecordKey(Kind.MOVIE, n), movie(n, "new"), T0) for n in range(1, 6)]
    assert changes_of(await records.write_batch(new)) == ["created"] * 5
    assert counting.listed == []
    [updated] = await records.write_batch(
        [fetched(RecordKey(Kind.MOVIE, 1), movie(1, "b"), T0 + 1)]
    )
    assert updated.change == "updated"
    assert len(counting.listed) == 1  # the updated record's history, pruned to one version
    assert len(await records.history(RecordKey(Kind.MOVIE, 1))) == 1


async def test_write_results_report_schema_drift(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    document = {"id": 7, "title": "x", "brand_new_field": {"a": 1}}
    [result] = await records.write_batch([fetched(RecordKey(Kind.MOVIE, 7), document, T0)])
    assert result.change == "created"
    assert ("unknown_key", "brand_new_field", 1) in result.drift
    [again] = await records.write_batch([fetched(RecordKey(Kind.MOVIE, 7), document, T0 + 1)])
    assert again.change == "unchanged"
    assert again.drift == result.drift
    stored = await records.read(RecordKey(Kind.MOVIE, 7))
    assert stored is not None
    assert stored.json() == document  # kept all the same


async def test_stored_parts_lists_a_series_seasons_and_episodes(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    parts = [
        RecordKey(Kind.TV_SEASON, 1399, 0),
        RecordKey(Kind.TV_SEASON, 1399, 1),
        RecordKey(Kind.TV_EPISODE, 1399, 1, 1),
        RecordKey(Kind.TV_EPISODE, 1399, 1, 2),
        RecordKey(Kind.TV_SEASON, 2423, 1),  # 1399 + 1024: the same shard, another series
    ]
    await records.write_batch([fetched(key, {"id": 1}, T0) for key in parts])
    assert await records.stored_parts(Kind.TV_SEASON, 1399) == parts[:2]
    assert await records.stored_parts(Kind.TV_EPISODE, 1399) == parts[2:4]
    assert await records.stored_parts(Kind.TV_SEASON, 7) == []
    with pytest.raises(ValueError, match="seasons and episodes"):
        await records.stored_parts(Kind.MOVIE, 1399)
