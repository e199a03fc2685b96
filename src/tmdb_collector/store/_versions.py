"""The version map (issue 20; docs/storage.md, "Segments"): where every kept version of every
record lives — which segment, which block, which record of the block — in Parquet.

    index/{kind}/fragments/...parquet          a batch's index fragment: its new versions' rows
                                               carry LOCATION_SCHEMA's columns too
    versions/{kind}/fragments/...parquet       the migration's (one per migrated segment)
    versions/{kind}/snapshot.parquet           compacted

A batch writes its segment, then ONE index fragment per kind whose rows name where each new
version is (and the change it made): two objects per batch. The index reads only its own
columns of it; the version map reads the locations. Reading takes the snapshot and every
fragment: a version written twice (a redelivered batch) keeps its first location. A record's
versions are ordered by their fetched time — so the newer fetch is current whichever writer
finished last — then by when they were written.
``compact`` folds the fragments into the snapshot, keeping each record's newest
``retention_versions``; the segments' bytes that no kept version names are garbage for the
segment GC.
"""

from __future__ import annotations

import asyncio
import bisect
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# pyarrow ships no type information (no py.typed): its objects are Any to mypy.
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from tmdb_collector.errors import Action, CorruptDataError
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store._changelog import ChangeEntry
from tmdb_collector.store._errors import StoreError
from tmdb_collector.store._gather import bounded
from tmdb_collector.store._index import INDEX_SCHEMA, fragments_prefix, printable
from tmdb_collector.store._objects import ObjectStore
from tmdb_collector.store._segment import SegmentEntry

__all__ = [
    "LOCATION_SCHEMA",
    "VERSIONS_ROOT",
    "VERSION_SCHEMA",
    "CorruptVersionMapError",
    "CurrentView",
    "MapState",
    "SortedVersions",
    "VersionLocation",
    "VersionMap",
    "parquet_bytes",
    "version_fragment_key",
    "versions_snapshot",
    "versions_snapshot_key",
]

VERSIONS_ROOT = "versions"
_KEY_COLUMNS = ("id", "season_number", "episode_number")

VERSION_SCHEMA = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("season_number", pa.int64()),
        pa.field("episode_number", pa.int64()),
        pa.field("fetched_at", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("content_hash", pa.binary(32), nullable=False),
        pa.field("deleted", pa.bool_(), nullable=False),
        pa.field("segment", pa.string(), nullable=False),
        pa.field("offset", pa.int64(), nullable=False),
        pa.field("length", pa.int64(), nullable=False),
        pa.field("ordinal", pa.int32(), nullable=False),
        pa.field("stored_bytes", pa.int64(), nullable=False),
        pa.field("written_at", pa.timestamp("ms", tz="UTC"), nullable=False),
    ]
)


#: The columns a segment store's index fragment adds to the index's, on each new version's row
#: (null on a confirmation's): where the version is, and the change it made.
LOCATION_SCHEMA = pa.schema(
    [
        pa.field("segment", pa.string()),
        pa.field("offset", pa.int64()),
        pa.field("length", pa.int64()),
        pa.field("ordinal", pa.int32()),
        pa.field("written_at", pa.timestamp("ms", tz="UTC")),
        pa.field("change", pa.string()),
        pa.field("old_hash", pa.string()),
        pa.field("reason", pa.string()),
    ]
)


class CorruptVersionMapError(StoreError, CorruptDataError):
    """A version-map object that is not a Parquet file of VERSION_SCHEMA; the message names
    it. ``tmdb-collector rebuild-index`` rebuilds the map from the segments."""

    action = Action.FIX


@dataclass(frozen=True, slots=True)
class VersionLocation:
    """One kept version of a record, and where its bytes are."""

    key: RecordKey
    fetched_at_ms: int
    content_hash: bytes
    deleted: bool
    segment: str  # the segment's object key
    offset: int  # its block's frame in the segment
    length: int
    ordinal: int  # its place in the block
    stored_bytes: int  # its share of the block's bytes
    written_at_ms: int

    @classmethod
    def of(cls, entry: SegmentEntry, segment: str, written_at_ms: int) -> VersionLocation:
        """Where ``entry`` (a version as ``build_segment`` or ``scan_segment`` names it) is."""
        return cls(
            key=RecordKey.parse(entry.kind, entry.key),
            fetched_at_ms=entry.fetched_at_ms,
            content_hash=entry.content_hash,
            deleted=entry.deleted,
            segment=segment,
            offset=entry.offset,
            length=entry.length,
            ordinal=entry.ordinal,
            stored_bytes=entry.stored_bytes,
            written_at_ms=written_at_ms,
        )


