"""The harvest: plan every kind, put the work on the queue, then remember what was done.

Order matters for at-least-once: the work is enqueued first, then the in-flight ledgers, then
the watermarks. A crash in between makes the next run plan some work again (collectors find it
unchanged), never lose it (docs/harvest.md, "Crash safety").
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

# pyarrow ships no type information (no py.typed): its objects are Any to mypy.
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from tmdb_collector.errors import InputError, TMDBCollectorError
from tmdb_collector.harvest._ids import iter_ids
from tmdb_collector.harvest._plan import KindPlan, KindPlanner
from tmdb_collector.harvest._settings import HarvestSettings
from tmdb_collector.harvest._state import IN_FLIGHT_SCHEMA, HarvestState, Watermark
from tmdb_collector.kinds import ADULT_EXPORT_NAMES, CHANGES_KINDS, EXPORT_NAMES, Kind
from tmdb_collector.observe import LogSink, Metrics
from tmdb_collector.queue import WorkQueue, pack_keys
from tmdb_collector.store import TMDB_CONFIGURATION_KEY, ObjectStore, RecordIndex
from tmdb_collector.tmdb import (
    AuthenticationError,
    ConfigurationError,
    ExportNotFoundError,
    TMDBClient,
    TMDBError,
)

__all__ = [
    "FutureDayError",
    "HarvestPlan",
    "HarvestReport",
    "Harvester",
    "check_harvest_day",
    "harvest_clock",
]

_log = logging.getLogger("tmdb_collector.harvest")
#: TMDB's configuration is fetched again when the kept one is older than this.
_CONFIGURATION_MAX_AGE_MS = 86_400_000

#: Message bodies handed to the queue per call (the queue splits them into its own batches).
_SEND_CHUNK = 500
#: How far back ``find_export`` looks when a day's export is not published (yet).
_EXPORT_DAYS_BACK = 3


class FutureDayError(InputError):
    """A harvest asked for a day after today: TMDB has no export and no changes for it yet."""


def harvest_clock(settings: HarvestSettings) -> Callable[[], int]:
    """The harvester's clock (epoch ms): the system's, moved to HARVEST_TODAY when set."""
    if settings.today is None:
        return _wall_clock_ms
    shift = (settings.today - datetime.now(UTC).date()).days * 86_400_000
    return lambda: _wall_clock_ms() + shift


def check_harvest_day(day: date | None, *, now_ms: int | None = None) -> date | None:
    """``day`` itself when a harvest can plan from it (today, UTC, or earlier), else
    FutureDayError — raised before anything is read or written, so a typo'd year can never
    move a watermark into the future. ``now_ms``: the harvester's clock (``harvest_clock``)."""
    if day is None:
        return None
    today = datetime.fromtimestamp((now_ms or _wall_clock_ms()) / 1000, UTC).date()
    if day > today:
        raise FutureDayError(
            f"--date {day} is after today ({today}, UTC): TMDB publishes a day's export the "
            "morning after, and has no changes for a day to come; give today or an earlier day"
        )
    return day


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(slots=True)
class HarvestPlan:
    """Every kind's plan for one harvest day; nothing enqueued yet."""

    day: date
    planned_at_ms: int
    kinds: list[KindPlan]
    planners: dict[Kind, KindPlanner] = field(default_factory=dict, repr=False)
    #: Watermarks as they were when planning began.
    watermarks: dict[Kind, Watermark] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(plan.total for plan in self.kinds)

    @property
    def errors(self) -> list[str]:
        return [f"{plan.kind}: {error}" for plan in self.kinds for error in plan.errors]


@dataclass(frozen=True, slots=True)
class HarvestReport:
    """What a harvest did: its plan, and how much went on the queue."""

    plan: HarvestPlan
    items_enqueued: int
    messages_sent: int
    dry_run: bool
    seconds: float

    def summary(self) -> dict[str, object]:
        return {
            "day": self.plan.day.isoformat(),
            "started_at": _iso_ms(self.plan.planned_at_ms),
            "dry_run": self.dry_run,
            "items_enqueued": self.items_enqueued,
            "messages_sent": self.messages_sent,
            "seconds": round(self.seconds, 3),
            "kinds": [plan.summary() for plan in self.plan.kinds],
        }


