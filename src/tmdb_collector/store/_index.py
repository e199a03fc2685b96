"""The queryable index: one summary row per record and kind, in Parquet, over an ObjectStore.

    index/{kind}/fragments/{time_ms:013d}-{writer}-{seq:06d}.parquet   one per write batch and kind
    index/{kind}/snapshot.parquet                                        compacted fragments

Fragments are immutable and create-only (RecordStore writes them); ``RecordIndex.compact`` folds
them into the snapshot. A reader takes the snapshot plus every fragment and keeps the latest row
per key (docs/storage.md, "Index").
"""

from __future__ import annotations

import asyncio
import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# pyarrow ships no type information (no py.typed): its objects are Any to mypy.
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from tmdb_collector.errors import Action, CorruptDataError, InputError
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store._errors import StoreError
from tmdb_collector.store._gather import bounded
from tmdb_collector.store._objects import ObjectStore

__all__ = [
    "EXTERNAL_SOURCES",
    "INDEX_ROOT",
    "INDEX_SCHEMA",
    "CompactionResult",
    "CorruptIndexError",
    "IndexQueryError",
    "IndexRow",
    "RecordIndex",
    "fragment_key",
    "fragment_time",
    "fragments_from",
    "fragments_prefix",
    "index_fields",
    "index_fragment",
    "index_row",
    "snapshot_key",
]

