"""What ``serve`` answers from the index rather than from records: ``/3/find`` by external id,
``/3/search`` over titles and names, the daily export files, and the changes feeds.

Each kind's index table is read once and kept, and read again only when the index changed
(its fragments or its snapshot: checked at most every ``CHECK_SECONDS``), so a server beside a
running mirror or the Lambda collectors follows what they write. Search runs on SQLite's FTS5
(the standard library's sqlite3: nothing to download, works offline): each kind's titles and
original titles in an in-memory full-text table, built when the kind's index is read.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time

import pyarrow as pa  # type: ignore[import-untyped]

from tmdb_collector.kinds import EXPORT_KINDS, Kind, RecordKey
from tmdb_collector.store import RecordIndex, RecordStore
from tmdb_collector.tmdbapi import EXPORT_FIELDS, ChangedEntry, ChangesWindow

__all__ = ["FIND_KINDS", "SEARCH_KINDS", "IndexView", "SearchPage"]

#: How often a kept index table is checked against the store (a listing and a HEAD).
CHECK_SECONDS = 5.0
#: Results per page of a search, as TMDB pages them.
SEARCH_PAGE_SIZE = 20
#: The kinds ``/3/find`` answers with, by the key of its answer.
FIND_KINDS: dict[Kind, str] = {
    Kind.MOVIE: "movie_results",
    Kind.PERSON: "person_results",
    Kind.TV: "tv_results",
    Kind.TV_EPISODE: "tv_episode_results",
    Kind.TV_SEASON: "tv_season_results",
}
#: The kinds ``/3/search/<path>`` searches.
SEARCH_KINDS: dict[str, Kind] = {
    "movie": Kind.MOVIE,
    "tv": Kind.TV,
    "person": Kind.PERSON,
    "collection": Kind.COLLECTION,
    "company": Kind.COMPANY,
    "keyword": Kind.KEYWORD,
}
_COLUMNS = [
    "id",
    "season_number",
    "episode_number",
    "title",
    "original_title",
    "adult",
    "popularity",
    "video",
    "external_ids",
    "other_titles",
    "deleted",
]
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """The keys of one page of search results, best first, and how many matched in all."""

    keys: list[RecordKey]
    total: int


class _KindIndex:
    """One kind's index as ``serve`` uses it."""

    def __init__(self, kind: Kind, table: pa.Table) -> None:
        self.kind = kind
        live = table.filter(pa.compute.invert(table.column("deleted")))
        self.rows: list[dict[str, object]] = live.to_pylist()
        self.by_key = {_key(kind, row): row for row in self.rows}
        self.external: dict[tuple[str, str], list[RecordKey]] = {}
        for row in self.rows:
            text = row["external_ids"]
            if isinstance(text, str):
                for source, value in json.loads(text).items():
                    self.external.setdefault((source, value), []).append(_key(kind, row))
        self._search: sqlite3.Connection | None = None

    def search(self, query: str, include_adult: bool, page: int) -> SearchPage:
        words = _WORD.findall(query)
        if not words:
            return SearchPage([], 0)
        database = self._search_table()
        # Every word, as a prefix ("fight clu" finds Fight Club), quoted: no FTS5 syntax.
        match = " AND ".join('"' + word.replace('"', "") + '"*' for word in words)
        adult = "" if include_adult else " AND adult = 0"
        total = database.execute(
            f"SELECT count(*) FROM titles WHERE titles MATCH ?{adult}",  # noqa: S608 - fixed text
            (match,),
        ).fetchone()[0]
        found = database.execute(
            f"SELECT rowid FROM titles WHERE titles MATCH ?{adult} "  # noqa: S608 - fixed text
            # A match in the title counts most, then the original title, then other titles.
            "ORDER BY bm25(titles, 10.0, 5.0, 1.0), popularity DESC, rowid LIMIT ? OFFSET ?",
            (match, SEARCH_PAGE_SIZE, (page - 1) * SEARCH_PAGE_SIZE),
        ).fetchall()
        return SearchPage([_key(self.kind, self.rows[rowid]) for (rowid,) in found], total)

    def _search_table(self) -> sqlite3.Connection:
        if self._search is None:
            database = sqlite3.connect(":memory:", check_same_thread=False)
            database.execute(
                "CREATE VIRTUAL TABLE titles USING fts5(title, original_title, other_titles, "
                "adult UNINDEXED, popularity UNINDEXED, "
                "tokenize='unicode61 remove_diacritics 2')"
            )
            database.executemany(
                "INSERT INTO titles(rowid, title, original_title, other_titles, adult, "
                "popularity) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (
                        number,
                        row["title"] or "",
                        row["original_title"] if row["original_title"] != row["title"] else "",
                        row["other_titles"] or "",
                        1 if row["adult"] else 0,
                        row["popularity"] or 0.0,
                    )
                    for number, row in enumerate(self.rows)
                ),
            )
            self._search = database
        return self._search


