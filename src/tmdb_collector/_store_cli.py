"""``tmdb-collector query``, ``history`` and ``export``: read the record store.

Thin: each command parses its options, calls the store (docs/storage.md) and prints. Every
failure of the store becomes one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import click

from tmdb_collector.kinds import InvalidKeyError, Kind, RecordKey
from tmdb_collector.schema import CorruptRecordError, DeletedRecordError, RecordCodec
from tmdb_collector.schema._codec import key_text
from tmdb_collector.schema._pb.tmdb.v1 import record_pb2
from tmdb_collector.store import (
    ObjectInfo,
    ObjectStore,
    RecordStore,
    StoredRecord,
    StoreError,
    VersionInfo,
    open_object_store,
)
from tmdb_collector.store._record_layout import RECORDS_ROOT, SUFFIX, current_key

if TYPE_CHECKING:
    import pyarrow  # type: ignore[import-untyped, unused-ignore]

__all__ = ["compact", "export", "history", "query"]

_KIND_NAMES = [kind.value for kind in Kind]
#: Objects fetched at once while exporting: hides S3's latency, keeps memory bounded.
_EXPORT_WINDOW = 64
#: Rows per Parquet row group: small enough to stream, large enough to compress well.
_ROW_GROUP = 1000
#: Records between two progress lines of an export on a terminal.
_PROGRESS_EVERY = 10_000

store_option = click.option(
    "--store",
    "location",
    envvar="TMDB_STORE",
    default="./tmdb-data",
    show_default=True,
    metavar="PATH|s3://BUCKET/PREFIX|memory://",
    help="Where the records are (env: TMDB_STORE).",
)
kind_option = click.option(
    "--type", "kind", type=click.Choice(_KIND_NAMES), required=True, help="The kind of record."
)


class StoreCommandError(click.ClickException):
    """One line on stderr and exit status 1: the store could not answer."""


@contextmanager
def _store_errors() -> Iterator[None]:
    """Turn the store's failures into one clear line instead of a traceback."""
    try:
        yield
    except (StoreError, CorruptRecordError, DeletedRecordError) as error:
        raise StoreCommandError(str(error)) from None


def _open_records(location: str) -> RecordStore:
    with _store_errors():
        return RecordStore(open_object_store(location))


def _parse_key(kind: str, spec: str) -> RecordKey:
    try:
        return RecordKey.parse(kind, spec)
    except InvalidKeyError as error:
        raise click.BadParameter(str(error), param_hint="'--id'") from None


class _UTCTime(click.ParamType[int, Any]):
    """An ISO 8601 date or date-time; UTC when it names no zone. Converted to Unix ms."""

    name = "TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date or date-time, e.g. 2026-11-23T10:00Z")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp() * 1000)


