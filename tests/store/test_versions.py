"""The version map (store/_versions.py): where each kept version lives; the newer fetch is
current whoever wrote last; a version written twice is kept once; compaction keeps each
record's newest versions."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import open_object_store
from tmdb_collector.store._segment import SegmentEntry
from tmdb_collector.store._versions import (
    CorruptVersionMapError,
    VersionMap,
    version_fragment_key,
)


def entry(
    key: str, fetched: int, digest: int, *, offset: int = 8, ordinal: int = 0
) -> SegmentEntry:
    kind = Kind.TV_EPISODE if key.count("/") == 2 else Kind.MOVIE
    return SegmentEntry(
        kind=kind,
        key=key,
        fetched_at_ms=fetched,
        content_hash=bytes([digest]) * 32,
        deleted=False,
        offset=offset,
        length=100,
        ordinal=ordinal,
    )


async def add(
    versions: VersionMap, kind: Kind, segment: str, written: int, *entries: SegmentEntry
) -> None:
    fragment = version_fragment_key(kind, written, "w1", written % 1000)
    await versions.add(kind, segment, entries, fragment=fragment, written_at_ms=written)


async def test_the_newer_fetch_is_current_whoever_wrote_last() -> None:
    versions = VersionMap(open_object_store("memory://"))
    # Two collectors fetched movie 550: the later fetch (t=2000) is stored first.
    await add(versions, Kind.MOVIE, "segments/movie/b.seg", 5000, entry("550", 2000, 2))
    await add(versions, Kind.MOVIE, "segments/movie/a.seg", 6000, entry("550", 1000, 1))
    history = await versions.versions(RecordKey(Kind.MOVIE, 550))
    assert [(v.fetched_at_ms, v.segment) for v in history] == [
        (1000, "segments/movie/a.seg"),
        (2000, "segments/movie/b.seg"),
    ]
    current = await versions.current(Kind.MOVIE)
    assert current[RecordKey(Kind.MOVIE, 550)].fetched_at_ms == 2000


async def test_a_version_written_twice_keeps_its_first_location() -> None:
    versions = VersionMap(open_object_store("memory://"))
    await add(versions, Kind.MOVIE, "segments/movie/first.seg", 1000, entry("7", 500, 9))
    await add(versions, Kind.MOVIE, "segments/movie/again.seg", 2000, entry("7", 500, 9, ordinal=3))
    [only] = await versions.versions(RecordKey(Kind.MOVIE, 7))
    assert (only.segment, only.ordinal, only.written_at_ms) == ("segments/movie/first.seg", 0, 1000)


async def test_episodes_are_told_apart_by_season_and_number() -> None:
    versions = VersionMap(open_object_store("memory://"))
    await add(
        versions,
        Kind.TV_EPISODE,
        "segments/tv_episode/s.seg",
        1000,
        entry("1399/1/1", 10, 1),
        entry("1399/1/2", 10, 2, ordinal=1),
        entry("1399/2/1", 10, 3, ordinal=2),
    )
    [one] = await versions.versions(RecordKey(Kind.TV_EPISODE, 1399, 1, 2))
    assert (one.key, one.ordinal) == (RecordKey(Kind.TV_EPISODE, 1399, 1, 2), 1)
    assert len(await versions.current(Kind.TV_EPISODE)) == 3


async def test_compaction_keeps_each_records_newest_versions() -> None:
    objects = open_object_store("memory://")
    versions = VersionMap(objects)
    for n in range(1, 6):
        await add(versions, Kind.MOVIE, f"segments/movie/{n}.seg", 1000 * n, entry("550", n, n))
    await add(versions, Kind.MOVIE, "segments/movie/other.seg", 9000, entry("551", 1, 1))
    assert await versions.compact(Kind.MOVIE, retention_versions=3) == 4
    kept = await versions.versions(RecordKey(Kind.MOVIE, 550))
    assert [v.fetched_at_ms for v in kept] == [3, 4, 5]
    assert [info.key async for info in objects.list("versions/movie/fragments")] == []
    await add(versions, Kind.MOVIE, "segments/movie/6.seg", 10_000, entry("550", 6, 6))
    assert [v.fetched_at_ms for v in await versions.versions(RecordKey(Kind.MOVIE, 550))] == [
        3,
        4,
        5,
        6,
    ]
    with pytest.raises(ValueError, match="at least its current version"):
        await versions.compact(Kind.MOVIE, retention_versions=0)


async def test_a_damaged_fragment_is_named_with_what_to_do() -> None:
    objects = open_object_store("memory://")
    await objects.put("versions/movie/fragments/0000000000001-w-000001.parquet", b"PAR1 no")
    with pytest.raises(CorruptVersionMapError, match=r"0000000000001-w-000001\.parquet.*rebuild"):
        await VersionMap(objects).table(Kind.MOVIE)


async def test_a_writers_view_finds_each_current_version_and_folds_its_overlay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The columnar view a writer keeps: the latest fetch per record, whether it came from the
    map or was written since (the overlay), also once the overlay is folded in."""
    from tmdb_collector.store._versions import CurrentView, VersionLocation  # noqa: PLC0415

    versions = VersionMap(open_object_store("memory://"))
    await add(
        versions,
        Kind.TV_EPISODE,
        "segments/tv_episode/a.seg",
        1000,
        entry("1399/1/1", 10, 1),
        entry("1399/1/2", 10, 2, ordinal=1),
        entry("1399/0/1", 10, 3, ordinal=2),  # season 0: the specials
    )
    await add(
        versions, Kind.TV_EPISODE, "segments/tv_episode/b.seg", 2000, entry("1399/1/1", 20, 4)
    )
    view = CurrentView(Kind.TV_EPISODE, await versions.table(Kind.TV_EPISODE))
    e = {
        spec: RecordKey.parse(Kind.TV_EPISODE, spec)
        for spec in ("1399/1/1", "1399/1/2", "1399/0/1", "1399/9/9")
    }
    found = view.lookup(e.values())
    assert set(found) == {e["1399/1/1"], e["1399/1/2"], e["1399/0/1"]}
    assert (found[e["1399/1/1"]].fetched_at_ms, found[e["1399/1/1"]].segment) == (
        20,
        "segments/tv_episode/b.seg",
    )

    def written(spec: str, fetched: int, digest: int) -> VersionLocation:
        return VersionLocation(
            e[spec] if spec in e else RecordKey.parse(Kind.TV_EPISODE, spec),
            fetched,
            bytes([digest]) * 32,
            False,
            "segments/tv_episode/c.seg",
            8,
            100,
            0,
            50,
            3000,
        )

    view.update(written("1399/1/2", 30, 5))  # newer: replaces
    view.update(written("1399/1/1", 15, 6))  # older than the map's: ignored
    view.update(written("1399/9/9", 5, 7))  # new record
    found = view.lookup(e.values())
    assert found[e["1399/1/2"]].fetched_at_ms == 30
    assert found[e["1399/1/1"]].fetched_at_ms == 20
    assert found[e["1399/9/9"]].fetched_at_ms == 5
    monkeypatch.setattr(CurrentView, "_FOLD_AT", 1)
    view.update(written("1399/2/1", 40, 8))  # folds the overlay into the columns
    assert view._overlay == {}
    assert len(view) == 5
    assert view.lookup(e.values()) == found


