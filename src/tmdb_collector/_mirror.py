"""``mirror``: harvest, then collect until the queue is empty, then compact the index — one
process, the embedded queue by default. A rerun resumes: the harvester skips work still queued
(its in-flight ledger), and the collector takes up whatever the queue holds."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from tmdb_collector.collect import Collector, CollectorProgress, CollectorSettings
from tmdb_collector.harvest import Harvester, HarvestReport, HarvestSettings
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import QueueCounts, WorkQueue
from tmdb_collector.store import ObjectStore, RecordIndex, RecordStore
from tmdb_collector.tmdb import TMDBClient

__all__ = ["MirrorProgress", "MirrorReport", "run_mirror"]

_log = logging.getLogger("tmdb_collector.mirror")


@dataclass(frozen=True, slots=True)
class MirrorProgress:
    """A moment of a mirror run, for a progress display."""

    phase: str  # "harvest", "collect", "compact"
    collect: CollectorProgress | None
    queue: QueueCounts | None
    #: Items the harvest planned this run, per kind (work queued by earlier runs comes on top).
    planned: dict[Kind, int]
    seconds: float


@dataclass(slots=True)
class MirrorReport:
    harvest: HarvestReport | None
    collect: CollectorProgress | None
    stopped: bool
    seconds: float
    compacted: dict[Kind, int] = field(default_factory=dict)


async def run_mirror(
    *,
    client: TMDBClient,
    objects: ObjectStore,
    queue: WorkQueue,
    harvest_settings: HarvestSettings,
    collector_settings: CollectorSettings,
    harvest: bool = True,
    day: date | None = None,
    stop: asyncio.Event | None = None,
    on_progress: Callable[[MirrorProgress], None] | None = None,
) -> MirrorReport:
    """Harvest (unless ``harvest`` is false), collect until the queue is empty or ``stop`` is
    set, then (if not stopped) fold each kind's index fragments into its snapshot."""
    started = time.monotonic()
    stop = stop if stop is not None else asyncio.Event()
    planned: dict[Kind, int] = {}
    # The queue's counts at most once a second: on SQS each is a request.
    counted: list[tuple[float, QueueCounts]] = []

    def report(phase: str, progress: CollectorProgress | None = None) -> None:
        if on_progress is None:
            return
        now = time.monotonic()
        if not counted or now - counted[0][0] >= 1.0:
            counted[:] = [(now, queue.counts())]
        on_progress(MirrorProgress(phase, progress, counted[0][1], planned, now - started))

    harvested = None
    if harvest:
        report("harvest")
        harvested = await Harvester(client, objects, queue, harvest_settings).run(day)
        planned.update({plan.kind: plan.total for plan in harvested.plan.kinds})
    collector = Collector(client, RecordStore(objects), queue, collector_settings)
    collected = await collector.run(
        stop=stop, until_empty=True, on_progress=lambda progress: report("collect", progress)
    )
    result = MirrorReport(harvested, collected, stop.is_set(), time.monotonic() - started)
    if not result.stopped:
        report("compact", collected)
        index = RecordIndex(objects)
        for kind in Kind:
            done = await index.compact(kind)
            if done.fragments_merged:
                result.compacted[kind] = done.fragments_merged
    result.seconds = time.monotonic() - started
    return result
