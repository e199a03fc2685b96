"""The queryable index (RecordIndex) on every backend: local directory, memory and S3 on moto.

Rows from real and synthetic documents, fragments written by write_batch, latest-row-wins,
compaction (including a fragment written while it runs), SQL queries and hostile where clauses,
and the docs' examples of reading the files directly with DuckDB and Polars.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from store.conftest import StoreCase
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import (
    INDEX_SCHEMA,
    CompactionResult,
    CorruptIndexError,
    IndexQueryError,
    ObjectInfo,
    ObjectStore,
    RecordDeletion,
    RecordIndex,
    RecordStore,
    RecordWrite,
    StoreError,
    index_row,
)
from tmdb_collector.store._index import index_fields

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "tmdb" / "fixtures"
STORAGE_DOC = Path(__file__).resolve().parents[2] / "docs" / "storage.md"
T0 = 1_763_936_000_000
HASH = bytes(range(32))
FIGHT_CLUB = RecordKey(Kind.MOVIE, 550)
OTHER_MOVIE = RecordKey(Kind.MOVIE, 551)
SERIES = RecordKey(Kind.TV, 1399)
SEASON = RecordKey(Kind.TV_SEASON, 1399, 1)
EPISODE = RecordKey(Kind.TV_EPISODE, 1399, 1, 1)


class Clock:
    def __init__(self, now_ms: int = T0) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms


class HookedStore:
    """An ObjectStore that runs ``before_put`` once, before the first put of a snapshot, and
    can fail deletes: a compaction racing a writer, or dying before its deletes."""

    def __init__(self, inner: ObjectStore) -> None:
        self._inner = inner
        self.before_put: Callable[[], Awaitable[None]] | None = None
        self.fail_deletes = False

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
        hook, self.before_put = self.before_put, None
        if hook is not None and key.endswith("snapshot.parquet"):
            await hook()
        await self._inner.put(key, data)

    async def create(self, key: str, data: bytes) -> bool:
        return await self._inner.create(key, data)

    async def delete(self, key: str) -> None:
        if self.fail_deletes:
            raise StoreError(f"simulated crash before deleting {key}")
        await self._inner.delete(key)

    def list(
        self, prefix: str = "", *, start_after: str | None = None
    ) -> AsyncIterator[ObjectInfo]:
        return self._inner.list(prefix, start_after=start_after)


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return document


def write(key: RecordKey, document: dict[str, Any], at_ms: int = T0) -> RecordWrite:
    return RecordWrite(key, document, at_ms, key.api_path)


def movie(movie_id: int, title: str, popularity: float) -> dict[str, Any]:
    return {"id": movie_id, "title": title, "popularity": popularity, "adult": False}


def row(key: RecordKey, document: dict[str, Any] | None) -> dict[str, Any]:
    built = index_row(key, document, content_hash=HASH, stored_bytes=123, at_ms=T0)
    return {name: getattr(built, name) for name in INDEX_SCHEMA.names}


async def keys_under(store: ObjectStore, prefix: str) -> list[str]:
    return sorted([info.key async for info in store.list(prefix)])


def exists(path: Path) -> bool:
    return path.exists()


def ids(table: pa.Table) -> list[int]:
    return [int(value) for value in table.column("id").to_pylist()]


# --- rows --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "fixture", "expected"),
    [
        (FIGHT_CLUB, "movie/550", ("Fight Club", "Fight Club", "en", False, "1999-10-15")),
        (SERIES, "tv/1399", ("Game of Thrones", "Game of Thrones", "en", False, "2011-04-17")),
        (RecordKey(Kind.PERSON, 287), "person/287", ("Brad Pitt", None, None, False, "1963-12-18")),
        (SEASON, "tv/1399/season/1", ("Season 1", None, None, None, "2011-04-17")),
        (
            EPISODE,
            "tv/1399/season/1/episode/1",
            ("Winter Is Coming", None, None, None, "2011-04-17"),
        ),
        (RecordKey(Kind.COMPANY, 1), "company/1", ("Lucasfilm Ltd.", None, None, None, None)),
        (RecordKey(Kind.KEYWORD, 1701), "keyword/1701", ("hero", None, None, None, None)),
    ],
)
def test_rows_from_real_documents(
    key: RecordKey, fixture: str, expected: tuple[object, ...]
) -> None:
    document = load(fixture)
    built = row(key, document)
    summary = ("title", "original_title", "original_language", "adult", "date")
    assert tuple(built[name] for name in summary) == expected
    # The key columns come from the key: a season's id is its series', not TMDB's season id.
    assert (built["id"], built["season_number"], built["episode_number"]) == (
        key.id,
        key.season,
        key.episode,
    )
    assert built["popularity"] == document.get("popularity")
    assert built["vote_average"] == document.get("vote_average")
    assert built["vote_count"] == document.get("vote_count")
    assert (built["content_hash"], built["stored_bytes"]) == (HASH.hex(), 123)
    assert built["updated_at"] == datetime.fromtimestamp(T0 / 1000, UTC)
    assert built["deleted"] is False
    pa.Table.from_pylist([built], schema=INDEX_SCHEMA)  # fits the schema


def test_wrong_typed_values_become_null() -> None:
    hostile = {
        "title": 42,
        "name": "The Name",
        "original_title": ["x"],
        "original_name": None,
        "original_language": {"en": True},
        "adult": "false",
        "popularity": "12.5",
        "release_date": 19991015,
        "first_air_date": "",
        "vote_average": True,
        "vote_count": 2**70,
    }
    built = row(OTHER_MOVIE, hostile)
    assert built["title"] == "The Name"  # a non-string title falls back to the name
    assert built["date"] == ""  # the first date that is a string, as TMDB sent it
    for name in ("original_title", "original_language", "adult", "popularity", "vote_average"):
        assert built[name] is None, name
    assert built["vote_count"] is None  # beyond int64
    assert row(OTHER_MOVIE, {"vote_count": False, "popularity": 10**400})["popularity"] is None
    assert row(OTHER_MOVIE, {"popularity": math.nan})["popularity"] is None
    assert row(OTHER_MOVIE, {"popularity": 7, "title": "\ud800"}) | {} == row(
        OTHER_MOVIE, {"popularity": 7.0}
    )
    pa.Table.from_pylist([built], schema=INDEX_SCHEMA)


def test_tombstone_row_has_only_the_key_and_the_version() -> None:
    built = row(EPISODE, None)
    assert built["deleted"] is True
    assert (built["id"], built["season_number"], built["episode_number"]) == (1399, 1, 1)
    for name in ("title", "original_title", "adult", "popularity", "date", "vote_count"):
        assert built[name] is None, name
    assert built["content_hash"] == HASH.hex()


# --- fragments written by write_batch ----------------------------------------------------------


async def test_write_batch_writes_one_fragment_per_kind(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    first_title = movie(550, "first", 1.0)
    results = await records.write_batch(
        [
            write(FIGHT_CLUB, first_title),
            write(FIGHT_CLUB, load("movie/550"), T0 + 1),  # the batch's last version counts
            write(SERIES, load("tv/1399")),
            write(SEASON, load("tv/1399/season/1")),
        ]
    )
    fragments = await keys_under(store_case.store, "index")
    assert len(fragments) == 3
    pattern = r"index/(movie|tv|tv_season)/fragments/1763936000000-[0-9a-f]{12}-000001\.parquet"
    assert all(re.fullmatch(pattern, name) for name in fragments), fragments

    index = RecordIndex(store_case.store)
    movies = await index.table(Kind.MOVIE)
    assert movies.schema == INDEX_SCHEMA
    [fight_club] = movies.to_pylist()
    assert fight_club["title"] == "Fight Club"
    assert results[1].new_hash is not None
    assert fight_club["content_hash"] == results[1].new_hash.hex()
    stored = await store_case.store.head("records/movie/0550/550.rec")
    assert stored is not None
    assert fight_club["stored_bytes"] == stored.size
    assert ids(await index.table("tv_season")) == [1399]


async def test_an_unchanged_refetch_moves_only_checked_at(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    index = RecordIndex(store_case.store)
    await records.write_batch([write(SERIES, load("tv/1399"))])
    [before] = (await index.table("tv")).to_pylist()
    objects_before = await keys_under(store_case.store, "records")
    changelog_before = await keys_under(store_case.store, "changelog")

    [result] = await records.write_batch([write(SERIES, load("tv/1399"), T0 + 5)])

    assert result.change == "unchanged"
    [after] = (await index.table("tv")).to_pylist()
    assert after["checked_at"] == datetime.fromtimestamp((T0 + 5) / 1000, UTC)
    assert after["updated_at"] == before["updated_at"] == before["checked_at"]
    assert {k: v for k, v in after.items() if k != "checked_at"} == {
        k: v for k, v in before.items() if k != "checked_at"
    }
    # Nothing but the index row: no record, history or change-log object.
    assert await keys_under(store_case.store, "records") == objects_before
    assert await keys_under(store_case.store, "changelog") == changelog_before
    assert len(await records.history(SERIES)) == 1

    # A late refetch, older than the last confirmation, does not move checked_at back.
    await records.write_batch([write(SERIES, load("tv/1399"), T0 + 2)])
    [late] = (await index.table("tv")).to_pylist()
    assert late["checked_at"] == after["checked_at"]


async def test_a_repeated_deletion_confirms_the_tombstone(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    index = RecordIndex(store_case.store)
    await records.write_batch([write(FIGHT_CLUB, load("movie/550"))])
    await records.write_batch([RecordDeletion(FIGHT_CLUB, "missing from export", T0 + 10)])
    [result] = await records.write_batch([RecordDeletion(FIGHT_CLUB, "404 on fetch", T0 + 20)])
    assert result.change == "unchanged"
    [row] = (await index.table("movie")).to_pylist()
    assert row["deleted"]
    assert row["updated_at"] == datetime.fromtimestamp((T0 + 10) / 1000, UTC)
    assert row["checked_at"] == datetime.fromtimestamp((T0 + 20) / 1000, UTC)


async def test_table_reads_only_the_columns_asked_for(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    await records.write_batch(
        [write(FIGHT_CLUB, load("movie/550")), write(SEASON, load("tv/1399/season/1"))]
    )
    table = await RecordIndex(store_case.store).table("movie", columns=["deleted"])
    assert table.column_names == ["id", "season_number", "episode_number", "checked_at", "deleted"]
    assert table.to_pylist()[0]["id"] == 550
    with pytest.raises(IndexQueryError, match="no index column"):
        await RecordIndex(store_case.store).table("movie", columns=["nope"])


async def test_a_fragment_without_checked_at_reads_as_checked_when_updated(
    store_case: StoreCase,
) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    await records.write_batch([write(FIGHT_CLUB, load("movie/550"))])
    [name] = await keys_under(store_case.store, "index/movie")
    data = await store_case.store.get(name)
    assert data is not None
    legacy = pq.read_table(io.BytesIO(data)).drop_columns(["checked_at"])
    sink = io.BytesIO()
    pq.write_table(legacy, sink)
    await store_case.store.put(name, sink.getvalue())
    [row] = (await RecordIndex(store_case.store).table("movie")).to_pylist()
    assert row["checked_at"] == row["updated_at"]


async def test_latest_row_wins_and_deleted_rows_are_hidden(store_case: StoreCase) -> None:
    clock = Clock()
    records = RecordStore(store_case.store, now_ms=clock)
    index = RecordIndex(store_case.store)
    await records.write_batch(
        [write(FIGHT_CLUB, movie(550, "old", 10.0)), write(OTHER_MOVIE, movie(551, "b", 1.0))]
    )
    clock.now_ms += 1000
    await records.write_batch([write(FIGHT_CLUB, movie(550, "new", 20.0), T0 + 1000)])
    table = await index.table("movie")
    assert sorted(zip(ids(table), table.column("title").to_pylist(), strict=True)) == [
        (550, "new"),
        (551, "b"),
    ]

    clock.now_ms += 1000
    await records.write_batch([RecordDeletion(FIGHT_CLUB, "404 on fetch", T0 + 2000)])
    assert ids(await index.query("movie")) == [551]
    deleted = await index.query("movie", where="deleted")
    assert ids(deleted) == [550]
    assert deleted.column("title").to_pylist() == [None]
    assert len(await index.table("movie")) == 2  # the tombstone row stays

    clock.now_ms += 1000
    await records.write_batch([write(FIGHT_CLUB, movie(550, "back", 5.0), T0 + 3000)])
    assert sorted(ids(await index.query("movie"))) == [550, 551]


async def test_a_redelivered_batch_after_a_crash_is_deduplicated(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store, now_ms=Clock())
    await records.write_batch([write(FIGHT_CLUB, movie(550, "a", 1.0))])

    class CrashBeforeCurrent(HookedStore):
        async def put(self, key: str, data: bytes) -> None:
            raise StoreError(f"simulated crash before writing {key}")

    dying = RecordStore(CrashBeforeCurrent(store_case.store), now_ms=Clock(T0 + 10))
    update = [write(FIGHT_CLUB, movie(550, "b", 2.0), T0 + 10)]
    with pytest.raises(StoreError, match="simulated crash"):
        await dying.write_batch(update)
    retry = RecordStore(store_case.store, now_ms=Clock(T0 + 20))
    [result] = await retry.write_batch(update)
    assert result.change == "updated"  # the old current was still there: decided again
    # The dying batch wrote no index row: the index is written after the current objects, so
    # it never counts a version whose object is not there.
    assert len(await keys_under(store_case.store, "index/movie/fragments")) == 2
    table = await RecordIndex(store_case.store).table("movie")
    assert (ids(table), table.column("title").to_pylist()) == ([550], ["b"])


async def test_a_crash_before_the_index_is_healed_by_the_redelivery(store_case: StoreCase) -> None:
    """The current object was written, its index row was not: the redelivered batch finds the
    record unchanged and writes its confirmation row with every index field."""
    records = RecordStore(store_case.store, now_ms=Clock())
    await records.write_batch([write(FIGHT_CLUB, movie(550, "a", 1.0))])

    class CrashBeforeIndex(HookedStore):
        async def create(self, key: str, data: bytes) -> bool:
            if key.startswith("index/"):
                raise StoreError(f"simulated crash before writing {key}")
            return await super().create(key, data)

    dying = RecordStore(CrashBeforeIndex(store_case.store), now_ms=Clock(T0 + 10))
    update = [write(FIGHT_CLUB, movie(550, "b", 2.0), T0 + 10)]
    with pytest.raises(StoreError, match="simulated crash"):
        await dying.write_batch(update)
    table = await RecordIndex(store_case.store).table("movie")
    assert table.column("title").to_pylist() == ["a"]  # behind, never ahead of the objects
    [result] = await RecordStore(store_case.store, now_ms=Clock(T0 + 20)).write_batch(update)
    assert result.change == "unchanged"
    table = await RecordIndex(store_case.store).table("movie")
    assert (ids(table), table.column("title").to_pylist()) == ([550], ["b"])
    assert len(await RecordStore(store_case.store).history(FIGHT_CLUB)) == 2


# --- compaction --------------------------------------------------------------------------------


async def test_compaction_merges_and_deletes_fragments(store_case: StoreCase) -> None:
    clock = Clock()
    records = RecordStore(store_case.store, now_ms=clock)
    index = RecordIndex(store_case.store)
    for step in range(3):
        clock.now_ms = T0 + step
        await records.write_batch([write(FIGHT_CLUB, movie(550, f"v{step}", step), T0 + step)])
    await records.write_batch([write(SERIES, load("tv/1399"))])
    before = await index.table("movie")

    assert await index.compact("movie") == CompactionResult(fragments_merged=3, rows=1)
    assert await keys_under(store_case.store, "index/movie") == ["index/movie/snapshot.parquet"]
    assert (await index.table("movie")).equals(before)
    assert len(await keys_under(store_case.store, "index/tv/fragments")) == 1  # other kinds alone
    assert await index.compact("movie") == CompactionResult(fragments_merged=0, rows=1)
    assert await index.compact("keyword") == CompactionResult(fragments_merged=0, rows=0)
    assert (await index.table("keyword")).schema == INDEX_SCHEMA


async def test_a_fragment_written_during_compaction_survives(store_case: StoreCase) -> None:
    hooked = HookedStore(store_case.store)
    clock = Clock()
    records = RecordStore(store_case.store, now_ms=clock)
    await records.write_batch([write(FIGHT_CLUB, movie(550, "listed", 1.0))])

    async def a_writer_meanwhile() -> None:
        clock.now_ms += 1000
        await records.write_batch([write(OTHER_MOVIE, movie(551, "meanwhile", 2.0), T0 + 1000)])

    hooked.before_put = a_writer_meanwhile
    index = RecordIndex(hooked)
    assert await index.compact("movie") == CompactionResult(fragments_merged=1, rows=1)
    [survivor] = await keys_under(store_case.store, "index/movie/fragments")
    assert survivor.startswith(f"index/movie/fragments/{T0 + 1000}-")
    assert sorted(ids(await index.table("movie"))) == [550, 551]  # no update lost
    assert await index.compact("movie") == CompactionResult(fragments_merged=1, rows=2)
    assert await keys_under(store_case.store, "index/movie/fragments") == []


async def test_a_compaction_that_dies_before_its_deletes_is_harmless(
    store_case: StoreCase,
) -> None:
    clock = Clock()
    records = RecordStore(store_case.store, now_ms=clock)
    await records.write_batch([write(FIGHT_CLUB, movie(550, "a", 1.0))])
    clock.now_ms += 1
    await records.write_batch([write(FIGHT_CLUB, movie(550, "b", 2.0), T0 + 1)])
    hooked = HookedStore(store_case.store)
    hooked.fail_deletes = True
    with pytest.raises(StoreError, match="simulated crash"):
        await RecordIndex(hooked).compact("movie")

    index = RecordIndex(store_case.store)
    assert (await index.table("movie")).column("title").to_pylist() == ["b"]
    assert await index.compact("movie") == CompactionResult(fragments_merged=2, rows=1)
    assert (await index.table("movie")).column("title").to_pylist() == ["b"]


# --- queries -----------------------------------------------------------------------------------


async def write_movies(store: ObjectStore) -> RecordIndex:
    records = RecordStore(store, now_ms=Clock())
    popularities = {550: 24.2, 551: 61.0, 552: 88.5, 553: 50.0, 554: 73.1}
    await records.write_batch(
        [write(RecordKey(Kind.MOVIE, i), movie(i, f"m{i}", p)) for i, p in popularities.items()]
    )
    return RecordIndex(store)


async def test_query_where_order_and_limit(store_case: StoreCase) -> None:
    index = await write_movies(store_case.store)
    popular = await index.query(
        "movie", where="popularity > 50", order_by="popularity", descending=True
    )
    assert ids(popular) == [552, 554, 551]
    assert popular.schema == INDEX_SCHEMA
    assert ids(await index.query(Kind.MOVIE, order_by="popularity", limit=2)) == [550, 553]
    titled = await index.query("movie", where="title LIKE 'm55%' AND id < 552", order_by="id")
    assert ids(titled) == [550, 551]
    assert ids(await index.query("movie", where="id = 1")) == []
    assert (await index.query("tv")).num_rows == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"where": "popularity >"}, "Parser Error"),
        ({"where": "budget > 1"}, "budget"),
        ({"order_by": "budget"}, "not a column"),
        ({"order_by": "popularity; DROP TABLE t"}, "not a column"),
        ({"limit": 0}, "from 1 to 9223372036854775807"),
        ({"limit": -5}, "from 1 to 9223372036854775807"),
        # DuckDB's LIMIT is a BIGINT: one more was a "Conversion Error ... INT128".
        ({"limit": 2**63}, "from 1 to 9223372036854775807, got 9223372036854775808"),
        # "WHERE ()" was DuckDB's "Unimplemented type for cast (TUPLE -> BOOLEAN)".
        ({"where": ""}, "the where clause (--where) is empty"),
        ({"where": " \n "}, "the where clause (--where) is empty"),
    ],
)
async def test_bad_queries_raise_index_query_error(
    store_case: StoreCase, arguments: dict[str, Any], message: str
) -> None:
    index = await write_movies(store_case.store)
    with pytest.raises(IndexQueryError, match=re.escape(message)) as raised:
        await index.query("movie", **arguments)
    assert "\n" not in str(raised.value)  # one line: DuckDB's "LINE 1: ..." excerpt is dropped


async def test_a_query_error_quotes_the_clause_not_the_sql_around_it(
    store_case: StoreCase,
) -> None:
    index = await write_movies(store_case.store)
    with pytest.raises(IndexQueryError) as raised:
        await index.query("movie", where="popularity >")
    assert str(raised.value) == (
        "the where clause 'popularity >': Parser Error: syntax error at its end"
    )


async def test_hostile_where_clauses_touch_no_file(store_case: StoreCase, tmp_path: Path) -> None:
    index = await write_movies(store_case.store)
    target = tmp_path / "stolen.csv"
    tmp_x = Path("/tmp/x")  # noqa: S108 (the path an attacker would try)
    tmp_x_existed = exists(tmp_x)
    hostile = [
        "1=1; COPY t TO '/tmp/x'",
        f"1=1; COPY t TO '{target}'",
        f"1=1) TO '{target}'; COPY (SELECT 1",
        "read_csv('/etc/passwd') IS NOT NULL",
        "EXISTS (SELECT * FROM read_csv('/etc/passwd'))",
        "id IN (SELECT 1 FROM read_text('/etc/hostname'))",
        "1=1; SET enable_external_access = true",
        "unknown_column = 1",
    ]
    for where in hostile:
        with pytest.raises(IndexQueryError):
            await index.query("movie", where=where)
    assert not exists(target)
    assert exists(tmp_x) == tmp_x_existed


# --- the docs' examples: reading the files directly --------------------------------------------


def doc_example(language: str) -> str:
    """The first ``language`` code block of docs/storage.md's "Index" section."""
    section = STORAGE_DOC.read_text("utf-8").split("\n## Index\n", 1)[1]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)
    return str(blocks[1] if language == "python" else blocks[0])  # python's first is the API


