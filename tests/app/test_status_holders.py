"""`status` says who is at work on a store: the run holding its lease, and the collector
functions on the roll call."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from app.test_mirror_fixtures import status
from tmdb_collector.app._roll_call import RollCall
from tmdb_collector.cli import main
from tmdb_collector.store import LeaseHolder, StoreLease, open_object_store


def test_a_store_at_rest_shows_nobody(tmp_path: Path) -> None:
    store = tmp_path / "data"
    open_object_store(str(store))
    report = status(store)
    assert report["lease"] is None
    assert report["collectors_at_work"] == {"instances": 0, "messages": 0}


def test_the_lease_holder_and_the_collectors_at_work_are_shown(tmp_path: Path) -> None:
    store = tmp_path / "data"
    objects = open_object_store(str(store))
    lease = StoreLease(objects, "mirror")
    entries = [RollCall(objects, 60.0, held) for held in (10, 4)]

    async def arrive() -> LeaseHolder:
        holder = await lease.acquire()
        for entry in entries:
            await entry.enter()
        return holder

    async def leave() -> None:
        await lease.release()
        for entry in entries:
            await entry.leave()

    holder = asyncio.run(arrive())
    try:
        report = status(store)
        text = CliRunner().invoke(main, ["status", "--store", str(store)]).output
    finally:
        asyncio.run(leave())
    assert report["lease"]["command"] == "mirror"
    assert report["lease"]["pid"] == holder.process.pid
    assert report["collectors_at_work"] == {"instances": 2, "messages": 14}
    assert f"in use by: `mirror` (pid {holder.process.pid}" in text
    assert "collector functions at work: 2, holding 14 messages" in text
    # Released, left: nobody is at work any more.
    after = status(store)
    assert after["lease"] is None
    assert after["collectors_at_work"]["instances"] == 0
