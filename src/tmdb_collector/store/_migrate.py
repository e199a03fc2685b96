"""The migration of a store from one object per record version (``records/``, ``history/``) to
segments and the version map (issue 20; docs/storage.md, "Segments").

Per kind, the records are taken in key order, a hundred at a time: every kept version of each
(its history objects, oldest first, then its current object) goes into one segment, which is
read back from the store and compared byte for byte with the old objects before its versions
are named in the version map and the kind's ledger (``state/migrate/{kind}.json``) moves on. A
killed migration resumes at the first chunk its ledger does not have; a chunk half-written is
written again whole (its names are fixed). Only when every kind is migrated and verified is the
store marked as segments (``state/layout.json``) — from then on every command reads the
segments — and then the old objects are deleted (a rerun finishes a deletion that was cut
short). The index and the change log are the same in both layouts and are left as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.schema import CorruptRecordError, RecordCodec
from tmdb_collector.store._errors import StoreError
from tmdb_collector.store._gather import bounded
from tmdb_collector.store._objects import ObjectStore
from tmdb_collector.store._record_layout import (
    HISTORY_ROOT,
    RECORDS_ROOT,
    SUFFIX,
    history_version_time,
    record_key_of,
)
from tmdb_collector.store._segment import build_segment, record_in_block
from tmdb_collector.store._segment_records import (
    LAYOUT_SEGMENTS,
    SEGMENTS_ROOT,
    has_old_layout,
)
from tmdb_collector.store._state_keys import LAYOUT_KEY
from tmdb_collector.store._versions import VersionMap, version_fragment_key

__all__ = [
    "KindMigration",
    "MigrationError",
    "finish_migration",
    "kinds_migrated",
    "migrate_kind",
    "old_layout_objects",
    "plan_kind",
    "store_layout",
]

#: Records per migrated segment (all their versions).
CHUNK_RECORDS = 100
_LEDGER = "state/migrate"
_QUARANTINE = "quarantine/migrate"


class MigrationError(StoreError):
    """A segment written by the migration did not read back identical: nothing of the old
    layout was deleted; run the migration again."""


@dataclass
class KindMigration:
    """What migrating one kind found and did."""

    kind: Kind
    records: int = 0
    versions: int = 0
    old_bytes: int = 0
    segments: int = 0
    segment_bytes: int = 0
    #: Old objects that could not be read: kept under quarantine/migrate/, the record is
    #: refetched by the next mirror (its index row still names it).
    unreadable: list[str] = field(default_factory=list)
    resumed_at_chunk: int = 0


async def store_layout(objects: ObjectStore) -> str:
    """``segments`` (marked), ``objects`` (records or history in the old layout and no mark),
    or ``empty``."""
    if await objects.get(LAYOUT_KEY) is not None:
        return "segments"
    return "objects" if await has_old_layout(objects) else "empty"


async def _record_versions(objects: ObjectStore, kind: Kind) -> dict[RecordKey, list[str]]:
    """Each record's old version objects, oldest first: its history (names sort by time), then
    its current object."""
    history: dict[RecordKey, list[str]] = {}
    async for info in objects.list(f"{HISTORY_ROOT}/{kind.value}"):
        key = _history_key_of(kind, info.key)
        if key is not None:
            history.setdefault(key, []).append(info.key)
    currents: dict[RecordKey, str] = {}
    async for info in objects.list(f"{RECORDS_ROOT}/{kind.value}"):
        key = record_key_of(info.key) if info.key.endswith(SUFFIX) else None
        if key is not None:
            currents[key] = info.key
    return {
        key: sorted(history.get(key, [])) + ([currents[key]] if key in currents else [])
        for key in history.keys() | currents.keys()
    }


def _history_key_of(kind: Kind, name: str) -> RecordKey | None:
    """``history/{kind}/{shard}/{key}/{at}-{hash}.rec`` → the key; None for anything else."""
    parts = name.split("/")
    if len(parts) < 5 or history_version_time(name) is None:
        return None
    try:
        return RecordKey.parse(kind, "/".join(parts[3:-1]))
    except ValueError:
        return None


async def plan_kind(objects: ObjectStore, kind: Kind) -> KindMigration:
    """What migrating the kind would do (``migrate --dry-run``): its records and versions."""
    plan = KindMigration(kind)
    versions = await _record_versions(objects, kind)
    plan.records = len(versions)
    plan.versions = sum(len(names) for names in versions.values())
    plan.segments = -(-plan.records // CHUNK_RECORDS)
    return plan


async def migrate_kind(
    objects: ObjectStore,
    kind: Kind,
    *,
    codec: RecordCodec | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> KindMigration:
    """Write the kind's old versions as verified segments and name them in the version map;
    resumes after the last chunk the ledger has. ``on_chunk(done, total)`` after each chunk.
    Deletes nothing (``finish_migration`` does, once every kind is done)."""
    codec = codec or RecordCodec()
    done = KindMigration(kind)
    versions = await _record_versions(objects, kind)
    keys = sorted(versions)
    chunks = [keys[i : i + CHUNK_RECORDS] for i in range(0, len(keys), CHUNK_RECORDS)]
    ledger = await _ledger(objects, kind)
    chunks_done = ledger.get("chunks_done", 0)
    done.resumed_at_chunk = start = chunks_done if isinstance(chunks_done, int) else 0
    if ledger.get("chunks") not in (None, len(chunks)):
        raise MigrationError(
            f"{kind}: the store changed since this migration began ({ledger.get('chunks')} "
            f"chunks then, {len(chunks)} now): something wrote to it meanwhile; stop every "
            "mirror and collector, then run the migration again from the start (delete "
            f"{objects.url}/{_LEDGER}/{kind.value}.json)"
        )
    done.records = len(keys)
    for number in range(start, len(chunks)):
        names = [name for key in chunks[number] for name in versions[key]]
        await _migrate_chunk(objects, codec, names, number=number, done=done)
        await objects.put(
            f"{_LEDGER}/{kind.value}.json",
            json.dumps({"chunks_done": number + 1, "chunks": len(chunks)}).encode(),
        )
        if on_chunk is not None:
            on_chunk(number + 1, len(chunks))
    if not chunks:  # a kind with nothing stored is migrated too
        await objects.put(
            f"{_LEDGER}/{kind.value}.json", json.dumps({"chunks_done": 0, "chunks": 0}).encode()
        )
    return done


async def _migrate_chunk(
    objects: ObjectStore,
    codec: RecordCodec,
    names: Sequence[str],
    *,
    number: int,
    done: KindMigration,
) -> None:
    kind = done.kind
    blobs = await bounded([objects.get(name) for name in names])
    raws: list[bytes] = []
    seen: set[tuple[str, int, bytes]] = set()
    for name, data in zip(names, blobs, strict=True):
        if data is None:
            continue  # a history version pruned meanwhile: not kept any more
        done.old_bytes += len(data)
        try:
            raw = codec.decompress(data)
            envelope = codec.envelope_of_raw(raw)  # a whole Record, or quarantined
        except CorruptRecordError as error:
            await objects.put(f"{_QUARANTINE}/{name}", data)
            done.unreadable.append(f"{name}: {error}")
            continue
        # A store written before 0.2 kept a copy of the current version in history too.
        version = (str(envelope.key), envelope.fetched_at_ms, envelope.content_hash)
        if version not in seen:
            seen.add(version)
            raws.append(raw)
    if not raws:
        return
    segment = f"{SEGMENTS_ROOT}/{kind.value}/migrated/{number:06d}.seg"
    data, entries = build_segment(kind, raws, codec)
    await objects.put(segment, data)
    # Verified as stored: each version read back by its own ranged read, byte for byte.
    for entry, raw in zip(entries, raws, strict=True):
        frame = await objects.get_range(segment, entry.offset, entry.length)
        if frame is None or record_in_block(frame, entry.ordinal, codec) != raw:
            raise MigrationError(
                f"{kind} {entry.key}: the migrated segment {objects.url}/{segment} does not read "
                "back what the old objects hold; nothing was deleted: run the migration again"
            )
    fragment = version_fragment_key(kind, 0, "migrate", number)
    await objects.delete(fragment)  # a half-done chunk's fragment is written again whole
    await VersionMap(objects).add(kind, segment, entries, fragment=fragment, written_at_ms=0)
    done.versions += len(entries)
    done.segments += 1
    done.segment_bytes += len(data)


async def _ledger(objects: ObjectStore, kind: Kind) -> dict[str, object]:
    data = await objects.get(f"{_LEDGER}/{kind.value}.json")
    if data is None:
        return {}
    try:
        ledger = json.loads(data)
    except ValueError:
        return {}
    return ledger if isinstance(ledger, dict) else {}


async def kinds_migrated(objects: ObjectStore) -> set[Kind]:
    """The kinds whose every chunk is migrated."""
    migrated = set()
    for kind in Kind:
        ledger = await _ledger(objects, kind)
        if ledger and ledger.get("chunks_done") == ledger.get("chunks"):
            migrated.add(kind)
    return migrated


async def old_layout_objects(objects: ObjectStore) -> list[str]:
    """Every object of the old layout still in the store."""
    return [info.key for root in (RECORDS_ROOT, HISTORY_ROOT) async for info in objects.list(root)]


async def finish_migration(
    objects: ObjectStore, *, on_deleted: Callable[[int, int], None] | None = None
) -> int:
    """Mark the store as segments, then delete the old layout's objects; how many were
    deleted. Call only when every kind is migrated (``kinds_migrated``)."""
    await objects.put(LAYOUT_KEY, json.dumps(LAYOUT_SEGMENTS).encode())
    old = await old_layout_objects(objects)
    deleted = 0
    for start in range(0, len(old), 500):
        part = old[start : start + 500]
        await bounded([objects.delete(name) for name in part])
        deleted += len(part)
        if on_deleted is not None:
            on_deleted(deleted, len(old))
    return deleted