class CurrentView:
    """One kind's current version of each record, as a writer keeps it to decide without reading
    records: columnar, ~75 bytes a record (the key packed into one integer, the segment's name
    kept once per segment, positions in 32 bits), where a dict of Python objects takes ~400;
    the versions written since in a small overlay, folded in as it grows."""

    _FOLD_AT = 20_000
    _COLUMNS = (
        "fetched_at",
        "content_hash",
        "deleted",
        "segment",
        "offset",
        "length",
        "ordinal",
        "stored_bytes",
        "written_at",
    )

    def __init__(self, kind: Kind, table: pa.Table) -> None:
        """``table``: the kind's ``VersionMap.table`` (ordered by key, then fetched time)."""
        self.kind = kind
        self._overlay: dict[RecordKey, VersionLocation] = {}
        #: Records whose key does not pack into 64 bits (``_packable``), kept as objects: an
        #: id past 2**31 or a season or episode number past 65,534, which TMDB does not have
        #: today and the index takes (int64) all the same.
        self._wide: dict[RecordKey, VersionLocation] = {}
        self._set(_slim(self._apart(table)))

    @classmethod
    def of_snapshot(cls, kind: Kind, parts: Iterable[pa.Table]) -> CurrentView:
        """From a version-map snapshot read part by part (rows of VERSION_SCHEMA in the
        snapshot's order: by key, then fetched time): of each part only its last row per key is
        kept, so the kind's every version is never in memory at once (~1.5 GB at the peak
        for 2,000,000 versions read whole)."""
        view = cls(kind, VERSION_SCHEMA.empty_table())
        slims: list[pa.Table] = []
        for part in map(view._apart, parts):
            if not part.num_rows:
                continue
            slim = _slim(part)
            # A record whose versions straddle two parts is in both: the later part's is its
            # later fetch. Sliced off the earlier part (no copy).
            if slims and _first_key(slim) == _last_key(slims[-1]):
                slims[-1] = slims[-1].slice(0, slims[-1].num_rows - 1)
            slims.append(slim)
        if slims:
            if len({slim.schema for slim in slims}) > 1:  # a part kept a position in 64 bits
                slims = [_widened(slim) for slim in slims]
            latest = pa.concat_tables(slims)
            del slims
            packed = latest.column(_PACKED)
            if (
                len(packed) > 1
                and not pc.all(
                    pc.greater(packed.slice(1), packed.slice(0, len(packed) - 1))
                ).as_py()
            ):  # not a snapshot's order: sorted, and each key's latest kept
                latest = _latest_of_each(latest)
            view._set(_narrowed(latest))
        return view

    def absorb(self, table: pa.Table) -> None:
        """Rows of VERSION_SCHEMA in any order (fragments read on a first look): each becomes
        its record's current version where it was fetched later."""
        table = self._apart(table)
        if table.num_rows < self._FOLD_AT:  # a first look's fragments: through the overlay
            for location in _locations(self.kind, table):
                self.update(location)
        else:
            ordered = table.sort_by(
                [(name, "ascending") for name in _KEY_COLUMNS]
                + [("fetched_at", "ascending"), ("content_hash", "ascending")]
                + [("written_at", "ascending")]
            )
            self._merge(_slim(ordered))

    def _apart(self, table: pa.Table) -> pa.Table:
        """``table`` without the rows whose key does not pack (``_packable``): those are kept
        in ``_wide``."""
        if table.num_rows == 0:
            return table
        packable = _packable(table)
        if pc.all(packable).as_py():
            return table
        for location in _locations(self.kind, table.filter(pc.invert(packable))):
            self._remember_wide(location)
        return table.filter(packable)

    def _set(self, latest: pa.Table) -> None:
        """``latest``: slim rows sorted by packed key, one per key."""
        self._latest = latest.combine_chunks()
        # A batch's 100 keys are found by binary search over the sorted packed keys, not by
        # hashing the whole column again (~60 ms for a million).
        self._keys = _searchable(self._latest.column(_PACKED))
        # A found row's values read one by one (~10 µs a row; a take and to_pylist, ~140).
        self._columns = {
            name: column.chunk(0) if column.num_chunks == 1 else column
            for name, column in zip(self._latest.column_names, self._latest.columns, strict=True)
        }

    def __len__(self) -> int:
        """The records it holds (an overlay's record also in the columns counted once)."""
        apart = [key for key in self._overlay if not self._in_columns(key)]
        return int(self._latest.num_rows) + len(apart) + len(self._wide)

    def _in_columns(self, key: RecordKey) -> bool:
        packed = _pack(key)
        row = bisect.bisect_left(self._keys, packed)
        return row < len(self._keys) and self._keys[row] == packed

    def keys_of(self, series_id: int) -> list[RecordKey]:
        """The keys of the series' seasons or episodes it holds (tombstones too), in key
        order: the packed keys from ``series_id << 32`` on, found by binary search."""
        found: set[RecordKey] = {key for key in self._overlay if key.id == series_id}
        found.update(key for key in self._wide if key.id == series_id)
        if series_id < _ID_LIMIT:
            start = bisect.bisect_left(self._keys, series_id << 32)
            stop = bisect.bisect_left(self._keys, (series_id + 1) << 32, lo=start)
            found.update(_unpack(self.kind, packed) for packed in self._keys[start:stop])
        return sorted(found)

    @property
    def nbytes(self) -> int:
        """The bytes of its columns (the overlay and the keys kept apart not counted)."""
        return int(self._latest.nbytes)

    def _remember_wide(self, location: VersionLocation) -> None:
        known = self._wide.get(location.key)
        if known is None or _later(location, known):
            self._wide[location.key] = location

    def lookup(self, keys: Iterable[RecordKey]) -> dict[RecordKey, VersionLocation]:
        """The current version of each of ``keys`` that has one."""
        wanted = list(keys)
        found: dict[RecordKey, VersionLocation] = {}
        for key in wanted:
            wide = self._wide.get(key)
            if wide is not None:
                found[key] = wide
        if wanted and self._latest.num_rows:
            hits = []
            for key in wanted:
                if not _fits(key):
                    continue
                packed = _pack(key)
                row = bisect.bisect_left(self._keys, packed)
                if row < len(self._keys) and self._keys[row] == packed:
                    hits.append((key, row))
            for key, row in hits:
                found[key] = _location_in(self._columns, key, row)
        for key in wanted:
            newer = self._overlay.get(key)
            if newer is not None and (key not in found or _later(newer, found[key])):
                found[key] = newer
        return found

    def update(self, location: VersionLocation) -> None:
        """``location`` becomes its record's current version if it was fetched later."""
        if not _fits(location.key):
            self._remember_wide(location)
            return
        known = self._overlay.get(location.key)
        if known is None or _later(location, known):
            self._overlay[location.key] = location
        if len(self._overlay) >= self._FOLD_AT:
            self._fold()

    def _fold(self) -> None:
        overlay = _slim(versions_snapshot(self.kind, self._overlay.values(), 1))
        self._overlay = {}
        self._merge(overlay)

    def _merge(self, slim: pa.Table) -> None:
        """``slim`` (a ``_slim`` table) folded into the columns: per key the later fetch. The
        rows kept are found from sort indices and taken once: one new copy of the columns at
        the peak, not one per step."""
        latest = self._latest
        if latest.schema != slim.schema:  # one side kept a position past 32 bits
            latest, slim = _widened(latest), _widened(slim)
        merged = pa.concat_tables([latest, slim])
        order = pc.sort_indices(merged, sort_keys=_VIEW_ORDER)
        keep = _last_of_each(pc.take(merged.column(_PACKED), order).combine_chunks())
        self._set(_narrowed(merged.take(pc.filter(order, keep))))