async def index_on_disk(store_case: StoreCase) -> Path:
    """A local store whose movie index has a snapshot, a newer fragment and a deletion."""
    assert store_case.root is not None
    clock = Clock()
    records = RecordStore(store_case.store, now_ms=clock)
    index = await write_movies(store_case.store)
    await index.compact("movie")
    clock.now_ms += 1000
    await records.write_batch(
        [
            write(RecordKey(Kind.MOVIE, 553), movie(553, "m553 again", 99.0), T0 + 1000),
            RecordDeletion(RecordKey(Kind.MOVIE, 552), "404 on fetch", T0 + 1000),
        ]
    )
    return store_case.root


EXPECTED_DIRECT = [(553, 99.0), (554, 73.1), (551, 61.0), (550, 24.2)]


@pytest.mark.parametrize("store_case", ["local"], indirect=True)
async def test_duckdb_reads_the_files_directly(store_case: StoreCase) -> None:
    root = await index_on_disk(store_case)
    snapshot = root / "index" / "movie" / "snapshot.parquet"
    [(count,)] = duckdb.sql(f"SELECT count(*) FROM read_parquet('{snapshot}')").fetchall()  # noqa: S608
    assert count == 5

    sql = doc_example("sql").replace("tmdb-data", str(root))
    # Arrow, not fetchall(): Python timestamps with a time zone would need pytz.
    direct = duckdb.sql(sql).to_arrow_table().cast(INDEX_SCHEMA)
    assert list(zip(ids(direct), direct.column("popularity").to_pylist(), strict=True)) == (
        EXPECTED_DIRECT
    )
    assert direct.column("title")[0].as_py() == "m553 again"
    via_api = await RecordIndex(store_case.store).query(
        "movie", order_by="popularity", descending=True
    )
    assert via_api.equals(direct)