def _key(kind: Kind, row: dict[str, object]) -> RecordKey:
    season, episode = row["season_number"], row["episode_number"]
    return RecordKey(
        kind,
        int(str(row["id"])),
        None if season is None else int(str(season)),
        None if episode is None else int(str(episode)),
    )


class IndexView:
    """The index of ``records``' store, kept per kind and followed as it changes."""

    def __init__(self, records: RecordStore) -> None:
        self._records = records
        self._index = RecordIndex(records.objects)
        self._kinds: dict[Kind, tuple[float, object, _KindIndex]] = {}
        self._locks: dict[Kind, asyncio.Lock] = {}
        self._changes: dict[tuple[Kind, date, date], tuple[float, list[ChangedEntry]]] = {}

    async def kind(self, kind: Kind) -> _KindIndex:
        kept = self._kinds.get(kind)
        if kept is not None and time.monotonic() - kept[0] < CHECK_SECONDS:
            return kept[2]
        async with self._locks.setdefault(kind, asyncio.Lock()):
            kept = self._kinds.get(kind)
            if kept is not None and time.monotonic() - kept[0] < CHECK_SECONDS:
                return kept[2]
            state = await self._index.state(kind)
            if kept is not None and kept[1] == state:
                view = kept[2]
            else:
                table = await self._index.table(kind, _COLUMNS)
                view = await asyncio.to_thread(_KindIndex, kind, table)
            self._kinds[kind] = (time.monotonic(), state, view)
            return view

    async def find(self, source: str, value: str) -> dict[Kind, list[RecordKey]]:
        """The live records of each FIND_KINDS kind whose external id ``source`` is ``value``."""
        found: dict[Kind, list[RecordKey]] = {}
        for kind in FIND_KINDS:
            found[kind] = list((await self.kind(kind)).external.get((source, value), []))
        return found

    async def search(self, kind: Kind, query: str, *, include_adult: bool, page: int) -> SearchPage:
        view = await self.kind(kind)
        return await asyncio.to_thread(view.search, query, include_adult, page)

    async def export_lines(self, kind: Kind, adult: bool) -> list[bytes]:
        """The lines of the kind's daily export (adult records' or the others'), from the
        index: the fields files.tmdb.org writes, in its order."""
        if kind not in EXPORT_KINDS:
            return []
        view = await self.kind(kind)
        fields = EXPORT_FIELDS[kind]
        return [
            json.dumps(
                {name: _export_value(kind, row, name) for name in fields},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            for row in view.rows
            if bool(row["adult"]) == adult
        ]

    async def changes(self, kind: Kind, window: ChangesWindow) -> list[ChangedEntry]:
        """The ids of ``kind`` whose stored version changed on a day of ``window`` (a series
        when one of its seasons or episodes did), each once, latest change first."""
        cache_key = (kind, window.start, window.end)
        kept = self._changes.get(cache_key)
        if kept is not None and time.monotonic() - kept[0] < CHECK_SECONDS:
            return kept[1]
        since = _ms(datetime.combine(window.start, day_time(), UTC))
        until = _ms(datetime.combine(window.end + timedelta(days=1), day_time(), UTC))
        latest: dict[int, int] = {}
        async for entry in self._records.changes(since, until):
            if entry.key.kind is kind or (
                kind is Kind.TV and entry.key.kind in (Kind.TV_SEASON, Kind.TV_EPISODE)
            ):
                latest[entry.key.id] = max(latest.get(entry.key.id, 0), entry.time_ms)
        rows = (await self.kind(kind)).by_key
        entries = [
            ChangedEntry(record_id, _adult(rows.get(RecordKey(kind, record_id))))
            for record_id, _ in sorted(latest.items(), key=lambda item: (-item[1], item[0]))
        ]
        self._changes[cache_key] = (time.monotonic(), entries)
        return entries


def _adult(row: dict[str, object] | None) -> bool | None:
    if row is None:
        return False  # deleted since: TMDB lists deleted ids too
    return bool(row["adult"])


def _export_value(kind: Kind, row: dict[str, object], name: str) -> object:
    if name in ("adult", "video"):
        return bool(row[name])
    if name == "name":
        return row["title"]
    if name in ("original_title", "original_name"):
        return row["original_title"]
    if name == "popularity":
        return row["popularity"] if row["popularity"] is not None else 0.0
    return row[name]


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)