#: The packed key column of a CurrentView (``_pack``).
_PACKED = "packed"
#: A CurrentView's rows in the version map's order (``_later``): the last of a key is current.
_VIEW_ORDER = [
    (_PACKED, "ascending"),
    ("fetched_at", "ascending"),
    ("content_hash", "ascending"),
    ("written_at", "ascending"),
]
#: Integer columns a CurrentView narrows (a segment and its blocks are far below 2 GiB; a block
#: holds at most a few thousand records); a value past the narrow type keeps the wide one.
_NARROW = {
    "offset": pa.int32(),
    "length": pa.int32(),
    "ordinal": pa.int16(),
    "stored_bytes": pa.int32(),
}


def _slim(ordered: pa.Table) -> pa.Table:
    """The last row of each key of ``ordered`` (rows of VERSION_SCHEMA, ordered by key then
    fetched time) as a CurrentView keeps it: the key packed, the segment name dictionary-encoded
    (shared by a segment's hundred records), positions narrowed."""
    packed = _packed(ordered) if ordered.num_rows else pa.array([], pa.int64())
    if (
        len(packed) > 1
        and not pc.all(pc.greater_equal(packed.slice(1), packed.slice(0, len(packed) - 1))).as_py()
    ):
        # By packed key, for bisect (a stable sort: each key's rows keep their fetch order).
        # A table of one kind is in that order already: its season and episode numbers are
        # either all null or all set.
        order = pc.sort_indices(packed)
        ordered, packed = ordered.take(order), packed.take(order)
    keep = _last_of_each(packed)
    columns: dict[str, pa.Array] = {_PACKED: packed.filter(keep)}
    for name in CurrentView._COLUMNS:
        column = ordered.column(name).filter(keep)
        if name == "segment":
            column = pc.dictionary_encode(column.cast(pa.string()))
        columns[name] = column
    return _narrowed(pa.table(columns))


def _narrowed(table: pa.Table) -> pa.Table:
    """``table`` with its positions in ``_NARROW``'s types where every value fits."""
    for name, narrow in _NARROW.items():
        position = table.schema.get_field_index(name)
        try:
            column = table.column(position).cast(narrow)
        except (pa.ArrowInvalid, OverflowError):
            column = table.column(position).cast(pa.int64())
        table = table.set_column(position, name, column)
    return table


def _widened(table: pa.Table) -> pa.Table:
    for name in _NARROW:
        position = table.schema.get_field_index(name)
        table = table.set_column(position, name, table.column(position).cast(pa.int64()))
    return table


def _latest_of_each(slims: pa.Table) -> pa.Table:
    """Of slim rows, each key's current version (``_later``'s order)."""
    ordered = slims.sort_by(_VIEW_ORDER)
    return ordered.filter(_last_of_each(ordered.column(_PACKED).combine_chunks()))


def _first_key(slim: pa.Table) -> int:
    return int(slim.column(_PACKED)[0].as_py())


def _last_key(slim: pa.Table) -> int | None:
    return int(slim.column(_PACKED)[-1].as_py()) if slim.num_rows else None


def _last_of_each(packed: pa.Array) -> pa.Array:
    """True at each row whose packed key differs from the next row's (rows sorted by key)."""
    if len(packed) == 0:
        return pa.array([], pa.bool_())
    changed = pc.not_equal(packed.slice(1), packed.slice(0, len(packed) - 1))
    return pa.concat_arrays([changed, pa.array([True])])


def _location(key: RecordKey, row: dict[str, Any]) -> VersionLocation:
    return VersionLocation(
        key=key,
        fetched_at_ms=_ms(row["fetched_at"]),
        content_hash=bytes(row["content_hash"]),
        deleted=bool(row["deleted"]),
        segment=str(row["segment"]),
        offset=int(row["offset"]),
        length=int(row["length"]),
        ordinal=int(row["ordinal"]),
        stored_bytes=int(row["stored_bytes"]),
        written_at_ms=_ms(row["written_at"]),
    )


def _later(one: VersionLocation, other: VersionLocation) -> bool:
    """Whether ``one`` is current over ``other``: the version map's order (fetched time, then
    content hash, then when written), so that every view of a kind names one current version
    even for two fetches of the same millisecond."""
    return (one.fetched_at_ms, one.content_hash, one.written_at_ms) > (
        other.fetched_at_ms,
        other.content_hash,
        other.written_at_ms,
    )


#: What ``_pack`` packs: ids below 2**31 (TMDB's are below 2**25 today), season and episode
#: numbers up to 65,534 (+ 1 in 16 bits, 0 for none). A CurrentView keeps other keys apart.
_ID_LIMIT = 1 << 31
_NUMBER_LIMIT = (1 << 16) - 1