INDEX_ROOT = "index"
_INT64 = (-(2**63), 2**63 - 1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: TMDB's date field per kind, in the order tried: a record has at most one of them.
_DATE_FIELDS = ("release_date", "first_air_date", "air_date", "birthday")
#: The key columns: seasons and episodes share their series' id.
_KEY_COLUMNS = ("id", "season_number", "episode_number")
_SOURCE = "__source"
_MENTIONS_DELETED = re.compile(r"\bdeleted\b", re.IGNORECASE)
#: The largest LIMIT DuckDB takes (a BIGINT); any larger number is refused, not clamped.
_MAX_LIMIT = _INT64[1]

#: One schema for every kind; a column a kind lacks is null.
INDEX_SCHEMA = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("season_number", pa.int64()),
        pa.field("episode_number", pa.int64()),
        pa.field("title", pa.string()),
        pa.field("original_title", pa.string()),
        pa.field("original_language", pa.string()),
        pa.field("adult", pa.bool_()),
        pa.field("popularity", pa.float64()),
        pa.field("date", pa.string()),
        pa.field("vote_average", pa.float64()),
        pa.field("vote_count", pa.int64()),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("stored_bytes", pa.int64(), nullable=False),
        pa.field("updated_at", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("checked_at", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("deleted", pa.bool_(), nullable=False),
        # Added after the first release; older fragments and snapshots read them as null.
        pa.field("video", pa.bool_()),
        #: The record's ids elsewhere (IMDb, TVDB, Wikidata, ...) as a JSON object of strings:
        #: what ``/3/find`` looks up.
        pa.field("external_ids", pa.string()),
        #: Other titles and names the record carries — its translations' titles, alternative
        #: titles, a person's also_known_as — one per line: what ``/3/search`` also matches.
        pa.field("other_titles", pa.string()),
    ]
)
#: Columns an index object written by an earlier release may lack: read as nulls.
_LATER_COLUMNS = ("video", "external_ids", "other_titles")
#: The most characters of other titles kept per record: the index stays small.
_OTHER_TITLES_CHARS = 4000
#: The external ids ``/3/find`` takes (``external_source``), as TMDB names them.
EXTERNAL_SOURCES = (
    "imdb_id",
    "facebook_id",
    "instagram_id",
    "tvdb_id",
    "tiktok_id",
    "twitter_id",
    "wikidata_id",
    "youtube_id",
)


class CorruptIndexError(StoreError, CorruptDataError):
    """An index object that is not a Parquet file of INDEX_SCHEMA; the message names it. Delete
    it (a fragment's rows come back with the records' next changes) or restore it."""

    action = Action.FIX


class IndexQueryError(InputError):
    """A query the index cannot run: bad SQL, an unknown column, an empty where clause, or a
    limit out of range. The message says which argument is wrong (with DuckDB's words for bad
    SQL, on one line)."""


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One record's summary, as the index holds it (INDEX_SCHEMA, same names and order)."""

    id: int
    season_number: int | None
    episode_number: int | None
    title: str | None
    original_title: str | None
    original_language: str | None
    adult: bool | None
    popularity: float | None
    date: str | None
    vote_average: float | None
    vote_count: int | None
    content_hash: str
    stored_bytes: int
    updated_at: datetime
    checked_at: datetime
    deleted: bool
    video: bool | None = None
    external_ids: str | None = None
    other_titles: str | None = None


@dataclass(frozen=True, slots=True)
class CompactionResult:
    """What ``compact`` did: fragments folded into the snapshot, and the snapshot's rows."""

    fragments_merged: int
    rows: int


# --- rows (pure) ------------------------------------------------------------------------------


def index_row(
    key: RecordKey,
    document: Mapping[str, Any] | None,
    *,
    content_hash: bytes,
    stored_bytes: int,
    at_ms: int,
    checked_at_ms: int | None = None,
) -> IndexRow:
    """The index row of one stored version: ``document`` is its TMDB JSON, None for a tombstone.

    ``at_ms`` is when the version's content was fetched (its deletion time for a tombstone);
    ``checked_at_ms`` when TMDB last confirmed it (default: ``at_ms``) — a refetch that finds
    the content unchanged moves only that. The key columns come from ``key`` (a season's ``id``
    is its series' id). A value of the wrong type in the document becomes null: TMDB's JSON is
    not ours to trust, and one odd record must not stop a batch.
    """
    doc: Mapping[str, Any] = document if document is not None else {}
    return IndexRow(
        id=key.id,
        season_number=key.season,
        episode_number=key.episode,
        title=_first_string(doc, "title", "name"),
        original_title=_first_string(doc, "original_title", "original_name"),
        original_language=_first_string(doc, "original_language"),
        adult=_boolean(doc.get("adult")),
        popularity=_number(doc.get("popularity")),
        date=_first_string(doc, *_DATE_FIELDS),
        vote_average=_number(doc.get("vote_average")),
        vote_count=_integer(doc.get("vote_count")),
        content_hash=content_hash.hex(),
        stored_bytes=stored_bytes,
        updated_at=_EPOCH + timedelta(milliseconds=at_ms),
        checked_at=_EPOCH
        + timedelta(milliseconds=at_ms if checked_at_ms is None else checked_at_ms),
        deleted=document is None,
        video=_boolean(doc.get("video")),
        external_ids=external_ids_json(doc),
        other_titles=other_titles(doc),
    )


def other_titles(doc: Mapping[str, Any]) -> str | None:
    """The record's titles and names besides its title and original title, one per line, each
    once: its translations' (``translations``), its alternative titles, a person's
    ``also_known_as``; None without any."""
    found: list[object] = []
    translations = doc.get("translations")
    if isinstance(translations, Mapping):
        for entry in _objects(translations.get("translations")):
            data = entry.get("data")
            if isinstance(data, Mapping):
                found += [data.get("title"), data.get("name")]
    alternatives = doc.get("alternative_titles")
    if isinstance(alternatives, Mapping):
        for listing in (alternatives.get("titles"), alternatives.get("results")):
            found += [entry.get("title") for entry in _objects(listing)]
    also = doc.get("also_known_as")
    if isinstance(also, list):
        found += also
    seen = {
        _first_string(doc, "title", "name"),
        _first_string(doc, "original_title", "original_name"),
    }
    kept: list[str] = []
    size = 0
    for title in found:
        if not isinstance(title, str) or not title.strip() or title in seen:
            continue
        if not _encodable(title) or size + len(title) > _OTHER_TITLES_CHARS:
            continue
        seen.add(title)
        kept.append(title.replace("\n", " "))
        size += len(title) + 1
    return "\n".join(kept) if kept else None


def _objects(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def external_ids_json(doc: Mapping[str, Any]) -> str | None:
    """The record's external ids as the index keeps them: a JSON object of the ids of
    EXTERNAL_SOURCES it has, as strings (its ``external_ids`` block, and a top-level
    ``imdb_id``), sorted; None without any."""
    found: dict[str, str] = {}
    block = doc.get("external_ids")
    for source in (block if isinstance(block, Mapping) else {}, doc):
        for name in EXTERNAL_SOURCES:
            value = source.get(name)
            if name not in found and _is_id(value):
                found[name] = str(value)
    return json.dumps(found, sort_keys=True, ensure_ascii=False) if found else None


def _is_id(value: object) -> bool:
    if isinstance(value, str):
        return bool(value) and _encodable(value)
    return isinstance(value, int) and not isinstance(value, bool)


#: Every top-level key of a TMDB record that ``index_row`` reads.
_INDEX_SOURCE_KEYS = (
    "title",
    "name",
    "original_title",
    "original_name",
    "original_language",
    "adult",
    "popularity",
    *_DATE_FIELDS,
    "vote_average",
    "vote_count",
    "video",
    "imdb_id",
    "external_ids",
    "translations",
    "alternative_titles",
    "also_known_as",
)


def index_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a record's JSON its index row is made of: ``index_row`` gives the same row
    for it as for the whole document, so a writer can let the rest go early."""
    return {name: document[name] for name in _INDEX_SOURCE_KEYS if name in document}


def _first_string(doc: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = doc.get(name)
        if isinstance(value, str):
            # A lone surrogate cannot be written as UTF-8 (Parquet strings are UTF-8).
            return value if value.isascii() or _encodable(value) else None
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _boolean(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _integer(value: object) -> int | None:
    # bool is an int in Python, but true is no vote count.
    if isinstance(value, int) and not isinstance(value, bool) and _INT64[0] <= value <= _INT64[1]:
        return value
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        return None
    return number if math.isfinite(number) else None


def rows_table(rows: Iterable[IndexRow]) -> pa.Table:
    """The rows as an Arrow table of INDEX_SCHEMA."""
    records = [astuple(row) for row in rows]
    arrays = [pa.array([r[i] for r in records], type=f.type) for i, f in enumerate(INDEX_SCHEMA)]
    return pa.Table.from_arrays(arrays, schema=INDEX_SCHEMA)


def index_fragment(rows: Iterable[IndexRow]) -> bytes:
    """A fragment's (or snapshot's) bytes: the rows as one Parquet file."""
    return _parquet_bytes(rows_table(rows))


# --- layout (pure) ----------------------------------------------------------------------------


def fragments_prefix(kind: Kind) -> str:
    """The folder of a kind's fragments."""
    return f"{INDEX_ROOT}/{kind.value}/fragments"


def fragment_key(kind: Kind, time_ms: int, writer: str, seq: int) -> str:
    """A fragment: named like a change-log piece (batch time, writer, batch number), so writers
    never collide and names sort by time."""
    return f"{fragments_prefix(kind)}/{time_ms:013d}-{writer}-{seq:06d}.parquet"


def fragments_from(kind: Kind, time_ms: int) -> str:
    """What a fragment named at ``time_ms`` or later sorts after (a listing's start)."""
    return f"{fragments_prefix(kind)}/{time_ms:013d}"


def fragment_time(name: str) -> int:
    """The batch time a fragment is named by (0 for a name not made by ``fragment_key``)."""
    stem = name.rsplit("/", 1)[-1][:13]
    return int(stem) if stem.isdigit() else 0


def snapshot_key(kind: Kind) -> str:
    """The kind's compacted snapshot."""
    return f"{INDEX_ROOT}/{kind.value}/snapshot.parquet"


# --- reading, compacting, querying ------------------------------------------------------------


class RecordIndex:
    """The index over an object store: read a kind's table, compact it, query it with SQL."""

    def __init__(self, objects: ObjectStore) -> None:
        self._objects = objects

    @property
    def objects(self) -> ObjectStore:
        """The object store underneath."""
        return self._objects

    async def table(self, kind: Kind | str, columns: Iterable[str] | None = None) -> pa.Table:
        """The kind's rows: the snapshot plus every fragment, the latest row per key (deleted
        records included, with ``deleted`` true).

        ``columns`` reads only those (the key columns and ``checked_at`` always come along, as
        the dedupe needs them): a harvester wanting ids and times of a million records reads
        tens of megabytes instead of the whole summary.
        """
        kind = Kind(kind)
        fragments = await self._list_fragments(kind)
        return await self._merged(kind, fragments, _projection(columns))

    async def compact(
        self, kind: Kind | str, fragments: list[str] | None = None
    ) -> CompactionResult:
        """Fold the kind's fragments into its snapshot, then delete the fragments folded.

        The fragments are listed first (or given: ``fragments``, listed by a caller that folds
        them elsewhere too) and only those are deleted: one written meanwhile stays and is
        folded next time. A crash between the snapshot's put and the deletes leaves rows in
        both, which reading dedupes. Run one compaction per kind at a time.
        """
        kind = Kind(kind)
        if fragments is None:
            fragments = await self._list_fragments(kind)
        table = await self._merged(kind, fragments)
        if fragments:  # with none, the snapshot already says it all: rewriting it is churn
            data = await asyncio.to_thread(_parquet_bytes, table)
            await self._objects.put(snapshot_key(kind), data)
            await bounded([self._objects.delete(fragment) for fragment in fragments])
        return CompactionResult(fragments_merged=len(fragments), rows=table.num_rows)

    async def query(
        self,
        kind: Kind | str,
        *,
        where: str | None = None,
        order_by: str | None = None,
        descending: bool = False,
        limit: int | None = None,
    ) -> pa.Table:
        """``SELECT * FROM t [WHERE where] [ORDER BY order_by] [LIMIT limit]`` over ``table(kind)``
        with DuckDB; deleted records are left out unless ``where`` mentions ``deleted``.

        DuckDB runs in memory with external access off: a where clause cannot read or write
        files or the network. IndexQueryError for bad SQL, an unknown column or a limit < 1.
        """
        sql = _select_sql(where, order_by, descending, limit)
        return _run_query(await self.table(kind), sql, where)

    async def state(self, kind: Kind | str) -> tuple[object, ...]:
        """What the kind's index is made of now (its fragments' names, the snapshot's size,
        time and ETag): equal states give equal tables, so a reader that keeps a table
        compares states (a LIST and a HEAD) rather than read it again."""
        kind = Kind(kind)
        snapshot = await self._objects.head(snapshot_key(kind))
        fragments = tuple(await self.fragments(kind))
        return (
            fragments,
            None if snapshot is None else (snapshot.size, snapshot.modified, snapshot.etag),
        )

    async def fragments(self, kind: Kind | str) -> list[str]:
        """The kind's fragments now, oldest first."""
        return await self._list_fragments(Kind(kind))

    async def backlog(self, kind: Kind | str) -> tuple[int, int | None]:
        """How many fragments wait for the kind's compaction, and the oldest one's batch time
        (ms; None when none waits): one listing."""
        names = await self._list_fragments(Kind(kind))
        return len(names), (min(map(fragment_time, names)) if names else None)

    async def fragments_since(
        self, kind: Kind, since_ms: int | None
    ) -> tuple[list[str], tuple[int, datetime, str | None] | None, dict[str, datetime]]:
        """The kind's fragments named from ``since_ms`` on (all with None), oldest first, the
        snapshot's size, time and ETag (None: no snapshot), and when each fragment was stored
        (the store's clock), in one listing of one page: the snapshot's name sorts after every
        fragment's, so a listing of the kind's folder that starts after a fragment name holds
        both."""
        start = None if since_ms is None else fragments_from(kind, since_ms)
        inside, snapshot_name = f"{fragments_prefix(kind)}/", snapshot_key(kind)
        stored: dict[str, datetime] = {}
        snapshot = None
        async for info in self._objects.list(f"{INDEX_ROOT}/{kind.value}", start_after=start):
            if info.key == snapshot_name:
                snapshot = (info.size, info.modified, info.etag)
            elif info.key.startswith(inside) and info.key.endswith(".parquet"):
                stored[info.key] = info.modified
        return sorted(stored), snapshot, stored

    async def _list_fragments(self, kind: Kind) -> list[str]:
        listed = [info.key async for info in self._objects.list(fragments_prefix(kind))]
        return sorted(name for name in listed if name.endswith(".parquet"))

    async def _merged(
        self, kind: Kind, fragments: list[str], columns: list[str] | None = None
    ) -> pa.Table:
        # Fragments before the snapshot: a fragment that vanished since the listing was merged
        # by a compaction whose snapshot was put before the delete, so the snapshot read after
        # holds its rows.
        names = [*fragments, snapshot_key(kind)]
        blobs = await bounded([self._objects.get(name) for name in fragments])
        blobs.append(await self._objects.get(snapshot_key(kind)))
        return await asyncio.to_thread(self._combined, names, blobs, columns)

    def _combined(
        self, names: list[str], blobs: list[bytes | None], columns: list[str] | None
    ) -> pa.Table:
        """Each record's latest row among the objects read (column work, in a thread: the event
        loop keeps turning while millions of rows are merged)."""
        # Names sort fragments by time and the snapshot last: the position is the tie-breaker.
        parts = [
            _with_source(self._read_parquet(name, data, columns), position)
            for position, (name, data) in enumerate(zip(names, blobs, strict=True))
            if data is not None
        ]
        return latest_per_key(parts, _schema_of(columns))

    def _read_parquet(self, name: str, data: bytes, columns: list[str] | None = None) -> pa.Table:
        wanted = columns if columns is not None else INDEX_SCHEMA.names
        try:
            # Only the columns wanted are read: a million rows' titles and hashes are ~200 MB.
            source = pq.ParquetFile(io.BytesIO(data))
            present = set(source.schema_arrow.names)
            # Written before the index had checked_at: last checked when last updated.
            legacy = "checked_at" not in present and "updated_at" in present
            read = [*wanted, "updated_at"] if legacy else wanted
            later = [n for n in _LATER_COLUMNS if n in wanted and n not in present]
            table = source.read(
                columns=[
                    n
                    for n in dict.fromkeys(read)
                    if (n != "checked_at" or not legacy) and n not in later
                ]
            )
            if legacy:
                table = table.append_column("checked_at", table.column("updated_at"))
            for column in later:
                field = INDEX_SCHEMA.field(column)
                table = table.append_column(field, pa.nulls(table.num_rows, field.type))
            return table.select(wanted).cast(_schema_of(list(wanted)))
        # OSError too: pyarrow raises a plain one for a damaged footer ("Couldn't deserialize
        # thrift"), and the bytes are already in memory, so no OSError here is a real I/O error.
        except (pa.ArrowException, ValueError, KeyError, OSError) as error:
            # pyarrow's text may quote the damaged bytes (newlines, control characters): the
            # message stays one printable line.
            cause = printable(error)
            raise CorruptIndexError(
                f"index object {name} in {self._objects.url} is not a Parquet file of the index "
                f"schema ({cause}); delete or restore it"
            ) from None


def latest_per_key(parts: list[pa.Table], schema: pa.Schema = INDEX_SCHEMA) -> pa.Table:
    """The latest row per key of tables with a ``__source`` column (the position of the object
    each came from, in key order): by ``checked_at``, ties by the later source."""
    if not parts:
        return schema.empty_table()
    if len(parts) == 1:
        # One object holds one row per key already (a snapshot is deduped when written, a
        # fragment holds a batch's last row per key): sorting a million rows would only cost.
        return parts[0].drop_columns([_SOURCE])
    table = pa.concat_tables(parts)
    ordered = table.sort_by(
        [(name, "ascending") for name in _KEY_COLUMNS]
        + [("checked_at", "descending"), (_SOURCE, "descending")]
    )
    return ordered.filter(_first_of_each_key(ordered)).drop_columns([_SOURCE])


def _first_of_each_key(ordered: pa.Table) -> pa.Array:
    """True at each row whose key differs from the row before it (rows sorted by key)."""
    if ordered.num_rows == 0:
        return pa.array([], type=pa.bool_())
    changed = pa.array([False] * (ordered.num_rows - 1), type=pa.bool_())
    for name in _KEY_COLUMNS:
        # -1 stands for null: no real season or episode number is negative.
        column = pc.fill_null(ordered.column(name), -1)
        changed = pc.or_(changed, pc.not_equal(column.slice(1), column.slice(0, len(column) - 1)))
    return pa.concat_arrays([pa.array([True]), changed.combine_chunks()])


def _with_source(table: pa.Table, position: int) -> pa.Table:
    return table.append_column(_SOURCE, pa.repeat(pa.scalar(position, pa.int32()), table.num_rows))


def _projection(columns: Iterable[str] | None) -> list[str] | None:
    """The columns to read, in schema order, with those the dedupe needs; None for all."""
    if columns is None:
        return None
    wanted = set(columns)
    unknown = wanted - set(INDEX_SCHEMA.names)
    if unknown:
        known = ", ".join(INDEX_SCHEMA.names)
        raise IndexQueryError(f"no index column {sorted(unknown)}; the columns are {known}")
    wanted |= {*_KEY_COLUMNS, "checked_at"}
    return [name for name in INDEX_SCHEMA.names if name in wanted]


def _schema_of(columns: list[str] | None) -> pa.Schema:
    if columns is None:
        return INDEX_SCHEMA
    return pa.schema([INDEX_SCHEMA.field(name) for name in columns])


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table.cast(INDEX_SCHEMA), sink, compression="zstd")
    return sink.getvalue()


