"""The record layer over segments (issue 20; docs/storage.md, "Segments"): the same API and
decisions as ``RecordStore``, another layout.

    segments/{kind}/{YYYY-MM-DD}/{time_ms:013d}-{writer}-{seq:06d}.seg     a batch's versions
    versions/{kind}/...                                                      where each one is
    changelog/..., index/...                                                 as in RecordStore

A batch's new versions of one kind go in one immutable segment (one object write instead of one
per record, compressed together); the version map names where each is. Nothing is overwritten
and nothing is copied: a superseded version stays in its segment as history. What is current
is decided by the fetched time in the version map, not by whose write came last, so two
collectors storing one record end with the newer fetch current. Retention is the version map's
compaction (``compact_versions``); reclaiming segments' dead bytes is the segment GC's, next.

Not the default layout yet: a new store is still written as ``records/`` and ``history/``.
A store whose ``state/layout.json`` says ``segments`` (``open_record_store``) is written and
read through this class by every command; no command writes that marker yet but the
benchmarks — the migration will (the plan: docs/storage.md).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from tmdb_collector.errors import Action
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.schema import CorruptRecordError
from tmdb_collector.schema._pb.tmdb.v1 import record_pb2
from tmdb_collector.store._errors import StoreError
from tmdb_collector.store._gather import bounded
from tmdb_collector.store._objects import ObjectStore
from tmdb_collector.store._records import (
    RecordStore,
    StoredRecord,
    UnreadableRecordError,
    VersionInfo,
    _Confirmation,
    _Current,
    _NewVersion,
)
from tmdb_collector.store._segment import (
    CorruptSegmentError,
    SegmentEntry,
    build_segment,
    record_in_block,
)
from tmdb_collector.store._state_keys import LAYOUT_KEY
from tmdb_collector.store._versions import VersionLocation, VersionMap, version_fragment_key

__all__ = [
    "LAYOUT_SEGMENTS",
    "SEGMENTS_ROOT",
    "SegmentRecordStore",
    "StoreLayoutError",
    "open_record_store",
    "segment_key",
    "use_segments",
]

SEGMENTS_ROOT = "segments"
#: What ``state/layout.json`` holds for a store of segments.
LAYOUT_SEGMENTS = {"layout": "segments", "version": 1}


class StoreLayoutError(StoreError):
    """The store says it is written in a layout this version does not know."""

    action = Action.FIX


async def open_record_store(objects: ObjectStore, **options: Any) -> RecordStore:
    """The record layer of the store's layout (``state/layout.json``): one object per version
    (no marker), or segments. A layout this version does not know is a StoreLayoutError."""
    data = await objects.get(LAYOUT_KEY)
    if data is None:
        return RecordStore(objects, **options)
    try:
        layout = json.loads(data)
    except ValueError:
        layout = None
    if layout == LAYOUT_SEGMENTS:
        return SegmentRecordStore(objects, **options)
    raise StoreLayoutError(
        f"{objects.url}/{LAYOUT_KEY} names a record layout this tmdb-collector does not know "
        f"({data[:80]!r}): upgrade tmdb-collector"
    )


async def use_segments(objects: ObjectStore) -> None:
    """Mark an empty store as written in segments (the benchmarks and tests; the migration, to
    come). Refused on a store that holds records already: they would not be read."""
    async for info in objects.list("records"):
        raise StoreLayoutError(
            f"{objects.url} holds records in the per-object layout ({info.key}): migrate it"
        )
    await objects.put(LAYOUT_KEY, json.dumps(LAYOUT_SEGMENTS).encode())


def segment_key(kind: Kind, time_ms: int, writer: str, seq: int) -> str:
    """A batch's segment: a folder per kind and UTC day, named like its change-log piece."""
    day = datetime.fromtimestamp(time_ms / 1000, UTC).strftime("%Y-%m-%d")
    return f"{SEGMENTS_ROOT}/{kind.value}/{day}/{time_ms:013d}-{writer}-{seq:06d}.seg"


