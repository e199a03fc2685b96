"""The record layer: current versions, their history and a change log, over an ObjectStore.

See docs/storage.md, "Records". A record's versions are its current object and, under
``history/``, the versions it superseded: a version is stored once, as the current object while
it is current, then copied to history when a newer one replaces it (so a new record costs one
object, and a redelivered write names the same history object again: no duplicates). Every
object but the current one is immutable and written with ``create``; the current object is the
only thing ever overwritten (last writer wins, and a late, older fetch never replaces a newer
one). Stores written before kept a copy of the current version in history too; readers drop
that copy (``migrate-history`` deletes it).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from tmdb_collector.errors import Action, CorruptDataError
from tmdb_collector.kinds import JSONObject, Kind, RecordKey
from tmdb_collector.schema import ConversionError, CorruptRecordError, EncodedRecord, RecordCodec
from tmdb_collector.schema._pb.tmdb.v1 import record_pb2
from tmdb_collector.store._changelog import Change, ChangeEntry, decode_piece, encode_piece
from tmdb_collector.store._errors import StoreError
from tmdb_collector.store._gather import bounded
from tmdb_collector.store._index import (
    IndexRow,
    fragment_key,
    index_fields,
    index_fragment,
    index_row,
)
from tmdb_collector.store._objects import ObjectStore
from tmdb_collector.store._record_layout import (
    CHANGELOG_ROOT,
    RECORDS_ROOT,
    SUFFIX,
    changelog_piece_key,
    changelog_piece_time,
    current_key,
    history_prefix,
    history_version_key,
    history_version_time,
    record_key_of,
)

__all__ = [
    "CurrentVersion",
    "EncodedWrite",
    "RecordDeletion",
    "RecordStore",
    "RecordStoreError",
    "RecordWrite",
    "StoredRecord",
    "UnreadableRecordError",
    "VersionInfo",
    "WriteResult",
]

#: Objects fetched at once while reading a kind's current records.
_READ_WINDOW = 64
#: Requests in flight per batch step: enough to hide S3's latency, few enough for one Lambda.
_FETCHED = "fetched"


_log = logging.getLogger("tmdb_collector.store")
#: How long a reader answers from a kind's version map it read before checking the store again
#: (a listing or two and a HEAD): ``RecordStore.read_check_seconds``'s default.
READ_CHECK_SECONDS = 2.0

#: Where a current object that could not be read is copied before a fresh fetch replaces it.
QUARANTINE_ROOT = "quarantine"


class UnreadableRecordError(StoreError, CorruptDataError):
    """A stored object that is not a readable record (damaged bytes). The message names the
    record and the object; the next mirror that fetches the record replaces it (a copy goes to
    ``quarantine/``), or delete the object."""

    action = Action.FIX

    def __init__(self, key: RecordKey | None, url: str, object_key: str, cause: str) -> None:
        what = "a stored record" if key is None else f"{key.kind} {key}"
        super().__init__(
            f"{what}: the object {url}/{object_key} cannot be read ({cause}); "
            "the next mirror that fetches this record replaces it, or delete the object"
        )
        self.key = key
        self.object_key = object_key


class RecordStoreError(StoreError):
    """The record layer found its objects in a state it cannot have written (a change-log piece
    name already taken). The message names the store and the object."""


@dataclass(frozen=True, slots=True)
class RecordWrite:
    """A fetched TMDB record to store: its JSON, when it was fetched and with which request."""

    key: RecordKey
    document: JSONObject
    fetched_at_ms: int
    path: str
    appends: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class EncodedWrite:
    """A RecordWrite encoded ahead of its write (``RecordStore.encode``): its stored bytes and
    the few fields its index row shows, without the JSON — a writer holding many records until
    their batch is written holds kilobytes of bytes each instead of a tree of Python objects."""

    key: RecordKey
    fetched_at_ms: int
    #: None when the document cannot be stored (``error`` says why): written as "rejected".
    encoded: EncodedRecord | None = field(repr=False)
    #: What ``index_row`` reads of the document (``index_fields``).
    fields: JSONObject = field(repr=False)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RecordDeletion:
    """A record TMDB no longer has: store a tombstone in its place."""

    key: RecordKey
    reason: str  # "missing from export", "404 on fetch", ...
    deleted_at_ms: int


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What ``write_batch`` did with one item. Hashes are content hashes (a tombstone's for a
    deletion); ``old_hash`` is the current version's before the write, None when there was none."""

    key: RecordKey
    change: Change
    old_hash: bytes | None
    new_hash: bytes | None
    #: Why the item was "rejected" (a document protobuf cannot hold); None otherwise.
    error: str | None = None
    #: What the schema did not know in a written document: (drift kind, JSON path, count) —
    #: "unknown_key" or "type_change". Kept losslessly all the same (docs/schema.md).
    drift: tuple[tuple[str, str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One stored version of a record, decoded: TMDB JSON, or a tombstone when ``deleted``."""

    key: RecordKey
    record: record_pb2.Record
    codec: RecordCodec = field(repr=False, compare=False)

    @property
    def deleted(self) -> bool:
        """True for a tombstone: the record was deleted, this version has no TMDB JSON."""
        return _is_tombstone(self.record)

    @property
    def content_hash(self) -> bytes:
        """SHA-256 of the payload (of the Tombstone for a deleted record)."""
        return self.record.content_hash

    @property
    def fetched_at_ms(self) -> int:
        """When it was fetched; for a tombstone, when it was deleted."""
        return self.record.fetched_at_ms

    @property
    def deleted_at_ms(self) -> int | None:
        """When the record was deleted; None for a live record."""
        return self.record.tombstone.deleted_at_ms if self.deleted else None

    @property
    def deletion_reason(self) -> str | None:
        """Why the record was deleted; None for a live record."""
        return self.record.tombstone.reason if self.deleted else None

    def json(self, keep: Callable[[str], bool] | None = None) -> JSONObject:
        """The TMDB JSON; DeletedRecordError for a tombstone. ``keep``: only the top-level
        keys it accepts, the others not converted."""
        return self.codec.to_json(self.record, keep)

    def json_keys(self) -> list[str]:
        """The top-level keys of ``json()``, without converting their values."""
        return self.codec.json_keys(self.record)


@dataclass(frozen=True, slots=True)
class CurrentVersion:
    """What a reader needs to know of a record's current version before reading it: whether
    it changed since it was last read (its content hash), and whether it is a tombstone."""

    content_hash: bytes
    fetched_at_ms: int
    deleted: bool


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One version in a record's history."""

    number: int  # 1 = the oldest kept
    at_ms: int  # fetched_at_ms, or deleted_at_ms for a tombstone
    content_hash: bytes
    deleted: bool
    reason: str | None  # the tombstone's reason; None for a live version
    object_key: str


@dataclass(frozen=True, slots=True)
class _Current:
    """What a current object's envelope says: enough to decide about a write, and its bytes,
    to copy into history when a newer version supersedes it."""

    content_hash: bytes
    at_ms: int
    deleted: bool
    size: int = 0
    data: bytes = field(default=b"", repr=False)


@dataclass(frozen=True, slots=True)
class _Confirmation:
    """A refetch (or repeated 404) that found the current content unchanged: only its index row's
    ``checked_at`` moves, so the harvester knows the record is fresh."""

    key: RecordKey
    current: _Current
    checked_at_ms: int
    fields: JSONObject | None = field(default=None, repr=False)

    def index_row(self) -> IndexRow:
        return index_row(
            self.key,
            None if self.current.deleted else self.fields,
            content_hash=self.current.content_hash,
            stored_bytes=self.current.size,
            at_ms=self.current.at_ms,
            checked_at_ms=max(self.checked_at_ms, self.current.at_ms),
        )


@dataclass(frozen=True, slots=True)
class _NewVersion:
    """A version decided on: its bytes, its history object, and its change-log entry."""

    key: RecordKey
    encoded: EncodedRecord
    at_ms: int
    entry: ChangeEntry
    #: The version this one replaces, copied into history when this one is stored; None for a
    #: record created.
    superseded: _Current | None
    #: The TMDB JSON's index fields (index_fields), for the index row; None for a tombstone.
    fields: JSONObject | None = field(default=None, repr=False)

    @property
    def superseded_key(self) -> str | None:
        """Where the superseded version goes: its name holds its own time and hash, so a
        redelivered write names the same object (created once)."""
        old = self.superseded
        return None if old is None else history_version_key(self.key, old.at_ms, old.content_hash)

    def as_current(self) -> _Current:
        deleted = self.entry.change == "deleted"
        encoded = self.encoded
        return _Current(encoded.content_hash, self.at_ms, deleted, len(encoded.data), encoded.data)

    def index_row(self) -> IndexRow:
        return index_row(
            self.key,
            self.fields,
            content_hash=self.encoded.content_hash,
            stored_bytes=len(self.encoded.data),
            at_ms=self.at_ms,
        )


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class RecordStore:
    """Stored TMDB records over an object store: write batches, read current and past versions,
    follow the change log. Safe to use from several processes at once (docs/storage.md)."""

    #: How long after its name's time a change-log piece holds entries: a batch's piece holds
    #: that batch's alone (1 ms); a store of segments compacts them into hourly pieces.
    _PIECE_SPAN_MS = 1
    #: Whether each record's bytes are its own zstd frame (an object each); a store of segments
    #: compresses a block of records together instead.
    _compress_each = True

    def __init__(
        self,
        objects: ObjectStore,
        *,
        codec: RecordCodec | None = None,
        retention_versions: int = 10,
        now_ms: Callable[[], int] = _wall_clock_ms,
    ) -> None:
        if retention_versions < 1:
            raise ValueError(f"retention_versions must be at least 1, got {retention_versions}")
        self._objects = objects
        self._codec = codec if codec is not None else RecordCodec()
        self._retention = retention_versions
        self._now_ms = now_ms
        #: Seconds a reader answers from what it last read of a kind's version map before it
        #: checks the store again (a store of segments; ``serve`` sets its own).
        self.read_check_seconds = READ_CHECK_SECONDS
        # Names this instance's change-log pieces: unique per writer without coordination.
        self._writer = secrets.token_hex(6)
        self._encoding = threading.Lock()
        self._sequence = itertools.count(1)

    @property
    def objects(self) -> ObjectStore:
        """The object store underneath."""
        return self._objects

    @property
    def retention_versions(self) -> int:
        """How many versions each record keeps (the current one counts)."""
        return self._retention

    @property
    def writer(self) -> str:
        """This instance's writer id: it names the objects it creates."""
        return self._writer

    # --- writing --------------------------------------------------------------------------

    def encode(self, writes: Sequence[RecordWrite]) -> list[EncodedWrite]:
        """Encode fetched records ahead of ``write_batch`` (conversion, hashing, zstd: CPU work,
        so call it from a worker thread in async code). A document protobuf cannot hold comes
        back with ``encoded`` None and the reason in ``error``; it never raises for one."""
        # One call encodes at a time: the codec's zstd contexts are not thread-safe.
        with self._encoding:
            return [self._encode(write) for write in writes]

    def _encode(self, write: RecordWrite) -> EncodedWrite:
        try:
            encoded = self._codec.encode(
                write.key,
                write.document,
                fetched_at_ms=write.fetched_at_ms,
                path=write.path,
                appends=write.appends,
                compress=self._compress_each,
            )
        except ConversionError as error:
            return EncodedWrite(write.key, write.fetched_at_ms, None, {}, str(error))
        return EncodedWrite(write.key, write.fetched_at_ms, encoded, index_fields(write.document))

    async def write_batch(
        self, items: Sequence[RecordWrite | EncodedWrite | RecordDeletion]
    ) -> list[WriteResult]:
        """Store fetched records (as fetched, or encoded ahead) and deletions; one result per
        item, in order.

        Everything is encoded and decided before the first write. A document that cannot be
        converted is "rejected" (with the reason in ``error``) and nothing of it is written;
        the rest of the batch goes on — one bad record must not hold back the others.
        """
        time_ms = self._now_ms()
        currents = await self._read_currents({item.key for item in items})
        # CPU work (encoding what is not encoded yet: conversion, hashing, zstd) goes to a worker
        # thread, here and for the batch's change-log piece and index fragments: the event loop
        # — and the pacer's timers on it — keeps turning while a batch of long series is done.
        results, versions, confirmations = await asyncio.to_thread(
            self._decide_all, items, currents, time_ms
        )
        if versions:
            await self._store(versions, confirmations, time_ms)
        elif confirmations:
            await self._write_fragments(confirmations, time_ms, next(self._sequence))
        return results

    def _decide_all(
        self,
        items: Sequence[RecordWrite | EncodedWrite | RecordDeletion],
        currents: dict[RecordKey, _Current | None],
        time_ms: int,
    ) -> tuple[list[WriteResult], list[_NewVersion], list[_Confirmation]]:
        results: list[WriteResult] = []
        versions: list[_NewVersion] = []
        confirmations: list[_Confirmation] = []
        with self._encoding:  # one encoding at a time: the zstd contexts are not thread-safe
            ready = [self._encode(i) if isinstance(i, RecordWrite) else i for i in items]
        for item in ready:
            result, version = self._decide(item, currents[item.key], time_ms)
            results.append(result)
            if version is not None:
                versions.append(version)
                # A later item of the same batch for the same key builds on this one.
                currents[item.key] = version.as_current()
            elif result.change == "unchanged":
                confirmations.append(_confirmation(item, currents[item.key]))
        return results, versions, confirmations

    async def _store(
        self, versions: list[_NewVersion], confirmations: list[_Confirmation], time_ms: int
    ) -> None:
        # 1. The superseded versions into history (create-only, named by their own time and
        #    hash: a redelivery names them again and writes nothing twice).
        # 2. The change log: once a change is logged, the version it names is stored or about
        #    to be; a crash before the current puts leaves the old current in place, so the
        #    redelivered batch logs the change again instead of finding it "unchanged".
        # 3. The current objects.
        # 4. The index fragments, last: the index never counts a version whose object is not
        #    there yet. A crash before them is healed by the redelivery, which finds the
        #    record unchanged and writes its confirmation row (with every index field).
        superseded = {
            name: version.superseded.data
            for version in versions
            if version.superseded is not None and (name := version.superseded_key) is not None
        }
        await bounded(self._objects.create(name, data) for name, data in superseded.items())
        seq = next(self._sequence)
        await self._write_piece([v.entry for v in versions], time_ms, seq)
        newest = {version.key: version for version in versions}  # the batch's last per key
        await bounded(
            self._objects.put(current_key(key), version.encoded.data)
            for key, version in newest.items()
        )
        rows: dict[RecordKey, _NewVersion | _Confirmation] = {c.key: c for c in confirmations}
        rows.update(newest)  # a key with a new version in the batch needs no confirmation row
        await self._write_fragments(list(rows.values()), time_ms, seq)
        # A record just created has no history: nothing to prune, and not listing its history
        # saves a request per new record (a quarter of a first mirror's requests on S3).
        await bounded(
            self._prune(key) for key, version in newest.items() if version.superseded is not None
        )

    async def _read_currents(self, keys: set[RecordKey]) -> dict[RecordKey, _Current | None]:
        ordered = sorted(keys)
        found = await bounded(self._read_current(key) for key in ordered)
        return dict(zip(ordered, found, strict=True))

    async def _read_current(self, key: RecordKey) -> _Current | None:
        name = current_key(key)
        data = await self._objects.get(name)
        if data is None:
            return None
        try:
            envelope = self._codec.decode_envelope(data)
        except CorruptRecordError as error:
            # A damaged current object must not stop the write that repairs it: keep a copy
            # for whoever wants to look, and store the fresh fetch as if the record were new.
            await self._quarantine(key, name, data, str(error))
            return None
        deleted = _is_tombstone(envelope)
        return _Current(envelope.content_hash, envelope.fetched_at_ms, deleted, len(data), data)

    def _decide(
        self, item: EncodedWrite | RecordDeletion, current: _Current | None, time_ms: int
    ) -> tuple[WriteResult, _NewVersion | None]:
        if isinstance(item, EncodedWrite):
            return self._decide_write(item, current, time_ms)
        return self._decide_deletion(item, current, time_ms)

    def _decide_write(
        self, item: EncodedWrite, current: _Current | None, time_ms: int
    ) -> tuple[WriteResult, _NewVersion | None]:
        old_hash = current.content_hash if current is not None else None
        encoded = item.encoded
        if encoded is None:
            return WriteResult(item.key, "rejected", old_hash, None, item.error), None
        new_hash = encoded.content_hash
        drift = tuple(encoded.drift.paths())
        if current is not None and not current.deleted and current.content_hash == new_hash:
            return WriteResult(item.key, "unchanged", old_hash, new_hash, drift=drift), None
        if current is not None and current.at_ms > item.fetched_at_ms:
            return WriteResult(item.key, "stale", old_hash, new_hash, drift=drift), None
        change: Change = (
            "created" if current is None else "revived" if current.deleted else "updated"
        )
        entry = ChangeEntry(item.key, time_ms, change, old_hash, new_hash, _FETCHED)
        version = _NewVersion(item.key, encoded, item.fetched_at_ms, entry, current, item.fields)
        return WriteResult(item.key, change, old_hash, new_hash, drift=drift), version

    def _decide_deletion(
        self, item: RecordDeletion, current: _Current | None, time_ms: int
    ) -> tuple[WriteResult, _NewVersion | None]:
        if current is None:
            return WriteResult(item.key, "absent", None, None), None
        old_hash = current.content_hash
        if current.deleted:
            return WriteResult(item.key, "unchanged", old_hash, old_hash), None
        # A deletion decided before the current version was fetched is as late as an older
        # fetch: the record came back (or never left) after it.
        if current.at_ms > item.deleted_at_ms:
            return WriteResult(item.key, "stale", old_hash, None), None
        encoded = self._codec.encode_tombstone(
            item.key,
            deleted_at_ms=item.deleted_at_ms,
            reason=item.reason,
            last_content_hash=old_hash,
            compress=self._compress_each,
        )
        new_hash = encoded.content_hash
        entry = ChangeEntry(item.key, time_ms, "deleted", old_hash, new_hash, item.reason)
        version = _NewVersion(item.key, encoded, item.deleted_at_ms, entry, current)
        return WriteResult(item.key, "deleted", old_hash, new_hash), version

    async def _write_piece(self, entries: list[ChangeEntry], time_ms: int, seq: int) -> None:
        piece = changelog_piece_key(time_ms, self._writer, seq)
        await self._create_batch_object(piece, await asyncio.to_thread(encode_piece, entries))

    async def _write_fragments(
        self, rows: Sequence[_NewVersion | _Confirmation], time_ms: int, seq: int
    ) -> None:
        """One index fragment per kind of the batch, a row per changed or confirmed key."""
        fragments = await asyncio.to_thread(self._fragments, rows, time_ms, seq)
        await bounded(self._create_batch_object(name, data) for name, data in fragments)

    def _fragments(
        self, rows: Sequence[_NewVersion | _Confirmation], time_ms: int, seq: int
    ) -> list[tuple[str, bytes]]:
        by_kind: dict[Kind, list[_NewVersion | _Confirmation]] = {}
        for row in rows:
            by_kind.setdefault(row.key.kind, []).append(row)
        return [
            (
                fragment_key(kind, time_ms, self._writer, seq),
                index_fragment(row.index_row() for row in kind_rows),
            )
            for kind, kind_rows in by_kind.items()
        ]

    async def _create_batch_object(self, name: str, data: bytes) -> None:
        """Create a change-log piece or index fragment; its name is this writer's alone."""
        if not await self._objects.create(name, data):
            raise RecordStoreError(
                f"{name} already exists in {self._objects.url}: another "
                "RecordStore has the same writer id; each must be its own instance"
            )

    async def _prune(self, key: RecordKey) -> None:
        """Delete the oldest superseded versions beyond the retention (the current version
        counts as one); the newest are never touched."""
        names = await self._version_keys(key)
        keep = self._retention - 1
        await bounded(self._objects.delete(name) for name in names[: len(names) - keep])

    # --- reading --------------------------------------------------------------------------

    async def read(self, key: RecordKey) -> StoredRecord | None:
        """The current version (a tombstone when deleted), or None for a record never stored."""
        return await self._read_object(key, current_key(key))

    async def current_version(self, key: RecordKey) -> CurrentVersion | None:
        """The current version's hash, time and whether it is a tombstone; None for a record
        never stored. Here a read of the record; a store of segments answers from its version
        map, without reading the record."""
        stored = await self.read(key)
        if stored is None:
            return None
        return CurrentVersion(stored.content_hash, stored.fetched_at_ms, stored.deleted)

    async def stored_parts(self, kind: Kind, series_id: int) -> list[RecordKey]:
        """The keys of a series' seasons (``kind`` TV_SEASON) or episodes (TV_EPISODE) that
        have a current object (tombstones included), in key order: a series' parts share its
        folder, so this is one listing."""
        if kind not in (Kind.TV_SEASON, Kind.TV_EPISODE):
            raise ValueError(f"a series has seasons and episodes, not {kind}")
        probe = RecordKey(kind, series_id, 0, None if kind is Kind.TV_SEASON else 0)
        # records/{kind}/{shard}/{series id}/...: the probe's folder, cut after the series id.
        depth = len(str(probe).split("/")) - 1
        folder = current_key(probe).rsplit("/", depth)[0]
        root = folder.rsplit("/", 1)[0] + "/"
        keys: list[RecordKey] = []
        async for info in self._objects.list(folder):
            name = info.key.removeprefix(root)
            if not name.endswith(SUFFIX):
                continue
            try:
                keys.append(RecordKey.parse(kind, name.removesuffix(SUFFIX)))
            except ValueError:  # a staging file or anything not a record's object
                continue
        return sorted(keys)

    async def history(self, key: RecordKey) -> list[VersionInfo]:
        """The kept versions of the record, oldest first (tombstones included); the last is the
        current one."""
        names = [name for name, _ in await self._versions(key)]
        blobs = await bounded(self._objects.get(name) for name in names)
        infos: list[VersionInfo] = []
        for name, data in zip(names, blobs, strict=True):
            if data is None:
                continue  # pruned by another writer since the listing
            try:
                envelope = self._codec.decode_envelope(data)
            except CorruptRecordError as error:
                raise UnreadableRecordError(key, self._objects.url, name, str(error)) from None
            deleted = _is_tombstone(envelope)
            reason = envelope.tombstone.reason if deleted else None
            info = VersionInfo(
                len(infos) + 1, envelope.fetched_at_ms, envelope.content_hash, deleted, reason, name
            )
            infos.append(info)
        return infos

    async def read_version(self, key: RecordKey, version: int) -> StoredRecord | None:
        """Version ``version`` of the kept history: 1 is the oldest, -1 the newest; None when
        there is no such version."""
        name = await self.version_object(key, version=version)
        return None if name is None else await self._read_object(key, name)

    async def read_at(self, key: RecordKey, at_ms: int) -> StoredRecord | None:
        """The version that was current at ``at_ms`` (a tombstone if it was deleted then); None
        before the oldest kept version."""
        name = await self.version_object(key, at_ms=at_ms)
        return None if name is None else await self._read_object(key, name)

    async def version_object(
        self, key: RecordKey, *, version: int | None = None, at_ms: int | None = None
    ) -> str | None:
        """The object holding the chosen version: the current one (neither given), version
        ``version`` of the history (1 oldest, -1 newest) or the one current at ``at_ms``; None
        when there is no such version."""
        if version is not None and at_ms is not None:
            raise ValueError("choose a version by its number or by a time, not both")
        if version is None and at_ms is None:
            return current_key(key)
        if version == 0:
            raise ValueError("versions count from 1 (the oldest) or from -1 (the newest)")
        versions = await self._versions(key)
        if version is not None:
            index = version - 1 if version > 0 else version
            return versions[index][0] if -len(versions) <= index < len(versions) else None
        earlier = [name for name, time in versions if at_ms is not None and time <= at_ms]
        return earlier[-1] if earlier else None

    async def read_bytes(
        self, key: RecordKey, *, version: int | None = None, at_ms: int | None = None
    ) -> bytes | None:
        """The chosen version's bytes as stored (a zstd-compressed tmdb.v1.Record), undecoded;
        None when there is no such version."""
        name = await self.version_object(key, version=version, at_ms=at_ms)
        return None if name is None else await self._objects.get(name)

    async def current_records(
        self,
        kind: Kind,
        *,
        window: int | None = None,
        on_unreadable: Callable[[UnreadableRecordError], None] | None = None,
    ) -> AsyncIterator[record_pb2.Record]:
        """Every current record of ``kind`` (tombstones included), decoded, in key order of the
        listing; ``window`` objects are fetched at once (hides S3's latency, bounds memory).

        An object that cannot be read is skipped and handed to ``on_unreadable`` (raised when
        None): one damaged record must not stop the others."""
        window = window or _READ_WINDOW
        names: list[str] = []
        async for info in self._objects.list(f"{RECORDS_ROOT}/{kind.value}"):
            if info.key.endswith(SUFFIX):
                names.append(info.key)
            if len(names) >= window:
                for record in await self._decode_all(names, on_unreadable):
                    yield record
                names = []
        for record in await self._decode_all(names, on_unreadable):
            yield record

    async def _decode_all(
        self, names: list[str], on_unreadable: Callable[[UnreadableRecordError], None] | None
    ) -> list[record_pb2.Record]:
        blobs = await asyncio.gather(*(self._objects.get(name) for name in names))
        records = []
        for name, data in zip(names, blobs, strict=True):
            if data is None:
                continue  # deleted since the listing, so not current any more
            try:
                records.append(self._codec.decode(data))
            except CorruptRecordError as error:
                unreadable = UnreadableRecordError(
                    record_key_of(name), self._objects.url, name, str(error)
                )
                if on_unreadable is None:
                    raise unreadable from None
                on_unreadable(unreadable)
        return records

    async def changes(
        self, since_ms: int | None = None, until_ms: int | None = None
    ) -> AsyncIterator[ChangeEntry]:
        """Change-log entries with ``since_ms <= time_ms < until_ms``, oldest piece first.

        At-least-once: dedupe on (kind, key, new_hash).
        """
        listed = [info.key async for info in self._objects.list(CHANGELOG_ROOT)]
        # A piece is named by its first entry and spans _PIECE_SPAN_MS after it.
        first = None if since_ms is None else since_ms - since_ms % self._PIECE_SPAN_MS
        pieces = sorted(
            name for name in listed if _within(changelog_piece_time(name), first, until_ms)
        )
        for piece in pieces:
            data = await self._objects.get(piece)
            for entry in decode_piece(data) if data is not None else []:
                if _within(entry.time_ms, since_ms, until_ms):
                    yield entry

    async def _read_object(self, key: RecordKey, object_key: str) -> StoredRecord | None:
        data = await self._objects.get(object_key)
        if data is None:
            return None
        return StoredRecord(key, self._decode(key, object_key, data), self._codec)

    def _decode(self, key: RecordKey, object_key: str, data: bytes) -> record_pb2.Record:
        try:
            return self._codec.decode(data)
        except CorruptRecordError as error:
            raise UnreadableRecordError(key, self._objects.url, object_key, str(error)) from None

    async def _quarantine(self, key: RecordKey, object_key: str, data: bytes, cause: str) -> None:
        copy = f"{QUARANTINE_ROOT}/{object_key}.{self._now_ms()}"
        _log.warning(
            "%s %s: the current object %s/%s cannot be read (%s); it is replaced by the fresh "
            "fetch, a copy kept as %s",
            key.kind,
            key,
            self._objects.url,
            object_key,
            cause,
            copy,
            extra={"kind": str(key.kind), "key": str(key), "object": object_key},
        )
        try:
            await self._objects.put(copy, data)
        except StoreError as error:  # the copy is for people; the repair goes on without it
            _log.warning("could not keep a copy of %s: %s", object_key, error)

    async def drop_current_copies(
        self, kind: Kind, *, on_record: Callable[[int], None] | None = None
    ) -> int:
        """Delete the copies of current versions that stores written before this layout kept in
        history (readers already leave them out; this gives back their bytes). Returns how many
        were deleted; ``on_record`` gets the count of records looked at. Safe to rerun and to
        run beside writers: only an object naming exactly the current version is deleted."""
        deleted = looked_at = 0
        async for record in self.current_records(kind):
            key = _key_of_record(record)
            looked_at += 1
            names = await self._version_keys(key)
            copy = history_version_key(key, record.fetched_at_ms, record.content_hash)
            if names and names[-1] == copy:
                await self._objects.delete(copy)
                deleted += 1
            if on_record is not None:
                on_record(looked_at)
        return deleted

    async def _versions(self, key: RecordKey) -> list[tuple[str, int]]:
        """Every kept version's object and time, oldest first: the superseded versions in
        history, then the current object. A store written before this layout kept a copy of
        the current version in history too: that copy is left out (it is the current one)."""
        names = await self._version_keys(key)
        versions = [(name, _version_time(name)) for name in names]
        name = current_key(key)
        data = await self._objects.get(name)
        if data is None:
            return versions
        try:
            envelope = self._codec.decode_envelope(data)
        except CorruptRecordError as error:
            raise UnreadableRecordError(key, self._objects.url, name, str(error)) from None
        copy = history_version_key(key, envelope.fetched_at_ms, envelope.content_hash)
        if names and names[-1] == copy:
            versions.pop()
        return [*versions, (name, envelope.fetched_at_ms)]

    async def _version_keys(self, key: RecordKey) -> list[str]:
        """The record's version objects, oldest first: their names sort by time."""
        listed = [info.key async for info in self._objects.list(history_prefix(key))]
        return sorted(name for name in listed if history_version_time(name) is not None)


def _key_of_record(record: record_pb2.Record) -> RecordKey:
    key = record.key
    season = key.season_number if key.HasField("season_number") else None
    episode = key.episode_number if key.HasField("episode_number") else None
    return RecordKey(Kind(record.kind), key.id, season, episode)


def _confirmation(item: EncodedWrite | RecordDeletion, current: _Current | None) -> _Confirmation:
    assert current is not None  # noqa: S101 (only a stored record is ever "unchanged")
    if isinstance(item, EncodedWrite):
        return _Confirmation(item.key, current, item.fetched_at_ms, item.fields)
    return _Confirmation(item.key, current, item.deleted_at_ms)


def _is_tombstone(record: record_pb2.Record) -> bool:
    payload: str | None = record.WhichOneof("payload")
    return payload == "tombstone"


def _version_time(object_key: str) -> int:
    at_ms = history_version_time(object_key)
    assert at_ms is not None  # noqa: S101 (_version_keys returns version objects only)
    return at_ms


def _within(time_ms: int | None, since_ms: int | None, until_ms: int | None) -> bool:
    if time_ms is None:
        return False
    return (since_ms is None or time_ms >= since_ms) and (until_ms is None or time_ms < until_ms)