def _select_sql(
    where: str | None, order_by: str | None, descending: bool, limit: int | None
) -> str:
    # Deleted rows are dropped in a subquery, so no where clause (not even "x) OR (y") can
    # bring them back unless it asks about them.
    hide_deleted = where is None or not _MENTIONS_DELETED.search(where)
    source = "(SELECT * FROM t WHERE NOT deleted) AS t" if hide_deleted else "t"
    sql = f"SELECT * FROM {source}"  # noqa: S608 (fixed text; the user's SQL is below)
    if where is not None:
        if not where.strip():
            # DuckDB would read "WHERE ()" as an empty tuple and answer with a cast error.
            raise IndexQueryError(
                "the where clause (--where) is empty: give a condition such as "
                '"popularity > 50", or leave it out for every row'
            )
        # On its own lines, in parentheses: a trailing "--" comment cannot swallow the clauses
        # that follow.
        # The where clause is SQL by design: the sandbox is DuckDB's, see _run_query.
        sql += f" WHERE (\n{where}\n)"
    if order_by is not None:
        if order_by not in INDEX_SCHEMA.names:
            known = ", ".join(INDEX_SCHEMA.names)
            raise IndexQueryError(f"cannot order by {order_by!r}: not a column; use one of {known}")
        sql += f' ORDER BY "{order_by}" {"DESC" if descending else "ASC"}'
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= _MAX_LIMIT:
            raise IndexQueryError(
                f"the limit (--limit) must be a whole number from 1 to {_MAX_LIMIT}, got {limit!r}"
            )
        sql += f" LIMIT {limit}"
    return sql