async def test_a_writers_view_keeps_a_position_past_32_bits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Positions are kept in 32 bits, unless one does not fit: then that column stays 64-bit,
    also when the overlay folded in holds it and the columns do not."""
    from tmdb_collector.store._versions import CurrentView, VersionLocation  # noqa: PLC0415

    versions = VersionMap(open_object_store("memory://"))
    await add(versions, Kind.MOVIE, "segments/movie/a.seg", 1000, entry("550", 10, 1))
    view = CurrentView(Kind.MOVIE, await versions.table(Kind.MOVIE))
    far = VersionLocation(
        RecordKey(Kind.MOVIE, 551),
        20,
        b"\x02" * 32,
        False,
        "segments/movie/b.seg",
        2**33,
        100,
        0,
        50,
        2000,
    )
    monkeypatch.setattr(CurrentView, "_FOLD_AT", 1)
    view.update(far)
    assert view._overlay == {}
    found = view.lookup([RecordKey(Kind.MOVIE, 550), RecordKey(Kind.MOVIE, 551)])
    assert found[RecordKey(Kind.MOVIE, 551)] == far
    assert found[RecordKey(Kind.MOVIE, 550)].fetched_at_ms == 10


async def test_a_writers_view_keeps_keys_that_do_not_pack_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A key packs into 64 bits only with an id below 2**31 and season and episode numbers up
    to 65,534: past them it is kept apart, never refused and never packed over another key
    (episode 65,536 of season 0 and episode 0 of season 1 once packed alike)."""
    from tmdb_collector.store._versions import CurrentView, VersionLocation  # noqa: PLC0415

    versions = VersionMap(open_object_store("memory://"))
    await add(
        versions,
        Kind.TV_EPISODE,
        "segments/tv_episode/a.seg",
        1000,
        entry("1399/1/0", 10, 1),
        entry("1399/0/65536", 10, 2, ordinal=1),
        entry(f"{2**31 + 5}/1/1", 10, 3, ordinal=2),
    )
    await add(
        versions, Kind.TV_EPISODE, "segments/tv_episode/b.seg", 2000, entry("1399/0/65536", 20, 4)
    )
    view = CurrentView(Kind.TV_EPISODE, await versions.table(Kind.TV_EPISODE))
    keys = [
        RecordKey.parse(Kind.TV_EPISODE, spec)
        for spec in ("1399/1/0", "1399/0/65536", f"{2**31 + 5}/1/1", "1399/70000/1")
    ]
    found = view.lookup(keys)
    assert len(view) == 3
    assert {key: found[key].content_hash[0] for key in found} == {
        keys[0]: 1,
        keys[1]: 4,
        keys[2]: 3,
    }
    late = VersionLocation(
        keys[3], 30, b"\x05" * 32, False, "segments/tv_episode/c.seg", 8, 100, 0, 50, 3000
    )
    older = VersionLocation(
        keys[1], 15, b"\x06" * 32, False, "segments/tv_episode/c.seg", 8, 100, 1, 50, 3000
    )
    monkeypatch.setattr(CurrentView, "_FOLD_AT", 1)
    view.update(late)
    view.update(older)  # older than the map's: ignored
    view.update(
        VersionLocation(
            keys[0], 40, b"\x07" * 32, False, "segments/tv_episode/c.seg", 8, 100, 2, 50, 3000
        )
    )  # folds
    found = view.lookup(keys)
    assert {key: found[key].content_hash[0] for key in found} == {
        keys[0]: 7,
        keys[1]: 4,
        keys[2]: 3,
        keys[3]: 5,
    }
    assert len(view) == 4


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(
        st.tuples(st.integers(1, 3), st.none() | st.integers(0, 2), st.none() | st.integers(0, 2)),
        max_size=40,
    ),
    retention=st.integers(1, 4),
)
def test_compaction_keeps_the_newest_rows_of_each_key_column_wise(
    keys: list[tuple[int, int | None, int | None]], retention: int
) -> None:
    """``_newest`` (column-wise) keeps what a pass over the rows from the end keeps: each key's
    last ``retention`` rows of a table ordered by key."""
    from tmdb_collector.store._versions import _newest  # noqa: PLC0415

    ordered = sorted(
        keys, key=lambda k: (k[0], k[1] is not None, k[1] or 0, k[2] is not None, k[2] or 0)
    )
    table = pa.table(
        {
            "id": pa.array([k[0] for k in ordered], pa.int64()),
            "season_number": pa.array([k[1] for k in ordered], pa.int64()),
            "episode_number": pa.array([k[2] for k in ordered], pa.int64()),
            "row": pa.array(range(len(ordered)), pa.int64()),
        }
    )
    seen: dict[tuple[int, int | None, int | None], int] = {}
    expected = []
    for row in range(len(ordered) - 1, -1, -1):
        seen[ordered[row]] = seen.get(ordered[row], 0) + 1
        if seen[ordered[row]] <= retention:
            expected.append(row)
    assert _newest(table, retention).column("row").to_pylist() == sorted(expected)


