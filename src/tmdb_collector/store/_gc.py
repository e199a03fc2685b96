"""Segment garbage collection (issue 20; docs/storage.md, "Segments"): the bytes of versions
the version map no longer keeps (past ``retention_versions``, or never named: a crash between a
segment and its fragment) are given back.

Run under the compaction lease, right after a kind's compaction folded its fragments (so the
map's snapshot names every kept version). Per segment of the kind:

- **live fraction** = the bytes of the versions the map keeps there over the segment's size;
- a segment below ``live_fraction`` (and older than ``grace_ms``, so that a segment whose
  fragment is being written is never touched) is **rewritten**: its kept versions go into a new
  segment, read back and compared, and the map's snapshot names their new places;
- a segment with nothing kept is **deleted** — but only once it has been found so for
  ``grace_ms`` (``state/gc/{kind}.json`` remembers since when): a reader that looked at the map
  before may still read it meanwhile.

A kill at any point loses nothing: a rewritten segment not yet in the snapshot is itself an
unnamed segment (deleted later); an old segment the snapshot stopped naming is deleted later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tmdb_collector.kinds import Kind
from tmdb_collector.schema import RecordCodec
from tmdb_collector.store._gather import bounded
from tmdb_collector.store._objects import ObjectStore
from tmdb_collector.store._segment import CorruptSegmentError, build_segment, record_in_block
from tmdb_collector.store._segment_records import SEGMENTS_ROOT, segment_key
from tmdb_collector.store._versions import (
    VersionLocation,
    VersionMap,
    parquet_bytes,
    versions_snapshot,
    versions_snapshot_key,
)

__all__ = ["GCResult", "collect_garbage"]

_STATE = "state/gc"


@dataclass
class GCResult:
    """What one kind's garbage collection did."""

    kind: Kind
    segments: int = 0
    rewritten: int = 0
    deleted: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    #: Segments found empty, waiting for their grace period.
    waiting: int = 0
    damaged: list[str] = field(default_factory=list)


async def collect_garbage(
    objects: ObjectStore,
    kind: Kind,
    *,
    retention_versions: int,
    live_fraction: float,
    grace_ms: int,
    now_ms: int,
    writer: str,
    codec: RecordCodec | None = None,
) -> GCResult:
    """One kind's garbage collection (after its compaction, under the compaction lease)."""
    codec = codec or RecordCodec()
    result = GCResult(kind)
    versions = VersionMap(objects)
    kept = await versions.all(kind)
    by_segment: dict[str, list[VersionLocation]] = {}
    for location in kept:
        by_segment.setdefault(location.segment, []).append(location)
    listed = [info async for info in objects.list(f"{SEGMENTS_ROOT}/{kind.value}")]
    sizes = {info.key: (info.size, info.modified) for info in listed if info.key.endswith(".seg")}
    result.segments = len(sizes)
    result.bytes_before = sum(size for size, _ in sizes.values())
    moved: dict[tuple[str, int, int], VersionLocation] = {}
    empty: list[str] = []
    for name, (size, modified) in sorted(sizes.items()):
        if now_ms - int(modified.timestamp() * 1000) < grace_ms:
            continue  # too young: its fragment may be on its way
        live = by_segment.get(name, [])
        if not live:
            empty.append(name)
            continue
        if sum(v.stored_bytes for v in live) >= live_fraction * size:
            continue
        try:
            new = await _rewrite(objects, codec, name, live, at=(now_ms, writer), result=result)
        except CorruptSegmentError as error:
            result.damaged.append(f"{name}: {error}")
            continue
        moved.update(new)
        result.rewritten += 1
    if moved:
        relocated = [moved.get((v.segment, v.offset, v.ordinal), v) for v in kept]
        snapshot = versions_snapshot(kind, relocated, retention_versions)
        await objects.put(versions_snapshot_key(kind), parquet_bytes(snapshot))
    due, result.waiting = await _delete_after_grace(objects, kind, empty, now_ms, grace_ms)
    result.deleted = len(due)
    # bytes_after holds the rewritten segments' bytes so far (_rewrite adds them).
    result.bytes_after += result.bytes_before - sum(sizes[name][0] for name in due)
    return result


async def _rewrite(
    objects: ObjectStore,
    codec: RecordCodec,
    name: str,
    live: list[VersionLocation],
    *,
    at: tuple[int, str],
    result: GCResult,
) -> dict[tuple[str, int, int], VersionLocation]:
    """The kept versions of ``name`` in a new segment, verified; their new locations. ``at``:
    the time and writer that name it."""
    kind = result.kind
    now_ms, writer = at
    data = await objects.get(name)
    if data is None:
        raise CorruptSegmentError("the segment is not there")
    raws = [record_in_block(data[v.offset : v.offset + v.length], v.ordinal, codec) for v in live]
    new_name = segment_key(kind, now_ms, writer, result.rewritten + 1).replace(".seg", "-gc.seg")
    new_data, entries = build_segment(kind, raws, codec)
    await objects.put(new_name, new_data)
    result.bytes_after += len(new_data)
    moved = {}
    for old, entry, raw in zip(live, entries, raws, strict=True):
        frame = await objects.get_range(new_name, entry.offset, entry.length)
        if frame is None or record_in_block(frame, entry.ordinal, codec) != raw:
            raise CorruptSegmentError(f"the rewritten {new_name} does not read back")
        moved[old.segment, old.offset, old.ordinal] = VersionLocation.of(
            entry, new_name, old.written_at_ms
        )
    return moved


async def _delete_after_grace(
    objects: ObjectStore, kind: Kind, empty: list[str], now_ms: int, grace_ms: int
) -> tuple[list[str], int]:
    """Delete the segments found empty for ``grace_ms``; remember the others since when.
    (the segments deleted, how many wait)."""
    state_key = f"{_STATE}/{kind.value}.json"
    data = await objects.get(state_key)
    try:
        seen: dict[str, int] = json.loads(data) if data else {}
    except ValueError:
        seen = {}
    since = {name: int(seen.get(name, now_ms)) for name in empty}
    due = [name for name, first in since.items() if now_ms - first >= grace_ms]
    await bounded([objects.delete(name) for name in due])
    waiting = {name: first for name, first in since.items() if name not in due}
    await objects.put(state_key, json.dumps(waiting, sort_keys=True).encode())
    return due, len(waiting)