class SegmentRecordStore(RecordStore):
    """``RecordStore``'s API over segments and the version map."""

    @property
    def versions(self) -> VersionMap:
        """The version map underneath."""
        return VersionMap(self._objects)

    # --- writing --------------------------------------------------------------------------

    async def _read_currents(self, keys: set[RecordKey]) -> dict[RecordKey, _Current | None]:
        """Each key's current version from the version map, read once per kind of the batch
        (no read per record)."""
        currents: dict[RecordKey, _Current | None] = dict.fromkeys(keys)
        for kind in {key.kind for key in keys}:
            current = await self.versions.current(kind)
            for key in keys:
                location = current.get(key)
                if location is not None:
                    currents[key] = _Current(
                        location.content_hash,
                        location.fetched_at_ms,
                        location.deleted,
                        location.stored_bytes,
                    )
        return currents

    async def _store(
        self, versions: list[_NewVersion], confirmations: list[_Confirmation], time_ms: int
    ) -> None:
        # 1. One segment per kind of the batch's new versions (create-only, the writer's name).
        # 2. The change log: as in RecordStore, before anything makes the versions current.
        # 3. The version map's fragments: from here the versions are read, and the newer fetch
        #    is current. A crash before this leaves the segment unnamed (the redelivered batch
        #    decides and writes again; the GC reclaims the orphan).
        # 4. The index fragments, last: never ahead of what the version map holds.
        seq = next(self._sequence)
        by_kind: dict[Kind, list[_NewVersion]] = {}
        for version in versions:
            by_kind.setdefault(version.key.kind, []).append(version)
        built = await asyncio.to_thread(self._segments, by_kind, time_ms, seq)
        await bounded(self._create_batch_object(name, data) for name, data, _ in built.values())
        await self._write_piece([v.entry for v in versions], time_ms, seq)
        await bounded(
            self.versions.add(
                kind,
                name,
                entries,
                fragment=version_fragment_key(kind, time_ms, self._writer, seq),
                written_at_ms=time_ms,
            )
            for kind, (name, _, entries) in built.items()
        )
        newest = {version.key: version for version in versions}
        rows: dict[RecordKey, _NewVersion | _Confirmation] = {c.key: c for c in confirmations}
        rows.update(newest)
        await self._write_fragments(list(rows.values()), time_ms, seq)

    def _segments(
        self, by_kind: dict[Kind, list[_NewVersion]], time_ms: int, seq: int
    ) -> dict[Kind, tuple[str, bytes, list[SegmentEntry]]]:
        """Each kind's segment: its name, bytes and entries. (The records come encoded one
        frame each, and are decompressed here to be compressed together: the codec giving the
        serialized Record directly is the next step.)"""
        built: dict[Kind, tuple[str, bytes, list[SegmentEntry]]] = {}
        with self._encoding:  # the codec's zstd contexts are not thread-safe
            for kind, kind_versions in by_kind.items():
                raws = [self._codec.decompress(v.encoded.data) for v in kind_versions]
                data, entries = build_segment(kind, raws, self._codec)
                built[kind] = (segment_key(kind, time_ms, self._writer, seq), data, entries)
        return built

    async def _prune(self, key: RecordKey) -> None:
        """Retention is the version map's compaction (``compact_versions``), not per write."""

    async def compact_versions(self, kind: Kind) -> int:
        """Fold the kind's version fragments, keeping each record's newest
        ``retention_versions``; the versions kept."""
        return await self.versions.compact(kind, self._retention)

    # --- reading --------------------------------------------------------------------------

    async def read(self, key: RecordKey) -> StoredRecord | None:
        versions = await self.versions.versions(key)
        return None if not versions else await self._read_location(versions[-1])

    async def stored_parts(self, kind: Kind, series_id: int) -> list[RecordKey]:
        if kind not in (Kind.TV_SEASON, Kind.TV_EPISODE):
            raise ValueError(f"a series has seasons and episodes, not {kind}")
        current = await self.versions.current(kind)
        return sorted(key for key in current if key.id == series_id)

    async def history(self, key: RecordKey) -> list[VersionInfo]:
        infos: list[VersionInfo] = []
        for number, location in enumerate(await self.versions.versions(key), start=1):
            reason = None
            if location.deleted:  # the reason is in the tombstone itself
                stored = await self._read_location(location)
                reason = stored.deletion_reason if stored is not None else None
            infos.append(
                VersionInfo(
                    number,
                    location.fetched_at_ms,
                    location.content_hash,
                    location.deleted,
                    reason,
                    _describe(location),
                )
            )
        return infos

    async def read_version(self, key: RecordKey, version: int) -> StoredRecord | None:
        location = await self._choose(key, version=version)
        return None if location is None else await self._read_location(location)

    async def read_at(self, key: RecordKey, at_ms: int) -> StoredRecord | None:
        location = await self._choose(key, at_ms=at_ms)
        return None if location is None else await self._read_location(location)

    async def version_object(
        self, key: RecordKey, *, version: int | None = None, at_ms: int | None = None
    ) -> str | None:
        location = await self._choose(key, version=version, at_ms=at_ms)
        return None if location is None else _describe(location)

    async def read_bytes(
        self, key: RecordKey, *, version: int | None = None, at_ms: int | None = None
    ) -> bytes | None:
        location = await self._choose(key, version=version, at_ms=at_ms)
        if location is None:
            return None
        raw = await self._raw(location)
        return None if raw is None else self._codec.compress(key.kind, raw)

    async def current_records(
        self,
        kind: Kind,
        *,
        window: int | None = None,
        on_unreadable: Callable[[UnreadableRecordError], None] | None = None,
    ) -> AsyncIterator[record_pb2.Record]:
        """Every current record of the kind, in key order, reading each segment that holds one
        once and each of its blocks once (sequential, not a read per record)."""
        current = await self.versions.current(kind)
        by_segment: dict[str, list[VersionLocation]] = {}
        for location in current.values():
            by_segment.setdefault(location.segment, []).append(location)
        decoded: dict[RecordKey, record_pb2.Record] = {}
        for name in sorted(by_segment):
            data = await self._objects.get(name)
            for location in by_segment[name]:
                try:
                    if data is None:
                        raise CorruptSegmentError("the segment is not there")
                    frame = data[location.offset : location.offset + location.length]
                    raw = record_in_block(frame, location.ordinal, self._codec)
                    decoded[location.key] = self._codec.decode_raw(raw)
                except (CorruptSegmentError, CorruptRecordError) as error:
                    unreadable = UnreadableRecordError(
                        location.key, self._objects.url, _describe(location), str(error)
                    )
                    if on_unreadable is None:
                        raise unreadable from None
                    on_unreadable(unreadable)
        for key in sorted(decoded):
            yield decoded[key]

    async def drop_current_copies(
        self, kind: Kind, *, on_record: Callable[[int], None] | None = None
    ) -> int:
        """Segments keep no copies: nothing to drop."""
        return 0

    async def _choose(
        self, key: RecordKey, *, version: int | None = None, at_ms: int | None = None
    ) -> VersionLocation | None:
        if version is not None and at_ms is not None:
            raise ValueError("choose a version by its number or by a time, not both")
        if version == 0:
            raise ValueError("versions count from 1 (the oldest) or from -1 (the newest)")
        versions = await self.versions.versions(key)
        if not versions:
            return None
        if version is not None:
            index = version - 1 if version > 0 else version
            return versions[index] if -len(versions) <= index < len(versions) else None
        if at_ms is not None:
            earlier = [v for v in versions if v.fetched_at_ms <= at_ms]
            return earlier[-1] if earlier else None
        return versions[-1]

    async def _raw(self, location: VersionLocation) -> bytes | None:
        frame = await self._objects.get_range(location.segment, location.offset, location.length)
        if frame is None:
            return None
        try:
            return record_in_block(frame, location.ordinal, self._codec)
        except CorruptSegmentError as error:
            raise UnreadableRecordError(
                location.key, self._objects.url, _describe(location), str(error)
            ) from None

    async def _read_location(self, location: VersionLocation) -> StoredRecord | None:
        raw = await self._raw(location)
        if raw is None:
            return None
        try:
            record = self._codec.decode_raw(raw)
        except CorruptRecordError as error:
            raise UnreadableRecordError(
                location.key, self._objects.url, _describe(location), str(error)
            ) from None
        return StoredRecord(location.key, record, self._codec)


def _describe(location: VersionLocation) -> str:
    """Where a version is, as messages and ``history`` name it."""
    return f"{location.segment}#{location.offset}+{location.length}/{location.ordinal}"
