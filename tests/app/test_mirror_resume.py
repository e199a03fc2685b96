"""``tmdb-collector mirror`` killed with SIGKILL at seeded random points, then resumed: in the
end every record is stored once, nothing is dead, the queue is empty, and only the work that was
in flight at a kill was done twice."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

from tmdb_collector.cli import main
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS, EXPORT_NAMES, Kind, RecordKey
from tmdb_collector.store import RecordIndex, StoreError, open_object_store, open_record_store

SECRET = "resume-test-key"  # noqa: S105 (the fake's test credential)
DAY = date(2026, 9, 1)
COUNTS = {
    Kind.MOVIE: 80,
    Kind.TV: 30,
    Kind.PERSON: 80,
    Kind.COLLECTION: 25,
    Kind.COMPANY: 25,
    Kind.NETWORK: 25,
    Kind.KEYWORD: 25,
}
MESSAGES_IN_FLIGHT = 2
BATCH_SIZE = 5
#: Seconds a killed run's messages stay hidden before the next run may take them again.
VISIBILITY = 2
#: A whole mirror takes about 5 s at this pace: slow enough to be killed mid-way.
RATE = 100


@pytest.fixture
def fake() -> Iterator[FakeTMDB]:
    server = FakeTMDB(
        SyntheticCatalog(COUNTS, seed=5), FakeSettings(api_key=SECRET), today=lambda: DAY
    )
    with server.run_in_thread() as running:
        yield running


class MirrorProcess:
    """``python -m tmdb_collector mirror`` in a child process, its stderr read line by line."""

    def __init__(self, fake: FakeTMDB, store: Path) -> None:
        env = dict(os.environ)
        env.update(
            TMDB_API_KEY=SECRET,
            TMDB_API_URL=fake.url,
            TMDB_EXPORTS_URL=fake.url,
            RATE_LIMIT_REQUESTS=str(RATE),
            REFRESH_PER_RUN="0",
            VISIBILITY_TIMEOUT=str(VISIBILITY),
            RETRY_DELAY_SECONDS="0",
            WORK_BATCH_SIZE=str(BATCH_SIZE),
            MESSAGES_IN_FLIGHT=str(MESSAGES_IN_FLIGHT),
        )
        command = [sys.executable, "-m", "tmdb_collector", "mirror", "--store", str(store)]
        self.process = subprocess.Popen(  # noqa: S603 (our own CLI)
            [*command, "--date", DAY.isoformat()],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.out = ""
        self._readers = [
            threading.Thread(target=self._read_err, daemon=True),
            threading.Thread(target=self._read_out, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_err(self) -> None:
        assert self.process.stderr is not None
        with self.process.stderr as stream:
            for line in stream:
                self.lines.append(line)

    def _read_out(self) -> None:
        assert self.process.stdout is not None
        with self.process.stdout as stream:
            self.out = stream.read()

    def wait_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> bool:
        """Poll ``condition`` until it holds (True) or the process exits first (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.01)
        raise AssertionError(f"timed out waiting; stderr: {''.join(self.lines)[-3000:]}")

    def logged(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def kill(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        return self.finish()

    def finish(self, timeout: float = 60.0) -> int:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        for reader in self._readers:
            reader.join(5)
        return code

    def output(self) -> str:
        return self.out + "".join(self.lines)[-4000:]


def export_ids(fake: FakeTMDB, kind: Kind) -> set[int]:
    url = f"{fake.url}/p/exports/{EXPORT_NAMES[kind]}_ids_{DAY:%m_%d_%Y}.json.gz"
    with urllib.request.urlopen(url) as response:  # noqa: S310 (our fake on 127.0.0.1)
        lines = gzip.decompress(response.read()).splitlines()
    return {json.loads(line)["id"] for line in lines if line.strip()}


def stored_files(store: Path) -> int:
    """Records of the exported kinds stored so far (their index rows: a batch's rows are
    written once its segment is)."""
    if not (store / "index").is_dir():
        return 0
    try:
        return sum(len(index_rows(store, kind)) for kind in EXPORT_KINDS)
    except StoreError:  # a fragment being written as it is read: look again
        return 0


def stored_at_least(store: Path, count: int) -> bool:
    return stored_files(store) >= count


def index_rows(store: Path, kind: Kind) -> list[dict[str, object]]:
    index = RecordIndex(open_object_store(str(store)))
    rows: list[dict[str, object]] = asyncio.run(index.table(kind, columns=["deleted"])).to_pylist()
    return rows


async def created_counts(store: Path) -> Counter[RecordKey]:
    counts: Counter[RecordKey] = Counter()
    async for entry in (await open_record_store(open_object_store(str(store)))).changes():
        if entry.change == "created":
            counts[entry.key] += 1
    return counts


def test_sigkill_anywhere_then_resume_stores_everything_once(
    fake: FakeTMDB, tmp_path: Path
) -> None:
    rng = random.Random(20261124)
    store = tmp_path / "data"
    expected = {kind: export_ids(fake, kind) for kind in EXPORT_KINDS}
    total = sum(len(ids) for ids in expected.values())
    kills: list[str] = []

    # 1. During the harvest: right after it logs one of its steps.
    step = rng.choice(["harvest movie:", "harvest tv:", "harvest person:", "harvest keyword:"])
    run = MirrorProcess(fake, store)
    if run.wait_until(lambda: run.logged(step)):
        time.sleep(rng.uniform(0.0, 0.05))
        kills.append(f"harvest, after {step!r}")
    assert run.kill() in (-signal.SIGKILL, 0), run.output()

    # 2. Mid-collect, and 3. near the end: once a seeded share of the records is stored.
    for low, high in ((0.2, 0.5), (0.8, 0.95)):
        target = int(total * rng.uniform(low, high))
        run = MirrorProcess(fake, store)
        if run.wait_until(partial(stored_at_least, store, target)):
            time.sleep(rng.uniform(0.0, 0.2))
            kills.append(f"collect, {target} of {total} stored")
        code = run.kill()
        assert code in (-signal.SIGKILL, 0), run.output()
    assert len(kills) == 3, f"a run ended before its kill point: {kills}"

    # One more run finishes the work: it waits for the killed run's leases to run out.
    run = MirrorProcess(fake, store)
    assert run.finish() == 0, run.output()
    assert "mirror done" in run.out, run.output()

    # Every id of every export is stored, live; seasons and episodes came with their series.
    for kind, ids in expected.items():
        rows = index_rows(store, kind)
        assert {row["id"] for row in rows} == ids, kind
        assert not [row for row in rows if row["deleted"]], kind
    seasons = index_rows(store, Kind.TV_SEASON)
    episodes = index_rows(store, Kind.TV_EPISODE)
    assert seasons
    assert episodes
    assert {row["id"] for row in seasons} <= expected[Kind.TV]

    # Each record was created once, except those whose message was in flight at a kill: at most
    # MESSAGES_IN_FLIGHT × BATCH_SIZE work items per kill (their seasons and episodes on top).
    created = asyncio.run(created_counts(store))
    everything = {RecordKey(kind, record_id) for kind, ids in expected.items() for record_id in ids}
    top_level = {key: count for key, count in created.items() if key.kind in EXPORT_KINDS}
    assert set(top_level) == everything
    assert len(seasons) + len(episodes) == len(created) - len(top_level)
    assert all(count >= 1 for count in created.values())
    # A work item whose message was in flight at a kill may have its records (or some of them:
    # a kill among the current-object puts) created again: the item is the record itself, or
    # the series of a season or episode.
    redone = {key for key, count in created.items() if count > 1}
    redone_items = {
        key if key.kind in EXPORT_KINDS else RecordKey(Kind.TV, key.id) for key in redone
    }
    assert len(redone_items) <= 2 * MESSAGES_IN_FLIGHT * BATCH_SIZE, sorted(redone_items)
    assert max(created.values()) <= 1 + len(kills), created.most_common(3)

    # The queue is empty, dead letters included.
    result = CliRunner().invoke(main, ["status", "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    queue = json.loads(result.stdout)["queue"]
    assert queue["exists"]
    assert (queue["waiting"], queue["in_flight"], queue["delayed"], queue["dead"]) == (0, 0, 0, 0)
    assert queue["dead_letters"] == []
