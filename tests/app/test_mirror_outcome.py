"""A mirror run's saved progress says how it ended — done, stopped or failed with its error —
so `status` never shows a stopped or failed run as finished or as no run at all."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from app.test_mirror_fixtures import KEY, status
from collect.conftest import FAST_RETRY
from conftest import FAKE_TODAY
from tmdb_collector.app import PROGRESS_KEY, _mirror, run_mirror
from tmdb_collector.cli import main
from tmdb_collector.collect import CollectorSettings
from tmdb_collector.fake import FakeSettings, FakeTMDB, FixtureCatalog
from tmdb_collector.harvest import HarvestSettings
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import SQLiteWorkQueue
from tmdb_collector.store import ObjectStore, StoreError, open_object_store
from tmdb_collector.tmdb import ClientSettings, Credential, TMDBClient


@pytest.fixture
def fake(shared_fixtures: Path) -> Iterator[FakeTMDB]:
    server = FakeTMDB(FixtureCatalog(shared_fixtures), FakeSettings(), today=lambda: FAKE_TODAY)
    with server.run_in_thread() as running:
        yield running


class RecordsFail:
    """A store whose record writes fail (a full disk), while small state objects still fit."""

    def __init__(self, inner: ObjectStore) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def put(self, key: str, data: bytes) -> None:
        if key.startswith(("records/", "segments/")):
            raise StoreError(f"{self._inner.url}: No space left on device writing {key}")
        await self._inner.put(key, data)

    async def create(self, key: str, data: bytes) -> bool:
        if key.startswith(("records/", "segments/")):
            raise StoreError(f"{self._inner.url}: No space left on device writing {key}")
        return bool(await self._inner.create(key, data))


def mirror(fake: FakeTMDB, objects: ObjectStore, store: Path, *, stop: bool = False) -> None:
    queue = SQLiteWorkQueue(store / "queue" / "work.sqlite3")

    async def run() -> None:
        settings = ClientSettings(
            credential=Credential(KEY), api_url=fake.url, exports_url=fake.url, rate_limit=1000.0
        )
        event = asyncio.Event()
        if stop:
            event.set()
        async with TMDBClient(settings, retry=FAST_RETRY) as client:
            await run_mirror(
                client=client,
                objects=objects,
                queue=queue,
                harvest_settings=HarvestSettings(refresh_per_run=0),
                collector_settings=CollectorSettings(retry_delay_seconds=0),
                day=FAKE_TODAY,
                stop=event,
            )

    try:
        asyncio.run(run())
    finally:
        queue.close()


def saved(store: Path) -> dict[str, Any]:
    progress: dict[str, Any] = json.loads((store / PROGRESS_KEY).read_text())
    return progress


def status_text(store: Path) -> str:
    result = CliRunner().invoke(main, ["status", "--store", str(store)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_stopped_run_is_shown_as_stopped(fake: FakeTMDB, tmp_path: Path) -> None:
    store = tmp_path / "data"
    mirror(fake, open_object_store(str(store)), store, stop=True)
    assert saved(store)["outcome"] == "stopped"
    assert "mirror: stopped before the end" in status_text(store)


def test_a_failed_run_is_shown_as_failed_with_its_error(fake: FakeTMDB, tmp_path: Path) -> None:
    store = tmp_path / "data"
    with pytest.raises(StoreError, match="No space left"):
        mirror(fake, RecordsFail(open_object_store(str(store))), store)  # type: ignore[arg-type]
    assert saved(store)["outcome"].startswith("failed: ")
    assert "No space left on device" in saved(store)["outcome"]
    text = status_text(store)
    assert "mirror: failed: " in text
    assert "no run yet" not in text
    assert status(store)["mirror"]["finished"] is True


def test_a_finished_run_is_shown_as_finished(fake: FakeTMDB, tmp_path: Path) -> None:
    store = tmp_path / "data"
    mirror(fake, open_object_store(str(store)), store)
    assert saved(store)["outcome"] == "done"
    assert "mirror: finished" in status_text(store)


def _mirror_compacting(fake: FakeTMDB, store: Path, objects: ObjectStore) -> _mirror.MirrorReport:
    """A mirror of the fake in messages of 2 items, compacting every half second."""
    queue = SQLiteWorkQueue(store / "queue" / "work.sqlite3")

    async def run() -> _mirror.MirrorReport:
        settings = ClientSettings(
            credential=Credential(KEY), api_url=fake.url, exports_url=fake.url, rate_limit=8.0
        )
        async with TMDBClient(settings, retry=FAST_RETRY) as client:
            return await run_mirror(
                client=client,
                objects=objects,
                queue=queue,
                harvest_settings=HarvestSettings(refresh_per_run=0, batch_size=2),
                collector_settings=CollectorSettings(retry_delay_seconds=0),
                day=FAKE_TODAY,
                compact_every=0.5,
            )

    try:
        return asyncio.run(run())
    finally:
        queue.close()


def test_a_long_collection_is_compacted_as_it_goes(
    fake: FakeTMDB, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first mirror of days would pile up index fragments that every reader of the index
    reads one by one: the run compacts every ``compact_every`` seconds of collecting too."""

    store = tmp_path / "store"
    objects = open_object_store(str(store))
    during: list[int] = []
    real = _mirror._compact

    async def counted(target: ObjectStore) -> dict[Kind, int]:
        folded = await real(target)
        during.append(sum(folded.values()))
        return folded

    monkeypatch.setattr(_mirror, "_compact", counted)

    report = _mirror_compacting(fake, store, objects)
    assert report.verdict == "done"
    assert len(during) >= 2, during  # at least one while collecting, and the last
    assert sum(during[:-1]) > 0  # ... which folded fragments the collection had written
    assert sum(report.compacted.values()) == sum(during)
    assert "mirror: finished" in status_text(store)


def test_a_compaction_that_fails_while_collecting_stops_neither_the_run_nor_the_next(
    fake: FakeTMDB,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A compaction while collecting that fails with a bug (not a store error) is logged with
    its traceback; the collection goes on, later compactions run, and the run ends done."""
    store = tmp_path / "store"
    objects = open_object_store(str(store))
    calls: list[str] = []
    real = _mirror._compact

    async def failing_first(target: ObjectStore) -> dict[Kind, int]:
        calls.append("call")
        if len(calls) == 1:
            raise ValueError("a bug in the compaction")
        return await real(target)

    monkeypatch.setattr(_mirror, "_compact", failing_first)

    with caplog.at_level(logging.ERROR, logger="tmdb_collector.mirror"):
        report = _mirror_compacting(fake, store, objects)
    assert report.verdict == "done"
    assert len(calls) >= 3, calls  # the failed one, one more while collecting, and the last
    [failed] = [r for r in caplog.records if r.getMessage() == "compacting while collecting failed"]
    assert failed.exc_info is not None
    assert "a bug in the compaction" in str(failed.exc_info[1])