def _iso(at_ms: int) -> str:
    """Unix milliseconds as ISO 8601 in UTC: ``2026-11-23T10:00:00.000Z``."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=at_ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _write_utf8(text: str) -> None:
    # UTF-8 whatever the locale says: TMDB titles are in every script.
    _write_bytes(text.encode("utf-8"))


def _write_bytes(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


# --- query ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Selection:
    """Which version of a record to read: the current one, a numbered one, or one at a time."""

    version: int | None
    at_ms: int | None

    def missing(self, key: RecordKey, url: str) -> str:
        """What to say when the selected version does not exist."""
        if self.version is not None:
            return f"{key.kind} {key} has no version {self.version} in {url}"
        if self.at_ms is not None:
            return f"{key.kind} {key} has no version at or before {_iso(self.at_ms)} in {url}"
        return f"{key.kind} {key} is not in {url}"


@click.command()
@kind_option
@click.option("--id", "spec", metavar="ID", help="550; seasons 1399/1; episodes 1399/1/1.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "text", "pb", "table"]),
    help="A record: json (default), text or pb (raw stored bytes). An index query: table "
    "(default) or json (one object per line).",
)
@click.option("--version", type=int, help="Read version N of the history: 1 oldest, -1 newest.")
@click.option("--at", "at_ms", type=_UTCTime(), help="Read the version current at TIME (UTC).")
@click.option("--where", help='Index query filter, e.g. "popularity > 50".')
@click.option("--order", help="Index query: order by this column.")
@click.option("--desc", is_flag=True, help="Index query: descending order.")
@click.option("--limit", type=click.IntRange(min=1), help="Index query: at most N rows.")
@store_option
def query(  # click passes options by name
    *,
    kind: str,
    spec: str | None,
    output: str | None,
    version: int | None,
    at_ms: int | None,
    where: str | None,
    order: str | None,
    desc: bool,
    limit: int | None,
    location: str,
) -> None:
    """Print one stored record (--id), or the records of the index that match (--where).

    \b
      tmdb-collector query --type=movie --id=550
      tmdb-collector query --type=tv_episode --id=1399/1/1 --at 2026-11-01
      tmdb-collector query --type=movie --where "popularity > 50" --order popularity --desc
    """
    if spec is not None:
        if where is not None or order is not None or desc or limit is not None:
            raise click.UsageError(
                "--id reads one record: --where, --order, --desc and --limit "
                "query the index instead"
            )
        key = _parse_key(kind, spec)
        selection = _selection(version, at_ms)
        _print_record(_open_records(location), key, selection, output or "json")
    else:
        if version is not None or at_ms is not None:
            raise click.UsageError("--version and --at read one record's history: give --id")
        if output in ("text", "pb"):
            raise click.UsageError("an index query prints --format table or json")
        search = _IndexSearch(Kind(kind), where, order, desc, limit)
        _print_index_query(location, search, output or "table")


def _selection(version: int | None, at_ms: int | None) -> _Selection:
    if version is not None and at_ms is not None:
        raise click.UsageError("give --version or --at, not both")
    if version == 0:
        raise click.BadParameter(
            "versions count from 1 (the oldest) or -1 (the newest)", param_hint="'--version'"
        )
    return _Selection(version, at_ms)


def _print_record(records: RecordStore, key: RecordKey, selection: _Selection, output: str) -> None:
    if output == "table":
        raise click.UsageError("a record prints --format json, text or pb")
    if output == "pb" and _stdout_is_terminal():
        raise click.UsageError("--format pb writes binary bytes: redirect stdout to a file or pipe")
    with _store_errors():
        if output == "pb":
            data = asyncio.run(_stored_bytes(records, key, selection))
            if data is not None:
                _write_bytes(data)
                return
        else:
            stored = asyncio.run(_read(records, key, selection))
            if stored is not None:
                _write_utf8(_render_text(stored) if output == "text" else _render_json(stored))
                return
    raise StoreCommandError(selection.missing(key, _url(records)))


def _url(records: RecordStore) -> str:
    return records.objects.url


async def _read(records: RecordStore, key: RecordKey, selection: _Selection) -> StoredRecord | None:
    if selection.version is not None:
        return await records.read_version(key, selection.version)
    if selection.at_ms is not None:
        return await records.read_at(key, selection.at_ms)
    return await records.read(key)


async def _stored_bytes(
    records: RecordStore, key: RecordKey, selection: _Selection
) -> bytes | None:
    """The object's bytes as stored (zstd-compressed tmdb.v1.Record) of the selected version."""
    if selection.version is None and selection.at_ms is None:
        return await records.objects.get(current_key(key))
    chosen = _choose_version(await records.history(key), selection)
    return None if chosen is None else await records.objects.get(chosen.object_key)


def _choose_version(versions: list[VersionInfo], selection: _Selection) -> VersionInfo | None:
    if selection.version is not None:
        index = selection.version - 1 if selection.version > 0 else selection.version
        return versions[index] if -len(versions) <= index < len(versions) else None
    earlier = [v for v in versions if selection.at_ms is None or v.at_ms <= selection.at_ms]
    return earlier[-1] if earlier else None


def _tombstone_json(stored: StoredRecord) -> dict[str, Any]:
    deleted_at = stored.deleted_at_ms
    return {
        "deleted": True,
        "deleted_at": _iso(deleted_at) if deleted_at is not None else None,
        "reason": stored.deletion_reason,
    }


def _render_json(stored: StoredRecord) -> str:
    document = _tombstone_json(stored) if stored.deleted else stored.json()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _render_text(stored: StoredRecord) -> str:
    lines = [f"{stored.key.kind} {stored.key}"]
    if stored.deleted:
        deleted_at = stored.deleted_at_ms
        when = _iso(deleted_at) if deleted_at is not None else "?"
        lines.append(f"deleted:      yes, at {when} ({stored.deletion_reason})")
    else:
        document = stored.json()
        lines.append(f"title:        {document.get('title') or document.get('name') or '-'}")
        lines.append(f"date:         {_record_date(document) or '-'}")
        lines.append(f"fetched at:   {_iso(stored.fetched_at_ms)}")
        lines.append("deleted:      no")
    lines.append(f"content hash: {stored.content_hash.hex()}")
    return "\n".join(lines) + "\n"


