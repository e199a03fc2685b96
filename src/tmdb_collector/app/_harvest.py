"""The harvest use case: plan the day's work from TMDB's exports and changes feeds and put it on
the queue (or only plan it, for a dry run)."""

from __future__ import annotations

import contextlib
from datetime import date

from tmdb_collector.app._lease import run_lease
from tmdb_collector.app._wiring import Wiring
from tmdb_collector.harvest import (
    REASON_ORDER,
    Harvester,
    HarvestReport,
    HarvestSettings,
    check_harvest_day,
    harvest_clock,
)
from tmdb_collector.observe import Metrics
from tmdb_collector.queue import WorkQueue, check_queue_spec, sqlite_path
from tmdb_collector.store import ObjectStore
from tmdb_collector.tmdb import ClientSettings, TMDBClient

__all__ = [
    "REASON_ORDER",
    "HarvestReport",
    "harvest_day",
    "open_harvest_queue",
    "run_harvest",
]


def harvest_day(wiring: Wiring, day: date | None) -> date | None:
    """``day`` when a harvest can plan from it: today (the harvester's, UTC) or earlier; else
    FutureDayError (an InputError, exit 2), before anything is read or written."""
    return check_harvest_day(day, now_ms=harvest_clock(wiring.harvest_settings())())


def open_harvest_queue(
    wiring: Wiring, spec: str, *, dry_run: bool
) -> tuple[WorkQueue | None, bool]:
    """The queue a harvest sends to, and whether it is missing. A dry run sends nothing, but
    asks the queue whether it holds work (the in-flight ledger is only believed for a queue
    that does); a queue file that does not exist holds none, and is not created."""
    file = sqlite_path(check_queue_spec(spec))
    missing = dry_run and file is not None and not file.exists()
    readable = not dry_run or (file is not None and not missing)
    return (wiring.open_queue(spec) if readable else None), missing


async def run_harvest(
    *,
    client_settings: ClientSettings,
    objects: ObjectStore,
    queue: WorkQueue | None,
    settings: HarvestSettings,
    day: date | None = None,
    dry_run: bool = False,
    force_deletions: bool = False,
    metrics: Metrics | None = None,
    queue_missing: bool = False,
) -> HarvestReport:
    """One harvest with its own TMDB client; ``queue`` None only for a dry run. ``metrics``
    receives what was planned and enqueued (default: logged at debug level). ``queue_missing``:
    a dry run given no queue because none exists (nothing can be in flight). A real harvest
    holds the store's run lease (a second run on the store is refused); a dry run changes
    nothing and needs none."""
    lease = contextlib.nullcontext() if dry_run else run_lease(objects, "harvest")
    async with lease, TMDBClient(client_settings) as client:
        harvester = Harvester(
            client, objects, queue, settings, metrics=metrics, queue_missing=queue_missing
        )
        return await harvester.run(day, dry_run=dry_run, force_deletions=force_deletions)
