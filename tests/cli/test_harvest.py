"""``tmdb-collector harvest`` as a user runs it, against a fake TMDB on a thread."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvest.conftest import COUNTS
from tmdb_collector.app import Wiring
from tmdb_collector.cli import main
from tmdb_collector.config import load_config, parse_kinds
from tmdb_collector.errors import ConfigurationError
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.harvest import HarvestSettings, HarvestState, Watermark
from tmdb_collector.kinds import EXPORT_KINDS, Kind, RecordKey
from tmdb_collector.queue import SQLiteWorkQueue, decode_batch
from tmdb_collector.store import RecordStore, RecordWrite, StoreLease, open_object_store

SECRET = "cli-secret-key-1234"  # noqa: S105 (the fake's test credential)


@pytest.fixture
def fake() -> Iterator[FakeTMDB]:
    server = FakeTMDB(SyntheticCatalog(COUNTS, seed=3), FakeSettings(api_key=SECRET))
    with server.run_in_thread() as running:
        yield running


def run(fake: FakeTMDB, *args: str, key: str = SECRET) -> tuple[int, str, str]:
    env = {
        "TMDB_API_KEY": key,
        "TMDB_API_URL": fake.url,
        "TMDB_EXPORTS_URL": fake.url,
        "RATE_LIMIT_REQUESTS": "500",
    }
    result = CliRunner().invoke(main, ["harvest", *args], env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_harvest_enqueues_into_the_queue_beside_the_store(fake: FakeTMDB, tmp_path: Path) -> None:
    store = tmp_path / "data"
    code, out, err = run(fake, "--store", str(store), "--types", "movie,keyword")
    assert code == 0, err
    assert "harvest of" in out
    assert "movie" in out
    assert "keyword" in out
    assert "items enqueued" in out
    assert SECRET not in out + err

    queue = SQLiteWorkQueue(store / "queue" / "work.sqlite3")
    try:
        kinds = set()
        while messages := queue.receive(10):
            for message in messages:
                kinds |= {item.kind for item in decode_batch(message.body).items}
            queue.delete(messages)
    finally:
        queue.close()
    assert kinds == {Kind.MOVIE, Kind.KEYWORD}
    assert (store / "state" / "harvest" / "last-run.json").is_file()


def test_dry_run_json_enqueues_and_remembers_nothing(fake: FakeTMDB, tmp_path: Path) -> None:
    store = tmp_path / "data"
    code, out, err = run(fake, "--store", str(store), "--dry-run", "--json", "--types", "tv")
    assert code == 0, err
    report = json.loads(out)
    assert report["dry_run"] is True
    assert report["items_enqueued"] == 0
    [tv] = report["kinds"]
    assert tv["kind"] == "tv"
    assert tv["work"]["new"] > 0
    assert not store.exists()  # it remembers nothing: not even a new, empty store


def test_the_plan_shows_what_the_chosen_depth_costs_in_requests(
    fake: FakeTMDB, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "data"
    code, out, err = run(fake, "--store", str(store), "--dry-run", "--json", "--types", "tv,movie")
    assert code == 0, err
    shallow = json.loads(out)["requests"]
    planned = {kind["kind"]: kind["work"]["new"] for kind in json.loads(out)["kinds"]}
    assert shallow["season_details"] is False
    assert shallow["series_shape"]["assumed"] is True  # no series stored yet
    assert shallow["requests_per_item"]["movie"] == 1
    assert shallow["planned"]["movie"] == planned["movie"]
    monkeypatch.setenv("SEASON_DETAILS", "true")
    monkeypatch.setenv("EPISODE_DETAILS", "true")
    code, out, err = run(fake, "--store", str(store), "--dry-run", "--json", "--types", "tv,movie")
    assert code == 0, err
    deep = json.loads(out)["requests"]
    # 1 for the series, 1 per season, 1 per episode (the assumed 2 seasons and 20 episodes).
    assert deep["requests_per_item"]["tv"] == 23
    assert deep["planned"]["tv"] == 23 * planned["tv"]
    assert deep["total"] > shallow["total"]
    code, out, err = run(fake, "--store", str(store), "--dry-run", "--types", "tv")
    assert code == 0, err
    assert "requests to collect them: ~" in out
    assert "SEASON_DETAILS=true, EPISODE_DETAILS=true" in out


def test_a_run_into_memory_is_refused_it_would_keep_nothing(fake: FakeTMDB) -> None:
    code, _, err = run(fake, "--store", "memory://", "--types", "movie")
    assert code == 2
    assert "memory:// keeps nothing once this command ends" in err
    result = CliRunner().invoke(
        main, ["mirror", "--store", "memory://"], env={"TMDB_API_KEY": SECRET}
    )
    assert result.exit_code == 2
    assert "memory:// keeps nothing once this command ends" in result.stderr
    code, _, err = run(fake, "--store", "memory://", "--types", "movie", "--dry-run")
    assert code == 0, err  # a dry run keeps nothing anyway


def test_a_refused_mass_deletion_exits_1_with_the_reason(fake: FakeTMDB, tmp_path: Path) -> None:
    store = tmp_path / "data"
    # Every company stored two days ago; today's export is empty (a truncated file).
    two_days_ago = int(datetime.now(UTC).timestamp() * 1000) - 2 * 86_400_000
    writes = [
        RecordWrite(key, {"id": key.id, "name": f"company {key.id}"}, two_days_ago, key.api_path)
        for key in (RecordKey(Kind.COMPANY, id_) for id_ in range(1, COUNTS[Kind.COMPANY] + 1))
    ]
    asyncio.run(RecordStore(open_object_store(str(store))).write_batch(writes))
    today = datetime.now(UTC).date()
    fake.set_export_file(f"production_company_ids_{today:%m_%d_%Y}.json.gz", gzip.compress(b""))

    code, out, _ = run(fake, "--store", str(store), "--types", "company", "--dry-run")
    assert code == 1
    assert "refusing to delete 40 of 40 stored company records" in out
    assert "--force-deletions" in out

    code, out, err = run(fake, "--store", str(store), "--types", "company", "--force-deletions")
    assert code == 0, err
    assert "forced past DELETE_MAX_SHARE" in out


def test_bad_settings_are_one_clear_line(fake: FakeTMDB, tmp_path: Path) -> None:
    code, _, err = run(fake, "--store", str(tmp_path), "--types", "movie,season")
    assert code == 2
    assert "unknown media type season" in err


def _default_queue(store: str) -> str:
    return Wiring(load_config(environ={"TMDB_STORE": store})).default_queue()


def test_default_queue_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The queue sits in the store the store itself opened: every spelling of one directory
    gives one queue (file://localhost/x once gave the queue path localhost/x/...)."""
    monkeypatch.chdir(tmp_path)
    queue = f"sqlite:{tmp_path / 'tmdb-data' / 'queue' / 'work.sqlite3'}"
    assert _default_queue("./tmdb-data") == queue
    assert _default_queue(f"file://{tmp_path}/tmdb-data") == queue
    assert _default_queue(f"file://localhost{tmp_path}/tmdb-data") == queue
    assert _default_queue("memory://") == "sqlite:tmdb-queue.sqlite3"