@pytest.mark.parametrize("part_rows", [1, 2, 3, 1000])
async def test_a_writers_first_look_reads_the_snapshot_part_by_part(
    monkeypatch: pytest.MonkeyPatch, part_rows: int
) -> None:
    """``current_view`` (the snapshot read a few rows at a time, then the fragments) finds the
    same current version of every record as a view of the whole table: also for a record whose
    versions straddle parts, a key that does not pack, and versions only in fragments."""
    from tmdb_collector.store import _versions  # noqa: PLC0415

    monkeypatch.setattr(_versions, "_PART_ROWS", part_rows)
    versions = VersionMap(open_object_store("memory://"))
    specs = ["1/1/1", "1/1/2", "1/2/1", "7/0/1", "7/0/65536", "9/3/3"]
    for n in range(1, 5):  # four fetches of each, some unchanged in between
        await add(
            versions,
            Kind.TV_EPISODE,
            f"segments/tv_episode/{n}.seg",
            1000 * n,
            *(entry(spec, 10 * n, n if i % 2 else 1, ordinal=i) for i, spec in enumerate(specs)),
        )
    assert await versions.compact(Kind.TV_EPISODE, retention_versions=3)
    await add(versions, Kind.TV_EPISODE, "segments/tv_episode/5.seg", 9000, entry("1/1/2", 5, 9))
    await add(versions, Kind.TV_EPISODE, "segments/tv_episode/6.seg", 9500, entry("9/3/3", 99, 8))
    state = await versions.state(Kind.TV_EPISODE)
    keys = [RecordKey.parse(Kind.TV_EPISODE, spec) for spec in [*specs, "5/5/5"]]
    whole = _versions.CurrentView(Kind.TV_EPISODE, await versions.table_of(Kind.TV_EPISODE, state))
    parts = await versions.current_view(Kind.TV_EPISODE, state)
    assert parts.lookup(keys) == whole.lookup(keys)
    assert len(parts) == len(whole) == len(specs)
    found = parts.lookup(keys)
    assert found[keys[1]].fetched_at_ms == 40  # a later fetch than the fragment's (5)
    assert found[keys[5]].fetched_at_ms == 99  # a fragment's, later than the snapshot's


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(1, 3), st.none() | st.integers(0, 2), st.none() | st.integers(0, 2)
        ).flatmap(lambda key: st.tuples(st.just(key), st.integers(0, 3))),
        max_size=12,
    ),
    sort=st.booleans(),
)
def test_a_single_snapshot_is_taken_as_ordered_only_when_it_is(
    rows: list[tuple[tuple[int, int | None, int | None], int]], sort: bool
) -> None:
    """A snapshot alone is read without a sort only when its rows are in key order, then
    fetched-time order (a null number as -1: a kind's are all null or all set)."""
    from tmdb_collector.store._versions import _in_key_order  # noqa: PLC0415

    def order(row: tuple[tuple[int, int | None, int | None], int]) -> tuple[int, ...]:
        (id_, season, episode), fetched = row
        return (id_, -1 if season is None else season, -1 if episode is None else episode, fetched)

    if sort:
        rows = sorted(rows, key=order)
    table = pa.table(
        {
            "id": pa.array([r[0][0] for r in rows], pa.int64()),
            "season_number": pa.array([r[0][1] for r in rows], pa.int64()),
            "episode_number": pa.array([r[0][2] for r in rows], pa.int64()),
            "fetched_at": pa.array([r[1] for r in rows], pa.int64()),
        }
    )
    keys = [order(r) for r in rows]
    assert _in_key_order(table) == (keys == sorted(keys))


