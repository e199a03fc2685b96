"""SyntheticCatalog records: determinism, richness, cross-references, series/season agreement."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from tmdb_collector.fake.synthetic import SyntheticCatalog, _vocab
from tmdb_collector.kinds import EXPORT_KINDS, SUB_RESOURCES, Kind, RecordKey

COUNTS = {
    Kind.MOVIE: 300,
    Kind.TV: 100,
    Kind.PERSON: 1500,
    Kind.COLLECTION: 20,
    Kind.COMPANY: 100,
    Kind.NETWORK: 30,
    Kind.KEYWORD: 200,
}


@pytest.fixture(scope="module")
def catalog() -> SyntheticCatalog:
    return SyntheticCatalog(COUNTS, seed=11)


def dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=False).encode()


def fingerprint(catalog: SyntheticCatalog) -> bytes:
    """Records, blocks, seasons, changes and export lines of a small catalog after two days."""
    catalog.advance(2)
    parts = []
    for kind in EXPORT_KINDS:
        for record_id in (1, 2, 5):
            key = RecordKey(kind, record_id)
            parts.append(dump(catalog.base(key)))
            parts += [dump(catalog.block(key, name)) for name in SUB_RESOURCES[kind]]
    parts.append(dump(catalog.base(RecordKey(Kind.TV_SEASON, 3, 1))))
    parts.append(dump(catalog.base(RecordKey(Kind.TV_EPISODE, 3, 1, 1))))
    for kind in (Kind.MOVIE, Kind.TV, Kind.PERSON):
        parts.append(dump([entry.to_json() for entry in catalog.changed(kind, 2)]))
    for name in ("movie", "tv_series", "person", "keyword", "adult_person"):
        parts += list(catalog.export_lines(name, 1))
    return b"\n".join(parts)


SCRIPT = """
import hashlib, sys
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import Kind
sys.path.insert(0, {tests!r})
from fake.test_synthetic_records import COUNTS, fingerprint
print(hashlib.sha256(fingerprint(SyntheticCatalog(COUNTS, seed=5))).hexdigest())
"""


def test_same_counts_and_seed_give_identical_bytes_across_instances_and_processes() -> None:
    here = fingerprint(SyntheticCatalog(COUNTS, seed=5))
    assert here == fingerprint(SyntheticCatalog(COUNTS, seed=5))
    assert here != fingerprint(SyntheticCatalog(COUNTS, seed=6))
    tests = os.path.dirname(os.path.dirname(__file__))
    # A different string-hash salt must not change a byte (no hash() on str anywhere).
    out = subprocess.run(  # noqa: S603 - runs this very interpreter on a fixed script
        [sys.executable, "-c", SCRIPT.format(tests=tests)],
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == hashlib.sha256(here).hexdigest()


def test_movies_are_rich(catalog: SyntheticCatalog) -> None:
    casts, crews, collections, null_posters, imdb_null = [], [], 0, 0, 0
    for movie_id in range(1, 101):
        key = RecordKey(Kind.MOVIE, movie_id)
        base = catalog.base(key)
        credits = catalog.block(key, "credits")
        assert base is not None
        assert credits is not None
        casts.append(len(credits["cast"]))
        crews.append(len(credits["crew"]))
        collections += base["belongs_to_collection"] is not None
        null_posters += base["poster_path"] is None
        imdb_null += base["imdb_id"] is None
        assert isinstance(base["popularity"], float)
        assert round(base["popularity"], 4) == base["popularity"]
        assert base["release_date"] == "" or len(base["release_date"]) == 10
        assert all(1 <= c["id"] <= COUNTS[Kind.PERSON] for c in credits["cast"] + credits["crew"])
        assert all(1 <= c["id"] <= COUNTS[Kind.COMPANY] for c in base["production_companies"])
    assert min(casts) >= 10
    assert max(casts) >= 40
    assert min(crews) >= 10
    assert max(crews) >= 50
    assert 0 < collections < 50
    assert 0 < null_posters < 30
    assert 0 < imdb_null < 60
    blocks = [catalog.block(RecordKey(Kind.MOVIE, i), "translations") for i in range(1, 30)]
    assert max(len(b["translations"]) for b in blocks if b) >= 5


def test_names_are_multilingual(catalog: SyntheticCatalog) -> None:
    names = [
        b"".join(catalog.export_lines(name, 0)).decode()
        for name in ("person", "movie", "tv_series")
    ]
    assert any(ord(ch) > 0x3000 for ch in "".join(names)), "CJK names"
    assert any(ch in "äöüéèíá" for ch in "".join(names)), "accented names"


def test_belongs_to_collection_and_collection_parts_agree(catalog: SyntheticCatalog) -> None:
    for collection_id in range(1, COUNTS[Kind.COLLECTION] + 1):
        collection = catalog.base(RecordKey(Kind.COLLECTION, collection_id))
        assert collection is not None
        for part in collection["parts"]:
            movie = catalog.base(RecordKey(Kind.MOVIE, part["id"]))
            assert movie is not None
            assert movie["belongs_to_collection"]["id"] == collection_id
            assert movie["title"] == part["title"]


def test_vocabulary_needs_no_json_escaping() -> None:
    # The export path writes names into JSON without escaping.
    for name in (n for n in dir(_vocab) if n.isupper()):
        value = getattr(_vocab, name)
        text = json.dumps(value, ensure_ascii=False)
        assert not any(escape in text for escape in ('\\"', "\\\\", "\\u")), name


def test_seasons_agree_with_their_series(catalog: SyntheticCatalog) -> None:
    season_counts, episode_ids, specials = Counter[int](), set(), 0
    for series_id in range(1, COUNTS[Kind.TV] + 1):
        series = catalog.base(RecordKey(Kind.TV, series_id))
        assert series is not None
        regular = [s for s in series["seasons"] if s["season_number"] > 0]
        specials += any(s["season_number"] == 0 for s in series["seasons"])
        season_counts[len(regular)] += 1
        assert series["number_of_seasons"] == len(regular)
        assert series["number_of_episodes"] == sum(s["episode_count"] for s in regular)
        for summary in series["seasons"]:
            season = catalog.base(RecordKey(Kind.TV_SEASON, series_id, summary["season_number"]))
            assert season is not None
            assert season["id"] == summary["id"]
            assert season["air_date"] == summary["air_date"]
            assert len(season["episodes"]) == summary["episode_count"]
            assert len(season["_id"]) == 24
            assert season["networks"] == series["networks"]
            for episode in season["episodes"]:
                assert episode["id"] not in episode_ids
                episode_ids.add(episode["id"])
                assert {
                    "crew",
                    "guest_stars",
                    "episode_type",
                    "runtime",
                    "still_path",
                } <= episode.keys()
        last = series["last_episode_to_air"]
        stand_alone = catalog.base(
            RecordKey(Kind.TV_EPISODE, series_id, last["season_number"], last["episode_number"])
        )
        assert stand_alone is not None
        assert stand_alone["id"] == last["id"]
        assert "show_id" not in stand_alone
        upcoming = series["next_episode_to_air"]
        assert (upcoming is not None) == (series["status"] == "Returning Series")
        if upcoming:
            assert upcoming["air_date"] > last["air_date"]
    assert season_counts[1] > 20
    assert max(season_counts) >= 9
    assert 15 < specials < 55
    assert catalog.base(RecordKey(Kind.TV_SEASON, 1, 31)) is None
    assert catalog.base(RecordKey(Kind.TV_EPISODE, 1, 1, 64)) is None


def test_unknown_ids_and_blocks_are_none(catalog: SyntheticCatalog) -> None:
    assert catalog.base(RecordKey(Kind.MOVIE, COUNTS[Kind.MOVIE] + 1)) is None
    assert catalog.block(RecordKey(Kind.MOVIE, 1), "season/1") is None
    assert catalog.block(RecordKey(Kind.KEYWORD, 1), "images") is None
    assert catalog.block(RecordKey(Kind.MOVIE, 10**9), "credits") is None
