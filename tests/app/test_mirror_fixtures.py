"""``tmdb-collector mirror`` on the fake TMDB in fixture mode: what ``query`` prints is what
TMDB sent; and a record TMDB keeps failing ends up in the dead letters ``status`` lists."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from collect.conftest import FAST_RETRY, without
from conftest import FAKE_TODAY
from tmdb_collector.app import PROGRESS_KEY, run_mirror
from tmdb_collector.cli import main
from tmdb_collector.collect import CollectorSettings
from tmdb_collector.fake import FakeSettings, FakeTMDB, FixtureCatalog
from tmdb_collector.harvest import HarvestSettings
from tmdb_collector.kinds import SUB_RESOURCES, Kind
from tmdb_collector.queue import SQLiteWorkQueue
from tmdb_collector.store import open_object_store
from tmdb_collector.tmdb import ClientSettings, Credential, TMDBClient

KEY = "fixture-key"
#: Every record file of the fixtures, by kind and id (seasons and episodes: see below).
RECORDS = {
    Kind.MOVIE: ["550"],
    Kind.TV: ["1399"],
    Kind.PERSON: ["31", "287"],
    Kind.COLLECTION: ["10", "8091"],
    Kind.COMPANY: ["1"],
    Kind.NETWORK: ["49"],
    Kind.KEYWORD: ["1701"],
}


@pytest.fixture
def fake(shared_fixtures: Path) -> Iterator[FakeTMDB]:
    server = FakeTMDB(FixtureCatalog(shared_fixtures), FakeSettings(), today=lambda: FAKE_TODAY)
    with server.run_in_thread() as running:
        yield running


def fixture_env(fake: FakeTMDB, **extra: str) -> dict[str, str]:
    """The environment of a ``mirror`` of the fixture-mode fake: no refresh, no retry delay."""
    return {
        "TMDB_API_KEY": KEY,
        "TMDB_API_URL": fake.url,
        "TMDB_EXPORTS_URL": fake.url,
        "RATE_LIMIT_REQUESTS": "200",
        "REFRESH_PER_RUN": "0",
        "RETRY_DELAY_SECONDS": "0",
        **extra,
    }


def mirror_series(fake: FakeTMDB, store: Path, **extra: str) -> None:
    """``mirror --types tv`` of the fixture-mode fake into ``store``; it must succeed."""
    result = CliRunner().invoke(
        main,
        ["mirror", "--store", str(store), "--types", "tv", "--date", FAKE_TODAY.isoformat()],
        env=fixture_env(fake, **extra),
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output


def load(shared_fixtures: Path, relative: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((shared_fixtures / relative).read_text("utf-8"))
    return document


def query(store: Path, kind: Kind, spec: str) -> Any:
    result = CliRunner().invoke(
        main, ["query", "--store", str(store), f"--type={kind.value}", f"--id={spec}"]
    )
    assert result.exit_code == 0, f"{kind} {spec}: {result.output}"
    return json.loads(result.stdout)


def status(store: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["status", "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_the_fixture_files_come_back_through_the_cli_as_captured(
    fake: FakeTMDB, shared_fixtures: Path, tmp_path: Path
) -> None:
    store = tmp_path / "data"
    env = fixture_env(fake)
    result = CliRunner().invoke(
        main,
        ["mirror", "--store", str(store), "--date", FAKE_TODAY.isoformat()],
        env=env,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "mirror done" in result.stdout

    # Every sub-resource is appended by default: each record is its file, byte for byte JSON.
    for kind, ids in RECORDS.items():
        for spec in ids:
            assert query(store, kind, spec) == load(shared_fixtures, f"{kind.value}/{spec}.json")

    # The season came as the series' season/1 block: the file without the season's own appends,
    # the id restored. Its episodes are stored as the season lists them.
    season_file = load(shared_fixtures, "tv/1399/season/1.json")
    season = query(store, Kind.TV_SEASON, "1399/1")
    assert season == without(season_file, SUB_RESOURCES[Kind.TV_SEASON])
    assert season["id"] == 3624
    for episode in season_file["episodes"]:
        spec = f"1399/1/{episode['episode_number']}"
        assert query(store, Kind.TV_EPISODE, spec) == episode
    # Without EPISODE_DETAILS the episode endpoint is never asked: episode 1 is the season's
    # copy, not the episode file (test_episode_details_store_the_episode_file stores that).
    assert query(store, Kind.TV_EPISODE, "1399/1/1") == season_file["episodes"][0]

    report = status(store)
    queue = report["queue"]
    assert (queue["waiting"], queue["in_flight"], queue["delayed"], queue["dead"]) == (0, 0, 0, 0)
    for kind, ids in RECORDS.items():
        assert report["kinds"][kind.value]["records"] == len(ids), kind
    assert report["kinds"][Kind.TV_SEASON.value]["records"] == 1
    assert report["kinds"][Kind.TV_EPISODE.value]["records"] == len(season_file["episodes"])


def test_episode_details_store_the_episode_file(
    fake: FakeTMDB, shared_fixtures: Path, tmp_path: Path
) -> None:
    store = tmp_path / "data"
    mirror_series(fake, store, EPISODE_DETAILS="true")
    episode_file = load(shared_fixtures, "tv/1399/season/1/episode/1.json")
    assert query(store, Kind.TV_EPISODE, "1399/1/1") == episode_file
    # Episodes the fixtures lack answer 404 on their own: the season's copy stays.
    season_file = load(shared_fixtures, "tv/1399/season/1.json")
    assert query(store, Kind.TV_EPISODE, "1399/1/2") == season_file["episodes"][1]
    assert status(store)["queue"]["dead"] == 0


def test_season_and_episode_details_store_each_as_its_endpoint_answers(
    fake: FakeTMDB, shared_fixtures: Path, tmp_path: Path
) -> None:
    # SEASON_DETAILS: the season from its own endpoint with every season sub-resource, so the
    # season file comes back whole (its aggregate_credits, credits, external_ids, images, ...),
    # and the series record carries no season/N block.
    store = tmp_path / "data"
    mirror_series(fake, store, SEASON_DETAILS="true", EPISODE_DETAILS="true")
    assert query(store, Kind.TV, "1399") == load(shared_fixtures, "tv/1399.json")
    assert query(store, Kind.TV_SEASON, "1399/1") == load(shared_fixtures, "tv/1399/season/1.json")
    assert query(store, Kind.TV_EPISODE, "1399/1/1") == load(
        shared_fixtures, "tv/1399/season/1/episode/1.json"
    )
    # One request per season the series lists (seasons 1 to 8 of Game of Thrones).
    listed = len(load(shared_fixtures, "tv/1399.json")["seasons"])
    assert fake.stats()["by_endpoint"][Kind.TV_SEASON.value] == listed
    report = status(store)
    assert report["queue"]["dead"] == 0
    # The series lists seasons the fixtures do not hold: each answered 404 on its own, and
    # is left alone (no record, no tombstone), as a season/N block TMDB left out is.
    assert report["kinds"][Kind.TV_SEASON.value]["records"] == 1


def test_a_record_that_keeps_failing_is_a_dead_letter_status_shows(
    fake: FakeTMDB, tmp_path: Path
) -> None:
    # Through the library: the CLI's client backs off for about a minute per failing item
    # (RetryPolicy's defaults, not configurable from the environment), so the test uses
    # run_mirror with a client that retries at once, on the queue file the CLI would open
    # (with max_receives 2: the second failure dead-letters the item).
    store = tmp_path / "data"
    fake.inject(503, count=1000, path_prefix="/3/movie/550")
    queue = SQLiteWorkQueue(store / "queue" / "work.sqlite3", max_receives=2)

    async def mirror() -> None:
        client = TMDBClient(
            ClientSettings(
                credential=Credential(KEY),
                api_url=fake.url,
                exports_url=fake.url,
                rate_limit=1000.0,
            ),
            retry=FAST_RETRY,
        )
        async with client:
            report = await run_mirror(
                client=client,
                objects=open_object_store(str(store)),
                queue=queue,
                harvest_settings=HarvestSettings(refresh_per_run=0),
                collector_settings=CollectorSettings(retry_delay_seconds=0),
                day=FAKE_TODAY,
            )
        assert not report.stopped
        assert report.collect is not None
        assert report.collect.items_dead == 1
        assert report.collect.items_retried == 1
        # Planned work is dead-lettered: the run is not complete, and says so.
        assert report.dead_letters == 1
        assert not report.complete

    try:
        asyncio.run(mirror())
    finally:
        queue.close()
    # The collect phase leaves the process's older objects out of garbage collections (see
    # run_mirror); afterwards nothing stays exempt.
    assert gc.get_freeze_count() == 0

    report = status(store)
    letters = report["queue"]["dead_letters"]
    assert report["queue"]["dead"] == 1
    assert report["queue"]["waiting"] == report["queue"]["in_flight"] == 0
    assert len(letters) == 1
    assert letters[0]["kinds"] == ["movie"]
    assert letters[0]["first"] == "movie/550"
    assert "503" in letters[0]["error"]
    assert Kind.MOVIE.value not in report["kinds"]
    for kind, ids in RECORDS.items():
        if kind is not Kind.MOVIE:
            assert report["kinds"][kind.value]["records"] == len(ids), kind
    result = CliRunner().invoke(main, ["query", "--store", str(store), "--type=movie", "--id=550"])
    assert result.exit_code != 0
    progress = json.loads((store / PROGRESS_KEY).read_text())
    assert progress["outcome"] == "incomplete: 1 messages in the dead-letter queue"

    # Once the cause is gone, redrive puts the work back and the next mirror completes it.
    fake.clear_faults()
    redriven = CliRunner().invoke(main, ["redrive", "--store", str(store)])
    assert redriven.exit_code == 0, redriven.output
    assert "1 message moved back" in redriven.stdout
    assert status(store)["queue"]["dead"] == 0
    assert status(store)["queue"]["waiting"] == 1