def _fits(key: RecordKey) -> bool:
    return (
        key.id < _ID_LIMIT
        and (key.season is None or key.season < _NUMBER_LIMIT)
        and (key.episode is None or key.episode < _NUMBER_LIMIT)
    )


def _unpack(kind: Kind, packed: int) -> RecordKey:
    """``_pack``'s inverse."""
    season, episode = (packed >> 16) & 0xFFFF, packed & 0xFFFF
    return RecordKey(
        kind, packed >> 32, season - 1 if season else None, episode - 1 if episode else None
    )


def _packable(table: pa.Table) -> pa.Array:
    """Per row of a version table, whether ``_packed`` packs its key without overflow."""
    ids = pc.less(table.column("id"), _ID_LIMIT)
    seasons = pc.less(pc.fill_null(table.column("season_number"), 0), _NUMBER_LIMIT)
    episodes = pc.less(pc.fill_null(table.column("episode_number"), 0), _NUMBER_LIMIT)
    fits = pc.and_(ids, pc.and_(seasons, episodes))
    return fits.combine_chunks() if isinstance(fits, pa.ChunkedArray) else fits


def _pack(key: RecordKey) -> int:
    """A record's key as one int64: id, season + 1 and episode + 1 (0: none) in 32, 16 and 16
    bits, for a key that ``_fits``."""
    season = 0 if key.season is None else key.season + 1
    episode = 0 if key.episode is None else key.episode + 1
    if not _fits(key):
        raise ValueError(f"{key.kind} {key}: a number too large for the version view")
    return (key.id << 32) | (season << 16) | episode


def _packed(table: pa.Table) -> pa.Array:
    """``_pack`` of each row of a version table whose keys are all ``_packable``."""
    ids = pc.cast(table.column("id"), pa.int64())
    season = pc.fill_null(pc.add(pc.cast(table.column("season_number"), pa.int64()), 1), 0)
    episode = pc.fill_null(pc.add(pc.cast(table.column("episode_number"), pa.int64()), 1), 0)
    packed = pc.add(pc.add(pc.multiply(ids, 1 << 32), pc.multiply(season, 1 << 16)), episode)
    return packed.combine_chunks() if isinstance(packed, pa.ChunkedArray) else packed


def version_fragment_key(kind: Kind, time_ms: int, writer: str, seq: int) -> str:
    """The fragment of one segment's versions: named like the segment's batch."""
    return f"{VERSIONS_ROOT}/{kind.value}/fragments/{time_ms:013d}-{writer}-{seq:06d}.parquet"


def versions_snapshot_key(kind: Kind) -> str:
    """The kind's compacted version map."""
    return f"{VERSIONS_ROOT}/{kind.value}/snapshot.parquet"


def _fragments_prefix(kind: Kind) -> str:
    return f"{VERSIONS_ROOT}/{kind.value}/fragments"


