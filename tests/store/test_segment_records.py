"""RecordStore's API over segments (store/_segment_records.py), on every object store: the same
decisions as today's layout, one segment object per batch and kind, history without copies, the
newer fetch current whoever wrote last, and a damaged block losing only its own records."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest

from store.test_records import (
    MOVIE,
    T0,
    Clock,
    CountingLists,
    all_changes,
    changes_of,
    fetched,
    load,
    movie,
)
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import RecordDeletion, RecordIndex, StoreError, UnreadableRecordError
from tmdb_collector.store._segment_records import SegmentRecordStore

from .conftest import StoreCase


async def keys(case: StoreCase) -> list[str]:
    return sorted([info.key async for info in case.store.list()])


async def test_decisions_are_today_s_and_a_batch_is_one_segment(store_case: StoreCase) -> None:
    clock = Clock()
    records = SegmentRecordStore(store_case.store, now_ms=clock)
    fight_club = load("movie/550")
    batch = [fetched(MOVIE, fight_club, T0)] + [
        fetched(RecordKey(Kind.MOVIE, n), movie(n, f"m{n}"), T0) for n in range(1, 40)
    ]
    before = set(await keys(store_case))
    results = await records.write_batch(batch)
    assert changes_of(results) == ["created"] * 40
    stored = await keys(store_case)
    written = sorted(set(stored) - before)  # two objects for 40 records: no per-record write
    assert [name.split("/")[0] for name in written] == ["index", "segments"]
    assert [k for k in stored if k.startswith("segments/")] == [
        k for k in stored if k.endswith(".seg")
    ]
    assert len([k for k in stored if k.endswith(".seg")]) == 1  # 40 records, one object
    assert not any(k.startswith(("records/", "history/")) for k in stored)

    [again] = await records.write_batch([fetched(MOVIE, fight_club, T0 + 1000)])
    assert again.change == "unchanged"
    assert len([k for k in await keys(store_case) if k.endswith(".seg")]) == 1  # nothing new
    retitled = fight_club | {"title": "Fight Club (Director's Cut)"}
    clock.now_ms += 3_600_000 * 5  # hours later
    [updated] = await records.write_batch([fetched(MOVIE, retitled, T0 + 2000)])
    assert (updated.change, updated.old_hash) == ("updated", results[0].new_hash)
    [stale] = await records.write_batch([fetched(MOVIE, movie(550, "late"), T0 + 1500)])
    assert (stale.change, stale.old_hash) == ("stale", updated.new_hash)
    current = await records.read(MOVIE)
    assert current is not None
    assert current.json() == retitled
    assert (current.content_hash, current.fetched_at_ms) == (updated.new_hash, T0 + 2000)
    assert [e.change for e in await all_changes(records)] == ["created"] * 40 + ["updated"]
    await records.compact(Kind.MOVIE)  # the changes move from the fragments to the change log
    assert [e.change for e in await all_changes(records)] == ["created"] * 40 + ["updated"]
    assert [e.change for e in await all_changes(records, since_ms=T0 + 1)] == ["updated"]
    assert len(await all_changes(records, until_ms=T0 + 1)) == 40
    assert await records.read(RecordKey(Kind.MOVIE, 999)) is None
    # The index (query, status, the harvester) sees the batch as before.
    table = await RecordIndex(store_case.store).table(Kind.MOVIE)
    assert table.num_rows == 40


async def test_history_is_every_version_where_it_was_written(store_case: StoreCase) -> None:
    records = SegmentRecordStore(store_case.store, now_ms=Clock())
    for step in range(3):
        await records.write_batch([fetched(MOVIE, movie(550, f"v{step}"), T0 + step * 100)])
    history = await records.history(MOVIE)
    assert [(v.number, v.at_ms, v.deleted) for v in history] == [
        (1, T0, False),
        (2, T0 + 100, False),
        (3, T0 + 200, False),
    ]
    assert all(v.object_key.startswith("segments/movie/") for v in history)
    for number, title in ((1, "v0"), (2, "v1"), (-1, "v2"), (-3, "v0")):
        version = await records.read_version(MOVIE, number)
        assert version is not None
        assert version.json()["title"] == title
    assert await records.read_version(MOVIE, 4) is None
    with pytest.raises(ValueError, match="count from 1"):
        await records.read_version(MOVIE, 0)
    assert await records.read_at(MOVIE, T0 - 1) is None
    for at_ms, title in ((T0, "v0"), (T0 + 150, "v1"), (T0 + 10**6, "v2")):
        version = await records.read_at(MOVIE, at_ms)
        assert version is not None
        assert version.json()["title"] == title
    stored = await records.read_bytes(MOVIE, version=2)
    assert stored is not None
    assert records._codec.to_json(records._codec.decode(stored))["title"] == "v1"


async def test_deletion_and_revival_are_versions_too(store_case: StoreCase) -> None:
    records = SegmentRecordStore(store_case.store, now_ms=Clock())
    await records.write_batch([fetched(MOVIE, movie(550, "live"), T0)])
    [gone] = await records.write_batch([RecordDeletion(MOVIE, "404 on fetch", T0 + 10)])
    assert gone.change == "deleted"
    current = await records.read(MOVIE)
    assert current is not None
    assert (current.deleted, current.deletion_reason) == (True, "404 on fetch")
    [back] = await records.write_batch([fetched(MOVIE, movie(550, "back"), T0 + 20)])
    assert back.change == "revived"
    history = await records.history(MOVIE)
    assert [(v.deleted, v.reason) for v in history] == [
        (False, None),
        (True, "404 on fetch"),
        (False, None),
    ]
    [absent] = await records.write_batch([RecordDeletion(RecordKey(Kind.MOVIE, 9), "x", T0)])
    assert absent.change == "absent"


async def test_the_newer_fetch_is_current_whoever_wrote_last(store_case: StoreCase) -> None:
    """Two collectors read the same current version and both write (today's race, docs/
    storage.md): the one that fetched later wins, though it wrote first."""
    first = SegmentRecordStore(store_case.store, now_ms=Clock())
    await first.write_batch([fetched(MOVIE, movie(550, "old"), T0)])
    late, early = (
        SegmentRecordStore(store_case.store, now_ms=Clock(T0 + 50)),
        SegmentRecordStore(store_case.store, now_ms=Clock(T0 + 60)),
    )
    currents = await late._read_currents({MOVIE})  # both decide against "old"...
    assert currents[MOVIE] is not None
    [newer] = await late.write_batch([fetched(MOVIE, movie(550, "newer fetch"), T0 + 40)])
    # ... the other, deciding before the newer was written, writes its older fetch after it.
    early._read_currents = _returning(currents)  # type: ignore[method-assign]
    [older] = await early.write_batch([fetched(MOVIE, movie(550, "older fetch"), T0 + 30)])
    assert (newer.change, older.change) == ("updated", "updated")
    current = await first.read(MOVIE)
    assert current is not None
    assert current.json()["title"] == "newer fetch"
    assert [v.at_ms for v in await first.history(MOVIE)] == [T0, T0 + 30, T0 + 40]


async def test_a_writer_lists_the_fragments_named_since_its_newest_and_sees_compactions(
    store_case: StoreCase,
) -> None:
    """After its first look, a writer's batch lists the kind's folder from its newest known
    fragment (less a margin for a batch begun earlier and stored later) on: one page however
    many fragments wait for the compaction. It sees what other writers wrote, and reads the
    whole map again after a compaction (the snapshot changed)."""
    listing = CountingLists(store_case.store)
    clock = Clock(T0 + 3_600_000)
    writer = SegmentRecordStore(listing, now_ms=clock)
    await writer.write_batch([fetched(RecordKey(Kind.MOVIE, 1), movie(1, "one"), T0)])
    other = SegmentRecordStore(store_case.store, now_ms=Clock(T0 + 3_600_000 - 60_000))
    await other.write_batch([fetched(RecordKey(Kind.MOVIE, 2), movie(2, "two"), T0)])
    listing.listed.clear()
    listing.starts.clear()
    [seen] = await writer.write_batch([fetched(RecordKey(Kind.MOVIE, 2), movie(2, "two"), T0)])
    assert seen.change == "unchanged"  # the other writer's fragment, named a minute earlier
    assert listing.listed == ["index/movie"]
    [start] = listing.starts
    assert start == f"index/movie/fragments/{T0 + 3_600_000 - 600_000:013d}"

    await other.write_batch([fetched(RecordKey(Kind.MOVIE, 3), movie(3, "three"), T0)])
    await SegmentRecordStore(store_case.store, now_ms=Clock()).compact(Kind.MOVIE)
    listing.starts.clear()
    [folded] = await writer.write_batch([fetched(RecordKey(Kind.MOVIE, 3), movie(3, "three"), T0)])
    assert folded.change == "unchanged"  # in the snapshot now: the whole map read again
    assert None in listing.starts


async def test_a_batch_stored_long_after_it_began_is_seen_by_the_other_writers(
    store_case: StoreCase,
) -> None:
    """A fragment is named by when it is stored, not by when its batch began: a batch that
    took longer than the writers' margin (LATE_FRAGMENT_MS) between the two is still listed by
    a writer whose newest known fragment is newer than its start."""
    minute = 60_000
    clock = Clock(T0 + 10 * minute)
    writer = SegmentRecordStore(store_case.store, now_ms=clock)
    await writer.write_batch([fetched(RecordKey(Kind.MOVIE, 1), movie(1, "one"), T0)])
    clock.now_ms = T0 + 30 * minute
    await writer.write_batch([fetched(RecordKey(Kind.MOVIE, 1), movie(1, "one"), T0 + 1)])

    class Slow(Clock):
        """The other writer's batch begins at minute 1 and is stored at minute 35."""

        def __init__(self) -> None:
            super().__init__(T0 + minute)

        def __call__(self) -> int:
            now, self.now_ms = self.now_ms, T0 + 35 * minute
            return now

    other = SegmentRecordStore(store_case.store, now_ms=Slow())
    [created] = await other.write_batch([fetched(RecordKey(Kind.MOVIE, 2), movie(2, "two"), T0)])
    assert created.change == "created"
    clock.now_ms = T0 + 50 * minute  # the writer lists from minute 20 on
    [seen] = await writer.write_batch([fetched(RecordKey(Kind.MOVIE, 2), movie(2, "two"), T0 + 2)])
    assert seen.change == "unchanged"


