"""``tmdb-collector status`` on a store and queue filled by hand."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tmdb_collector._processes import LocalProcess, this_process
from tmdb_collector.app import PROGRESS_KEY, MirrorProgress, progress_summary
from tmdb_collector.cli import main
from tmdb_collector.collect import CollectorProgress
from tmdb_collector.harvest import HarvestState, Watermark
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.queue import QueueCounts, Reason, SQLiteWorkQueue, WorkItem, encode_batch
from tmdb_collector.store import (
    LEASE_PREFIX,
    LeaseHolder,
    RecordDeletion,
    RecordStore,
    RecordWrite,
    open_object_store,
)

T0 = 1_763_936_000_000


def status(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["status", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def fill(store: Path) -> None:
    objects = open_object_store(str(store))
    records = RecordStore(objects)
    movies = [RecordKey(Kind.MOVIE, n) for n in (1, 2, 3)]
    writes: list[RecordWrite | RecordDeletion] = [
        RecordWrite(key, {"id": key.id, "title": f"m{key.id}"}, T0, key.api_path) for key in movies
    ]
    asyncio.run(records.write_batch(writes))
    asyncio.run(records.write_batch([RecordDeletion(movies[0], "404 on fetch", T0 + 1)]))
    marks = {Kind.MOVIE: Watermark(date(2026, 11, 20), T0)}
    asyncio.run(HarvestState(objects).save_watermarks(marks))


def test_status_shows_queue_dead_letters_records_and_watermarks(tmp_path: Path) -> None:
    store = tmp_path / "data"
    fill(store)
    queue = SQLiteWorkQueue(store / "queue" / "work.sqlite3")
    item = WorkItem(Kind.MOVIE, "7", Reason.NEW, T0)
    queue.send([encode_batch([item]), encode_batch([item])])
    queue.send_dead([encode_batch([item], error="HTTP 503 after 5 attempts")])
    queue.close()

    code, out, err = status("--store", str(store), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["queue"]["waiting"] == 2
    assert report["queue"]["dead"] == 1
    [letter] = report["queue"]["dead_letters"]
    assert letter == {
        "items": 1,
        "kinds": ["movie"],
        "first": "movie/7",
        "error": "HTTP 503 after 5 attempts",
    }
    assert report["kinds"] == {"movie": {"records": 2, "tombstones": 1}}
    assert report["watermarks"] == {"movie": {"through": "2026-11-20"}}
    assert report["last_harvest"] is None

    code, out, _ = status("--store", str(store))
    assert code == 0
    assert "2 waiting" in out
    assert "dead letters: 1" in out
    assert "HTTP 503 after 5 attempts" in out
    assert "read through 2026-11-20" in out
    # What a work item costs at the collector's depth (no series stored: the shape assumed).
    assert report["depth"]["requests_per_item"]["movie"] == 1
    assert report["depth"]["series_shape"]["assumed"] is True
    assert "depth: SEASON_DETAILS=false, EPISODE_DETAILS=false" in out


def test_status_of_an_empty_store_creates_nothing(tmp_path: Path) -> None:
    store = tmp_path / "nothing"
    store.mkdir()
    code, out, _ = status("--store", str(store))
    assert code == 0
    assert "none yet" in out
    assert "mirror: no run yet" in out
    assert not (store / "queue").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["query", "--type=movie", "--id=550"],
        ["query", "--type=movie", "--where", "popularity > 1"],
        ["history", "--type=movie", "--id=550"],
        ["export", "--type=movie", "--format=jsonl", "--out", "OUT"],
        ["compact"],
        ["redrive"],
        ["migrate-history"],
    ],
)
def test_a_command_that_reads_a_store_that_is_not_there_says_so_and_creates_none(
    tmp_path: Path, command: list[str]
) -> None:
    """A typo'd --store once answered "exported 0 movie records" (exit 0) and left a new
    empty store behind."""
    typo = tmp_path / "typo"
    args = [str(tmp_path / "out.jsonl") if arg == "OUT" else arg for arg in command]
    result = CliRunner().invoke(main, [*args, "--store", str(typo)])
    assert result.exit_code == 2, result.output
    assert f"there is no store at {typo}" in result.stderr
    assert not typo.exists()
    assert not (tmp_path / "out.jsonl").exists()


def test_progress_summary_estimates_the_time_left() -> None:
    collect = CollectorProgress(started_at_ms=int((time.time() - 10) * 1000))
    collect.items[Kind.MOVIE] = 50
    moment = MirrorProgress("collect", collect, QueueCounts(3, 1, 0), {Kind.MOVIE: 100}, 12.0)
    summary = progress_summary(moment, started_at=time.time() - 12, finished=False)
    assert summary["items_done"] == {"movie": 50}
    assert summary["messages_queued"] == 4
    assert 4.0 <= summary["items_per_second"] <= 5.1
    assert 9 <= summary["eta_seconds"] <= 13
    finished = progress_summary(moment, started_at=time.time() - 12, finished=True)
    assert finished["eta_seconds"] is None


# --- a run that says "running": alive only while a live `mirror` holds the store --------------


def running_progress(store: Path) -> None:
    """The progress a `mirror` saves every few seconds while it collects (then killed, or not)."""
    collect = CollectorProgress(started_at_ms=int((time.time() - 10) * 1000))
    collect.items[Kind.MOVIE] = 50
    moment = MirrorProgress("collect", collect, QueueCounts(3, 1, 0), {Kind.MOVIE: 100}, 12.0)
    body = progress_summary(moment, started_at=time.time() - 12, finished=False)
    assert body["outcome"] == "running"
    assert body["eta_seconds"] is not None
    objects = open_object_store(str(store))
    asyncio.run(objects.put(PROGRESS_KEY, json.dumps(body).encode()))


def lease_of(store: Path, process: LocalProcess, *, expires_in: float = 100.0) -> None:
    """A lease object as a `mirror` of ``process`` leaves it (renewed just now)."""
    now = time.time()
    holder = LeaseHolder("a-run", "mirror", process, now - 10, now, now + expires_in)
    objects = open_object_store(str(store))
    assert asyncio.run(objects.create(f"{LEASE_PREFIX}/{1:012d}.json", holder.encode()))


def exited_pid() -> int:
    """The pid of a child process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    assert child.wait(timeout=60) == 0
    return child.pid