class VersionMap:
    """Every kept version's location, per kind, over an object store."""

    def __init__(self, objects: ObjectStore) -> None:
        self._objects = objects

    async def add(
        self,
        kind: Kind,
        segment: str,
        entries: Iterable[SegmentEntry],
        *,
        fragment: str,
        written_at_ms: int,
    ) -> None:
        """Name ``entries`` (the versions ``segment`` holds) in a new fragment; create-only, so
        a retry of the same batch finds it written."""
        table = _entries_table(kind, segment, list(entries), written_at_ms)
        await self._objects.create(fragment, _parquet(table))

    async def table(self, kind: Kind) -> pa.Table:
        """Every kept version of the kind, each once, ordered by key, then fetched time, then
        when it was written."""
        return await self._merged(kind, await self._fragments(kind), await self._indexed(kind))

    async def state(self, kind: Kind) -> MapState:
        """What the kind's map is made of now: a listing of its fragments and the snapshot's
        metadata. Equal states give equal tables, so a reader compares states (a LIST or two
        and a HEAD) rather than read the map again."""
        snapshot = await self._objects.head(versions_snapshot_key(kind))
        return MapState(
            tuple(await self._fragments(kind)),
            tuple(await self._indexed(kind)),
            None if snapshot is None else (snapshot.size, snapshot.modified, snapshot.etag),
        )

    async def table_of(self, kind: Kind, state: MapState) -> pa.Table:
        """``table`` as of ``state``."""
        return await self._merged(kind, list(state.fragments), state.index_fragments)

    async def current_view(self, kind: Kind, state: MapState) -> CurrentView:
        """Each record's current version as a writer keeps it, as of ``state``: the snapshot
        read part by part (never the kind's every version at once), then the fragments."""
        names = list(state.fragments)
        blobs = await bounded(
            [self._objects.get(name) for name in [*names, *state.index_fragments]]
        )
        # Fragments before the snapshot: one folded since the listing is in the snapshot.
        snapshot = await self._objects.get(versions_snapshot_key(kind))
        return await asyncio.to_thread(
            self._current_view, kind, names, state.index_fragments, blobs, snapshot
        )

    def _current_view(
        self,
        kind: Kind,
        names: list[str],
        index_fragments: Sequence[str],
        blobs: list[bytes | None],
        snapshot: bytes | None,
    ) -> CurrentView:
        parts = () if snapshot is None else self._parts(versions_snapshot_key(kind), snapshot)
        view = CurrentView.of_snapshot(kind, parts)
        view.absorb(self._combined(names, index_fragments, blobs))
        return view

    async def all(self, kind: Kind) -> list[VersionLocation]:
        """Every kept version of the kind, ordered as ``table``."""
        return _locations(kind, await self.table(kind))

    async def versions(
        self, key: RecordKey, table: SortedVersions | None = None
    ) -> list[VersionLocation]:
        """The record's kept versions, oldest fetch first; the last is the current one.
        ``table``: the kind's versions read before, to look in instead."""
        if table is None:
            table = SortedVersions(key.kind, await self.table(key.kind))
        return table.versions(key)

    async def current(self, kind: Kind) -> dict[RecordKey, VersionLocation]:
        """Each record's current version: its latest fetch."""
        table = await self.table(kind)
        latest: dict[RecordKey, VersionLocation] = {}
        for location in _locations(kind, table):
            latest[location.key] = location  # ordered: the last of each key is its latest
        return latest

    async def locations_in(self, kind: Kind, index_fragments: list[str]) -> list[VersionLocation]:
        """The versions these index fragments name (none for a fragment gone since)."""
        blobs = await bounded([self._objects.get(name) for name in index_fragments])
        tables = [
            self._versions_of_index(name, data)
            for name, data in zip(index_fragments, blobs, strict=True)
            if data
        ]
        return [] if not tables else _locations(kind, pa.concat_tables(tables))

    async def compact(
        self, kind: Kind, retention_versions: int, index_fragments: list[str] | None = None
    ) -> int:
        """Fold the fragments into the snapshot, keeping each record's newest
        ``retention_versions``; the number of versions kept. The index fragments are read, not
        deleted (the index's compaction deletes them, after this: ``index_fragments`` is its
        listing). A fragment written meanwhile is not listed, and folded next time."""
        if retention_versions < 1:
            raise ValueError("a record keeps at least its current version")
        fragments = await self._fragments(kind)
        if index_fragments is None:
            index_fragments = await self._indexed(kind)
        blobs = await bounded([self._objects.get(name) for name in [*fragments, *index_fragments]])
        # Fragments before the snapshot: one folded since the listing is in the snapshot.
        snapshot = await self._objects.get(versions_snapshot_key(kind))
        # Column work in a thread: the event loop (a mirror's pacer, its lease) keeps turning
        # while a kind of millions of versions is folded.
        folded = await asyncio.to_thread(
            self._folded,
            kind,
            fragments,
            index_fragments,
            blobs,
            snapshot,
            retention_versions=retention_versions,
        )
        if fragments or index_fragments or folded.dropped:
            await self._objects.put(versions_snapshot_key(kind), folded.data)
            await bounded([self._objects.delete(name) for name in fragments])
        return folded.kept

    def _folded(
        self,
        kind: Kind,
        fragments: list[str],
        index_fragments: Sequence[str],
        blobs: list[bytes | None],
        snapshot: bytes | None,
        *,
        retention_versions: int,
    ) -> _Folded:
        """The kind's new snapshot: the fragments' versions merged into the snapshot part by
        part, each written as it is done (a kind's every version is never in memory at once),
        or — for a snapshot not in its order, or a key that does not pack — all at once."""
        news = self._combined(fragments, index_fragments, blobs)
        if snapshot is not None and news.num_rows:
            try:
                return self._streamed(kind, snapshot, news, retention_versions)
            except _NotStreamable:
                pass
        names = [*fragments, versions_snapshot_key(kind)]
        cut = len(fragments)
        table = self._combined(names, index_fragments, [*blobs[:cut], snapshot, *blobs[cut:]])
        kept = _newest(table, retention_versions)
        return _Folded(_parquet(kept), int(kept.num_rows), kept.num_rows != table.num_rows)

    def _streamed(
        self, kind: Kind, snapshot: bytes, news: pa.Table, retention_versions: int
    ) -> _Folded:
        """``_folded`` part by part: each part of the snapshot (in key order) with the new
        versions of its keys, sorted, each version once, each record's newest kept, written as
        a row group; the rows of a part's last key wait for the next part, which may hold more
        of them."""
        if not pc.all(_packable(news)).as_py():
            raise _NotStreamable
        news = news.cast(VERSION_SCHEMA)
        news_keys = _searchable(pa.chunked_array([_packed(news)]))
        sink = io.BytesIO()
        folded = _Folded(b"", 0, False)
        with pq.ParquetWriter(sink, VERSION_SCHEMA, compression="zstd") as writer:

            def write(old: pa.Table, new: pa.Table) -> None:
                both = pa.concat_tables([old, new])
                if both.num_rows:
                    ordered = both.sort_by(_MAP_ORDER)
                    merged = _collapse_repeats(ordered.filter(_first_of_each_version(ordered)))
                    kept = _newest(merged, retention_versions)
                    writer.write_table(kept)
                    folded.kept += int(kept.num_rows)
                    folded.dropped |= kept.num_rows != both.num_rows

            waiting, start = VERSION_SCHEMA.empty_table(), 0
            for part in self._parts(versions_snapshot_key(kind), snapshot):
                rows = pa.concat_tables([waiting, part]) if waiting.num_rows else part
                if not rows.num_rows:
                    continue
                if not (pc.all(_packable(rows)).as_py() and _in_key_order(rows)):
                    raise _NotStreamable
                keys = _searchable(pa.chunked_array([_packed(rows)]))
                cut = bisect.bisect_left(keys, keys[-1])  # the last key's first row
                waiting = rows.slice(cut)
                if cut:
                    end = bisect.bisect_left(news_keys, keys[cut], lo=start)
                    write(rows.slice(0, cut), news.slice(start, end - start))
                    start = end
            write(waiting, news.slice(start))
        folded.data = sink.getvalue()
        return folded

    async def changes(self, index_fragments: list[str]) -> list[ChangeEntry]:
        """The change-log entries the index fragments carry, oldest batch first."""
        entries: list[ChangeEntry] = []
        for name in sorted(index_fragments, key=lambda n: n.rsplit("/", 1)[-1]):
            data = await self._objects.get(name)
            if data is None:
                continue  # folded since the listing: its entries are in a change-log piece
            kind = Kind(name.split("/")[1])
            table = self._read_index(name, data, ["content_hash", "change", "old_hash", "reason"])
            for row in table.to_pylist():
                if row["change"] is None:
                    continue
                key = RecordKey(kind, row["id"], row["season_number"], row["episode_number"])
                old = row["old_hash"]
                entries.append(
                    ChangeEntry(
                        key,
                        _ms(row["written_at"]),
                        row["change"],
                        None if old is None else bytes.fromhex(old),
                        bytes.fromhex(row["content_hash"]),
                        row["reason"],
                    )
                )
        return entries

    async def fragment_names(self, kind: Kind) -> list[str]:
        """The kind's own fragments now (the migration's)."""
        return await self._fragments(kind)

    async def _fragments(self, kind: Kind) -> list[str]:
        listed = [info.key async for info in self._objects.list(_fragments_prefix(kind))]
        return sorted(name for name in listed if name.endswith(".parquet"))

    async def _indexed(self, kind: Kind) -> list[str]:
        listed = [info.key async for info in self._objects.list(fragments_prefix(kind))]
        return sorted(name for name in listed if name.endswith(".parquet"))

    async def _merged(
        self, kind: Kind, fragments: list[str], index_fragments: Sequence[str] = ()
    ) -> pa.Table:
        # Fragments before the snapshot: one folded (and deleted) since the listing is in the
        # snapshot read after it.
        names = [*fragments, versions_snapshot_key(kind)]
        blobs = await bounded([self._objects.get(name) for name in [*names, *index_fragments]])
        return await asyncio.to_thread(self._combined, names, index_fragments, blobs)

    def _combined(
        self, names: list[str], index_fragments: Sequence[str], blobs: list[bytes | None]
    ) -> pa.Table:
        """The version rows of the objects read (``names``, then ``index_fragments``), in key
        order, each version once."""
        parts = [
            self._read(name, data)
            for name, data in zip(names, blobs[: len(names)], strict=True)
            if data
        ]
        for name, data in zip(index_fragments, blobs[len(names) :], strict=True):
            if data:
                parts.append(self._versions_of_index(name, data))
        if not parts:
            return VERSION_SCHEMA.empty_table()
        table = pa.concat_tables(parts)
        if len(parts) == 1 and _in_key_order(table):
            # One object in its key order (a snapshot alone, as compaction writes it): no sort,
            # and no copy where nothing is dropped below — for millions of versions, each copy
            # is hundreds of MB.
            ordered = table
        else:
            ordered = table.sort_by(
                [(name, "ascending") for name in _KEY_COLUMNS]
                + [("fetched_at", "ascending"), ("content_hash", "ascending")]
                + [("written_at", "ascending"), ("segment", "ascending")]
            )
        first = _first_of_each_version(ordered)
        if not pc.all(first).as_py():
            ordered = ordered.filter(first)
        return _collapse_repeats(ordered)

    def _read_index(self, name: str, data: bytes, columns: list[str]) -> pa.Table:
        """An index fragment's key columns, ``written_at`` and ``columns`` (null when the
        fragment has none of the location columns: a confirmation's, or today's layout's)."""
        try:
            source = pq.ParquetFile(io.BytesIO(data))
            present = set(source.schema_arrow.names)
            wanted = [*_KEY_COLUMNS, "written_at", *columns]
            table = source.read(columns=[n for n in wanted if n in present])
            schema = {f.name: f.type for f in (*INDEX_SCHEMA, *LOCATION_SCHEMA)}
            for column in wanted:
                if column not in present:
                    table = table.append_column(column, pa.nulls(table.num_rows, schema[column]))
            return table.select(wanted)
        except (pa.ArrowException, ValueError, KeyError, OSError) as error:
            cause = printable(error)
            raise CorruptVersionMapError(
                f"index fragment {name} in {self._objects.url} is not a Parquet file of the "
                f"index ({cause}); delete it (its records are refetched) or restore it"
            ) from None

    def _versions_of_index(self, name: str, data: bytes) -> pa.Table:
        """The version rows an index fragment's new versions make."""
        columns = ["updated_at", "content_hash", "deleted", "stored_bytes"]
        table = self._read_index(name, data, [*columns, "segment", "offset", "length", "ordinal"])
        table = table.filter(pc.is_valid(table.column("segment")))
        hashes = [bytes.fromhex(h) for h in table.column("content_hash").to_pylist()]
        return pa.table(
            {
                "id": table.column("id"),
                "season_number": table.column("season_number"),
                "episode_number": table.column("episode_number"),
                "fetched_at": table.column("updated_at"),
                "content_hash": pa.array(hashes, type=pa.binary(32)),
                "deleted": table.column("deleted"),
                "segment": table.column("segment"),
                "offset": table.column("offset"),
                "length": table.column("length"),
                "ordinal": table.column("ordinal"),
                "stored_bytes": table.column("stored_bytes"),
                "written_at": table.column("written_at"),
            }
        ).cast(VERSION_SCHEMA)

    def _read(self, name: str, data: bytes) -> pa.Table:
        try:
            return (
                pq.read_table(pa.BufferReader(data))
                .select(VERSION_SCHEMA.names)
                .cast(VERSION_SCHEMA)
            )
        except (pa.ArrowException, ValueError, KeyError, OSError) as error:
            raise self._corrupt(name, error) from None

    def _parts(self, name: str, data: bytes) -> Iterator[pa.Table]:
        """A version-map object read ``_PART_ROWS`` rows at a time."""
        try:
            # A BufferReader, not a BytesIO: pyarrow reads the bytes in place, where a Python
            # file object makes a copy of every column chunk it reads.
            source = pq.ParquetFile(pa.BufferReader(data))
            for batch in source.iter_batches(_PART_ROWS, columns=VERSION_SCHEMA.names):
                yield pa.Table.from_batches([batch]).cast(VERSION_SCHEMA)
        except (pa.ArrowException, ValueError, KeyError, OSError) as error:
            raise self._corrupt(name, error) from None

    def _corrupt(self, name: str, error: Exception) -> CorruptVersionMapError:
        return CorruptVersionMapError(
            f"version map object {name} in {self._objects.url} is not a Parquet file of the "
            f"version schema ({printable(error)}); rebuild it from the segments: tmdb-collector "
            "rebuild-index"
        )


