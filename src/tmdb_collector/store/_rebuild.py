"""The index and the version map rebuilt from the segments alone (``tmdb-collector
rebuild-index``; issue 20, docs/storage.md "Segments"): for a store whose index or version map
was lost or damaged.

Every segment is read in order and every readable version named (a segment describes itself:
each record carries its kind, key, fetched time and hash). Per kind, the versions become the
version map's snapshot (each record keeping its newest ``retention_versions``), and each
record's latest version becomes its index row (``checked_at`` is then its fetch time: when a
refetch last confirmed it unchanged was only in the lost index). The fragments listed before
the rebuild are deleted after the snapshots are written; fragments written meanwhile stay.
A damaged block is named in the report: its records are missing from the rebuilt index, so the
next harvest plans them as new and they are fetched again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.schema import CorruptRecordError, RecordCodec
from tmdb_collector.store._gather import bounded
from tmdb_collector.store._index import RecordIndex, index_fragment, index_row, snapshot_key
from tmdb_collector.store._objects import ObjectStore
from tmdb_collector.store._segment import scan_segment
from tmdb_collector.store._segment_records import SEGMENTS_ROOT
from tmdb_collector.store._versions import (
    VersionLocation,
    VersionMap,
    parquet_bytes,
    versions_snapshot,
    versions_snapshot_key,
)

__all__ = ["RebuildReport", "rebuild_index"]


@dataclass
class RebuildReport:
    """What a rebuild read and wrote."""

    segments: int = 0
    versions: int = 0
    records: dict[Kind, int] = field(default_factory=dict)
    #: Each damaged part of a segment: its records are fetched again by the next harvest.
    damaged: list[str] = field(default_factory=list)


async def rebuild_index(
    objects: ObjectStore,
    *,
    retention_versions: int = 10,
    codec: RecordCodec | None = None,
    on_segment: Callable[[int, int], None] | None = None,
) -> RebuildReport:
    """Rebuild every kind's version map and index from the segments; ``on_segment(done,
    total)`` after each segment read."""
    codec = codec or RecordCodec()
    report = RebuildReport()
    index = RecordIndex(objects)
    stale = {kind: await index.fragments(kind) for kind in Kind}
    stale_versions = {kind: await VersionMap(objects).fragment_names(kind) for kind in Kind}
    listed = [info.key async for info in objects.list(SEGMENTS_ROOT)]
    names = sorted(name for name in listed if name.endswith(".seg"))
    found: dict[Kind, list[VersionLocation]] = {kind: [] for kind in Kind}
    latest: dict[RecordKey, tuple[VersionLocation, bytes]] = {}
    for number, name in enumerate(names, start=1):
        data = await objects.get(name)
        if data is None:
            continue  # deleted since the listing (a GC): its live versions are elsewhere
        scan = scan_segment(data, codec)
        report.damaged += [f"{name}: {damage}" for damage in scan.damaged]
        written = _written_at(name)
        for entry, raw in scan.records:
            location = VersionLocation.of(entry, name, written)
            found[entry.kind].append(location)
            best = latest.get(location.key)
            if best is None or location.fetched_at_ms > best[0].fetched_at_ms:
                latest[location.key] = (location, raw)
        report.segments += 1
        if on_segment is not None:
            on_segment(number, len(names))
    for kind in Kind:
        kept = versions_snapshot(kind, found[kind], retention_versions)
        report.versions += kept.num_rows
        await objects.put(versions_snapshot_key(kind), parquet_bytes(kept))
        rows = []
        for key, (location, raw) in sorted(latest.items()):
            if key.kind is not kind:
                continue
            try:
                record = codec.decode_raw(raw)
                document = None if location.deleted else codec.to_json(record)
            except CorruptRecordError as error:
                report.damaged.append(f"{location.segment}: {kind} {key}: {error}")
                continue
            rows.append(
                index_row(
                    key,
                    document,
                    content_hash=location.content_hash,
                    stored_bytes=location.stored_bytes,
                    at_ms=location.fetched_at_ms,
                )
            )
        report.records[kind] = len(rows)
        await objects.put(snapshot_key(kind), index_fragment(rows))
        await bounded([objects.delete(name) for name in [*stale[kind], *stale_versions[kind]]])
    return report


def _written_at(segment: str) -> int:
    """A segment's write time, from its name (``…/{time_ms:013d}-{writer}-{seq}.seg``); 0 for
    a migrated one."""
    stem = segment.rsplit("/", 1)[-1]
    head = stem.split("-", 1)[0]
    return int(head) if head.isdigit() and len(head) == 13 else 0
