"""Freshness on AWS: a change TMDB lists in a changes feed is in the store by the end of the next
scheduled harvest and its collection — within two collection intervals of the change (one
until the harvest runs, one to collect: docs/harvest.md, "Freshness"). The fake TMDB's clock is
advanced a day by the test, and the harvester's with it (HARVEST_TODAY)."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from aws.conftest import COUNTS, SECRET, Context, Deployment, event
from tmdb_collector.aws import _runtime
from tmdb_collector.aws.handlers import harvest
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.harvest import HarvestState
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import SQSWorkQueue
from tmdb_collector.store import RecordIndex, open_object_store

pytestmark = pytest.mark.aws


class Today:
    def __init__(self) -> None:
        self.day = datetime.now(UTC).date()

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def daily(deployment: Deployment) -> Iterator[tuple[Deployment, Today]]:
    """The deployment, with a fake TMDB whose days the test turns."""
    today = Today()
    catalog = SyntheticCatalog(COUNTS | {Kind.MOVIE: 80}, seed=11)  # enough for a day's changes
    fake = FakeTMDB(catalog, FakeSettings(api_key=SECRET), today=today)
    with fake.run_in_thread() as running:
        yield Deployment(running, deployment.queue, deployment.store, deployment.environ), today


def _index(store: str) -> dict[int, dict[str, Any]]:
    table = asyncio.run(RecordIndex(open_object_store(store)).table(Kind.MOVIE))
    return {row["id"]: row for row in table.to_pylist()}


def _listed(url: str, day: date) -> set[int]:
    query = f"start_date={day}&end_date={day}&api_key={SECRET}"
    with urllib.request.urlopen(f"{url}/3/movie/changes?{query}") as answer:  # noqa: S310 (our fake)
        return {entry["id"] for entry in json.load(answer)["results"]}


def test_a_listed_change_is_stored_by_the_next_harvest_and_its_collection(
    daily: tuple[Deployment, Today], monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment, today = daily
    monkeypatch.setenv("TMDB_API_URL", deployment.fake.url)
    monkeypatch.setenv("TMDB_EXPORTS_URL", deployment.fake.url)
    _runtime.reset_runtime()
    harvest.handler(event("scheduler-harvest.json"), Context())
    deployment.drain()
    before = _index(deployment.store)
    assert before

    deployment.fake.advance(1)  # TMDB changes records on the next day and lists them
    today.day += timedelta(days=1)
    monkeypatch.setenv("HARVEST_TODAY", today.day.isoformat())
    _runtime.reset_runtime()
    started = time.time()
    summary = harvest.handler(event("scheduler-harvest.json"), Context())
    deployment.drain()
    after = _index(deployment.store)

    listed = _listed(deployment.fake.url, today.day) & set(before)
    assert listed, "the day changed no stored movie: the test proves nothing"
    [movie] = [plan for plan in summary["kinds"] if plan["kind"] == "movie"]
    assert movie["changes_through"] == today.day.isoformat()
    for movie_id in listed:
        checked = after[movie_id]["checked_at"].timestamp()
        assert checked >= started - 1, movie_id  # fetched again after the change
    assert any(after[i]["content_hash"] != before[i]["content_hash"] for i in listed)
    marks = asyncio.run(HarvestState(open_object_store(deployment.store)).watermarks())
    assert marks[Kind.MOVIE].through == today.day
    assert SQSWorkQueue(deployment.queue.url).dead_counts().total == 0