#: Rows of a version-map snapshot read at a time (a writer's view, the compaction).
_PART_ROWS = 65_536
#: The version map's order: by key, then fetched time, content hash, when and where written.
_MAP_ORDER = (
    [(name, "ascending") for name in _KEY_COLUMNS]
    + [("fetched_at", "ascending"), ("content_hash", "ascending")]
    + [("written_at", "ascending"), ("segment", "ascending")]
)


class _NotStreamable(Exception):
    """A snapshot the compaction cannot merge part by part: folded all at once instead."""


@dataclass(slots=True)
class _Folded:
    """A compaction's new snapshot: its bytes, the versions it keeps, and whether any version
    was dropped (past the retention, or a repeat)."""

    data: bytes
    kept: int
    dropped: bool


def _entries_table(
    kind: Kind, segment: str, entries: list[SegmentEntry], written_at_ms: int
) -> pa.Table:
    keys = [RecordKey.parse(kind.value, entry.key) for entry in entries]
    written = datetime.fromtimestamp(written_at_ms / 1000, UTC)
    columns = {
        "id": [key.id for key in keys],
        "season_number": [key.season for key in keys],
        "episode_number": [key.episode for key in keys],
        "fetched_at": [datetime.fromtimestamp(e.fetched_at_ms / 1000, UTC) for e in entries],
        "content_hash": [e.content_hash for e in entries],
        "deleted": [e.deleted for e in entries],
        "segment": [segment] * len(entries),
        "offset": [e.offset for e in entries],
        "length": [e.length for e in entries],
        "ordinal": [e.ordinal for e in entries],
        "stored_bytes": [e.stored_bytes for e in entries],
        "written_at": [written] * len(entries),
    }
    return pa.table(
        [pa.array(columns[f.name], type=f.type) for f in VERSION_SCHEMA], schema=VERSION_SCHEMA
    )


