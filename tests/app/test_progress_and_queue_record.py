"""A mirror says where it is also when nothing moves; a store remembers its work queue."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest

from tmdb_collector import app
from tmdb_collector.app import _mirror
from tmdb_collector.config import Config, OptionValue, load_config
from tmdb_collector.queue import QueueCounts
from tmdb_collector.store import ObjectStore, open_object_store


def _wired(config: Config, objects: ObjectStore) -> app.Wiring:
    return app.Wiring(config, objects=objects)


class IdleQueue:
    def counts(self) -> QueueCounts:
        return QueueCounts(3, 1, 0)


async def test_progress_moments_keep_coming_when_nothing_moves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Failure 4 of issue 12 (the 299 silent seconds): the display hears from the run every
    few seconds even while no item finishes, so its log line every 10 s never goes silent."""
    monkeypatch.setattr(_mirror, "_HEARTBEAT_SECONDS", 0.02)
    moments: list[_mirror.MirrorProgress] = []
    progress = _mirror._Progress(open_object_store("memory://"), IdleQueue(), moments.append)  # type: ignore[arg-type]
    progress.start()
    progress.report("collect")
    await asyncio.sleep(0.2)
    await progress.stop("done")
    later = [moment for moment in moments[2:] if moment.phase == "collect"]
    assert len(later) >= 3
    assert later[-1].seconds > later[0].seconds
    assert later[-1].queue == QueueCounts(3, 1, 0)


async def test_an_s3_like_store_remembers_its_queue_wherever_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failure 2 of issue 12: a remote store's default queue file is relative to the working
    directory; recorded with the store (absolute), a run from elsewhere finds the same one."""
    objects = open_object_store("memory://")
    first_dir, other_dir = tmp_path / "a", tmp_path / "b"
    first_dir.mkdir()
    other_dir.mkdir()
    config = load_config(
        environ={}, options={"TMDB_STORE": OptionValue("s3://bucket/prefix", "--store")}
    )
    monkeypatch.chdir(first_dir)
    recorded = await _wired(config, objects).store_queue_spec(record=True)
    assert recorded == f"sqlite:{first_dir / 'tmdb-queue.sqlite3'}"
    body = json.loads(await objects.get(app.QUEUE_RECORD_KEY) or b"{}")
    assert body["spec"] == recorded
    monkeypatch.chdir(other_dir)
    assert await _wired(config, objects).store_queue_spec(record=False) == recorded
    assert await _wired(config, objects).store_queue_spec(record=True) == recorded


async def test_a_different_queue_given_explicitly_is_recorded_and_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The CLI's logging setup (run by other tests) stops propagation: listen on our logger.
    logger = logging.getLogger("tmdb_collector")
    logger.addHandler(caplog.handler)
    objects = open_object_store(str(tmp_path / "store"))
    default = load_config(
        environ={}, options={"TMDB_STORE": OptionValue(str(tmp_path / "store"), "--store")}
    )
    first = await _wired(default, objects).store_queue_spec(record=True)
    other = load_config(
        environ={"TMDB_QUEUE": f"sqlite:{tmp_path / 'other.sqlite3'}"},
        options={"TMDB_STORE": OptionValue(str(tmp_path / "store"), "--store")},
    )
    try:
        second = await _wired(other, objects).store_queue_spec(record=True)
    finally:
        logger.removeHandler(caplog.handler)
    assert second != first
    assert any("this store's work queue was" in record.message for record in caplog.records)
    assert await _wired(default, objects).store_queue_spec(record=False) == second
