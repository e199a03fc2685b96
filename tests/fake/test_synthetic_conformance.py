"""The synthetic catalog's records and blocks against TMDB's OpenAPI document and the real
captures in shared/tmdb/fixtures: same shapes, at least the same keys."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from openapi import violations
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import SUB_RESOURCES, Kind, RecordKey

SHARED = Path(__file__).resolve().parents[3] / "shared" / "tmdb"
FIXTURES = SHARED / "fixtures"
COUNTS = {
    Kind.MOVIE: 400,
    Kind.TV: 120,
    Kind.PERSON: 2000,
    Kind.COLLECTION: 30,
    Kind.COMPANY: 200,
    Kind.NETWORK: 40,
    Kind.KEYWORD: 300,
}

#: OpenAPI path of each kind's details endpoint; blocks are ``<path>/<block>``.
DETAILS_PATHS = {
    Kind.MOVIE: "/3/movie/{movie_id}",
    Kind.TV: "/3/tv/{series_id}",
    Kind.TV_SEASON: "/3/tv/{series_id}/season/{season_number}",
    Kind.TV_EPISODE: "/3/tv/{series_id}/season/{season_number}/episode/{episode_number}",
    Kind.PERSON: "/3/person/{person_id}",
    Kind.COLLECTION: "/3/collection/{collection_id}",
    Kind.COMPANY: "/3/company/{company_id}",
    Kind.NETWORK: "/3/network/{network_id}",
    Kind.KEYWORD: "/3/keyword/{keyword_id}",
}

FIXTURE_FILES = {
    Kind.MOVIE: ["movie/550.json"],
    Kind.TV: ["tv/1399.json"],
    Kind.TV_SEASON: ["tv/1399/season/1.json"],
    Kind.TV_EPISODE: ["tv/1399/season/1/episode/1.json"],
    Kind.PERSON: ["person/31.json", "person/287.json"],
    Kind.COLLECTION: ["collection/10.json", "collection/8091.json"],
    Kind.COMPANY: ["company/1.json"],
    Kind.NETWORK: ["network/49.json"],
    Kind.KEYWORD: ["keyword/1701.json"],
}


# --- OpenAPI validation: tests/openapi.py relaxes the document as API-NOTES.md prescribes ----


def openapi_errors(path: str, document: dict[str, Any]) -> list[str]:
    """Validation errors of ``document`` against the relaxed 200 schema of ``path``."""
    return violations(path, document)


# --- samples ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog() -> SyntheticCatalog:
    catalog = SyntheticCatalog(COUNTS, seed=3)
    catalog.advance(1)
    return catalog


def sample_keys(catalog: SyntheticCatalog, kind: Kind, count: int = 12) -> list[RecordKey]:
    """Existing keys of ``kind``, including ones changed today (whose changes block is full)."""
    if kind in (Kind.TV_SEASON, Kind.TV_EPISODE):
        keys = []
        for series in sample_keys(catalog, Kind.TV, count):
            base = catalog.base(series)
            assert base is not None
            for season in base["seasons"][:2]:
                if kind is Kind.TV_SEASON:
                    keys.append(RecordKey(kind, series.id, season["season_number"]))
                else:
                    keys.append(
                        RecordKey(kind, series.id, season["season_number"], season["episode_count"])
                    )
        return keys
    ids = list(range(1, count + 1))
    if kind in (Kind.MOVIE, Kind.TV, Kind.PERSON):
        ids += [entry.id for entry in catalog.changed(kind, catalog.day)[:4]]
    keys = [RecordKey(kind, i) for i in ids]
    return [key for key in keys if catalog.base(key) is not None]


ALL_KINDS = list(DETAILS_PATHS)


@pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
def test_base_objects_conform_to_openapi(catalog: SyntheticCatalog, kind: Kind) -> None:
    for key in sample_keys(catalog, kind):
        base = catalog.base(key)
        assert base is not None
        assert openapi_errors(DETAILS_PATHS[kind], base) == [], key


BLOCKS = [(kind, name) for kind in ALL_KINDS for name in SUB_RESOURCES[kind]]


@pytest.mark.parametrize(("kind", "name"), BLOCKS, ids=[f"{k}-{n}" for k, n in BLOCKS])
def test_blocks_conform_to_openapi(catalog: SyntheticCatalog, kind: Kind, name: str) -> None:
    path = f"{DETAILS_PATHS[kind]}/{name}"
    for key in sample_keys(catalog, kind, 6):
        block = catalog.block(key, name)
        assert block is not None, (key, name)
        assert "id" not in block, "appended blocks carry no id"
        assert openapi_errors(path, block) == [], (key, name)


# --- key coverage against the real captures -------------------------------------------------------

_COUNTRY_OR_SEASON = re.compile(r"[A-Z]{2}|season/\d+")


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in ``value``: ``credits.cast[].name``; country codes become ``*``."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, sub in value.items():
            name = "*" if _COUNTRY_OR_SEASON.fullmatch(key) else key
            path = f"{prefix}.{name}" if prefix else name
            paths.add(path)
            paths |= key_paths(sub, path)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{prefix}[]")
    return paths


def fixture_paths(kind: Kind) -> tuple[set[str], set[str]]:
    """(paths of the base objects, paths of the appended blocks) over the kind's fixtures."""
    blocks = set(SUB_RESOURCES[kind])
    base: set[str] = set()
    appended: set[str] = set()
    for name in FIXTURE_FILES[kind]:
        document = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        base |= key_paths({k: v for k, v in document.items() if k not in blocks})
        appended |= key_paths({k: v for k, v in document.items() if k in blocks})
    return base, appended


@pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
def test_synthetic_records_have_every_key_the_fixtures_have(
    catalog: SyntheticCatalog, kind: Kind
) -> None:
    want_base, want_blocks = fixture_paths(kind)
    have: set[str] = set()
    for key in sample_keys(catalog, kind, 40):
        base = catalog.base(key)
        assert base is not None
        have |= key_paths(base)
        appended = {name: catalog.block(key, name) for name in SUB_RESOURCES[kind]}
        have |= key_paths({k: v for k, v in appended.items() if v is not None})
    assert want_base - have == set()
    assert want_blocks - have == set()
