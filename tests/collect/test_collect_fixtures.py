"""Real TMDB captures through the fake, the collector and the store: what comes back out of
the store is what TMDB sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from collect.conftest import Bench, without
from tmdb_collector.collect import CollectorSettings
from tmdb_collector.kinds import SUB_RESOURCES, Kind, RecordKey

RECORDS = {
    Kind.MOVIE: [550],
    Kind.TV: [1399],
    Kind.PERSON: [31, 287],
    Kind.COLLECTION: [10, 8091],
    Kind.COMPANY: [1],
    Kind.NETWORK: [49],
    Kind.KEYWORD: [1701],
}


def load(shared_fixtures: Path, relative: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((shared_fixtures / relative).read_text("utf-8"))
    return document


async def test_every_fixture_comes_back_as_captured(
    fixture_bench: Bench, shared_fixtures: Path
) -> None:
    bench = fixture_bench
    for kind, ids in RECORDS.items():
        bench.enqueue_keys(kind, ids)
    progress = await bench.collect()
    assert progress.items_failed == 0, progress.errors

    # Every sub-resource was asked for; the fake leaves out those a capture lacks, so each
    # stored record equals its file.
    for kind, ids in RECORDS.items():
        for record_id in ids:
            stored = await bench.records.read(RecordKey(kind, record_id))
            assert stored is not None
            assert stored.json() == load(shared_fixtures, f"{kind.value}/{record_id}.json")

    # Season 1 came as the series' season/1 block: the capture minus the season's own
    # appends (an appended block carries none), with the id the block lacks restored.
    season_file = load(shared_fixtures, "tv/1399/season/1.json")
    season = await bench.records.read(RecordKey(Kind.TV_SEASON, 1399, 1))
    assert season is not None
    assert season.json() == without(season_file, SUB_RESOURCES[Kind.TV_SEASON])
    assert season.json()["id"] == 3624
    assert season.record.request.appends == ["season/1"]
    for episode in season_file["episodes"]:
        key = RecordKey(Kind.TV_EPISODE, 1399, 1, episode["episode_number"])
        stored = await bench.records.read(key)
        assert stored is not None
        assert stored.json() == episode
    # The fixtures hold season 1 only: the series lists 9 seasons, 8 never came.
    assert progress.missing_seasons == 8
    assert progress.written(Kind.TV_SEASON, "created") == 1
    assert progress.written(Kind.TV_EPISODE, "created") == len(season_file["episodes"])

    # Requests: one per record; the series' 9 seasons need one follow-up beside 17 appends.
    assert progress.item_requests == {kind: len(ids) for kind, ids in RECORDS.items()} | {
        Kind.TV: 2
    }
    assert progress.requests == sum(progress.item_requests.values())


async def test_a_series_whose_seasons_fit_costs_one_request(fixture_bench: Bench) -> None:
    appends = SUB_RESOURCES[Kind.TV][:11]  # 11 appends + 9 seasons = 20
    settings = CollectorSettings(appends={Kind.TV: appends}, retry_delay_seconds=0)
    fixture_bench.enqueue_keys(Kind.TV, [1399])
    progress = await fixture_bench.collect(settings)
    assert progress.requests == 1
    assert progress.written(Kind.TV_SEASON, "created") == 1


async def test_episode_details_store_the_episode_endpoint(
    fixture_bench: Bench, shared_fixtures: Path
) -> None:
    settings = CollectorSettings(episode_details=True, retry_delay_seconds=0)
    fixture_bench.enqueue_keys(Kind.TV, [1399])
    progress = await fixture_bench.collect(settings)
    episodes = progress.written(Kind.TV_EPISODE, "created")
    assert episodes == 10
    assert progress.item_requests[Kind.TV] == 2 + episodes
    stored = await fixture_bench.records.read(RecordKey(Kind.TV_EPISODE, 1399, 1, 1))
    assert stored is not None
    assert stored.json() == load(shared_fixtures, "tv/1399/season/1/episode/1.json")
    # Episodes the fixtures lack answer 404 on their own: the season's copy is kept.
    season_file = load(shared_fixtures, "tv/1399/season/1.json")
    second = await fixture_bench.records.read(RecordKey(Kind.TV_EPISODE, 1399, 1, 2))
    assert second is not None
    assert second.json() == season_file["episodes"][1]
