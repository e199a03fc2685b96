"""Segment garbage collection (store/_gc.py): the bytes of versions past the retention are given
back by rewriting or deleting their segments; every kept version reads back the same; a
segment nobody needs is deleted only after its grace period."""

from __future__ import annotations

import time

from store.test_records import T0, Clock, fetched, movie
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import ObjectStore, SegmentRecordStore, collect_garbage

from .conftest import StoreCase

HOUR_MS = 3_600_000


async def segments(objects: ObjectStore) -> dict[str, int]:
    return {
        info.key: info.size async for info in objects.list("segments") if info.key.endswith(".seg")
    }


async def kept(records: SegmentRecordStore) -> dict[RecordKey, list[tuple[int, str]]]:
    """Every kept version, read as a new reader reads it (one that looked at the version map
    before a collection may read a segment it frees only within the grace period)."""
    records = SegmentRecordStore(records.objects)
    out = {}
    for n in range(1, 31):
        key = RecordKey(Kind.MOVIE, n)
        out[key] = []
        for info in await records.history(key):
            version = await records.read_version(key, info.number)
            assert version is not None
            out[key].append((info.at_ms, version.json()["title"]))
    return out


async def test_retention_gives_back_its_bytes_and_keeps_every_kept_version(
    store_case: StoreCase,
) -> None:
    objects = store_case.store
    records = SegmentRecordStore(objects, retention_versions=2, now_ms=Clock())
    # One batch of 30 movies, then 28 of them changed twice, a batch each: the first segment
    # keeps only movies 29 and 30.
    await records.write_batch(
        [fetched(RecordKey(Kind.MOVIE, n), movie(n, f"m{n}"), T0) for n in range(1, 31)]
    )
    for step in (1, 2):
        await records.write_batch(
            [
                fetched(RecordKey(Kind.MOVIE, n), movie(n, f"v{step}"), T0 + step)
                for n in range(1, 29)
            ]
        )
    await records.compact(Kind.MOVIE)
    before = await kept(records)
    assert [title for _, title in before[RecordKey(Kind.MOVIE, 1)]] == ["v1", "v2"]
    assert [title for _, title in before[RecordKey(Kind.MOVIE, 30)]] == ["m30"]
    written = await segments(objects)
    assert len(written) == 3

    def gc(now_ms: int, grace_ms: int) -> object:
        return collect_garbage(
            objects,
            Kind.MOVIE,
            retention_versions=2,
            live_fraction=0.5,
            grace_ms=grace_ms,
            now_ms=now_ms,
            writer="test",
        )

    now = time.time_ns() // 1_000_000
    young = await gc(now, HOUR_MS)  # every segment is younger than the grace: untouched
    assert (young.rewritten, young.deleted) == (0, 0)
    assert await segments(objects) == written

    later = await gc(now + 2 * HOUR_MS, HOUR_MS)
    assert later.rewritten == 1  # the first segment's 2 kept movies, in a new one
    assert (later.deleted, later.waiting) == (0, 0)
    assert await kept(records) == before
    empty = await gc(now + 3 * HOUR_MS, HOUR_MS)  # the old first segment: needed by no one
    assert (empty.rewritten, empty.deleted, empty.waiting) == (0, 0, 1)
    assert await kept(records) == before
    last = await gc(now + 5 * HOUR_MS, HOUR_MS)  # ... and its grace is over
    assert last.deleted == 1
    after = await segments(objects)
    assert len(after) == 3
    assert sum(after.values()) < sum(written.values())
    assert await kept(records) == before
    # Nothing left to do.
    again = await gc(now + 6 * HOUR_MS, HOUR_MS)
    assert (again.rewritten, again.deleted, again.waiting) == (0, 0, 0)
    assert await kept(records) == before
