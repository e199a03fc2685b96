"""``mirror``: harvest, then collect until the queue is empty, then compact the index — one
process, the embedded queue by default. A rerun resumes: the harvester skips work still queued
(its in-flight ledger), and the collector takes up whatever the queue holds."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from tmdb_collector.app._compact import compact_index
from tmdb_collector.app._lease import run_lease
from tmdb_collector.collect import Collector, CollectorProgress, CollectorSettings
from tmdb_collector.harvest import Harvester, HarvestReport, HarvestSettings
from tmdb_collector.kinds import Kind
from tmdb_collector.observe import Metrics
from tmdb_collector.queue import QueueCounts, WorkQueue
from tmdb_collector.store import (
    MIRROR_PROGRESS_KEY,
    ObjectStore,
    StoreError,
    open_record_store,
)
from tmdb_collector.tmdb import ClientSettings, TMDBClient

__all__ = [
    "COMPACT_EVERY_SECONDS",
    "PROGRESS_KEY",
    "MirrorProgress",
    "MirrorReport",
    "mirror_tmdb",
    "progress_summary",
    "run_mirror",
]

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


#: Where a mirror run's progress is kept for ``status`` (overwritten every few seconds).
PROGRESS_KEY = MIRROR_PROGRESS_KEY
_SAVE_EVERY = 5.0
#: Seconds of collecting between compactions: an hour's fragments (~1,200 at TMDB's rate) are
#: what every reader of the index (status, query, serve, the next harvest) reads one by one.
COMPACT_EVERY_SECONDS = 3600.0
#: Seconds between progress moments when nothing reports one (the display rate-limits itself).
_HEARTBEAT_SECONDS = 2.0
_DRIFT_SHOWN = 20


def progress_summary(
    progress: MirrorProgress, *, started_at: float, finished: bool, outcome: str = "running"
) -> dict[str, Any]:
    """A progress moment as JSON-ready facts, with the rate and, when the harvest said how much
    it planned, an estimate of the time left. ``outcome``: running, done, stopped (Ctrl-C or
    SIGTERM; rerun to resume) or "failed: <error>"."""
    collect = progress.collect
    done = {} if collect is None else {kind.value: n for kind, n in collect.items.items()}
    items = sum(done.values())
    seconds = 0.0 if collect is None else max(time.time() - collect.started_at_ms / 1000, 1e-3)
    rate = items / seconds if seconds else 0.0
    planned = sum(progress.planned.values())
    left = max(planned - items, 0) if planned else None
    queue = progress.queue
    return {
        "phase": progress.phase,
        "finished": finished,
        "outcome": outcome,
        "started_at": datetime.fromtimestamp(started_at, UTC).isoformat(),
        "updated_at": datetime.now(UTC).isoformat(),
        "items_done": done,
        "items_planned": {kind.value: n for kind, n in progress.planned.items()},
        "items_per_second": round(rate, 2),
        "requests": 0 if collect is None else collect.requests,
        "rate_limited": 0 if collect is None else collect.rate_limited,
        "retried": 0 if collect is None else collect.items_retried,
        "dead": 0 if collect is None else collect.items_dead,
        "errors": [] if collect is None else list(collect.errors[-5:]),
        # The most common first: a new TMDB field shows in every record of its kind.
        "schema_drift": {}
        if collect is None
        else dict(sorted(collect.drift.items(), key=lambda kv: -kv[1])[:_DRIFT_SHOWN]),
        "messages_queued": None
        if queue is None
        else queue.visible + queue.in_flight + queue.delayed,
        "eta_seconds": None if left is None or rate <= 0 or finished else round(left / rate),
    }


class _Progress:
    """A run's progress: moments for the display (``on_progress``), also every few seconds when
    nothing moves, and the latest one saved to PROGRESS_KEY for ``status``."""

    def __init__(
        self,
        objects: ObjectStore,
        queue: WorkQueue,
        on_progress: Callable[[MirrorProgress], None] | None,
    ) -> None:
        self._objects = objects
        self._queue = queue
        self._on_progress = on_progress
        self._started = time.monotonic()
        self._started_at = time.time()
        self.planned: dict[Kind, int] = {}
        # The queue's counts at most once a second: on SQS each is a request.
        self._counted: tuple[float, QueueCounts] | None = None
        self.latest = MirrorProgress("start", None, None, self.planned, 0.0)
        self._tasks: list[asyncio.Task[None]] = []

    def report(self, phase: str, progress: CollectorProgress | None = None) -> None:
        now = time.monotonic()
        if self._counted is None or now - self._counted[0] >= 1.0:
            self._counted = (now, self._queue.counts())
        moment = MirrorProgress(phase, progress, self._counted[1], self.planned, self.seconds)
        self.latest = moment
        if self._on_progress is not None:
            self._on_progress(moment)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self._started

    def start(self) -> None:
        self.report("start")
        self._tasks = [asyncio.create_task(self._keep()), asyncio.create_task(self._beat())]

    async def stop(self, outcome: str) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        # Also after a failure: `status` must not show a failed run as finished or absent.
        await self._save(finished=True, outcome=outcome)

    async def _beat(self) -> None:
        # Moments also when nothing moves (waiting out a lease, retrying): the display's log
        # line every 10 s must not go silent.
        while True:
            await asyncio.sleep(_HEARTBEAT_SECONDS)
            self.report(self.latest.phase, self.latest.collect)

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(_SAVE_EVERY)
            await self._save(finished=False)

    async def _save(self, *, finished: bool, outcome: str = "running") -> None:
        body = progress_summary(
            self.latest, started_at=self._started_at, finished=finished, outcome=outcome
        )
        try:
            await self._objects.put(PROGRESS_KEY, json.dumps(body, indent=1).encode())
        except StoreError as error:  # progress is for people; the mirror goes on without it
            _log.warning("could not save the mirror's progress: %s", error)


@dataclass(slots=True)
class MirrorReport:
    harvest: HarvestReport | None
    collect: CollectorProgress | None
    stopped: bool
    seconds: float
    compacted: dict[Kind, int] = field(default_factory=dict)
    #: Messages in the dead-letter queue when the run ended (this run's or earlier ones'): work
    #: planned and not done. A run with any is not "done" (docs/reliability.md).
    dead_letters: int = 0

    @property
    def harvest_errors(self) -> list[str]:
        """What the harvest could not read (an export, a changes window): work not planned."""
        return [] if self.harvest is None else list(self.harvest.plan.errors)

    @property
    def verdict(self) -> str:
        """``done``, ``stopped``, or ``incomplete: <why>`` — dead letters, or part of the
        input the harvest could not read: no run says "done" while work is missing."""
        if self.stopped:
            return "stopped"
        missing = []
        if self.dead_letters:
            missing.append(f"{self.dead_letters} messages in the dead-letter queue")
        if errors := self.harvest_errors:
            s = "" if len(errors) == 1 else "s"
            missing.append(f"{len(errors)} harvest error{s}: part of TMDB's input was not read")
        return "incomplete: " + "; ".join(missing) if missing else "done"

    @property
    def complete(self) -> bool:
        """Every planned item stored (or tombstoned), and everything planned that should
        have been: not stopped, nothing dead-lettered, the harvest read all it needed."""
        return self.verdict == "done"


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Leave what the process holds now out of garbage collections until the block ends.

    The collect phase makes tens of thousands of short-lived objects a second, and every full
    collection walks everything the process holds; what it holds before (modules, clients, the
    harvest's leftovers) stays for the phase, so walking it again is waste — pauses of 30-90 ms
    that delay request starts the pacer has timed. Unfrozen after, so nothing stays exempt.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


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
    metrics: Metrics | None = None,
    compact_every: float = COMPACT_EVERY_SECONDS,
) -> MirrorReport:
    """Harvest (unless ``harvest`` is false), collect until the queue is empty or ``stop`` is
    set, then (if not stopped) fold each kind's index fragments into its snapshot — also every
    ``compact_every`` seconds of collecting, so that a first mirror of days does not pile up
    fragments that every reader of the index reads. ``metrics`` receives the harvester's and
    the collector's counts (default: logged at debug level). Holds the store's run lease: a
    second run on the store is refused (StoreBusyError)."""
    async with run_lease(objects, "mirror"):
        stop = stop if stop is not None else asyncio.Event()
        progress = _Progress(objects, queue, on_progress)
        progress.start()
        outcome = "failed"
        try:
            harvested = None
            if harvest:
                progress.report("harvest")
                harvester = Harvester(client, objects, queue, harvest_settings, metrics=metrics)
                harvested = await harvester.run(day)
                progress.planned.update({plan.kind: plan.total for plan in harvested.plan.kinds})
            collector = Collector(
                client,
                await open_record_store(objects, writing=True),
                queue,
                collector_settings,
                metrics=metrics,
            )
            compacting = _Compacting(objects, compact_every)
            with _frozen_heap():
                async with compacting:
                    collected = await collector.run(
                        stop=stop,
                        until_empty=True,
                        on_progress=lambda moment: progress.report("collect", moment),
                    )
            result = MirrorReport(harvested, collected, stop.is_set(), progress.seconds)
            result.compacted = compacting.folded
            if not result.stopped:
                progress.report("compact", collected)
                for kind, folded in (await _compact(objects)).items():
                    result.compacted[kind] = result.compacted.get(kind, 0) + folded
            dead = await asyncio.to_thread(queue.dead_counts)
            result.dead_letters = dead.visible + dead.in_flight + dead.delayed
            outcome = result.verdict
            progress.report("stopped" if result.stopped else "done", collected)
        except (KeyboardInterrupt, asyncio.CancelledError):
            outcome = "stopped"  # aborted: work in flight comes back when its lease ends
            raise
        except Exception as error:
            outcome = f"failed: {error}"
            raise
        finally:
            await progress.stop(outcome)
        result.seconds = progress.seconds
        return result


class _Compacting:
    """While collecting, a compaction every ``every`` seconds (none when 0). Leaving waits for
    one under way to finish: a compaction cut short is only done again, but its lease would
    stay taken until it runs out."""

    def __init__(self, objects: ObjectStore, every: float) -> None:
        self._objects, self._every = objects, every
        self._done = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: Fragments folded per kind by the compactions while collecting.
        self.folded: dict[Kind, int] = {}

    async def __aenter__(self) -> _Compacting:
        if self._every > 0:
            self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_: object) -> None:
        self._done.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while not self._done.is_set():
            try:
                await asyncio.wait_for(self._done.wait(), self._every)
            except TimeoutError:
                try:
                    for kind, folded in (await _compact(self._objects)).items():
                        self.folded[kind] = self.folded.get(kind, 0) + folded
                except StoreError as error:  # the collection goes on; the end compacts again
                    _log.warning("compacting while collecting failed: %s", error)
                except Exception:  # a bug: logged whole, and the collection goes on
                    _log.exception("compacting while collecting failed")


async def _compact(objects: ObjectStore) -> dict[Kind, int]:
    """Fold each kind's index fragments into its snapshot (the one compaction path, holding
    the compaction lease): fragments folded per kind. A compaction already under way (``compact``,
    the compactor function) folds them instead: this run skips its own."""
    results = await compact_index(objects, command="mirror", skip_if_busy=True)
    return {kind: done.fragments_merged for kind, done in results.items() if done.fragments_merged}


async def mirror_tmdb(
    *,
    client_settings: ClientSettings,
    objects: ObjectStore,
    queue: WorkQueue,
    harvest_settings: HarvestSettings,
    collector_settings: CollectorSettings,
    harvest: bool = True,
    day: date | None = None,
    stop: asyncio.Event | None = None,
    on_progress: Callable[[MirrorProgress], None] | None = None,
    metrics: Metrics | None = None,
) -> MirrorReport:
    """``run_mirror`` with a TMDB client of its own, for surfaces that hold settings, not a
    client. The credential is required up front: a mirror without one would only fail later."""
    client_settings.require_credential()
    async with TMDBClient(client_settings) as client:
        return await run_mirror(
            client=client,
            objects=objects,
            queue=queue,
            harvest_settings=harvest_settings,
            collector_settings=collector_settings,
            harvest=harvest,
            day=day,
            stop=stop,
            on_progress=on_progress,
            metrics=metrics,
        )
