"""SyntheticCatalog over days (new, changed, deleted), its changes feed and its exports."""

from __future__ import annotations

import json
import tracemalloc
from itertools import islice

import pytest

from tmdb_collector.fake.synthetic import REAL_COUNTS, DayRates, SyntheticCatalog, parse_counts
from tmdb_collector.kinds import ADULT_EXPORT_NAMES, EXPORT_KINDS, EXPORT_NAMES, Kind, RecordKey

SMALL = dict.fromkeys(EXPORT_KINDS, 60) | {Kind.PERSON: 400, Kind.MOVIE: 200}


def export_ids(catalog: SyntheticCatalog, name: str, day: int) -> list[int]:
    return [json.loads(line)["id"] for line in catalog.export_lines(name, day)]


@pytest.fixture
def catalog() -> SyntheticCatalog:
    return SyntheticCatalog(SMALL, seed=2)


def test_day_zero_has_no_changes_and_days_are_counted(catalog: SyntheticCatalog) -> None:
    assert catalog.day == 0
    assert catalog.changed(Kind.MOVIE, 0) == []
    assert catalog.changed(Kind.MOVIE, -3) == []
    catalog.advance(3)
    assert catalog.day == 3
    with pytest.raises(ValueError, match="days >= 1"):
        catalog.advance(0)
    with pytest.raises(ValueError, match="no changes feed"):
        catalog.changed(Kind.KEYWORD, 1)


@pytest.mark.parametrize("kind", EXPORT_KINDS, ids=str)
def test_each_day_creates_changes_and_deletes_records(
    catalog: SyntheticCatalog, kind: Kind
) -> None:
    name = EXPORT_NAMES[kind]
    before_ids = set(export_ids(catalog, name, 0))
    if kind in ADULT_EXPORT_NAMES:
        before_ids |= set(export_ids(catalog, ADULT_EXPORT_NAMES[kind], 0))
    before = {i: catalog.base(RecordKey(kind, i)) for i in before_ids}
    catalog.advance(1)
    day = catalog._timeline.kind_day(kind, 1)
    assert day is not None
    assert day.new_count >= 1
    assert day.changed
    assert day.deleted
    assert day.first_new_id == SMALL[kind] + 1
    after_ids = set(export_ids(catalog, name, 1))
    if kind in ADULT_EXPORT_NAMES:
        after_ids |= set(export_ids(catalog, ADULT_EXPORT_NAMES[kind], 1))
    assert after_ids == (before_ids | set(day.new_ids)) - day.deleted
    for record_id in day.deleted:
        assert catalog.base(RecordKey(kind, record_id)) is None
    for record_id in day.changed:
        assert catalog.base(RecordKey(kind, record_id)) != before[record_id]
    unchanged = next(i for i in sorted(before_ids) if i not in day.changed | day.deleted)
    assert catalog.base(RecordKey(kind, unchanged)) == before[unchanged]
    # Yesterday's export is still yesterday's.
    assert set(export_ids(catalog, name, 0)) <= before_ids


@pytest.mark.parametrize("kind", [Kind.MOVIE, Kind.TV, Kind.PERSON], ids=str)
def test_changed_feed_lists_created_and_changed_once(catalog: SyntheticCatalog, kind: Kind) -> None:
    catalog.advance(2)
    day = catalog._timeline.kind_day(kind, 2)
    assert day is not None
    entries = catalog.changed(kind, 2)
    ids = [entry.id for entry in entries]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(day.changed) | set(day.new_ids)
    assert ids != sorted(ids) or len(ids) < 3
    changed_id = next(iter(day.changed))
    changes = catalog.block(RecordKey(kind, changed_id), "changes")
    assert changes is not None
    assert changes["changes"]
    assert all(
        item["time"].startswith("2026-08-29 ") for c in changes["changes"] for item in c["items"]
    )
    untouched = next(i for i in range(1, 50) if i not in day.changed | day.deleted)
    assert catalog.block(RecordKey(kind, untouched), "changes") == {"changes": []}


def test_series_seasons_change_with_the_series() -> None:
    catalog = SyntheticCatalog({Kind.TV: 300}, seed=4, rates=DayRates(changed=0.2))
    before = {i: catalog.base(RecordKey(Kind.TV_SEASON, i, 1)) for i in range(1, 301)}
    catalog.advance(1)
    day = catalog._timeline.kind_day(Kind.TV, 1)
    assert day is not None
    changed = [i for i in day.changed if catalog.base(RecordKey(Kind.TV_SEASON, i, 1)) != before[i]]
    assert len(changed) == len(day.changed)