class Harvester:
    """Plans and enqueues a day's work for the kinds in ``settings``.

    ``client`` must be open (``async with``); the queue is synchronous and is called from a
    worker thread. ``now_ms`` and ``today`` are for tests. ``metrics`` receives what was planned
    and sent (docs/observability.md), flushed at the end of ``run``; by default they are logged
    at DEBUG.
    """

    def __init__(
        self,
        client: TMDBClient,
        objects: ObjectStore,
        queue: WorkQueue | None,
        settings: HarvestSettings,
        *,
        now_ms: Callable[[], int] | None = None,
        metrics: Metrics | None = None,
        queue_missing: bool = False,
    ) -> None:
        self._client = client
        self._objects = objects
        self._index = RecordIndex(objects)
        self._state = HarvestState(objects)
        self._queue = queue
        self._settings = settings
        self._now_ms = now_ms if now_ms is not None else harvest_clock(settings)
        self._metrics = metrics if metrics is not None else Metrics(LogSink())
        # No queue to ask (a dry run) because none exists: nothing can be in flight.
        self._queue_missing = queue_missing

    async def run(
        self, day: date | None = None, *, dry_run: bool = False, force_deletions: bool = False
    ) -> HarvestReport:
        """Plan, then (unless ``dry_run``) enqueue and save the state."""
        started = time.monotonic()
        try:
            plan = await self.plan(day, force_deletions=force_deletions)
            if dry_run:
                report = HarvestReport(plan, 0, 0, True, time.monotonic() - started)
            else:
                items, messages = await self.enqueue(plan)
                report = HarvestReport(plan, items, messages, False, time.monotonic() - started)
                await self._state.save_run(report.summary(), plan.planned_at_ms)
                if not plan.errors:
                    await self._keep_configuration(plan.planned_at_ms)
            self._metrics.timing("harvest.seconds", report.seconds)
            return report
        finally:
            self._metrics.flush()

    async def _keep_configuration(self, now_ms: int) -> None:
        """Keep TMDB's ``/3/configuration`` in the store (``serve`` answers it), fetched again
        once a day: one request. Not getting it is said and is no failure of the harvest."""
        kept = await self._objects.get(TMDB_CONFIGURATION_KEY)
        try:
            fetched_at = json.loads(kept)["fetched_at_ms"] if kept is not None else None
        except (ValueError, TypeError, KeyError):
            fetched_at = None
        if isinstance(fetched_at, int) and now_ms - fetched_at < _CONFIGURATION_MAX_AGE_MS:
            return
        try:
            configuration = await self._client.configuration()
        except TMDBCollectorError as error:
            _log.warning("TMDB's configuration not kept (serve answers the last kept): %s", error)
            return
        document = {"fetched_at_ms": now_ms, "configuration": configuration}
        await self._objects.put(TMDB_CONFIGURATION_KEY, json.dumps(document).encode())

    # --- planning ------------------------------------------------------------------------------

    async def plan(self, day: date | None = None, *, force_deletions: bool = False) -> HarvestPlan:
        now_ms = self._now_ms()
        day = (
            check_harvest_day(day, now_ms=now_ms)
            or datetime.fromtimestamp(now_ms / 1000, UTC).date()
        )
        watermarks = {
            kind: _sane(kind, mark) for kind, mark in (await self._state.watermarks()).items()
        }
        holds_work = await self._queue_holds_work()
        # The changes feeds are small and paced: read them while the exports stream.
        feeds = {
            kind: asyncio.create_task(self._read_changes(kind, watermarks.get(kind), day))
            for kind in self._settings.kinds
            if kind in CHANGES_KINDS
        }
        try:
            plans: list[KindPlan] = []
            planners: dict[Kind, KindPlanner] = {}
            for kind in self._settings.kinds:
                planner = KindPlanner(
                    kind, self._settings, now_ms=now_ms, force_deletions=force_deletions
                )
                await self._plan_kind(
                    planner, day, watermarks.get(kind), feeds.get(kind), holds_work
                )
                plans.append(planner.plan)
                planners[kind] = planner
        finally:
            for task in feeds.values():
                task.cancel()
            await asyncio.gather(*feeds.values(), return_exceptions=True)
        return HarvestPlan(day, now_ms, plans, planners, watermarks)

    async def _plan_kind(
        self,
        planner: KindPlanner,
        day: date,
        watermark: Watermark | None,
        feed: asyncio.Task[_Changes] | None,
        queue_holds_work: bool | None,
    ) -> None:
        kind, plan = planner.plan.kind, planner.plan
        _log.info("harvest %s: reading the index and the in-flight ledger", kind)
        stored = await self._index.table(kind, columns=["deleted", "adult"])
        ledger = await self._state.in_flight(kind)
        if queue_holds_work is False and ledger.num_rows:
            # The ledger says what was sent to the queue; a queue that holds nothing holds none
            # of it: done (confirmed in the index, so not planned again), or lost with a queue
            # file, expired, dead-lettered — and then it must be planned again, not waited for.
            # All of it done is every run after a complete mirror: nothing to say then.
            lost = _not_stored(ledger, stored)
            if lost:
                plan.notes.append(
                    f"the queue holds no work, but {lost:,} of the {ledger.num_rows:,} items "
                    "the in-flight ledger listed are not in the store (their messages were "
                    "lost with a queue file, expired or dead-lettered): planned again"
                )
            ledger = IN_FLIGHT_SCHEMA.empty_table()
        planner.stored(stored, ledger)
        del stored
        pa.default_memory_pool().release_unused()  # reading Parquet leaves much to reuse
        await self._read_exports(planner, day)
        changes, reconcile = None, False
        if feed is not None:
            result = await feed
            changes, reconcile = self._judge_changes(plan, result, watermark, day)
        planner.finish(changes=changes, reconcile=reconcile)
        for reason, ids in plan.sequence():
            self._metrics.count("harvest.items_planned", len(ids), kind=kind, reason=reason)
        self._metrics.count("harvest.errors", len(plan.errors), kind=kind)
        # Arrow's allocator keeps freed memory for reuse; the next kind needs less than this one.
        pa.default_memory_pool().release_unused()
        _log.info(
            "harvest %s: %s",
            kind,
            ", ".join(f"{reason} {len(ids):,}" for reason, ids in plan.sequence())
            or "nothing to do",
        )

    async def _queue_holds_work(self) -> bool | None:
        """Whether the queue holds any message (waiting, in flight or delayed); None when
        there is no queue to ask (a dry run given none)."""
        if self._queue is None:
            return False if self._queue_missing else None
        counts = await asyncio.to_thread(self._queue.counts)
        return counts.visible + counts.in_flight + counts.delayed > 0

    async def _read_exports(self, planner: KindPlanner, day: date) -> None:
        kind = planner.plan.kind
        names = [EXPORT_NAMES[kind]]
        if self._settings.adult == "include" and kind in ADULT_EXPORT_NAMES:
            names.append(ADULT_EXPORT_NAMES[kind])
        lines = duplicates = malformed = 0
        used: date | None = None
        for name in names:
            try:
                file = await self._client.find_export(name, day, _EXPORT_DAYS_BACK)
            except ExportNotFoundError as error:
                planner.plan.errors.append(f"{error}; no new or deleted {kind} records this run")
                return
            if file.date != day:
                planner.plan.notes.append(
                    f"the {name} export of {day} is not published (yet): using {file.date}'s"
                )
            used = file.date if used is None else min(used, file.date)
            async with self._client.stream_export(file) as stream:
                async for batch in stream.batches():
                    planner.export(batch)
                report = stream.report
            lines += report.lines
            duplicates += report.duplicates
            malformed += report.malformed
            if report.duplicates:
                planner.plan.notes.append(f"{report.duplicates:,} duplicate ids in {name} skipped")
            if report.malformed:
                planner.plan.notes.append(f"{report.malformed:,} malformed lines in {name} skipped")
        assert used is not None  # noqa: S101 (names is never empty)
        planner.export_read(used, lines, duplicates, malformed)

    async def _read_changes(self, kind: Kind, watermark: Watermark | None, day: date) -> _Changes:
        """The changes since the watermark, when there is one within CHANGES_MAX_GAP_DAYS."""
        if watermark is None or not (
            0 <= (day - watermark.through).days <= self._settings.max_changes_gap_days
        ):
            return _Changes()
        changed: dict[int, bool | None] = {}
        try:
            async for item in self._client.changes(kind, watermark.through, day):
                changed[item.id] = item.adult
        except (AuthenticationError, ConfigurationError):
            raise  # the whole harvest stops: no other request would fare better
        except TMDBError as error:
            return _Changes(error=str(error))
        return _Changes(changed, watermark.through, day)

    def _judge_changes(
        self, plan: KindPlan, result: _Changes, watermark: Watermark | None, day: date
    ) -> tuple[dict[int, bool | None] | None, bool]:
        """What the changes feed gives this run: ids changed, or a reconciliation."""
        limit = self._settings.max_changes_gap_days
        if watermark is None:
            plan.watermark = day
            if plan.stored == 0:
                plan.notes.append("first harvest: every record is new")
                return None, False
            plan.notes.append(
                f"no changes watermark although {plan.stored:,} records are stored: "
                "reconciling (refetching every stored record)"
            )
            return None, True
        gap = (day - watermark.through).days
        if gap < 0:
            plan.notes.append(f"changes already read through {watermark.through}: none read")
            return None, False
        if gap > limit:
            plan.watermark = day
            plan.notes.append(
                f"changes last read through {watermark.through}, {gap} days ago: more than "
                f"CHANGES_MAX_GAP_DAYS={limit}, so every stored record is refetched "
                "(full reconciliation)"
            )
            return None, True
        if result.error is not None:
            plan.errors.append(f"changes feed not read ({result.error}); watermark kept")
            return None, False
        plan.changes_from, plan.changes_through = result.start, result.end
        plan.watermark = day
        return result.changed, False

    # --- enqueueing ----------------------------------------------------------------------------

    async def enqueue(self, plan: HarvestPlan) -> tuple[int, int]:
        """Send the plan's work, then save ledgers and watermarks; (items, messages) sent."""
        if self._queue is None:
            raise ValueError("this Harvester has no queue: it can only plan (dry run)")
        items = messages = 0
        chunk: list[str] = []
        for body, count in _interleaved(plan, self._settings):
            chunk.append(body)
            items += count
            if len(chunk) >= _SEND_CHUNK:
                messages += await asyncio.to_thread(self._queue.send, chunk)
                chunk = []
        if chunk:
            messages += await asyncio.to_thread(self._queue.send, chunk)
        self._metrics.count("harvest.items_enqueued", items)
        self._metrics.count("harvest.messages_sent", messages)
        for kind, planner in plan.planners.items():
            await self._state.save_in_flight(kind, planner.planned_ledger(plan.planned_at_ms))
            pa.default_memory_pool().release_unused()
        marks = dict(plan.watermarks)
        for kind_plan in plan.kinds:
            # A kind that could not be planned in full keeps its watermark: the next run reads
            # its changes again (the in-flight ledger dedupes what this one sent).
            if kind_plan.watermark is not None and not kind_plan.errors:
                marks[kind_plan.kind] = Watermark(kind_plan.watermark, plan.planned_at_ms)
        if marks != plan.watermarks:
            await self._state.save_watermarks(marks)
        _log.info("harvest: %s items enqueued in %s messages", f"{items:,}", f"{messages:,}")
        return items, messages


