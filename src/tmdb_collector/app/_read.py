"""The read side's use cases — one record (any version), its history, the index's rows, a kind
exported to a file, history copies given back — over the store a ``Wiring`` opens. With them the
surfaces (``query``, ``history``, ``export``, ``migrate-history``, later ``serve``) read the store
without knowing its layout; the value types they print are re-exported here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tmdb_collector.app._wiring import Wiring
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import (
    EXPORT_FORMATS,
    ExportFormat,
    ExportResult,
    StoredRecord,
    VersionInfo,
    export_to_file,
    iso_time,
)

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

__all__ = [
    "EXPORT_FORMATS",
    "ExportFormat",
    "StoredRecord",
    "VersionInfo",
    "drop_history_copies",
    "export_kind",
    "iso_time",
    "query_index",
    "read_record",
    "read_record_bytes",
    "record_history",
]


async def read_record(
    wiring: Wiring, key: RecordKey, *, version: int | None = None, at_ms: int | None = None
) -> StoredRecord | None:
    """The current version of ``key``; version N of its history (1 oldest, -1 newest); or the
    version current at ``at_ms``. None when there is no such version."""
    records = await wiring.records()
    if version is not None:
        return await records.read_version(key, version)
    if at_ms is not None:
        return await records.read_at(key, at_ms)
    return await records.read(key)


async def read_record_bytes(
    wiring: Wiring, key: RecordKey, *, version: int | None = None, at_ms: int | None = None
) -> bytes | None:
    """The stored bytes (zstd-compressed ``Record``) of the version ``read_record`` would read."""
    return await (await wiring.records()).read_bytes(key, version=version, at_ms=at_ms)


async def record_history(wiring: Wiring, key: RecordKey) -> list[VersionInfo]:
    """The kept versions of ``key``, oldest first (empty: not in the store)."""
    return await (await wiring.records()).history(key)


async def query_index(
    wiring: Wiring,
    kind: Kind,
    *,
    where: str | None = None,
    order_by: str | None = None,
    descending: bool = False,
    limit: int | None = None,
) -> pa.Table:
    """The index rows of ``kind`` that match (``RecordIndex.query``)."""
    return await (await wiring.index()).query(
        kind, where=where, order_by=order_by, descending=descending, limit=limit
    )


async def export_kind(
    wiring: Wiring,
    kind: Kind,
    output: ExportFormat,
    out: Path | None,
    *,
    include_deleted: bool = False,
    on_record: Callable[[int], None] | None = None,
) -> ExportResult:
    """Every current record of ``kind`` to ``out`` (None: standard output), atomically for a
    regular file (``store.export_to_file``)."""
    return await export_to_file(
        await wiring.records(),
        kind,
        output,
        out,
        include_deleted=include_deleted,
        on_record=on_record,
    )


async def drop_history_copies(wiring: Wiring, kind: Kind) -> int:
    """Delete history's copies of current versions that stores before 0.2 kept: how many."""
    return await (await wiring.records()).drop_current_copies(kind)