def test_file_localhost_puts_the_queue_in_the_store(fake: FakeTMDB, tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, _, err = run(fake, "--store", f"file://localhost{store}", "--types", "movie")
    assert code == 0, err
    assert (store / "queue" / "work.sqlite3").is_file()
    assert not (tmp_path / "localhost").exists()


def _from_env(environ: dict[str, str]) -> HarvestSettings:
    return Wiring(load_config(environ=environ)).harvest_settings()


def test_settings_from_the_environment() -> None:
    settings = _from_env(
        {
            "MEDIA_TYPES": "tv, movie",
            "ADULT": "include",
            "DELETE_MAX_SHARE": "0.1",
            "CONFIRM_DELETIONS": "false",
            "CHANGES_MAX_GAP_DAYS": "7",
            "REFRESH_PER_RUN": "50",
            "WORK_BATCH_SIZE": "250",
        }
    )
    assert settings.kinds == (Kind.MOVIE, Kind.TV)
    assert settings.adult == "include"
    assert settings.max_delete_share == 0.1
    assert settings.confirm_deletions is False
    assert (settings.max_changes_gap_days, settings.refresh_per_run) == (7, 50)
    assert settings.batch_size == 250
    assert _from_env({}).kinds == EXPORT_KINDS


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ADULT", "maybe", "ADULT must be exclude or include"),
        ("DELETE_MAX_SHARE", "5", "between 0 and 1"),
        ("DELETE_MAX_SHARE", "lots", "must be a share between 0 and 1.*got 'lots'"),
        ("CONFIRM_DELETIONS", "perhaps", "true or false"),
        ("WORK_BATCH_SIZE", "0", "an integer from 1 to 10000"),
        ("WORK_BATCH_SIZE", "20000", "an integer from 1 to 10000"),
        ("MEDIA_TYPES", "movie,tv_season", "unknown media type tv_season"),
        ("REFRESH_PER_RUN", "1.5", "REFRESH_PER_RUN must be an integer"),
    ],
)
def test_bad_settings_say_what_to_fix(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        _from_env({name: value})


def test_parse_kinds_keeps_the_canonical_order() -> None:
    assert parse_kinds(("company", "movie")) == (Kind.MOVIE, Kind.COMPANY)
    assert parse_kinds(()) == ()


def test_harvest_is_refused_while_another_run_holds_the_store(
    fake: FakeTMDB, tmp_path: Path
) -> None:
    store = tmp_path / "data"

    async def holding(*args: str) -> tuple[int, str, str]:
        async with StoreLease(open_object_store(str(store)), "mirror"):
            return await asyncio.to_thread(run, fake, "--store", str(store), *args)

    code, out, err = asyncio.run(holding("--types", "keyword"))
    assert code == 1
    assert f"`mirror` (pid {os.getpid()} on {socket.gethostname()})" in err
    assert "items enqueued" not in out
    queue = SQLiteWorkQueue(store / "queue" / "work.sqlite3")
    try:
        assert queue.counts().total == 0
    finally:
        queue.close()

    # A dry run changes nothing, so it needs no lease.
    code, out, err = asyncio.run(holding("--dry-run", "--types", "keyword"))
    assert code == 0, err
    assert "dry run" in out


# --- honest days and watermarks ------------------------------------------------------------------


def _watermarks(store: Path) -> dict[Kind, Watermark]:
    return asyncio.run(HarvestState(open_object_store(str(store))).watermarks())


def test_a_future_date_is_refused_before_anything_is_written(
    fake: FakeTMDB, tmp_path: Path
) -> None:
    """Once, `--date 2099-01-01` moved the watermark to 2099: the changes feed of that kind was
    never read again."""
    store = tmp_path / "data"
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    code, _, err = run(fake, "--store", str(store), "--types", "movie", "--date", tomorrow)
    assert code == 2
    assert f"--date {tomorrow} is after today" in err
    assert not store.exists()
    result = CliRunner().invoke(main, ["mirror", "--store", str(store), "--date", "2099-01-01"])
    assert result.exit_code == 2
    assert "--date 2099-01-01 is after today" in result.stderr
    assert not store.exists()


def test_a_run_that_could_not_plan_a_kind_moves_no_watermark(
    fake: FakeTMDB, tmp_path: Path
) -> None:
    """The export of the day asked for is gone (TMDB keeps 90 days of them) while its changes
    feed reads fine: the run is incomplete, and the watermark stays where it was."""
    store = tmp_path / "data"
    day = datetime.now(UTC).date() - timedelta(days=100)
    mark = Watermark(day - timedelta(days=1), int(datetime.now(UTC).timestamp() * 1000))
    state = HarvestState(open_object_store(str(store)))
    asyncio.run(state.save_watermarks({Kind.MOVIE: mark}))
    code, out, _ = run(fake, "--store", str(store), "--types", "movie", "--date", str(day))
    assert code == 1
    assert "no new or deleted movie records this run" in out
    assert _watermarks(store)[Kind.MOVIE] == mark  # the changes are read again next time


def test_a_watermark_an_earlier_release_put_in_the_future_is_read_as_its_day(
    fake: FakeTMDB, tmp_path: Path
) -> None:
    store = tmp_path / "data"
    today = datetime.now(UTC).date()
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    state = HarvestState(open_object_store(str(store)))
    asyncio.run(state.save_watermarks({Kind.MOVIE: Watermark(date(2099, 1, 1), now_ms)}))
    code, out, err = run(fake, "--store", str(store), "--types", "movie", "--json")
    assert code == 0, err
    [movie] = json.loads(out)["kinds"]
    assert movie["changes_from"] == today.isoformat()  # read, not "already read through 2099"
    assert _watermarks(store)[Kind.MOVIE].through == today


def test_a_mirror_whose_harvest_could_not_read_an_export_is_incomplete(
    fake: FakeTMDB, tmp_path: Path
) -> None:
    """No run says "done" while part of its input went unread (here: the day's export, gone
    after TMDB's 90 days)."""
    store = tmp_path / "data"
    day = (datetime.now(UTC).date() - timedelta(days=100)).isoformat()
    env = {
        "TMDB_API_KEY": SECRET,
        "TMDB_API_URL": fake.url,
        "TMDB_EXPORTS_URL": fake.url,
        "RATE_LIMIT_REQUESTS": "500",
    }
    args = ["mirror", "--store", str(store), "--types", "keyword", "--date", day]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1, result.output
    assert "mirror incomplete: 1 harvest error: part of TMDB's input was not read" in result.stdout
    assert "the harvest could not read part of TMDB's input" in result.stderr
    progress = json.loads((store / "state" / "mirror" / "progress.json").read_text())
    assert progress["outcome"].startswith("incomplete: 1 harvest error")