@pytest.mark.parametrize("store_case", ["local"], indirect=True)
async def test_polars_reads_the_files_directly(store_case: StoreCase) -> None:
    root = await index_on_disk(store_case)
    assert pl.read_parquet(root / "index" / "movie" / "snapshot.parquet").height == 5

    namespace: dict[str, Any] = {}
    exec(doc_example("python").replace("tmdb-data", str(root)), namespace)  # noqa: S102 (our docs)
    movies: pl.DataFrame = namespace["movies"].sort("popularity", descending=True)
    assert list(zip(movies["id"], movies["popularity"], strict=True)) == EXPECTED_DIRECT
    assert movies.columns == INDEX_SCHEMA.names


async def test_a_corrupt_fragment_is_named_in_a_typed_error(store_case: StoreCase) -> None:
    await store_case.store.create("index/movie/fragments/0000000000001-abc-000001.parquet", b"no")
    with pytest.raises(CorruptIndexError, match=r"0000000000001-abc-000001\.parquet"):
        await RecordIndex(store_case.store).table("movie")


async def test_a_fragment_with_a_damaged_footer_is_named_in_a_typed_error(
    store_case: StoreCase,
) -> None:
    # Four bytes flipped in the footer's metadata: pyarrow raises a plain OSError ("Couldn't
    # deserialize thrift"), which once escaped as a traceback from every command reading the
    # index (the fault suite's corrupt index fragment, issue 12).
    sink = io.BytesIO()
    pq.write_table(INDEX_SCHEMA.empty_table(), sink)
    data = bytearray(sink.getvalue())
    data[-40:-36] = bytes(b ^ 0xFF for b in data[-40:-36])
    name = "index/movie/fragments/0000000000001-abc-000001.parquet"
    await store_case.store.create(name, bytes(data))
    with pytest.raises(CorruptIndexError, match=r"0000000000001-abc-000001\.parquet") as raised:
        await RecordIndex(store_case.store).table("movie")
    assert str(raised.value).isprintable()  # one line, whatever bytes pyarrow quotes


