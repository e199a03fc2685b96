"""What ``serve`` answers from the index rather than from records: ``/3/find`` by external id,
``/3/search`` over titles and names, the daily export files, and the changes feeds.

Each kind's index table is read once and kept, and read again only when the index changed
(its fragments or its snapshot: checked at most every ``check_seconds``), so a server beside a
running mirror or the Lambda collectors follows what they write. Search runs on SQLite's FTS5
(the standard library's sqlite3: nothing to download, works offline): each kind's titles and
original titles in an in-memory full-text table, built when the kind's index is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from tmdb_collector.kinds import EXPORT_KINDS, Kind, RecordKey
from tmdb_collector.store import RecordIndex, RecordStore, Refreshing
from tmdb_collector.tmdbapi import EXPORT_FIELDS, ChangedEntry, ChangesWindow

__all__ = ["FIND_KINDS", "SEARCH_KINDS", "IndexView", "SearchPage"]

#: Rows read or written at a time while building or exporting a kind's index.
_BATCH_ROWS = 10_000
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
    """One kind's live index rows as ``serve`` uses them, in a SQLite database of their own
    (a temporary file: TMDB's 4.5 million people would take gigabytes as Python objects):
    the rows, their external ids, and a contentless FTS5 table of their titles."""

    def __init__(self, kind: Kind, table: pa.Table, directory: str) -> None:
        self.kind = kind
        handle, self._path = tempfile.mkstemp(prefix=f"{kind.value}-", suffix=".db", dir=directory)
        os.close(handle)
        # One connection, used by one thread at a time (the builder, then the event loop and
        # the worker threads it hands searches to, under the IndexView's lock per kind).
        self._db = sqlite3.connect(self._path, check_same_thread=False)
        self._lock = threading.Lock()
        self._db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
            "CREATE TABLE rows (row INTEGER PRIMARY KEY, id INTEGER, season INTEGER, "
            "episode INTEGER, adult INTEGER, popularity REAL, video INTEGER, title TEXT, "
            "original_title TEXT);"
            "CREATE TABLE external (source TEXT, value TEXT, row INTEGER);"
            "CREATE VIRTUAL TABLE titles USING fts5(title, original_title, other_titles, "
            "content='', tokenize='unicode61 remove_diacritics 2');"
        )
        number = 0
        live = table.filter(pc.invert(table.column("deleted")))
        for batch in live.to_batches(max_chunksize=_BATCH_ROWS):
            rows = batch.to_pylist()
            numbered = list(enumerate(rows, start=number))
            number += len(rows)
            self._db.executemany(
                "INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        n,
                        row["id"],
                        row["season_number"],
                        row["episode_number"],
                        1 if row["adult"] else 0,
                        row["popularity"],
                        1 if row["video"] else 0,
                        row["title"],
                        row["original_title"],
                    )
                    for n, row in numbered
                ),
            )
            self._db.executemany(
                "INSERT INTO titles(rowid, title, original_title, other_titles) "
                "VALUES (?, ?, ?, ?)",
                (
                    (
                        n,
                        row["title"] or "",
                        row["original_title"] if row["original_title"] != row["title"] else "",
                        row["other_titles"] or "",
                    )
                    for n, row in numbered
                ),
            )
            self._db.executemany(
                "INSERT INTO external VALUES (?, ?, ?)",
                (
                    (source, value, n)
                    for n, row in numbered
                    if isinstance(row["external_ids"], str)
                    for source, value in json.loads(row["external_ids"]).items()
                ),
            )
        self._db.executescript(
            "CREATE INDEX external_ids ON external (source, value);"
            "CREATE INDEX row_keys ON rows (id, season, episode);"
        )
        self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()
        with contextlib.suppress(OSError):
            os.unlink(self._path)

    def find(self, source: str, value: str) -> list[RecordKey]:
        return self._keys(
            "SELECT rows.id, rows.season, rows.episode FROM external JOIN rows USING (row) "
            "WHERE external.source = ? AND external.value = ? ORDER BY rows.row",
            (source, value),
        )

    def adult(self, record_id: int) -> bool | None:
        """Whether the record ``record_id`` (a kind without seasons) is adult; None when the
        index holds no live record of that id."""
        with self._lock:
            found = self._db.execute(
                "SELECT adult FROM rows WHERE id = ? AND season IS NULL", (record_id,)
            ).fetchone()
        return None if found is None else bool(found[0])

    def search(self, query: str, include_adult: bool, page: int) -> SearchPage:
        words = _WORD.findall(query)
        if not words:
            return SearchPage([], 0)
        # Every word, as a prefix ("fight clu" finds Fight Club), quoted: no FTS5 syntax.
        match = " AND ".join('"' + word.replace('"', "") + '"*' for word in words)
        adult = "" if include_adult else " AND rows.adult = 0"
        matched = f"FROM titles JOIN rows ON rows.row = titles.rowid WHERE titles MATCH ?{adult}"
        with self._lock:
            total = self._db.execute(f"SELECT count(*) {matched}", (match,)).fetchone()[0]
        keys = self._keys(
            f"SELECT rows.id, rows.season, rows.episode {matched} "
            # A match in the title counts most, then the original title, then other titles.
            "ORDER BY bm25(titles, 10.0, 5.0, 1.0), rows.popularity DESC, rows.row "
            "LIMIT ? OFFSET ?",
            (match, SEARCH_PAGE_SIZE, (page - 1) * SEARCH_PAGE_SIZE),
        )
        return SearchPage(keys, total)

    def export_rows(self, adult: bool) -> Iterator[dict[str, object]]:
        """The rows of the kind's export (adult records' or the others'), in index order, a
        page at a time (an export of millions of rows is never all in memory)."""
        after = -1
        while True:
            with self._lock:
                cursor = self._db.execute(
                    "SELECT row, id, adult, popularity, video, title, original_title FROM rows "
                    "WHERE adult = ? AND row > ? ORDER BY row LIMIT ?",
                    (1 if adult else 0, after, _BATCH_ROWS),
                )
                names = [column[0] for column in cursor.description]
                page = cursor.fetchall()
            if not page:
                return
            after = page[-1][0]
            for values in page:
                yield dict(zip(names, values, strict=True))

    def _keys(self, sql: str, parameters: tuple[object, ...]) -> list[RecordKey]:
        with self._lock:
            found = self._db.execute(sql, parameters).fetchall()
        return [
            RecordKey(self.kind, record_id, season, episode) for record_id, season, episode in found
        ]


class IndexView:
    """The index of ``records``' store, kept per kind (in SQLite files under a temporary
    directory of its own, removed by ``close``) and followed as it changes."""

    def __init__(self, records: RecordStore, *, check_seconds: float = 5.0) -> None:
        self._records = records
        self._index = RecordIndex(records.objects)
        #: How often a kept index table is checked against the store (a listing and a HEAD).
        self.check_seconds = check_seconds
        self._kinds: Refreshing[Kind, tuple[object, ...], _KindIndex] = Refreshing(
            lambda: self.check_seconds
        )
        self._changes: dict[tuple[Kind, date, date], tuple[float, list[ChangedEntry]]] = {}
        self._directory: str | None = None

    async def kind(self, kind: Kind) -> _KindIndex:
        async def load(_: tuple[object, ...]) -> _KindIndex:
            if self._directory is None:
                self._directory = tempfile.mkdtemp(prefix="tmdb-collector-serve-")
            table = await self._index.table(kind, _COLUMNS)
            return await asyncio.to_thread(_KindIndex, kind, table, self._directory)

        return await self._kinds.get(
            kind, lambda: self._index.state(kind), load, replaced=_KindIndex.close
        )

    def close(self) -> None:
        """Remove what the views keep on disk."""
        for view in self._kinds.values():
            view.close()
        self._kinds.forget()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    async def find(self, source: str, value: str) -> dict[Kind, list[RecordKey]]:
        """The live records of each FIND_KINDS kind whose external id ``source`` is ``value``."""
        return {kind: (await self.kind(kind)).find(source, value) for kind in FIND_KINDS}

    async def search(self, kind: Kind, query: str, *, include_adult: bool, page: int) -> SearchPage:
        view = await self.kind(kind)
        return await asyncio.to_thread(view.search, query, include_adult, page)

    async def export_lines(self, kind: Kind, adult: bool) -> Iterator[bytes]:
        """The lines of the kind's daily export (adult records' or the others'), from the
        index: the fields files.tmdb.org writes, in its order; read as they are sent."""
        if kind not in EXPORT_KINDS:
            return iter(())
        view = await self.kind(kind)
        fields = EXPORT_FIELDS[kind]
        return (
            json.dumps(
                {name: _export_value(row, name) for name in fields},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            for row in view.export_rows(adult)
        )

    async def changes(self, kind: Kind, window: ChangesWindow) -> list[ChangedEntry]:
        """The ids of ``kind`` whose stored version changed on a day of ``window`` (a series
        when one of its seasons or episodes did), each once, latest change first."""
        cache_key = (kind, window.start, window.end)
        kept = self._changes.get(cache_key)
        if kept is not None and time.monotonic() - kept[0] < self.check_seconds:
            return kept[1]
        since = _ms(datetime.combine(window.start, day_time(), UTC))
        until = _ms(datetime.combine(window.end + timedelta(days=1), day_time(), UTC))
        latest: dict[int, int] = {}
        async for entry in self._records.changes(since, until):
            if entry.key.kind is kind or (
                kind is Kind.TV and entry.key.kind in (Kind.TV_SEASON, Kind.TV_EPISODE)
            ):
                latest[entry.key.id] = max(latest.get(entry.key.id, 0), entry.time_ms)
        view = await self.kind(kind)
        entries = [
            # A record deleted since is not adult: TMDB lists deleted ids too.
            ChangedEntry(record_id, bool(view.adult(record_id)))
            for record_id, _ in sorted(latest.items(), key=lambda item: (-item[1], item[0]))
        ]
        self._changes[cache_key] = (time.monotonic(), entries)
        return entries


def _export_value(row: dict[str, object], name: str) -> object:
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