def _record_date(document: dict[str, Any]) -> str | None:
    for field in ("release_date", "first_air_date", "air_date", "birthday"):
        value = document.get(field)
        if isinstance(value, str) and value:
            return value
    return None


# --- query against the index -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _IndexSearch:
    """The arguments of ``RecordIndex.query``."""

    kind: Kind
    where: str | None
    order_by: str | None
    descending: bool
    limit: int | None


def _print_index_query(location: str, search: _IndexSearch, output: str) -> None:
    # Imported here: the index pulls pyarrow, which reading one record does not need.
    from tmdb_collector.store._index import IndexQueryError, RecordIndex  # noqa: PLC0415

    with _store_errors():
        index = RecordIndex(open_object_store(location))
        try:
            table = asyncio.run(
                index.query(
                    search.kind,
                    where=search.where,
                    order_by=search.order_by,
                    descending=search.descending,
                    limit=search.limit,
                )
            )
        except IndexQueryError as error:
            raise StoreCommandError(str(error)) from None
    if output == "json":
        _write_utf8("".join(_json_line(row) for row in table.to_pylist()))
    else:
        _print_rich_table(table)


def _json_line(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, default=_json_value) + "\n"


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _print_rich_table(table: pyarrow.Table) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    rows = table.to_pylist()
    # Columns empty in every row (a movie's season_number) only take a terminal's width.
    names = [name for name in table.column_names if any(row[name] is not None for row in rows)]
    shown = Table(*(names or table.column_names))
    for row in rows:
        shown.add_row(*("" if row[name] is None else str(row[name]) for name in names))
    Console().print(shown)


# --- history ----------------------------------------------------------------------------------


@click.command()
@kind_option
@click.option("--id", "spec", metavar="ID", required=True, help="550, 1399/1 or 1399/1/1.")
@store_option
def history(kind: str, spec: str, location: str) -> None:
    """List the kept versions of one record, oldest first.

    \b
      tmdb-collector history --type=movie --id=550
    """
    key = _parse_key(kind, spec)
    records = _open_records(location)
    with _store_errors():
        versions = asyncio.run(records.history(key))
    if not versions:
        raise StoreCommandError(f"{key.kind} {key} is not in {_url(records)}")
    _write_utf8("".join(_version_line(v) for v in [None, *versions]))


def _version_line(version: VersionInfo | None) -> str:
    if version is None:
        return f"{'version':>7}  {'time':<24}  {'content hash':<16}  state\n"
    state = f"deleted ({version.reason})" if version.deleted else "live"
    hash_prefix = version.content_hash.hex()[:16]
    return f"{version.number:>7}  {_iso(version.at_ms):<24}  {hash_prefix:<16}  {state}\n"


# --- compact ----------------------------------------------------------------------------------


@click.command()
@click.option(
    "--type",
    "kinds",
    type=click.Choice(_KIND_NAMES),
    multiple=True,
    help="A kind to compact (repeatable); default: every kind.",
)
@store_option
def compact(kinds: tuple[str, ...], location: str) -> None:
    """Fold each kind's index fragments into its snapshot.

    Safe while writers run: a fragment written meanwhile is kept and folded next time. Run one
    compaction of a kind at a time.

    \b
      tmdb-collector compact --store s3://bucket/tmdb
    """
    from tmdb_collector.store import RecordIndex  # noqa: PLC0415 (pyarrow only when run)

    with _store_errors():
        index = RecordIndex(open_object_store(location))
        for kind in kinds or _KIND_NAMES:
            result = asyncio.run(index.compact(kind))
            click.echo(
                f"{kind}: {result.fragments_merged} fragments folded, {result.rows} rows indexed"
            )


# --- export -----------------------------------------------------------------------------------


class _Sink(Protocol):
    """Where an export writes: one call per record, in the order they come."""

    def add(self, record: record_pb2.Record, document: dict[str, Any] | None) -> None: ...

    def close(self) -> None: ...