def _sane(kind: Kind, mark: Watermark) -> Watermark:
    """A watermark no later than the day it was written. Earlier releases let a harvest
    for a future --date write one ("read through 2099-01-01"), after which the changes feed
    of its kind was never read again: such a watermark is read as the day it was written."""
    written = datetime.fromtimestamp(mark.updated_at_ms / 1000, UTC).date()
    if mark.through <= written:
        return mark
    _log.warning(
        "the %s changes watermark says read through %s, a day after it was written (%s): "
        "changes are read again from %s",
        kind,
        mark.through,
        written,
        written,
    )
    return Watermark(written, mark.updated_at_ms)


@dataclass(frozen=True, slots=True)
class _Changes:
    changed: dict[int, bool | None] = field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    error: str | None = None


@dataclass(slots=True)
class _Stream:
    bodies: Iterator[tuple[str, int]]
    total: int
    sent: int = 0


def _not_stored(ledger: pa.Table, stored: pa.Table) -> int:
    """Ledger entries with no index row: work sent that no collector stored."""
    found = pc.is_in(ledger.column("id"), value_set=stored.column("id").combine_chunks())
    return int(ledger.num_rows - pc.sum(found).as_py())


def _interleaved(plan: HarvestPlan, settings: HarvestSettings) -> Iterator[tuple[str, int]]:
    """(body, items) for every kind's work, the kinds interleaved so each advances at the same
    pace: a first mirror gets the most popular movies, series and people first, not all the
    movies before the first series."""
    streams = [
        _Stream(_bodies(kind_plan, plan.planned_at_ms, settings), kind_plan.total)
        for kind_plan in plan.kinds
        if kind_plan.total
    ]
    while streams:
        stream = min(streams, key=lambda s: s.sent / s.total)
        body_and_count = next(stream.bodies, None)
        if body_and_count is None:
            streams.remove(stream)
            continue
        stream.sent += body_and_count[1]
        yield body_and_count


def _bodies(plan: KindPlan, at_ms: int, settings: HarvestSettings) -> Iterator[tuple[str, int]]:
    """(body, items) of WORK_BATCH_SIZE ids each: a count of keys that always fits a message
    (HarvestSettings caps it), so every body but a reason's last holds exactly that many."""
    size = settings.batch_size
    for reason, ids in plan.sequence():
        keys = map(str, iter_ids(ids))
        remaining = len(ids)
        for body in pack_keys(
            plan.kind,
            reason,
            keys,
            enqueued_at_ms=at_ms,
            confirm=settings.confirm_deletions,
            max_items=size,
        ):
            count = min(size, remaining)
            remaining -= count
            yield body, count


def _iso_ms(at_ms: int) -> str:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=at_ms)).isoformat()