async def test_a_batch_that_fetched_a_record_twice_keeps_both_versions(
    store_case: StoreCase,
) -> None:
    """As the old layout did: the earlier fetch is history, the later one current, in one
    segment; the version map names both, before and after a compaction."""
    records = SegmentRecordStore(store_case.store, now_ms=Clock())
    results = await records.write_batch(
        [
            fetched(MOVIE, movie(550, "first"), T0),
            fetched(RecordKey(Kind.MOVIE, 1), movie(1, "other"), T0),
            fetched(MOVIE, movie(550, "second"), T0 + 10),
        ]
    )
    assert changes_of(results) == ["created", "created", "updated"]
    assert len([k for k in await keys(store_case) if k.endswith(".seg")]) == 1
    for step in ("written", "compacted"):
        history = await records.history(MOVIE)
        assert [v.at_ms for v in history] == [T0, T0 + 10], step
        first = await records.read_version(MOVIE, 1)
        assert first is not None
        assert first.json()["title"] == "first", step
        current = await records.read(MOVIE)
        assert current is not None
        assert current.json()["title"] == "second", step
        # The change log keeps the batch's last change of each record.
        logged = {(e.key.id, e.change) for e in await all_changes(records)}
        assert logged == {(550, "updated"), (1, "created")}, step
        await records.compact(Kind.MOVIE)
    assert not [k for k in await keys(store_case) if "/fragments/" in k]


