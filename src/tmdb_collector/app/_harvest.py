"""The harvest use case: plan the day's work from TMDB's exports and changes feeds and put it on
the queue (or only plan it, for a dry run)."""

from __future__ import annotations

import contextlib
from datetime import date

from tmdb_collector.harvest import Harvester, HarvestReport, HarvestSettings
from tmdb_collector.observe import Metrics
from tmdb_collector.queue import WorkQueue
from tmdb_collector.store import ObjectStore, StoreLease
from tmdb_collector.tmdb import ClientSettings, TMDBClient

__all__ = ["run_harvest"]


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
    holds the store's lease (a second run on the store is refused); a dry run changes nothing
    and needs none."""
    lease = contextlib.nullcontext() if dry_run else StoreLease(objects, "harvest")
    async with lease, TMDBClient(client_settings) as client:
        harvester = Harvester(
            client, objects, queue, settings, metrics=metrics, queue_missing=queue_missing
        )
        return await harvester.run(day, dry_run=dry_run, force_deletions=force_deletions)