def test_changed_entries_look_like_the_real_feed() -> None:
    catalog = SyntheticCatalog(
        {Kind.TV: 5000, Kind.MOVIE: 5000}, seed=1, rates=DayRates(changed=0.05)
    )
    catalog.advance(1)
    tv = [entry.to_json() for entry in catalog.changed(Kind.TV, 1)]
    assert any(entry["adult"] is None for entry in tv)
    assert all(set(entry) == {"id", "adult", "softcore"} for entry in tv)
    movies = catalog.changed(Kind.MOVIE, 1)
    assert all(isinstance(entry.adult, bool) for entry in movies)


def test_exports_have_the_real_shapes_and_agree_with_records(catalog: SyntheticCatalog) -> None:
    shapes = {
        "movie": ["adult", "id", "original_title", "popularity", "video"],
        "tv_series": ["id", "original_name", "popularity"],
        "person": ["adult", "id", "name", "popularity"],
        "collection": ["id", "name"],
        "tv_network": ["id", "name"],
        "keyword": ["id", "name"],
        "production_company": ["id", "name"],
    }
    catalog.advance(2)
    for name, keys in shapes.items():
        lines = list(catalog.export_lines(name, 2))
        assert lines
        for line in lines:
            entry = json.loads(line)
            assert list(entry) == keys
            assert line == json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
            kind = next(k for k, n in EXPORT_NAMES.items() if n == name)
            base = catalog.base(RecordKey(kind, entry["id"]))
            assert base is not None
            for field in keys:
                assert base[field] == entry[field], (name, field)


def test_adult_records_are_only_in_adult_exports() -> None:
    catalog = SyntheticCatalog({Kind.MOVIE: 20_000, Kind.PERSON: 20_000, Kind.TV: 20_000}, seed=9)
    for kind, adult_name in ADULT_EXPORT_NAMES.items():
        main = [json.loads(line) for line in catalog.export_lines(EXPORT_NAMES[kind], 0)]
        adult = [json.loads(line) for line in catalog.export_lines(adult_name, 0)]
        assert 100 < len(adult) < 400  # ~1.5 %
        assert not {e["id"] for e in main} & {e["id"] for e in adult}
        assert all(e.get("adult", True) for e in adult)
        assert not any(e.get("adult") for e in main)
        assert all(catalog.base(RecordKey(kind, e["id"]))["adult"] for e in adult[:20])  # type: ignore[index]


def test_exports_are_unsorted_and_may_repeat_an_id() -> None:
    catalog = SyntheticCatalog({Kind.PERSON: 300_000}, seed=0)
    ids = export_ids(catalog, "person", 0)
    assert ids != sorted(ids)
    assert len(set(ids)) == 300_000 - len(export_ids(catalog, "adult_person", 0))
    assert 0 < len(ids) - len(set(ids)) < 15


def test_export_of_a_real_size_catalog_streams_in_constant_memory() -> None:
    catalog = SyntheticCatalog(REAL_COUNTS, seed=0)
    catalog.advance(1)
    tracemalloc.start()
    try:
        consumed = sum(1 for _ in islice(catalog.export_lines("movie", 1), 30_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert consumed == 30_000
    assert peak < 20 * 1024 * 1024


def test_export_days_out_of_range(catalog: SyntheticCatalog) -> None:
    assert list(catalog.export_lines("keyword", -5)) == list(catalog.export_lines("keyword", 0))
    with pytest.raises(ValueError, match="not published yet"):
        catalog.export_lines("keyword", 1)
    with pytest.raises(ValueError, match="unknown export"):
        catalog.export_lines("movies", 0)


def test_parse_counts() -> None:
    assert parse_counts("movie=10, tv=2,person=1_000") == dict.fromkeys(EXPORT_KINDS, 0) | {
        Kind.MOVIE: 10,
        Kind.TV: 2,
        Kind.PERSON: 1000,
    }
    assert parse_counts("") == dict.fromkeys(EXPORT_KINDS, 0)
    for bad, message in [
        ("movies=3", "unknown kind 'movies'"),
        ("movie=-3", "bad counts item"),
        ("movie=3,movie=4", "given twice"),
        ("movie", "bad counts item"),
        ("tv_season=4", "inside series"),
        ("movie=1,,tv=2", "empty item"),
        ("movie=x", "bad counts item"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_counts(bad)


def test_counts_and_rates_are_validated() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        SyntheticCatalog({Kind.MOVIE: -1})
    with pytest.raises(ValueError, match="per export kind"):
        SyntheticCatalog({Kind.TV_SEASON: 1})
    with pytest.raises(ValueError, match=r"between 0 and 0\.5"):
        DayRates(changed=2.0)
