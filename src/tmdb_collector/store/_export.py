"""Exporting a kind's current records: JSON lines or Parquet rows, streamed in bounded memory, to
a file that appears complete or not at all."""

from __future__ import annotations

import errno
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from tmdb_collector.errors import Action, InputError
from tmdb_collector.kinds import Kind, dump_json
from tmdb_collector.schema import RecordCodec
from tmdb_collector.schema._codec import key_text
from tmdb_collector.schema._pb.tmdb.v1 import record_pb2
from tmdb_collector.store._errors import StoreError
from tmdb_collector.store._records import RecordStore, UnreadableRecordError

__all__ = [
    "EXPORT_FORMATS",
    "ExportFormat",
    "ExportResult",
    "ExportSink",
    "ExportTargetError",
    "JsonLinesSink",
    "ParquetSink",
    "export_records",
    "export_to_file",
    "iso_time",
]

ExportFormat = Literal["jsonl", "parquet"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("jsonl", "parquet")
#: Rows per Parquet row group: small enough to stream, large enough to compress well.
_ROW_GROUP = 1000


def iso_time(at_ms: int) -> str:
    """Unix milliseconds as ISO 8601 in UTC: ``2026-11-23T10:00:00.000Z``."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=at_ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ExportTargetError(StoreError, InputError):
    """``--out`` names nothing an export can be written to (a missing directory, a directory,
    no permission, a full or read-only file system): fix the path or make room. Other failures
    while writing (an I/O error) stay ``StoreError`` errors, which may pass."""

    action = Action.FIX


class ExportSink(Protocol):
    """Where an export writes: one call per record, in the order they come."""

    def add(self, record: record_pb2.Record, document: dict[str, Any] | None) -> None: ...

    def close(self) -> None: ...


class JsonLinesSink:
    """One TMDB JSON object per line; a tombstone as {"deleted": true, ...} with its key."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def add(self, record: record_pb2.Record, document: dict[str, Any] | None) -> None:
        if document is None:
            document = {"kind": record.kind, "key": key_text(record.key), "deleted": True}
            document |= {
                "deleted_at": iso_time(record.tombstone.deleted_at_ms),
                "reason": record.tombstone.reason,
            }
        self._stream.write(dump_json(document) + b"\n")

    def close(self) -> None:
        self._stream.flush()


class ParquetSink:
    """Rows (id, season_number, episode_number, fetched_at, content_hash, deleted, json), written
    in row groups of ``_ROW_GROUP`` rows: memory holds one group at a time."""

    def __init__(self, stream: IO[bytes]) -> None:
        # Imported here: JSON lines need no pyarrow.
        import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415
        import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

        self._pa = pa
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
                "json": None if document is None else dump_json(document).decode(),
            }
        )
        if len(self._rows) >= _ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


_SINKS: dict[ExportFormat, Callable[[IO[bytes]], ExportSink]] = {
    "jsonl": JsonLinesSink,
    "parquet": ParquetSink,
}


@dataclass(slots=True)
class ExportResult:
    """What an export wrote, and the objects it could not read (skipped, not fatal)."""

    written: int = 0
    unreadable: list[UnreadableRecordError] = field(default_factory=list)


async def export_records(
    records: RecordStore,
    kind: Kind,
    sink: ExportSink,
    *,
    include_deleted: bool = False,
    on_record: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write every current record of ``kind`` (tombstones too with ``include_deleted``) to
    ``sink``. ``on_record`` gets the running count after each. An object that cannot be read is
    skipped and listed in the result: one damaged record does not stop the export of its kind."""
    codec = RecordCodec()
    result = ExportResult()
    async for record in records.current_records(kind, on_unreadable=result.unreadable.append):
        deleted = record.WhichOneof("payload") == "tombstone"
        if deleted and not include_deleted:
            continue
        sink.add(record, None if deleted else codec.to_json(record))
        result.written += 1
        if on_record is not None:
            on_record(result.written)
    return result


@dataclass(frozen=True, slots=True)
class _ExportJob:
    records: RecordStore
    kind: Kind
    output: ExportFormat
    include_deleted: bool
    on_record: Callable[[int], None] | None

    async def run(self, stream: IO[bytes]) -> ExportResult:
        sink = _SINKS[self.output](stream)
        try:
            return await export_records(
                self.records,
                self.kind,
                sink,
                include_deleted=self.include_deleted,
                on_record=self.on_record,
            )
        finally:
            sink.close()  # also on failure: a Parquet writer left open writes when collected


async def export_to_file(
    records: RecordStore,
    kind: Kind,
    output: ExportFormat,
    out: Path | None,
    *,
    include_deleted: bool = False,
    on_record: Callable[[int], None] | None = None,
) -> ExportResult:
    """Export to ``out``: a regular file appears complete or not at all (written under a
    temporary name beside it, then renamed over it); a special file (a pipe, a terminal,
    /dev/null) is written through, as is standard output when ``out`` is None. On failure the
    temporary file is removed; an OSError becomes a StoreError naming ``out``."""
    job = _ExportJob(records, kind, output, include_deleted, on_record)
    if out is None:
        return await _through(job, sys.stdout.buffer, "standard output")
    if _is_special(out):
        return await _through_special(job, out)
    return await _atomically(job, out)


def _is_special(out: Path) -> bool:
    """Whether ``out`` exists and is not a regular file (a directory is refused)."""
    if not out.exists() or out.is_file():
        return False
    if out.is_dir():
        raise ExportTargetError(f"cannot write {out}: it is a directory")
    return True


# Failures of the place written to, which a rerun meets again until someone frees space or
# picks another --out; any other OSError (EIO, a pipe closed) may pass.
_TARGET_ERRNOS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EFBIG,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.ENAMETOOLONG,
        errno.ENOTDIR,
        errno.EISDIR,
    }
)


def _cannot_write(name: str, error: OSError) -> StoreError:
    message = f"cannot write {name}: {error.strerror or error}"
    if error.errno in _TARGET_ERRNOS:
        return ExportTargetError(message)
    return StoreError(message)


async def _through(job: _ExportJob, stream: IO[bytes], name: str) -> ExportResult:
    try:
        result = await job.run(stream)
        stream.flush()
    except OSError as error:
        raise _cannot_write(name, error) from None
    return result


async def _through_special(job: _ExportJob, out: Path) -> ExportResult:
    try:
        stream = open(out, "wb")  # noqa: SIM115, ASYNC230 (a device or a pipe: no waiting)
    except OSError as error:
        raise ExportTargetError(f"cannot write {out}: {error.strerror or error}") from None
    try:
        # Closing flushes what is still buffered (a Parquet footer): a full device fails there.
        with stream:
            return await job.run(stream)
    except OSError as error:
        raise _cannot_write(str(out), error) from None


async def _atomically(job: _ExportJob, out: Path) -> ExportResult:
    temporary = out.parent / f".{out.name}.{secrets.token_hex(4)}.tmp"
    try:
        # Not mkstemp: its 0600 would become the exported file's mode; this one honours umask.
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise ExportTargetError(f"cannot write {out}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            result = await job.run(stream)
        os.replace(temporary, out)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _cannot_write(str(out), error) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return result