ENDED = "ended without finishing (killed or crashed)"


@pytest.mark.parametrize(
    "holder",
    ["none", "dead process here", "expired elsewhere"],
)
def test_a_run_whose_lease_is_not_live_is_not_called_running(tmp_path: Path, holder: str) -> None:
    store = tmp_path / "data"
    running_progress(store)
    if holder == "dead process here":  # SIGKILLed on this machine: its pid is gone
        lease_of(store, replace(this_process(), pid=exited_pid(), started=""))
    elif holder == "expired elsewhere":  # its machine stopped: not renewed past its expiry
        lease_of(store, replace(this_process(), machine="other/boot/ns"), expires_in=-1)

    code, out, err = status("--store", str(store), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["lease"] is None
    mirror = report["mirror"]
    assert mirror["outcome"] == ENDED
    assert mirror["eta_seconds"] is None
    assert mirror["finished"] is False
    assert mirror["items_done"] == {"movie": 50}  # the rest of what it saved, kept

    code, out, _ = status("--store", str(store))
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("mirror:"))
    assert line.startswith(
        f"mirror: {ENDED} at {mirror['updated_at']}: run `tmdb-collector mirror` to resume; "
        "started "
    ), line
    assert "running" not in out
    assert "left" not in line


@pytest.mark.parametrize("where", ["this process", "elsewhere, not expired"])
def test_a_run_whose_lease_is_live_is_running(tmp_path: Path, where: str) -> None:
    store = tmp_path / "data"
    running_progress(store)
    here = this_process()  # the test's own process: it runs
    # Elsewhere, a pid gone here may run there: only the expiry can tell.
    process = here if where == "this process" else replace(here, machine="o", pid=exited_pid())
    lease_of(store, process)

    code, out, err = status("--store", str(store), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["lease"]["command"] == "mirror"
    assert report["mirror"]["outcome"] == "running"
    assert report["mirror"]["eta_seconds"] is not None

    code, out, _ = status("--store", str(store))
    assert "mirror: running (collect); started " in out
    assert "min left" in out
    assert ENDED not in out


def test_an_unreadable_dead_letter_is_shown_for_what_it_is(tmp_path: Path) -> None:
    store = tmp_path / "data"
    fill(store)
    queue = SQLiteWorkQueue(store / "queue" / "work.sqlite3")
    queue.send_dead(['{"not": "a work batch"}'])
    queue.close()

    code, out, err = status("--store", str(store), "--json")
    assert code == 0, err
    [letter] = json.loads(out)["queue"]["dead_letters"]
    assert letter["unreadable"] is True
    assert letter["first"] is None
    assert letter["error"].startswith("malformed work message")

    code, out, _ = status("--store", str(store))
    [line] = [line for line in out.splitlines() if line.startswith("  dead:")]
    assert line.startswith(
        "  dead: a message that is no work batch (no item can be read from it): "
        "malformed work message"
    ), line
    assert "None" not in line