def _neighbours(table: pa.Table, name: str) -> tuple[Any, Any]:
    """Column ``name`` from its second row on, and up to its last but one: each row beside the
    row before it (a null season or episode number as -1, so that nulls compare equal)."""
    column = table.column(name)
    if name in ("season_number", "episode_number"):
        column = pc.fill_null(column, -1)
    return column.slice(1), column.slice(0, len(column) - 1)


def _first_of_each_version(ordered: pa.Table) -> pa.Array:
    """True at the first row of each (key, fetched time, content hash): a version written twice
    keeps its first location."""
    if ordered.num_rows == 0:
        return pa.array([], type=pa.bool_())
    changed = pa.array([False] * (ordered.num_rows - 1), type=pa.bool_())
    for name in (*_KEY_COLUMNS, "fetched_at", "content_hash"):
        changed = pc.or_(changed, pc.not_equal(*_neighbours(ordered, name)))
    return pa.concat_arrays([pa.array([True]), changed.combine_chunks()])


def _collapse_repeats(ordered: pa.Table) -> pa.Table:
    """Of a record's consecutive versions with one content hash, the last: the same content
    stored again (a damaged version's repair, or a refetch redelivered after a crash) is one
    version, at its newest place. (An unchanged refetch writes no version at all.)"""
    if ordered.num_rows < 2:
        return ordered
    same = pa.array([True] * (ordered.num_rows - 1), type=pa.bool_())
    for name in (*_KEY_COLUMNS, "content_hash"):
        same = pc.and_(same, pc.equal(*_neighbours(ordered, name)))
    if not pc.any(same).as_py():
        return ordered
    # Keep a row unless the next row repeats it.
    keep = pa.concat_arrays([pc.invert(same.combine_chunks()), pa.array([True])])
    return ordered.filter(keep)


def _in_key_order(table: pa.Table) -> bool:
    """Whether the rows are ordered by key, then fetched time (what a reader's binary search
    and "the last is current" need); a null season or episode number counts as -1 (a kind's
    are all null or all set)."""
    rows = table.num_rows
    if rows < 2:
        return True
    ordered = None  # from the last column to the first: earlier, or equal and ordered after
    for name in (*_KEY_COLUMNS, "fetched_at")[::-1]:
        later, earlier = _neighbours(table, name)
        if ordered is None:
            ordered = pc.greater_equal(later, earlier)
        else:
            ordered = pc.or_(pc.greater(later, earlier), pc.and_(pc.equal(later, earlier), ordered))
    return bool(pc.all(ordered).as_py())