_VERSION = st.tuples(
    st.sampled_from(["1/1/1", "1/1/2", "1/2/1", "2/0/1", "3/1/1"]),  # key
    st.integers(0, 3),  # fetched
    st.integers(1, 3),  # content
    st.integers(0, 2),  # place (offset)
)


@settings(max_examples=40, deadline=None)
@given(
    before=st.lists(st.lists(_VERSION, min_size=1, max_size=6), max_size=4),
    after=st.lists(st.lists(_VERSION, min_size=1, max_size=6), min_size=1, max_size=4),
    retention=st.integers(1, 3),
    part_rows=st.integers(1, 4),
)
def test_a_compaction_part_by_part_keeps_what_one_all_at_once_keeps(
    before: list[list[tuple[str, int, int, int]]],
    after: list[list[tuple[str, int, int, int]]],
    retention: int,
    part_rows: int,
) -> None:
    """The compaction merges the fragments into the snapshot part by part (a record's versions
    may straddle parts, repeat, or be past the retention): the same snapshot as merging every
    version at once."""
    import asyncio  # noqa: PLC0415

    from tmdb_collector.store import _versions  # noqa: PLC0415

    async def compacted(streamed: bool) -> tuple[int, list[dict[str, object]]]:
        versions = VersionMap(open_object_store("memory://"))
        written = 0
        for batches, fold in ((before, True), (after, False)):
            for batch in batches:
                written += 1
                entries = [
                    entry(key, fetched, digest, offset=place * 100, ordinal=i)
                    for i, (key, fetched, digest, place) in enumerate(batch)
                ]
                await add(
                    versions,
                    Kind.TV_EPISODE,
                    f"segments/tv_episode/{written}.seg",
                    written,
                    *entries,
                )
            if fold:
                await versions.compact(Kind.TV_EPISODE, retention_versions=retention)
        original = _versions.VersionMap._streamed

        def whole(*args: object, **kwargs: object) -> object:
            raise _versions._NotStreamable

        _versions.VersionMap._streamed = original if streamed else whole  # type: ignore[method-assign]
        try:
            kept = await versions.compact(Kind.TV_EPISODE, retention_versions=retention)
        finally:
            _versions.VersionMap._streamed = original  # type: ignore[method-assign]
        return kept, (await versions.table(Kind.TV_EPISODE)).to_pylist()

    original_rows = _versions._PART_ROWS
    _versions._PART_ROWS = part_rows
    try:
        assert asyncio.run(compacted(True)) == asyncio.run(compacted(False))
    finally:
        _versions._PART_ROWS = original_rows