@pytest.mark.parametrize(
    "name", ["movie/550", "tv/1399", "person/287", "tv/1399/season/1", "company/1"]
)
def test_index_fields_make_the_same_row_as_the_whole_document(name: str) -> None:
    document = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    key = RecordKey(Kind.MOVIE, 1)
    whole = index_row(key, document, content_hash=b"h", stored_bytes=1, at_ms=5)
    assert index_row(key, index_fields(document), content_hash=b"h", stored_bytes=1, at_ms=5) == (
        whole
    )
    assert len(index_fields(document)) < len(document)


def test_a_row_keeps_external_ids_and_other_titles() -> None:
    document = {
        "title": "Fight Club",
        "original_title": "Fight Club",
        "imdb_id": "tt0137523",
        "video": False,
        "external_ids": {"imdb_id": "tt0137523", "wikidata_id": "Q190050", "tvdb_id": 7, "x": 1},
        "translations": {
            "translations": [
                {"data": {"title": "El club de la lucha"}},
                {"data": {"title": ""}},
                {"data": {"title": "Fight Club"}},
                {"data": None},
                "not an object",
            ]
        },
        "alternative_titles": {"titles": [{"title": "Borilački klub"}, {"title": 3}]},
    }
    row = index_row(
        RecordKey(Kind.MOVIE, 550), document, content_hash=b"\x01", stored_bytes=1, at_ms=0
    )
    assert json.loads(row.external_ids or "") == {
        "imdb_id": "tt0137523",
        "tvdb_id": "7",
        "wikidata_id": "Q190050",
    }
    assert row.other_titles == "El club de la lucha\nBorilački klub"
    assert row.video is False
    person = index_row(
        RecordKey(Kind.PERSON, 287),
        {"name": "Brad Pitt", "also_known_as": ["Брэд Питт", "Brad Pitt", None]},
        content_hash=b"\x01",
        stored_bytes=1,
        at_ms=0,
    )
    assert (person.other_titles, person.external_ids) == ("Брэд Питт", None)
