"""The fake TMDB answers as TMDB's official OpenAPI document says, on every path it serves.

Fixture mode and synthetic mode both: every details endpoint of the seven kinds, seasons and
episodes, every stand-alone sub-resource endpoint, each block appended with append_to_response,
the changes feeds and /3/configuration. Schemas are relaxed as API-NOTES.md prescribes
(tests/openapi.py).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from conftest import FIXTURE_KEYS
from openapi import template_for, violations
from tmdb_collector.fake import FakeSettings, FakeTMDB, FixtureCatalog
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_NAMES, SUB_RESOURCES, Kind, RecordKey

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "tmdb" / "fixtures"
PARAMS = {"api_key": "conformance-test-key"}


def _served_paths(key: RecordKey) -> list[str]:
    return [key.api_path] + [f"{key.api_path}/{name}" for name in SUB_RESOURCES[key.kind]]


def _check(path: str, body: Any) -> list[str]:
    return [f"{path} {problem}" for problem in violations(template_for(path), body)]


async def _get(session: aiohttp.ClientSession, url: str, **params: str) -> Any:
    async with session.get(url, params=PARAMS | params) as response:
        assert response.status == 200, (url, response.status, await response.text())
        return await response.json()


async def _conformance_problems(
    session: aiohttp.ClientSession, base_url: str, keys: list[RecordKey]
) -> list[str]:
    problems: list[str] = []
    for key in keys:
        for path in _served_paths(key):
            problems += _check(path, await _get(session, base_url + path))
        appends = ",".join(SUB_RESOURCES[key.kind])
        merged = await _get(session, base_url + key.api_path, append_to_response=appends)
        for name in SUB_RESOURCES[key.kind]:
            block = merged.pop(name, None)
            assert block is not None, f"{key.api_path}: appended {name} missing"
            assert "id" not in block or name == "changes", f"{name} block of {key} kept its id"
            problems += _check(f"{key.api_path}/{name}", block)
        problems += _check(key.api_path, merged)
    for kind in ("movie", "tv", "person"):
        problems += _check(
            f"/3/{kind}/changes", await _get(session, f"{base_url}/3/{kind}/changes")
        )
    problems += _check("/3/configuration", await _get(session, f"{base_url}/3/configuration"))
    return problems


async def _export_ids(session: aiohttp.ClientSession, base_url: str, kind: Kind) -> list[int]:
    name = f"{EXPORT_NAMES[kind]}_ids_{datetime.now(UTC):%m_%d_%Y}.json.gz"
    async with session.get(f"{base_url}/p/exports/{name}") as response:
        assert response.status == 200, name
        lines = gzip.decompress(await response.read()).splitlines()
    return [json.loads(line)["id"] for line in lines]


async def _with_seasons_and_episodes(
    session: aiohttp.ClientSession, base_url: str, series: list[RecordKey]
) -> list[RecordKey]:
    keys: list[RecordKey] = []
    for key in series:
        details = await _get(session, base_url + key.api_path)
        for summary in details["seasons"][:2]:
            season = RecordKey(Kind.TV_SEASON, key.id, summary["season_number"])
            keys.append(season)
            episodes = (await _get(session, base_url + season.api_path))["episodes"]
            keys += [
                RecordKey(Kind.TV_EPISODE, key.id, season.season, e["episode_number"])
                for e in episodes[:1]
            ]
    return keys


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def _fixture_has_every_block(key: RecordKey) -> bool:
    relative = {
        Kind.TV_SEASON: f"tv/{key.id}/season/{key.season}.json",
        Kind.TV_EPISODE: f"tv/{key.id}/season/{key.season}/episode/{key.episode}.json",
    }.get(key.kind, f"{key.kind}/{key.id}.json")
    fixture = json.loads((FIXTURES / relative).read_text(encoding="utf-8"))
    return all(name in fixture for name in SUB_RESOURCES[key.kind])


async def test_fixture_mode_conforms(session: aiohttp.ClientSession) -> None:
    async with FakeTMDB(FixtureCatalog(FIXTURES), FakeSettings()).run(port=0) as fake:
        problems: list[str] = []
        for key in FIXTURE_KEYS:
            problems += _check(key.api_path, await _get(session, fake.url + key.api_path))
            for name in SUB_RESOURCES[key.kind]:
                path = f"{key.api_path}/{name}"
                async with session.get(fake.url + path, params=PARAMS) as response:
                    if response.status == 404:  # the capture lacks this block
                        assert not _fixture_has_every_block(key), path
                        continue
                    assert response.status == 200, path
                    problems += _check(path, await response.json())
        for kind in ("movie", "tv", "person"):
            body = await _get(session, f"{fake.url}/3/{kind}/changes")
            problems += _check(f"/3/{kind}/changes", body)
        problems += _check("/3/configuration", await _get(session, f"{fake.url}/3/configuration"))
    assert problems == []


async def test_synthetic_mode_conforms(session: aiohttp.ClientSession) -> None:
    counts = dict.fromkeys(EXPORT_NAMES, 30)
    async with FakeTMDB(SyntheticCatalog(counts, seed=7), FakeSettings()).run(port=0) as fake:
        keys = []
        for kind in EXPORT_NAMES:
            ids = await _export_ids(session, fake.url, kind)
            assert ids, f"synthetic {kind} export is empty"
            keys += [RecordKey(kind, record_id) for record_id in sorted(ids)[:3]]
        tv = [key for key in keys if key.kind is Kind.TV]
        keys += await _with_seasons_and_episodes(session, fake.url, tv)
        problems = await _conformance_problems(session, fake.url, keys)
    assert problems == []


def test_relaxed_schemas_still_catch_wrong_shapes() -> None:
    movie = json.loads((FIXTURES / "movie" / "550.json").read_text(encoding="utf-8"))
    base = {k: v for k, v in movie.items() if k not in SUB_RESOURCES[Kind.MOVIE]}
    assert violations("/3/movie/{movie_id}", base) == []
    broken = base | {"title": 550, "genres": "Drama", "vote_count": "many"}
    found = violations("/3/movie/{movie_id}", broken)
    assert {problem.split(":")[0] for problem in found} == {"title", "genres", "vote_count"}
