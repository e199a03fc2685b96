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

A new store is written in segments (``open_record_store`` marks it, ``state/layout.json``); a
store an earlier release wrote keeps its layout, named in a warning by every command, until
``tmdb-collector migrate`` moves it.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# pyarrow ships no type information (no py.typed): its objects are Any to mypy.
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from tmdb_collector.errors import Action
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.schema import CorruptRecordError
from tmdb_collector.schema._pb.tmdb.v1 import record_pb2
from tmdb_collector.store._changelog import ChangeEntry
from tmdb_collector.store._errors import StoreError
from tmdb_collector.store._gather import bounded
from tmdb_collector.store._index import (
    CompactionResult,
    RecordIndex,
    fragment_key,
    fragment_time,
    fragments_from,
    rows_table,
)
from tmdb_collector.store._objects import ObjectStore
from tmdb_collector.store._records import (
    CurrentVersion,
    EncodedWrite,
    RecordDeletion,
    RecordStore,
    RecordWrite,
    StoredRecord,
    UnreadableRecordError,
    VersionInfo,
    WriteResult,
    _Confirmation,
    _Current,
    _NewVersion,
    _within,
)
from tmdb_collector.store._refresh import Refreshing
from tmdb_collector.store._segment import (
    CorruptSegmentError,
    SegmentEntry,
    block_records,
    build_segment,
    record_in_block,
)
from tmdb_collector.store._state_keys import LAYOUT_KEY
from tmdb_collector.store._versions import (
    LOCATION_SCHEMA,
    CurrentView,
    MapState,
    SortedVersions,
    VersionLocation,
    VersionMap,
    version_fragment_key,
)

__all__ = [
    "LAYOUT_SEGMENTS",
    "SEGMENTS_ROOT",
    "SegmentRecordStore",
    "StoreLayoutError",
    "has_old_layout",
    "open_record_store",
    "segment_key",
    "use_segments",
]

_log = logging.getLogger("tmdb_collector.store")
_Unreadable = CorruptSegmentError | CorruptRecordError

SEGMENTS_ROOT = "segments"
_HOUR_MS = 3_600_000
#: Segments an export or scan holds at once: read together (S3's latency hidden), a few MiB each.
_SEGMENT_WINDOW = 4
#: How much earlier than the newest fragment a writer knows another one may be named and still
#: appear: a fragment is named by when it is stored, so this covers writers' clocks apart.
LATE_FRAGMENT_MS = 10 * 60_000
#: The content hash of each fetched record of the batch being written (``write_batch``), per
#: asyncio task: the refetches whose current version must be read back before "unchanged".
_CANDIDATES: ContextVar[dict[RecordKey, bytes] | None] = ContextVar("candidates", default=None)
#: What ``state/layout.json`` holds for a store of segments.
LAYOUT_SEGMENTS = {"layout": "segments", "version": 1}


class StoreLayoutError(StoreError):
    """The store says it is written in a layout this version does not know."""

    action = Action.FIX


async def open_record_store(
    objects: ObjectStore, *, writing: bool = False, **options: Any
) -> RecordStore:
    """The record layer of the store's layout: segments when ``state/layout.json`` says so, or
    for a new store; one object per version for a store an earlier release wrote (it has
    ``records/`` or ``history/`` and no mark) — named in a warning each time, with the command
    that moves it (``tmdb-collector migrate``). ``writing``: a new store is marked as segments
    now. A layout this version does not know is a StoreLayoutError."""
    data = await objects.get(LAYOUT_KEY)
    if data is None:
        if await has_old_layout(objects):
            _log.warning(
                "%s is in the per-object record layout of earlier releases (one object per "
                "record version): `tmdb-collector migrate --store %s` moves it to segments, "
                "a hundred times fewer objects (docs/storage.md)",
                objects.url,
                objects.url,
            )
            return RecordStore(objects, **options)
        if writing:
            await objects.put(LAYOUT_KEY, json.dumps(LAYOUT_SEGMENTS).encode())
        return SegmentRecordStore(objects, **options)
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


async def has_old_layout(objects: ObjectStore) -> bool:
    """The store holds objects of the per-object layout (``records/``, ``history/``)."""
    for root in ("records", "history"):
        async for _ in objects.list(root):
            return True
    return False