class _JsonLinesSink:
    """One TMDB JSON object per line; a tombstone as {"deleted": true, ...} with its key."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def add(self, record: record_pb2.Record, document: dict[str, Any] | None) -> None:
        if document is None:
            document = {"kind": record.kind, "key": key_text(record.key), "deleted": True}
            document |= {
                "deleted_at": _iso(record.tombstone.deleted_at_ms),
                "reason": record.tombstone.reason,
            }
        line = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._stream.write(line.encode("utf-8"))

    def close(self) -> None:
        self._stream.flush()


class _ParquetSink:
    """Rows (id, season_number, episode_number, fetched_at, content_hash, deleted, json), written
    in row groups of ``_ROW_GROUP`` rows: memory holds one group at a time."""

    def __init__(self, stream: IO[bytes]) -> None:
        import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415
        import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

        self._schema = pa.schema(
            [
                ("id", pa.int64()),
                ("season_number", pa.int64()),
                ("episode_number", pa.int64()),
                ("fetched_at", pa.timestamp("ms", tz="UTC")),
                ("content_hash", pa.string()),
                ("deleted", pa.bool_()),
                ("json", pa.string()),
            ]
        )
        self._writer = pq.ParquetWriter(stream, self._schema)
        self._row_group = _ROW_GROUP
        self._rows: list[dict[str, Any]] = []

    def add(self, record: record_pb2.Record, document: dict[str, Any] | None) -> None:
        key = record.key
        self._rows.append(
            {
                "id": key.id,
                "season_number": key.season_number if key.HasField("season_number") else None,
                "episode_number": key.episode_number if key.HasField("episode_number") else None,
                "fetched_at": record.fetched_at_ms,
                "content_hash": record.content_hash.hex(),
                "deleted": document is None,
                "json": None if document is None else json.dumps(document, ensure_ascii=False),
            }
        )
        if len(self._rows) >= self._row_group:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


@dataclass(frozen=True, slots=True)
class _ExportPlan:
    """What to export and how to report progress."""

    kind: Kind
    include_deleted: bool
    progress: Callable[[int], None]


@click.command()
@kind_option
@click.option(
    "--format",
    "output",
    type=click.Choice(["jsonl", "parquet"]),
    required=True,
    help="jsonl: one TMDB JSON object per line. parquet: one row per record.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The file."
)
@click.option("--include-deleted", is_flag=True, help="Export tombstones too.")
@store_option
def export(kind: str, output: str, out: Path, include_deleted: bool, location: str) -> None:
    """Write every current record of a kind to a file, in bounded memory.

    The file appears complete or not at all: it is written under a temporary name beside it
    and renamed at the end.

    \b
      tmdb-collector export --type=movie --format jsonl --out movies.jsonl
      tmdb-collector export --type=tv_episode --format parquet --out episodes.parquet
    """
    objects = _open_records(location).objects
    plan = _ExportPlan(Kind(kind), include_deleted, _progress_reporter(kind))
    with _store_errors():
        count = _export_atomically(objects, plan, output, out)
    click.echo(f"exported {count} {kind} records to {out}", err=True)


def _progress_reporter(kind: str) -> Callable[[int], None]:
    terminal = _stderr_is_terminal()

    def report(count: int) -> None:
        if terminal and count % _PROGRESS_EVERY == 0:
            click.echo(f"... {count} {kind} records", err=True)

    return report


def _export_atomically(objects: ObjectStore, plan: _ExportPlan, output: str, out: Path) -> int:
    """Export to a temporary file beside ``out``, then rename it; on any failure remove it."""
    temporary = out.parent / f".{out.name}.{secrets.token_hex(4)}.tmp"
    try:
        # Not mkstemp: its 0600 would become the exported file's mode; this one honours umask.
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise StoreCommandError(f"cannot write {out}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            sink: _Sink = _ParquetSink(stream) if output == "parquet" else _JsonLinesSink(stream)
            try:
                count = asyncio.run(_stream_records(objects, plan, sink))
            finally:
                sink.close()  # also on failure: a Parquet writer left open writes when collected
        os.replace(temporary, out)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise StoreCommandError(f"cannot write {out}: {error.strerror or error}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count


async def _stream_records(objects: ObjectStore, plan: _ExportPlan, sink: _Sink) -> int:
    codec = RecordCodec()
    count = 0
    async for window in _windows(objects.list(f"{RECORDS_ROOT}/{plan.kind.value}")):
        blobs = await asyncio.gather(*(objects.get(name) for name in window))
        for data in blobs:
            if data is None:
                continue  # deleted since the listing: it is not current any more
            record = codec.decode(data)
            deleted = record.WhichOneof("payload") == "tombstone"
            if deleted and not plan.include_deleted:
                continue
            sink.add(record, None if deleted else codec.to_json(record))
            count += 1
            plan.progress(count)
    return count


async def _windows(listing: AsyncIterator[ObjectInfo]) -> AsyncIterator[list[str]]:
    """The listed current objects' keys, ``_EXPORT_WINDOW`` at a time."""
    window: list[str] = []
    async for info in listing:
        if info.key.endswith(SUFFIX):
            window.append(info.key)
        if len(window) >= _EXPORT_WINDOW:
            yield window
            window = []
    if window:
        yield window