def _newest(table: pa.Table, retention_versions: int) -> pa.Table:
    """Each key's last ``retention_versions`` rows of an ordered table: column-wise (a Python
    pass over the rows took ~1 s per million, on the event loop of whoever compacts)."""
    rows = table.num_rows
    if rows == 0:
        return table
    steps = []
    for name in _KEY_COLUMNS:
        steps.append(pc.not_equal(*_neighbours(table, name)))
    changed = steps[0]
    for step in steps[1:]:
        changed = pc.or_(changed, step)
    starts = pa.concat_arrays([pa.array([True]), changed.combine_chunks()])
    position = pc.subtract(pc.cumulative_sum(pa.repeat(1, rows)), 1)
    group = pc.subtract(pc.cumulative_sum(pc.cast(starts, pa.int64())), 1)
    # Each key's end: where the next key starts, or the table's end.
    ends = pa.concat_arrays(
        [pc.cast(pc.indices_nonzero(starts), pa.int64()).slice(1), pa.array([rows], pa.int64())]
    )
    keep = pc.greater_equal(position, pc.subtract(pc.take(ends, group), retention_versions))
    # Nothing past the retention (the usual case): no copy of every version.
    return table if pc.all(keep).as_py() else table.filter(keep)


@dataclass(frozen=True, slots=True)
class MapState:
    """The objects a kind's version map was read from (``VersionMap.state``)."""

    fragments: tuple[str, ...]
    index_fragments: tuple[str, ...]
    snapshot: tuple[int, datetime, str | None] | None


class SortedVersions:
    """A kind's version table (``VersionMap.table``: ordered by key) and its ids, so that one
    record's versions are found by binary search rather than by a pass over every row: what a
    reader answering many point reads keeps."""

    __slots__ = ("_columns", "_ids", "_kind", "table")

    def __init__(self, kind: Kind, table: pa.Table) -> None:
        self._kind = kind
        self.table = table
        self._ids = _searchable(table.column("id"))
        # Columns read value by value (a point read needs one or two rows, and converting even
        # a slice to Python rows costs ~0.1 ms), as they are: combining a table read in row
        # groups into one array a column would copy every version once more.
        self._columns = {
            name: column.chunk(0) if column.num_chunks == 1 else column
            for name, column in zip(table.column_names, table.columns, strict=True)
        }

    def versions(self, key: RecordKey) -> list[VersionLocation]:
        """The record's versions, oldest fetch first."""
        start = bisect.bisect_left(self._ids, key.id)
        stop = bisect.bisect_right(self._ids, key.id, lo=start)
        rows: Iterable[int] = range(start, stop)
        if key.season is not None and stop > start:
            # A series' seasons or episodes share its id: pick the key's rows at once.
            mask = pc.equal(self._columns["season_number"][start:stop], key.season)
            if key.episode is not None:
                episodes = self._columns["episode_number"][start:stop]
                mask = pc.and_(mask, pc.equal(episodes, key.episode))
            rows = [start + i for i in pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()]
        return [_location_in(self._columns, key, row) for row in rows]


def _location_in(column: dict[str, Any], key: RecordKey, row: int) -> VersionLocation:
    """Row ``row`` of a version table's columns (arrays, or chunked arrays), value by value."""
    return VersionLocation(
        key=key,
        fetched_at_ms=column["fetched_at"][row].value,
        content_hash=column["content_hash"][row].as_py(),
        deleted=column["deleted"][row].as_py(),
        segment=column["segment"][row].as_py(),
        offset=column["offset"][row].as_py(),
        length=column["length"][row].as_py(),
        ordinal=column["ordinal"][row].as_py(),
        stored_bytes=column["stored_bytes"][row].as_py(),
        written_at_ms=column["written_at"][row].value,
    )


def _searchable(column: pa.ChunkedArray) -> memoryview:
    """A column of int64 without nulls as a sequence ``bisect`` searches at C speed: a view of
    its buffer (no Python int per row, which a list of them would cost: ~36 bytes each)."""
    array = column.combine_chunks().cast(pa.int64())
    if len(array) == 0:
        return memoryview(b"").cast("q")
    if array.null_count:
        raise ValueError("a searchable column holds no nulls")
    words = memoryview(array.buffers()[1]).cast("q")
    return words[array.offset : array.offset + len(array)]


def _locations(kind: Kind, table: pa.Table) -> list[VersionLocation]:
    return [
        _location(RecordKey(kind, row["id"], row["season_number"], row["episode_number"]), row)
        for row in table.to_pylist()
    ]


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def versions_snapshot(
    kind: Kind, locations: Iterable[VersionLocation], retention_versions: int
) -> pa.Table:
    """A version-map snapshot of ``locations`` (in any order, duplicates allowed): each version
    once, each record's newest ``retention_versions``."""
    rows = list(locations)
    table = pa.table(
        {
            "id": [v.key.id for v in rows],
            "season_number": [v.key.season for v in rows],
            "episode_number": [v.key.episode for v in rows],
            "fetched_at": [datetime.fromtimestamp(v.fetched_at_ms / 1000, UTC) for v in rows],
            "content_hash": [v.content_hash for v in rows],
            "deleted": [v.deleted for v in rows],
            "segment": [v.segment for v in rows],
            "offset": [v.offset for v in rows],
            "length": [v.length for v in rows],
            "ordinal": [v.ordinal for v in rows],
            "stored_bytes": [v.stored_bytes for v in rows],
            "written_at": [datetime.fromtimestamp(v.written_at_ms / 1000, UTC) for v in rows],
        }
    )
    table = pa.table(
        [table.column(f.name).cast(f.type) for f in VERSION_SCHEMA], schema=VERSION_SCHEMA
    )
    ordered = table.sort_by(
        [(name, "ascending") for name in _KEY_COLUMNS]
        + [("fetched_at", "ascending"), ("content_hash", "ascending")]
        + [("written_at", "ascending"), ("segment", "ascending")]
    )
    return _newest(
        _collapse_repeats(ordered.filter(_first_of_each_version(ordered))), retention_versions
    )


def parquet_bytes(table: pa.Table) -> bytes:
    """A version-map object's bytes."""
    return _parquet(table)


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table.cast(VERSION_SCHEMA), sink, compression="zstd")
    return sink.getvalue()
