"""Crashes and lost state: `mirror` SIGKILLed at random points (local store and S3), the queue
file deleted after a kill, and two runs on one store at once. Each ends in the clean mirror."""

from __future__ import annotations

import json
import random
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fault._harness import (
    FakeProcess,
    MotoProcess,
    Setup,
    Started,
    StoreState,
    assert_no_traceback,
    finish_and_compare,
    status,
    stored_objects,
)
from fault.conftest import FaultTable

pytestmark = pytest.mark.fault

#: The runs that are killed: a slow pace, so that a clean mirror collects for ~13 s and the kills
#: land in every phase, and messages of 10 items rather than 100, so that a message is done in
#: about a second — as in a real mirror, where crashes are hours apart and messages seconds long.
#: (With 100 items a message takes ~10 s here, and ten kills ~2 s apart can all find the same
#: message in flight; the collector splits a message stopped three times, so only a lone item
#: could reach the dead-letter queue this way — reported, kept, `redrive` puts it back.)
KILLED_RUNS = {"RATE_LIMIT_REQUESTS": "20", "WORK_BATCH_SIZE": "10"}


@dataclass
class Kills:
    """What a series of killed runs went through."""

    killed: int = 0
    finished: int = 0
    #: Where each kill landed: start-up, harvest or collection (from the run's log).
    phases: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        phases = ", ".join(f"{n} in {phase}" for phase, n in self.phases.items())
        return f"{self.killed}× ({phases}; {self.finished} runs ended before their moment)"


def kill_repeatedly(setup: Setup, kills: int, seed: int, **env: str) -> Kills:
    """Run `mirror` and SIGKILL it at a seeded random moment until ``kills`` runs were killed.
    The moments are drawn from 0.3 s to 4 s after the start, or to the length of the last run
    that ended on its own (once the store is complete a run takes about a second)."""
    rng = random.Random(seed)
    result = Kills()
    longest = 4.0
    while result.killed < kills:
        assert result.finished < 2 * kills, "the runs keep ending before their kill moment"
        moment = rng.uniform(0.3, longest)
        with setup.started("mirror", **env) as run:
            try:
                run.process.wait(timeout=moment)
            except subprocess.TimeoutExpired:
                run.kill()
                result.killed += 1
                phase = _phase(run.err.read_text())
                result.phases[phase] = result.phases.get(phase, 0) + 1
            else:
                ended = run.wait()
                assert_no_traceback(ended)
                assert ended.code == 0, ended.describe()
                result.finished += 1
                longest = max(ended.seconds, 0.6)
    return result


def _phase(log: str) -> str:
    if "items enqueued in" in log:
        return "collection"
    return "harvest" if "tmdb_collector.harvest" in log else "start-up"


@pytest.mark.slow
def test_sigkill_at_random_points_on_a_local_store(
    fake: FakeProcess, clean: StoreState, tmp_path: Path, fault_table: FaultTable
) -> None:
    row = fault_table.row(1.0, "crash, local store", "")
    setup = Setup(fake.url, str(tmp_path / "data"), tmp_path)
    kills = kill_repeatedly(setup, 10, seed=12, **KILLED_RUNS)
    row.injected = (
        f"`mirror` SIGKILLed {kills.describe()} at seeded random moments, then `mirror` "
        f"({_settings()})"
    )
    final = finish_and_compare(setup, clean)
    final.check()
    row.done(
        "final `mirror` exit 0, store = clean mirror, queue and DLQ empty",
        lost=final.lost,
        recovery=f"final run {final.run.seconds:.1f} s (resumes at once)",
    )


def _settings() -> str:
    return ", ".join(f"{name}={value}" for name, value in KILLED_RUNS.items())


@pytest.mark.slow
def test_sigkill_at_random_points_on_s3(
    fake: FakeProcess,
    moto: MotoProcess,
    clean: StoreState,
    tmp_path: Path,
    fault_table: FaultTable,
) -> None:
    row = fault_table.row(1.1, "crash, S3 store (moto)", "")
    store = f"s3://{moto.bucket}/{uuid.uuid4().hex[:12]}"
    # An S3 store's default queue is ./tmdb-queue.sqlite3 of the working directory (tmp_path);
    # a 3 s visibility timeout makes leases expire between the runs, as in the issue.
    setup = Setup(fake.url, store, tmp_path, {**moto.environ(), "VISIBILITY_TIMEOUT": "3"})
    kills = kill_repeatedly(setup, 10, seed=13, **KILLED_RUNS)
    row.injected = (
        f"VISIBILITY_TIMEOUT=3; `mirror` SIGKILLed {kills.describe()} at seeded random moments, "
        f"then `mirror` ({_settings()})"
    )
    final = finish_and_compare(setup, clean)
    final.check()
    row.done(
        "final `mirror` exit 0, store = clean mirror, queue and DLQ empty",
        lost=final.lost,
        recovery=f"final run {final.run.seconds:.1f} s",
    )


#: What `status` says of a run whose progress says "running" while no live `mirror` holds the
#: store (app/_status.py).
ENDED = "ended without finishing (killed or crashed)"


