"""``tmdb-collector status`` on a store and queue filled by hand."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from tmdb_collector.app import MirrorProgress, progress_summary
from tmdb_collector.cli import main
from tmdb_collector.collect import CollectorProgress
from tmdb_collector.harvest import HarvestState, Watermark
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.queue import QueueCounts, Reason, SQLiteWorkQueue, WorkItem, encode_batch
from tmdb_collector.store import RecordDeletion, RecordStore, RecordWrite, open_object_store

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


def test_status_of_an_empty_store_creates_nothing(tmp_path: Path) -> None:
    store = tmp_path / "nothing"
    code, out, _ = status("--store", str(store))
    assert code == 0
    assert "none yet" in out
    assert "mirror: no run yet" in out
    assert not (store / "queue").exists()


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