async def test_a_writers_own_slow_batch_does_not_move_its_look_past_others_fragments(
    store_case: StoreCase,
) -> None:
    """A writer whose batch looked at minute 0 and was stored at minute 12 looks next from
    minute 0 on (less the margin), not from 12: a fragment another writer stored meanwhile is
    named in between and must be read."""
    minute = 60_000

    class Slow(Clock):
        """The batch begins (and looks) at minute 0, and is stored at minute 12."""

        def __call__(self) -> int:
            now, self.now_ms = self.now_ms, T0 + 12 * minute
            return now

    writer = SegmentRecordStore(store_case.store, now_ms=Slow(T0))
    await writer.write_batch([fetched(RecordKey(Kind.MOVIE, 1), movie(1, "one"), T0)])
    other = SegmentRecordStore(store_case.store, now_ms=Clock(T0 + minute))
    await other.write_batch([fetched(RecordKey(Kind.MOVIE, 2), movie(2, "two"), T0)])
    [seen] = await writer.write_batch([fetched(RecordKey(Kind.MOVIE, 2), movie(2, "two"), T0 + 1)])
    assert seen.change == "unchanged"


async def test_a_writer_whose_clock_is_behind_is_named_before_its_fragments_are_missed(
    store_case: StoreCase, caplog: pytest.LogCaptureFixture
) -> None:
    """A fragment stored well after the time in its name (its writer's clock is behind the
    store's) is still read, and named in a warning at half the writers' margin."""
    now = int(time.time() * 1000)
    writer = SegmentRecordStore(store_case.store, now_ms=Clock(now))
    await writer.write_batch([fetched(RecordKey(Kind.MOVIE, 1), movie(1, "one"), T0)])
    behind = SegmentRecordStore(store_case.store, now_ms=Clock(now - 8 * 60_000))
    await behind.write_batch([fetched(RecordKey(Kind.MOVIE, 2), movie(2, "two"), T0)])
    on_time = SegmentRecordStore(store_case.store, now_ms=Clock(now))
    await on_time.write_batch([fetched(RecordKey(Kind.MOVIE, 3), movie(3, "three"), T0)])
    with caplog.at_level(logging.WARNING, logger="tmdb_collector.store"):
        [seen] = await writer.write_batch(
            [fetched(RecordKey(Kind.MOVIE, 2), movie(2, "two"), T0 + 1)]
        )
    assert seen.change == "unchanged"
    [warning] = [r.getMessage() for r in caplog.records if "clock" in r.getMessage()]
    assert f"{now - 8 * 60_000:013d}-" in warning
    assert "the clock of the writer that wrote it is behind" in warning


