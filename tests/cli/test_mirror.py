"""``tmdb-collector mirror`` end to end on a synthetic fake TMDB: a full mirror, then a day."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tmdb_collector.cli import main
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS, EXPORT_NAMES, Kind, RecordKey
from tmdb_collector.queue import SQLiteWorkQueue
from tmdb_collector.store import (
    RecordIndex,
    RecordStore,
    RecordWrite,
    SegmentRecordStore,
    open_object_store,
    open_record_store,
)

SECRET = "mirror-test-key"  # noqa: S105 (the fake's test credential)
COUNTS = {
    Kind.MOVIE: 60,
    Kind.TV: 25,
    Kind.PERSON: 60,
    Kind.COLLECTION: 25,
    Kind.COMPANY: 25,
    Kind.NETWORK: 25,
    Kind.KEYWORD: 25,
}


class Today:
    def __init__(self) -> None:
        self.day = datetime.now(UTC).date()

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def today() -> Today:
    return Today()


@pytest.fixture
def fake(today: Today) -> Iterator[FakeTMDB]:
    server = FakeTMDB(SyntheticCatalog(COUNTS, seed=9), FakeSettings(api_key=SECRET), today=today)
    with server.run_in_thread() as running:
        yield running


def mirror(fake: FakeTMDB, store: Path, *args: str, key: str = SECRET) -> tuple[int, str, str]:
    env = {
        "TMDB_API_KEY": key,
        "TMDB_API_URL": fake.url,
        "TMDB_EXPORTS_URL": fake.url,
        "RATE_LIMIT_REQUESTS": "400",
        "REFRESH_PER_RUN": "0",
    }
    result = CliRunner().invoke(
        main, ["mirror", "--store", str(store), *args], env=env, catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def export_ids(fake: FakeTMDB, kind: Kind, day: date) -> set[int]:
    url = f"{fake.url}/p/exports/{EXPORT_NAMES[kind]}_ids_{day:%m_%d_%Y}.json.gz"
    with urllib.request.urlopen(url) as response:  # noqa: S310 (our fake on 127.0.0.1)
        lines = gzip.decompress(response.read()).splitlines()
    return {json.loads(line)["id"] for line in lines if line.strip()}


def stored(store: Path, kind: Kind) -> tuple[set[int], set[int]]:
    """(live ids, tombstoned ids) of a kind, from the index."""
    table = asyncio.run(RecordIndex(open_object_store(str(store))).table(kind, columns=["deleted"]))
    rows = table.to_pylist()
    return {r["id"] for r in rows if not r["deleted"]}, {r["id"] for r in rows if r["deleted"]}


@pytest.mark.parametrize("layout", ["objects", "segments"])
def test_a_full_mirror_then_a_day_later(
    fake: FakeTMDB, today: Today, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    """In both record layouts: segments (a new store's), and one object per version (a store an
    earlier release wrote — here, one record written in that layout — goes on in it, named in
    a warning, until migrated)."""
    store = tmp_path / "data"
    if layout == "objects":
        seed = RecordWrite(RecordKey(Kind.MOVIE, 1), {"id": 1, "title": "seed"}, 1, "/3/movie/1")
        asyncio.run(RecordStore(open_object_store(str(store))).write_batch([seed]))
    code, out, err = mirror(fake, store)
    assert code == 0, err + out
    assert "mirror done" in out
    named = "is in the per-object record layout of earlier releases" in err
    assert named == (layout == "objects"), err
    assert SECRET not in out + err
    first_day = today.day
    status = CliRunner().invoke(main, ["status", "--store", str(store), "--json"])
    assert status.exit_code == 0, status.stderr
    progress = json.loads(status.stdout)["mirror"]
    assert progress["finished"] is True
    assert progress["phase"] == "done"
    assert progress["items_done"] == progress["items_planned"]
    assert progress["eta_seconds"] is None
    assert progress["dead"] == 0
    for kind in EXPORT_KINDS:
        live, gone = stored(store, kind)
        assert live == export_ids(fake, kind, first_day), kind
        assert not gone
    seasons, _ = stored(store, Kind.TV_SEASON)
    episodes, _ = stored(store, Kind.TV_EPISODE)
    assert seasons
    assert episodes
    records = asyncio.run(open_record_store(open_object_store(str(store))))
    assert isinstance(records, SegmentRecordStore) == (layout == "segments")
    files = [p.relative_to(store).parts[0] for p in store.rglob("*") if p.is_file()]
    if layout == "segments":  # a segment per batch and kind, not a file per record
        assert "records" not in files
        assert files.count("segments") * 10 < sum(len(stored(store, k)[0]) for k in Kind)
    some_series = min(stored(store, Kind.TV)[0])
    series = asyncio.run(records.read(RecordKey(Kind.TV, some_series)))
    assert series is not None
    assert not [name for name in series.json() if name.startswith("season/")]

    fake.advance(1)
    today.day += timedelta(days=1)
    # A day later for the harvester too (a harvest refuses a day after its today).
    monkeypatch.setenv("HARVEST_TODAY", today.day.isoformat())
    code, out, err = mirror(fake, store, "--date", today.day.isoformat())
    assert code == 0, err + out
    for kind in EXPORT_KINDS:
        before, after = export_ids(fake, kind, first_day), export_ids(fake, kind, today.day)
        live, gone = stored(store, kind)
        assert live == after, kind
        assert gone == before - after, kind
        assert gone, f"the fake deleted no {kind}: the test proves nothing"
    queue = SQLiteWorkQueue(store / "queue" / "work.sqlite3")
    try:
        assert queue.counts().visible == queue.dead_counts().visible == 0
    finally:
        queue.close()
    out_file = str(tmp_path / "m")
    export = ["export", "--store", str(store), "--type", "movie", "--format", "jsonl"]
    exported = CliRunner().invoke(main, [*export, "--out", out_file])
    assert exported.exit_code == 0, exported.output
    lines = (tmp_path / "m").read_text(encoding="utf-8").splitlines()
    assert {json.loads(line)["id"] for line in lines} == stored(store, Kind.MOVIE)[0]


def test_a_bad_credential_stops_the_run_and_keeps_the_work(fake: FakeTMDB, tmp_path: Path) -> None:
    store = tmp_path / "data"
    code, _, err = mirror(fake, store, "--types", "keyword", key="wrong-key")
    assert code == 3
    assert "401" in err or "rejected" in err.lower() or "invalid" in err.lower()
    assert "wrong-key" not in err
    queue = SQLiteWorkQueue(store / "queue" / "work.sqlite3")
    try:
        counts = queue.counts()
        assert counts.visible + counts.in_flight > 0  # nothing lost: it comes back next run
    finally:
        queue.close()


def test_mirror_without_a_credential_says_how_to_get_one(fake: FakeTMDB, tmp_path: Path) -> None:
    code, _, err = mirror(fake, tmp_path / "data", key="")
    assert code == 2
    assert "TMDB_API_KEY is not set" in err


def test_a_second_mirror_on_the_same_store_is_refused_at_once(
    fake: FakeTMDB, tmp_path: Path
) -> None:
    """Two runs on one store would harvest and fetch everything twice: the second says who
    runs and exits; the first goes on, and after it the store is free again."""
    store = tmp_path / "data"
    env = {
        **os.environ,
        "TMDB_API_KEY": SECRET,
        "TMDB_API_URL": fake.url,
        "TMDB_EXPORTS_URL": fake.url,
        "RATE_LIMIT_REQUESTS": "10",  # slow enough to be running when the second one starts
        "REFRESH_PER_RUN": "0",
    }
    first = subprocess.Popen(  # noqa: S603 (our own CLI)
        [sys.executable, "-m", "tmdb_collector", "mirror", "--store", str(store)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not list((store / "state" / "lease").glob("*.json")):
            assert first.poll() is None, first.communicate()[1]
            assert time.monotonic() < deadline, "the first mirror never took the store's lease"
            time.sleep(0.05)

        started = time.monotonic()
        code, out, err = mirror(fake, store)
        harvest = CliRunner().invoke(main, ["harvest", "--store", str(store)], env=env)

        assert time.monotonic() - started < 20  # refused, not run
        assert code == 1, out + err
        assert f"`mirror` (pid {first.pid} on {socket.gethostname()})" in err
        assert "has held its lease since" in err
        assert "Wait until that run ends" in err
        assert "mirror done" not in out
        assert harvest.exit_code == 1, harvest.output
        assert f"pid {first.pid}" in harvest.stderr
        assert first.poll() is None  # the first run is not disturbed
    finally:
        first.send_signal(signal.SIGTERM)  # a clean stop: its work stays queued
        _, first_err = first.communicate(timeout=60)
    assert first.returncode == 130, first_err

    # The stopped run released the store: the next one runs (and finishes the work).
    code, out, err = mirror(fake, store)
    assert code == 0, err + out
    assert "mirror done" in out