def _run_query(table: pa.Table, sql: str, where: str | None) -> pa.Table:
    # Imported here: DuckDB is only for queries, and the collector (which writes fragments
    # through this module) should not pay for loading it.
    import duckdb  # noqa: PLC0415

    # External access off: no file, URL or extension can be read or written, whatever the where
    # clause says; locked, so the clause cannot turn it back on.
    config: dict[str, str | bool | int | float | list[str]] = {
        "enable_external_access": False,
        "lock_configuration": True,
    }
    with duckdb.connect(":memory:", config=config) as connection:
        try:
            connection.register("t", table)
            statements = connection.extract_statements(sql)
            if len(statements) != 1:
                raise IndexQueryError("the where clause must be one expression, not statements")
            result = connection.sql(sql).to_arrow_table()
        except duckdb.Error as error:
            clause = "" if where is None else f"the where clause {' '.join(where.split())!r}: "
            raise IndexQueryError(f"{clause}{_one_line(error, where or '')}") from None
    if result is None:  # only for a statement without a result set, which a SELECT never is
        raise IndexQueryError(f"the query returned no result set: {sql}")
    # DuckDB hands timestamps back in its own precision; the schema is the contract.
    return result.cast(INDEX_SCHEMA)


def printable(error: Exception) -> str:
    """An error's text on one printable line (pyarrow's may quote damaged bytes)."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(error)).split())


def _one_line(error: Exception, where: str) -> str:
    """DuckDB's message on one line, without its "LINE n:" excerpt, which quotes our SQL around
    the user's clause rather than what the user typed."""
    text = " ".join(str(error).split("\nLINE ", 1)[0].split())
    if ")" not in where:  # the ")" DuckDB stumbled on is ours, closing the clause
        text = text.replace('at or near ")"', "at its end")
    return text