async def test_a_damaged_record_refetched_beside_another_batch_is_stored_again(
    store_case: StoreCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A collector stores several batches at once on one store: each batch's unchanged
    refetches are checked against their blocks, whatever the others do meanwhile (they shared
    one attribute, which another batch emptied while this one listed the index)."""
    records = SegmentRecordStore(store_case.store, now_ms=Clock())
    await records.write_batch([fetched(MOVIE, movie(550, "kept"), T0)])
    [location] = await records.versions.versions(MOVIE)
    data = await store_case.store.get(location.segment)
    assert data is not None
    garbled = bytearray(data)
    garbled[location.offset + location.length // 2] ^= 0xFF
    await store_case.store.put(location.segment, bytes(garbled))
    real_list = store_case.store.list

    async def slow_list(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.05)  # the other batch runs to its end meanwhile
        async for info in real_list(*args, **kwargs):
            yield info

    monkeypatch.setattr(store_case.store, "list", slow_list)
    other = RecordKey(Kind.PERSON, 1)
    refetched, _ = await asyncio.gather(
        records.write_batch([fetched(MOVIE, movie(550, "kept"), T0 + 10)]),
        records.write_batch([fetched(other, {"id": 1, "name": "p"}, T0 + 10)]),
    )
    assert [result.change for result in refetched] == ["created"]  # the damage was seen
    monkeypatch.undo()
    current = await SegmentRecordStore(store_case.store, now_ms=Clock()).read(MOVIE)
    assert current is not None
    assert current.json()["title"] == "kept"


async def test_a_batch_that_dies_before_its_index_fragment_changes_no_current_version(
    store_case: StoreCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version fragment naming a twice-fetched record's earlier version comes after the
    index fragment: a writer that dies between segment and index leaves the map as it was."""
    records = SegmentRecordStore(store_case.store, now_ms=Clock())
    await records.write_batch([fetched(MOVIE, movie(550, "stored"), T0)])
    real = store_case.store.create

    async def dying(key: str, data: bytes) -> bool:
        if key.startswith("index/"):
            raise StoreError(f"simulated death before {key}")
        return await real(key, data)

    monkeypatch.setattr(store_case.store, "create", dying)
    with pytest.raises(StoreError, match="simulated death"):
        await records.write_batch(
            [
                fetched(MOVIE, movie(550, "first"), T0 + 10),
                fetched(MOVIE, movie(550, "second"), T0 + 20),
            ]
        )
    monkeypatch.undo()
    reader = SegmentRecordStore(store_case.store, now_ms=Clock())
    current = await reader.read(MOVIE)
    assert current is not None
    assert current.json()["title"] == "stored"
    assert [v.at_ms for v in await reader.history(MOVIE)] == [T0]


def _returning(value: Any) -> Any:
    async def read(_: object) -> Any:
        return value

    return read


async def test_retention_is_the_version_maps_compaction(store_case: StoreCase) -> None:
    records = SegmentRecordStore(store_case.store, retention_versions=2, now_ms=Clock())
    for step in range(4):
        await records.write_batch([fetched(MOVIE, movie(550, f"v{step}"), T0 + step)])
    assert len(await records.history(MOVIE)) == 4
    folded = await records.compact(Kind.MOVIE)
    assert folded.rows == 1
    assert [v.at_ms for v in await records.history(MOVIE)] == [T0 + 2, T0 + 3]
    current = await records.read(MOVIE)
    assert current is not None
    assert current.json()["title"] == "v3"


async def test_current_records_read_each_segment_once_and_survive_a_damaged_block(
    store_case: StoreCase,
) -> None:
    records = SegmentRecordStore(store_case.store, now_ms=Clock())
    documents = {n: load("movie/550") | {"id": n, "title": f"m{n}"} for n in range(1, 81)}
    await records.write_batch(
        [fetched(RecordKey(Kind.MOVIE, n), d, T0) for n, d in documents.items()]
    )
    await records.write_batch([fetched(RecordKey(Kind.MOVIE, 3), movie(3, "three"), T0 + 5)])
    every = [r async for r in records.current_records(Kind.MOVIE)]
    # Segment by segment (memory holds a few), in key order within each.
    assert sorted(r.key.id for r in every) == list(range(1, 81))
    assert [r.key.id for r in every] == [*range(1, 3), *range(4, 81), 3]
    assert records._codec.to_json(every[-1])["title"] == "three"

    # Damage the block holding movie 40: its block's records are named, the others served.
    [location] = (await records.versions.versions(RecordKey(Kind.MOVIE, 40)))[-1:]
    data = await store_case.store.get(location.segment)
    assert data is not None
    garbled = bytearray(data)
    garbled[location.offset + location.length // 2] ^= 0xFF
    await store_case.store.put(location.segment, bytes(garbled))
    lost: list[UnreadableRecordError] = []
    served = [
        r.key.id async for r in records.current_records(Kind.MOVIE, on_unreadable=lost.append)
    ]
    in_block = {
        key.id
        for key, loc in (await records.versions.current(Kind.MOVIE)).items()
        if (loc.segment, loc.offset) == (location.segment, location.offset)
    }
    assert {error.key.id for error in lost if error.key is not None} == in_block
    assert set(served) == set(range(1, 81)) - in_block
    with pytest.raises(UnreadableRecordError, match=r"movie 40: the object .*segments/movie/"):
        await records.read(RecordKey(Kind.MOVIE, 40))
    # Fetched again with the same content, a damaged record is stored again (not "unchanged").
    again = await records.write_batch(
        [fetched(RecordKey(Kind.MOVIE, n), documents[n], T0 + 10) for n in sorted(in_block)]
    )
    assert {result.change for result in again} == {"created"}
    repaired = await records.read(RecordKey(Kind.MOVIE, 40))
    assert repaired is not None
    assert repaired.json() == documents[40]
    unchanged = await records.write_batch(
        [fetched(RecordKey(Kind.MOVIE, 2), documents[2], T0 + 20)]
    )
    assert [result.change for result in unchanged] == ["unchanged"]


async def test_a_series_parts_are_listed_from_the_version_map(store_case: StoreCase) -> None:
    records = SegmentRecordStore(store_case.store, now_ms=Clock())
    episodes = [RecordKey(Kind.TV_EPISODE, 1399, 1, e) for e in (2, 1)] + [
        RecordKey(Kind.TV_EPISODE, 1400, 1, 1)
    ]
    await records.write_batch(
        [fetched(key, {"id": key.episode, "name": "e"}, T0) for key in episodes]
    )
    assert await records.stored_parts(Kind.TV_EPISODE, 1399) == sorted(episodes[:2])
    seasons = [RecordKey(Kind.TV_SEASON, 1399, n) for n in (0, 1, 70_000)] + [
        RecordKey(Kind.TV_SEASON, 1398, 1),
        RecordKey(Kind.TV_SEASON, 1400, 0),
    ]
    await records.write_batch([fetched(key, {"id": 1, "name": "s"}, T0) for key in seasons])
    # Another writer: its first look reads the map into columns (the first's are in its overlay).
    fresh = SegmentRecordStore(store_case.store, now_ms=Clock())
    for reader in (records, fresh):
        assert await reader.stored_parts(Kind.TV_EPISODE, 1399) == sorted(episodes[:2])
        assert await reader.stored_parts(Kind.TV_SEASON, 1399) == seasons[:3]
        assert await reader.stored_parts(Kind.TV_SEASON, 1401) == []
    with pytest.raises(ValueError, match="seasons and episodes"):
        await records.stored_parts(Kind.MOVIE, 1)