async def use_segments(objects: ObjectStore) -> None:
    """Mark an empty store as written in segments (the benchmarks and tests; the migration, to
    come). Refused on a store that holds records already: they would not be read."""
    if await has_old_layout(objects):
        raise StoreLayoutError(
            f"{objects.url} holds records in the per-object layout: tmdb-collector migrate"
        )
    await objects.put(LAYOUT_KEY, json.dumps(LAYOUT_SEGMENTS).encode())


def segment_key(kind: Kind, time_ms: int, writer: str, seq: int) -> str:
    """A batch's segment: a folder per kind and UTC day, named like its change-log piece."""
    day = datetime.fromtimestamp(time_ms / 1000, UTC).strftime("%Y-%m-%d")
    return f"{SEGMENTS_ROOT}/{kind.value}/{day}/{time_ms:013d}-{writer}-{seq:06d}.seg"


class SegmentRecordStore(RecordStore):
    """``RecordStore``'s API over segments and the version map."""

    _PIECE_SPAN_MS = _HOUR_MS
    _compress_each = False

    def __init__(self, objects: ObjectStore, **options: Any) -> None:
        super().__init__(objects, **options)
        #: Each kind's version map as last read for reading, and when (monotonic seconds).
        self._read_cache: Refreshing[Kind, MapState, SortedVersions] = Refreshing(
            lambda: self.read_check_seconds
        )
        #: Each kind's current versions as last read for reading (``read``, ``current_version``:
        #: what ``serve`` and ``query --id`` ask), in a CurrentView: ~76 bytes a record, where
        #: the whole map is ~170 a version; the map itself only for history.
        self._current_cache: Refreshing[Kind, MapState, CurrentView] = Refreshing(
            lambda: self.read_check_seconds
        )
        #: What this instance knows of each kind's current versions, kept up to date from the
        #: index fragments written since (docs/storage.md, "Segments": no read per record).
        self._known: dict[Kind, _Known] = {}

    @property
    def versions(self) -> VersionMap:
        """The version map underneath."""
        return VersionMap(self._objects)

    # --- writing --------------------------------------------------------------------------

    async def write_batch(
        self, items: Sequence[RecordWrite | EncodedWrite | RecordDeletion]
    ) -> list[WriteResult]:
        """As ``RecordStore.write_batch``. A refetch whose content equals the current version's
        is "unchanged" only if that version still reads: its block is read once (a ranged
        read per block among the batch's unchanged records) and a damaged one is written
        again, as the old layout rewrote a damaged current object."""
        writes = [item for item in items if isinstance(item, RecordWrite)]
        encoded = iter(await asyncio.to_thread(self.encode, writes) if writes else [])
        ready = [next(encoded) if isinstance(item, RecordWrite) else item for item in items]
        # The batch's own, in a context variable: a collector stores several batches at once
        # on one store (MESSAGES_IN_FLIGHT), and an attribute of the instance was overwritten
        # (or emptied) by another batch while this one listed the index — its unchanged
        # refetches then went unchecked, and a damaged block stayed current.
        token = _CANDIDATES.set(
            {
                item.key: item.encoded.content_hash
                for item in ready
                if isinstance(item, EncodedWrite) and item.encoded is not None
            }
        )
        try:
            return await super().write_batch(ready)
        finally:
            _CANDIDATES.reset(token)

    async def _read_currents(self, keys: set[RecordKey]) -> dict[RecordKey, _Current | None]:
        """Each key's current version, from what this instance knows of the version map: per
        kind of the batch one listing of the index fragments, and a read of each one written
        by another writer since the last look (the whole map again only after a compaction)."""
        currents: dict[RecordKey, _Current | None] = dict.fromkeys(keys)
        candidates = _CANDIDATES.get() or {}
        unchanged: list[VersionLocation] = []
        for kind in {key.kind for key in keys}:
            view = await self._current_of(kind)
            current = view.lookup(key for key in keys if key.kind is kind)
            for key in keys:
                location = current.get(key)
                if location is not None:
                    currents[key] = _Current(
                        location.content_hash,
                        location.fetched_at_ms,
                        location.deleted,
                        location.stored_bytes,
                    )
                    if not location.deleted and candidates.get(key) == location.content_hash:
                        unchanged.append(location)
        for location in await self._damaged(unchanged):
            _log.warning(
                "%s %s: its current version in %s cannot be read; the fresh fetch is stored again",
                location.key.kind,
                location.key,
                _describe(location),
            )
            currents[location.key] = None
        return currents

    async def _damaged(self, locations: list[VersionLocation]) -> list[VersionLocation]:
        """Those of ``locations`` whose bytes do not read back (one ranged read per block)."""
        by_block: dict[tuple[str, int, int], list[VersionLocation]] = {}
        for location in locations:
            by_block.setdefault((location.segment, location.offset, location.length), []).append(
                location
            )
        damaged: list[VersionLocation] = []
        frames = await bounded(
            [self._objects.get_range(name, offset, length) for name, offset, length in by_block]
        )
        for block, frame in zip(by_block.values(), frames, strict=True):
            try:
                if frame is None:
                    raise CorruptSegmentError("the segment is not there")
                raws = block_records(frame, self._codec)
                for location in block:
                    if self._codec.envelope_of_raw(raws[location.ordinal]).content_hash != (
                        location.content_hash
                    ):
                        damaged.append(location)
            except (CorruptSegmentError, CorruptRecordError, IndexError):
                damaged += block
        return damaged

    async def _current_of(self, kind: Kind) -> CurrentView:
        """The kind's current versions: after a first look at the whole map, one listing of
        the fragments named since this instance's newest known one (less ``LATE_FRAGMENT_MS``,
        for a batch begun earlier and stored later), read if new; the whole map again when
        the index snapshot changed or a fragment it knew is gone (a compaction, a rebuild)."""
        index = RecordIndex(self._objects)
        known = self._known.get(kind)
        if known is not None:
            since = max(0, known.newest_ms - LATE_FRAGMENT_MS)
            listed, snapshot, stored = await index.fragments_since(kind, since)
            start = fragments_from(kind, since)
            present = set(listed)
            gone = any(name >= start and name not in present for name in known.seen)
            if snapshot == known.snapshot and not gone:
                new = [name for name in listed if name not in known.seen]
                _warn_if_named_late(new, stored)
                if new:
                    for location in await self.versions.locations_in(kind, new):
                        known.current.update(location)
                    known.saw(new)
                return known.current
        # First look, or a compaction folded fragments since: the whole map.
        listed, snapshot, _ = await index.fragments_since(kind, None)
        fragments = await self.versions.fragment_names(kind)
        view = await self.versions.current_view(
            kind, MapState(tuple(fragments), tuple(listed), None)
        )
        known = _Known(view, snapshot)
        known.saw(listed)
        self._known[kind] = known
        return known.current

    async def _store(
        self, versions: list[_NewVersion], confirmations: list[_Confirmation], time_ms: int
    ) -> None:
        # Two objects per batch and kind. 1. The segment (create-only, this writer's name).
        # 2. The index fragment, whose rows are the index's and, on each new version, where it
        #    is and the change it made: from here the version is read, the newer fetch is
        #    current, and the change is logged. A crash between the two leaves the segment
        #    unnamed (the redelivered batch decides and writes again; the GC reclaims it).
        # A record the batch holds twice (two fetches, the later current) has its earlier
        # versions named in a version-map fragment of their own, after the index fragment: a
        # crash between the two loses only that history version, never makes it current.
        # The index fragment is named by when it is stored, not by the batch's start: a
        # writer lists fragments from its newest known one's time on (less
        # LATE_FRAGMENT_MS), so only clocks apart by more than that can hide one.
        self._read_cache.forget()  # this instance reads what it wrote
        self._current_cache.forget()
        seq = next(self._sequence)
        newest = {version.key: version for version in versions}  # the batch's last per key
        by_kind: dict[Kind, list[_NewVersion]] = {}
        for version in versions:
            by_kind.setdefault(version.key.kind, []).append(version)
        built = await asyncio.to_thread(self._segments, by_kind, time_ms, seq)
        await bounded(self._create_batch_object(name, data) for name, data, _ in built.values())
        rows: dict[RecordKey, _NewVersion | _Confirmation] = {c.key: c for c in confirmations}
        rows.update(newest)
        named_ms = max(time_ms, self._now_ms())
        fragments = await asyncio.to_thread(
            self._located_fragments, rows, built, time_ms, named_ms, seq
        )
        await bounded(self._create_batch_object(name, data) for name, data in fragments)
        await bounded(
            self.versions.add(
                kind,
                name,
                earlier,
                fragment=version_fragment_key(kind, time_ms, self._writer, seq),
                written_at_ms=time_ms,
            )
            for kind, (name, _, entries) in built.items()
            if (earlier := _superseded_in_batch(entries))
        )
        self._saw_own({key.kind for key in rows}, named_ms, seq, time_ms)
        for kind, (name, _, entries) in built.items():
            known = self._known.get(kind)
            if known is None:
                continue
            for entry in entries:
                known.current.update(VersionLocation.of(entry, name, time_ms))

    async def _write_fragments(
        self, rows: Sequence[_NewVersion | _Confirmation], time_ms: int, seq: int
    ) -> None:
        """A batch of refetches that changed nothing: its index fragments, named by when they
        are stored (as ``_store``'s)."""
        named_ms = max(time_ms, self._now_ms())
        await super()._write_fragments(rows, named_ms, seq)
        self._saw_own({row.key.kind for row in rows}, named_ms, seq, time_ms)

    def _saw_own(self, kinds: Iterable[Kind], named_ms: int, seq: int, looked_ms: int) -> None:
        """This writer's own fragments: known, so its next look need not read them. Its next
        look starts from when this batch looked (``looked_ms``, the batch's start), not from
        when its fragment was stored: another writer's fragment stored while this batch was
        slow is named in between."""
        for kind in kinds:
            if (known := self._known.get(kind)) is not None:
                known.seen.add(fragment_key(kind, named_ms, self._writer, seq))
                known.newest_ms = max(known.newest_ms, looked_ms)

    def _located_fragments(
        self,
        rows: dict[RecordKey, _NewVersion | _Confirmation],
        built: dict[Kind, tuple[str, bytes, list[SegmentEntry]]],
        time_ms: int,
        named_ms: int,
        seq: int,
    ) -> list[tuple[str, bytes]]:
        """One index fragment per kind, named at ``named_ms``: the index's rows, and the new
        versions' locations, written at ``time_ms`` (the batch's time)."""
        by_kind: dict[Kind, list[_NewVersion | _Confirmation]] = {}
        for row in rows.values():
            by_kind.setdefault(row.key.kind, []).append(row)
        fragments = []
        for kind, kind_rows in by_kind.items():
            name, _, entries = built.get(kind, ("", b"", []))
            where = {entry.key: entry for entry in entries}
            located: list[dict[str, object] | None] = []
            sizes: list[int | None] = []  # a new version's share of its block's bytes
            for row in kind_rows:
                entry = where.get(str(row.key)) if isinstance(row, _NewVersion) else None
                sizes.append(None if entry is None else entry.stored_bytes)
                if entry is None or not isinstance(row, _NewVersion):
                    located.append(None)
                    continue
                located.append(
                    {
                        "segment": name,
                        "offset": entry.offset,
                        "length": entry.length,
                        "ordinal": entry.ordinal,
                        "written_at": datetime.fromtimestamp(time_ms / 1000, UTC),
                        "change": row.entry.change,
                        "old_hash": None
                        if row.entry.old_hash is None
                        else row.entry.old_hash.hex(),
                        "reason": row.entry.reason,
                    }
                )
            table = rows_table(row.index_row() for row in kind_rows)
            position = table.schema.get_field_index("stored_bytes")
            stored = [
                old if new is None else new
                for old, new in zip(table.column(position).to_pylist(), sizes, strict=True)
            ]
            table = table.set_column(
                position,
                table.schema.field(position),
                pa.array(stored, table.schema.field(position).type),
            )
            for field in LOCATION_SCHEMA:
                values = [None if loc is None else loc[field.name] for loc in located]
                table = table.append_column(field, pa.array(values, type=field.type))
            sink = io.BytesIO()
            pq.write_table(table, sink, compression="zstd")
            fragments.append((fragment_key(kind, named_ms, self._writer, seq), sink.getvalue()))
        return fragments

    def _segments(
        self, by_kind: dict[Kind, list[_NewVersion]], time_ms: int, seq: int
    ) -> dict[Kind, tuple[str, bytes, list[SegmentEntry]]]:
        """Each kind's segment: its name, bytes and entries (the records come serialized, not
        compressed one by one: a block compresses them together)."""
        built: dict[Kind, tuple[str, bytes, list[SegmentEntry]]] = {}
        with self._encoding:  # the codec's zstd contexts are not thread-safe
            for kind, kind_versions in by_kind.items():
                raws = [v.encoded.data for v in kind_versions]
                data, entries = build_segment(kind, raws, self._codec)
                built[kind] = (segment_key(kind, time_ms, self._writer, seq), data, entries)
        return built

    async def _prune(self, key: RecordKey) -> None:
        """Retention is the compaction's (``compact``), not each write's."""

    async def compact(self, kind: Kind) -> CompactionResult:
        """The kind's compaction, over one listing of its index fragments: their versions into
        the version map's snapshot (each record keeping its newest ``retention_versions``),
        their changes into one change-log piece, their rows into the index snapshot — then the
        fragments deleted. A crash midway folds them again next time (versions are deduped,
        the change log is at-least-once)."""
        index = RecordIndex(self._objects)
        listed = await index.fragments(kind)
        await self.versions.compact(kind, self._retention, index_fragments=listed)
        # One change-log piece per hour of changes, named by its first: ``changes`` finds a
        # window's entries in the pieces of its hours.
        by_hour: dict[int, list[ChangeEntry]] = {}
        for entry in await self.versions.changes(listed):
            by_hour.setdefault(entry.time_ms // _HOUR_MS, []).append(entry)
        for entries in by_hour.values():
            first = min(entry.time_ms for entry in entries)
            await self._write_piece(entries, first, next(self._sequence))
        self._known.pop(kind, None)
        self._read_cache.forget(kind)
        self._current_cache.forget(kind)
        return await index.compact(kind, listed)

    async def changes(
        self, since_ms: int | None = None, until_ms: int | None = None
    ) -> AsyncIterator[ChangeEntry]:
        """The change log's pieces (batches compacted, an hour of changes each), then the
        changes the index fragments not compacted yet carry; at-least-once, as in
        RecordStore."""
        async for entry in super().changes(since_ms, until_ms):
            yield entry
        index = RecordIndex(self._objects)
        fragments = [name for kind in Kind for name in await index.fragments(kind)]
        for entry in await self.versions.changes(fragments):
            if _within(entry.time_ms, since_ms, until_ms):
                yield entry

    # --- reading --------------------------------------------------------------------------

    async def read(self, key: RecordKey) -> StoredRecord | None:
        current = await self._current_location(key)
        return None if current is None else await self._read_location(current)

    async def current_version(self, key: RecordKey) -> CurrentVersion | None:
        current = await self._current_location(key)
        if current is None:
            return None
        return CurrentVersion(current.content_hash, current.fetched_at_ms, current.deleted)

    async def _current_location(self, key: RecordKey) -> VersionLocation | None:
        """Where the record's current version is, from the kind's current versions as read at
        most ``read_check_seconds`` ago (read again only when the map's objects changed)."""

        async def load(state: MapState) -> CurrentView:
            return await self.versions.current_view(key.kind, state)

        view = await self._current_cache.get(key.kind, lambda: self.versions.state(key.kind), load)
        return view.lookup([key]).get(key)

    async def stored_parts(self, kind: Kind, series_id: int) -> list[RecordKey]:
        if kind not in (Kind.TV_SEASON, Kind.TV_EPISODE):
            raise ValueError(f"a series has seasons and episodes, not {kind}")
        # From this writer's view (binary search among packed keys), not a dict of the kind's
        # every current version: a series deleted meant millions of episodes as objects.
        return (await self._current_of(kind)).keys_of(series_id)

    async def history(self, key: RecordKey) -> list[VersionInfo]:
        infos: list[VersionInfo] = []
        for number, location in enumerate(await self._versions_of(key), start=1):
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
        """Every current record of the kind, segment by segment (in key order within each):
        each segment that holds one is read once (``window`` of them at a time, hiding S3's
        latency; memory holds those only) and each of its blocks decompressed once."""
        current = await self.versions.current(kind)
        by_segment: dict[str, list[VersionLocation]] = {}
        for location in current.values():
            by_segment.setdefault(location.segment, []).append(location)
        names = sorted(by_segment)
        window = window or _SEGMENT_WINDOW
        for start in range(0, len(names), window):
            chunk = names[start : start + window]
            segments = await bounded([self._objects.get(name) for name in chunk])
            for name, data in zip(chunk, segments, strict=True):
                decoded: list[record_pb2.Record] = []
                for location, outcome in self._blocks_of(data, by_segment[name]):
                    if isinstance(outcome, _Unreadable):
                        unreadable = UnreadableRecordError(
                            location.key, self._objects.url, _describe(location), str(outcome)
                        )
                        if on_unreadable is None:
                            raise unreadable from None
                        on_unreadable(unreadable)
                    else:
                        decoded.append(outcome)
                decoded.sort(key=_record_order)
                for record in decoded:
                    yield record

    def _blocks_of(
        self, data: bytes | None, locations: list[VersionLocation]
    ) -> Iterator[tuple[VersionLocation, record_pb2.Record | _Unreadable]]:
        """Each location's record, or why it cannot be read: a block is decompressed once;
        a damaged one is read record by record, so the records before the damage still are."""
        by_block: dict[tuple[int, int], list[VersionLocation]] = {}
        for location in locations:
            by_block.setdefault((location.offset, location.length), []).append(location)
        for (offset, length), block in by_block.items():
            if data is None:
                for location in block:
                    yield location, CorruptSegmentError("the segment is not there")
                continue
            frame = data[offset : offset + length]
            try:
                raws = block_records(frame, self._codec)
            except CorruptSegmentError:
                raws = None
            for location in block:
                try:
                    if raws is not None and location.ordinal < len(raws):
                        raw = raws[location.ordinal]
                    else:
                        raw = record_in_block(frame, location.ordinal, self._codec)
                    yield location, self._codec.decode_raw(raw)
                except (CorruptSegmentError, CorruptRecordError) as error:
                    yield location, error

    async def drop_current_copies(
        self, kind: Kind, *, on_record: Callable[[int], None] | None = None
    ) -> int:
        """Segments keep no copies: nothing to drop."""
        return 0

    async def _versions_of(self, key: RecordKey) -> list[VersionLocation]:
        """The record's versions, from the kind's version map as read at most
        ``read_check_seconds`` ago: a reader answering many reads (``serve``, a benchmark)
        reads the map once a few seconds, and each read is one ranged read."""
        return (await self._readable(key.kind)).versions(key)

    async def _readable(self, kind: Kind) -> SortedVersions:
        """The kind's version map for reading: checked at most every ``read_check_seconds``
        (a listing and a HEAD), read again only when what it is made of changed."""

        async def load(state: MapState) -> SortedVersions:
            return SortedVersions(kind, await self.versions.table_of(kind, state))

        return await self._read_cache.get(kind, lambda: self.versions.state(kind), load)

    async def _choose(
        self, key: RecordKey, *, version: int | None = None, at_ms: int | None = None
    ) -> VersionLocation | None:
        if version is not None and at_ms is not None:
            raise ValueError("choose a version by its number or by a time, not both")
        if version == 0:
            raise ValueError("versions count from 1 (the oldest) or from -1 (the newest)")
        versions = await self._versions_of(key)
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


class _Known:
    """One kind's current versions as this instance last saw them: the index fragments they
    include, the newest one's time and the index snapshot they were read with."""

    __slots__ = ("current", "newest_ms", "seen", "snapshot")

    def __init__(self, current: CurrentView, snapshot: tuple[object, ...] | None) -> None:
        self.current, self.snapshot = current, snapshot
        self.seen: set[str] = set()
        self.newest_ms = 0

    def saw(self, fragments: Iterable[str]) -> None:
        for name in fragments:
            self.seen.add(name)
            self.newest_ms = max(self.newest_ms, fragment_time(name))


def _warn_if_named_late(names: list[str], stored: dict[str, datetime]) -> None:
    """A fragment stored well after the time in its name comes from a writer whose clock is
    behind the store's: past ``LATE_FRAGMENT_MS``, other writers would miss its fragments
    until the next compaction. Said at half that, while nothing is missed yet."""
    for name in names:
        late_ms = stored[name].timestamp() * 1000 - fragment_time(name)
        if late_ms > LATE_FRAGMENT_MS / 2:
            _log.warning(
                "index fragment %s was stored %.0f s after the time in its name: the clock of "
                "the writer that wrote it is behind; past %d s other writers miss its "
                "fragments until the next compaction. Set that machine's clock (NTP)",
                name,
                late_ms / 1000,
                LATE_FRAGMENT_MS // 1000,
            )


def _superseded_in_batch(entries: list[SegmentEntry]) -> list[SegmentEntry]:
    """The entries of a segment that a later entry of the same record follows (a batch that
    fetched it twice): all but each record's last."""
    last = {entry.key: position for position, entry in enumerate(entries)}
    return [entry for position, entry in enumerate(entries) if last[entry.key] != position]


def _record_order(record: record_pb2.Record) -> tuple[int, int, int]:
    key = record.key
    return key.id, key.season_number, key.episode_number