def test_a_killed_run_is_not_reported_as_running(
    fake: FakeProcess, clean: StoreState, tmp_path: Path, fault_table: FaultTable
) -> None:
    row = fault_table.row(1.2, "a killed run is not reported as running", "")
    setup = Setup(fake.url, str(tmp_path / "data"), tmp_path)
    with setup.started("mirror", **KILLED_RUNS) as run:
        saved = _saved_while_collecting(tmp_path / "data", run)
        run.kill()
    report, text = status(setup), setup.run("status", timeout=60)
    assert text.code == 0, text.describe()
    mirror = report["mirror"]
    assert report["lease"] is None, report["lease"]
    assert (mirror["outcome"], mirror["eta_seconds"]) == (ENDED, None), mirror
    [line] = [line for line in text.stdout.splitlines() if line.startswith("mirror:")]
    told = f"mirror: {ENDED} at {mirror['updated_at']}: run `tmdb-collector mirror` to resume"
    assert line.startswith(told), line
    assert "running" not in line, line
    assert "left" not in line, line
    row.injected = (
        f"`mirror` SIGKILLed while collecting ({sum(saved['items_done'].values())} items done "
        "in its last saved progress, which says “running”), then `status` and `status --json`"
    )
    final = finish_and_compare(setup, clean)
    final.check()
    assert status(setup)["mirror"]["outcome"] == "done"
    row.done(
        f"`status` says “mirror: {ENDED} at …: run `tmdb-collector mirror` to resume”, no "
        "time left; `--json`: `lease` null, `outcome` the same, `eta_seconds` null; the next "
        "`mirror` resumes: store = clean mirror",
        lost=final.lost,
        recovery=f"final run {final.run.seconds:.1f} s",
    )


def _saved_while_collecting(store: Path, run: Started) -> dict[str, Any]:
    """The run's progress once it has saved one in the collect phase (every 5 s)."""
    path = store / "state" / "mirror" / "progress.json"
    deadline = time.monotonic() + 60
    while True:
        assert run.process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no progress saved while collecting in 60 s"
        try:
            saved: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError):  # not saved yet
            saved = {}
        if saved.get("phase") == "collect" and saved.get("outcome") == "running":
            return saved
        time.sleep(0.1)


def test_queue_file_lost(
    fake: FakeProcess, clean: StoreState, tmp_path: Path, fault_table: FaultTable
) -> None:
    row = fault_table.row(7.0, "queue file lost", "")
    setup = Setup(fake.url, str(tmp_path / "data"), tmp_path)
    with setup.started("mirror", RATE_LIMIT_REQUESTS="40") as run:
        time.sleep(4.0)
        assert run.process.poll() is None, "the run ended before it could be killed"
        run.kill()
    stored = stored_objects(tmp_path / "data")
    queue_files = sorted((tmp_path / "data" / "queue").glob("work.sqlite3*"))
    assert queue_files
    for path in queue_files:
        path.unlink()
    row.injected = (
        f"`mirror` SIGKILLed after 4 s ({stored} records stored), the SQLite queue file "
        "(and its -wal/-shm) deleted, then `mirror`"
    )
    final = finish_and_compare(setup, clean)
    final.check()
    notes = [note for kind in status(setup)["last_harvest"]["kinds"] for note in kind["notes"]]
    assert any("the queue holds no work" in note for note in notes), notes
    row.done(
        "the harvest sees the queue holds none of the in-flight ledger's work and plans it "
        "again; store = clean mirror",
        lost=final.lost,
        recovery=f"final run {final.run.seconds:.1f} s",
    )


def test_two_mirrors_on_one_store(
    fake: FakeProcess, clean: StoreState, tmp_path: Path, fault_table: FaultTable
) -> None:
    row = fault_table.row(
        8.0, "two concurrent runs", "a second `mirror` on the store while the first runs"
    )
    setup = Setup(fake.url, str(tmp_path / "data"), tmp_path)
    lease = tmp_path / "data" / "state" / "lease"
    with setup.started("mirror", RATE_LIMIT_REQUESTS="40") as first:
        deadline = time.monotonic() + 30
        while not (lease.is_dir() and any(lease.iterdir())):
            assert time.monotonic() < deadline, "the first run took no lease"
            assert first.process.poll() is None, first.wait().describe()
            time.sleep(0.05)
        second = setup.mirror(timeout=60)
        assert first.process.poll() is None, "the first run ended before the second was tried"
        result = first.wait()
    assert_no_traceback(second)
    assert second.code == 1, second.describe()
    [message] = second.error_lines
    assert "in use" in message
    assert f"pid {first.process.pid}" in message, message
    assert result.code == 0, result.describe()
    # The first run did all the work; one more run finds nothing to do and changes nothing.
    final = finish_and_compare(setup, clean)
    final.check()
    row.done(
        f"the second is refused in {second.seconds:.1f} s (exit 1) naming the holder "
        f"(`mirror`, its pid and host, since when); the first completes: store = clean mirror",
        lost=final.lost,
    )
