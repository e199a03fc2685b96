"""The collector: takes work messages off the queue, fetches their records, stores them.

Per message: decode it, fetch every item (concurrently, through the one client and its pacer),
write every record fetched in one ``write_batch`` (in chunks when huge), put failed items back
on the queue (or on the dead-letter queue when they are out of attempts, or cannot succeed),
and only then delete the message. A crash anywhere in between redelivers the message, and the
store writes nothing for content it already has: the work is idempotent.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tmdb_collector.collect._fetch import FetchedItem, ItemFetcher
from tmdb_collector.collect._plan import MalformedResponseError
from tmdb_collector.collect._settings import CollectorSettings
from tmdb_collector.errors import ConfigurationError
from tmdb_collector.kinds import InvalidKeyError, Kind
from tmdb_collector.observe import LogSink, Metrics, Unit
from tmdb_collector.queue import (
    InvalidMessageError,
    MalformedMessageError,
    QueueCounts,
    QueueError,
    QueueMessage,
    WorkBatch,
    WorkItem,
    WorkQueue,
    decode_batch,
    pack_items,
)
from tmdb_collector.store import EncodedWrite, RecordDeletion, RecordStore, RecordWrite
from tmdb_collector.tmdb import (
    AuthenticationError,
    ClientStats,
    TMDBAPIError,
    TMDBClient,
    TMDBError,
    TransientError,
)

__all__ = ["Collector", "CollectorProgress", "QueueWait"]

_log = logging.getLogger("tmdb_collector.collect")

#: Records per write_batch: a message of 100 long series can hold tens of thousands.
WRITE_CHUNK = 1000
#: A message whose consumers stopped before finishing it this many times (each a crash, a kill
#: or a lease run out) is split in two: if one record stops every consumer, halving isolates it
#: and lets the others through; a lone item that keeps stopping them goes, at MAX_EXPIRIES, to
#: the dead-letter queue (something in it may be what stops them).
SPLIT_AFTER_EXPIRIES = 3
MAX_EXPIRIES = 10
#: Error texts the progress keeps (the newest).
KEPT_ERRORS = 20
#: A recorded error is cut to what a person reads in the dead-letter queue (as pack_items does).
_ERROR_CHARS = 2000
#: Seconds between metrics flushes in a long run (each at the end of a message); a run of less
#: flushes once, at its end: one EMF document per Lambda invocation.
METRICS_FLUSH_SECONDS = 60.0


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class QueueWait:
    """Nothing left to work on here, but the queue is not empty yet: a run ``until_empty``
    waits for these messages. In flight: received by another consumer — one at work, or one
    that stopped without finishing (a killed run, a receive whose answer an outage lost), whose
    messages come back when their visibility timeout ends. Delayed: retries not due yet."""

    in_flight: int
    delayed: int
    #: Others the queue counts as visible but did not deliver (SQS's counts lag).
    visible: int
    since_ms: int
    #: When a message held by a consumer that had stopped before the wait began is back at the
    #: latest: one visibility timeout after the wait began.
    back_by_ms: int


@dataclass(slots=True)
class CollectorProgress:
    """What a collector run did so far. ``Collector`` hands out copies."""

    started_at_ms: int
    #: Messages finished and deleted (malformed ones included).
    messages: int = 0
    #: Message bodies that were no work batch, moved to the dead-letter queue as they were.
    messages_dead: int = 0
    #: Items whose records were all stored, per item kind.
    items: dict[Kind, int] = field(default_factory=dict)
    #: Items put back on the queue with attempt + 1, after a failure that may pass.
    items_retried: int = 0
    #: Items put on the dead-letter queue: out of attempts, or failed in a way no retry fixes.
    items_dead: int = 0
    #: Messages received again after a consumer stopped before finishing them, put back on the
    #: queue as new messages (their receive count starts over: a crash is no failure).
    messages_renewed: int = 0
    #: Records written per kind and outcome (created, updated, revived, deleted, unchanged,
    #: stale, absent, rejected).
    records: dict[Kind, dict[str, int]] = field(default_factory=dict)
    #: Requests the stored items needed, per item kind, not counting the client's retries.
    item_requests: dict[Kind, int] = field(default_factory=dict)
    #: Requests sent (retries included) and 429s received, from the client's counters.
    requests: int = 0
    rate_limited: int = 0
    #: Seasons a series listed that no answer held (TMDB's answers disagreed with themselves).
    missing_seasons: int = 0
    #: Lease extensions of messages that took long.
    leases_extended: int = 0
    #: The newest error texts.
    errors: list[str] = field(default_factory=list)
    #: Schema drift in the records written: "kind: drift kind path" -> records showing it.
    drift: dict[str, int] = field(default_factory=dict)
    #: What the run waits for while it has nothing to work on (None while it has).
    waiting: QueueWait | None = None

    @property
    def items_failed(self) -> int:
        return self.items_retried + self.items_dead

    def written(self, kind: Kind, change: str) -> int:
        return self.records.get(kind, {}).get(change, 0)

    def add_error(self, text: str) -> None:
        self.errors.append(text[:_ERROR_CHARS])
        del self.errors[:-KEPT_ERRORS]


@dataclass(eq=False, slots=True)
class _Lease:
    message: QueueMessage
    extended_at: float
    #: Set once the message's results are being stored: from then on it is finished, not
    #: abandoned, when the run stops.
    committing: bool = False


@dataclass(eq=False, slots=True)
class _Run:
    """One run's moving parts."""

    slots: asyncio.Semaphore
    stop: asyncio.Event
    until_empty: bool
    on_progress: Callable[[CollectorProgress], None] | None
    running: dict[asyncio.Task[None], _Lease] = field(default_factory=dict)
    #: Set when a message's fetching ends and its commit begins: its place is free for the next.
    fetched: asyncio.Event = field(default_factory=asyncio.Event)
    #: Loop time of the last metrics flush.
    flushed_at: float = 0.0
    stopping: asyncio.Task[None] = field(init=False)


async def _wait_for(event: asyncio.Event) -> None:
    await event.wait()


@dataclass(slots=True)
class _Outcome:
    item: WorkItem
    fetched: FetchedItem | None = None
    error: str | None = None
    #: A failure no retry can fix: straight to the dead-letter queue.
    permanent: bool = False


class Collector:
    """Works queue messages until the queue is empty or ``stop`` is set (docs/collector.md).

    ``client`` must be open; every request of the collector goes through it, so through its
    pacer. ``now_ms`` stamps fetches and deletions. ``metrics`` receives the counts an operator
    graphs (docs/observability.md); by default they are logged at DEBUG.
    """

    def __init__(
        self,
        client: TMDBClient,
        records: RecordStore,
        queue: WorkQueue,
        settings: CollectorSettings | None = None,
        *,
        now_ms: Callable[[], int] = _wall_clock_ms,
        poll_seconds: float = 1.0,
        metrics: Metrics | None = None,
    ) -> None:
        self._client = client
        self._records = records
        self._queue = queue
        self._settings = settings if settings is not None else CollectorSettings()
        self._now_ms = now_ms
        self._poll = poll_seconds
        self._fetcher = ItemFetcher(client, records, self._settings, now_ms)
        self._progress = CollectorProgress(started_at_ms=now_ms())
        self._base_stats = ClientStats()
        self._metrics = metrics if metrics is not None else Metrics(LogSink())
        #: The client's counters when metrics last took their increase.
        self._metered_stats = ClientStats()

    @property
    def progress(self) -> CollectorProgress:
        """A snapshot of the current (or last) run's progress."""
        progress = copy.deepcopy(self._progress)
        stats = self._client.stats
        progress.requests = stats.requests - self._base_stats.requests
        progress.rate_limited = stats.rate_limited - self._base_stats.rate_limited
        return progress

    async def run(
        self,
        *,
        stop: asyncio.Event | None = None,
        until_empty: bool = True,
        on_progress: Callable[[CollectorProgress], None] | None = None,
    ) -> CollectorProgress:
        """Keep ``messages_in_flight`` messages being worked on. Return when the queue is empty
        (nothing visible, in flight or delayed, and nothing left here) if ``until_empty``, or
        once ``stop`` is set: messages being stored are finished, the others released at once
        for another consumer. AuthenticationError (401) stops everything at once and is raised:
        no message is deleted or released, so each comes back after its visibility timeout."""
        self._progress = CollectorProgress(started_at_ms=self._now_ms())
        self._base_stats = self._metered_stats = self._client.stats
        run = _Run(
            slots=asyncio.Semaphore(self._settings.items_in_flight),
            stop=stop if stop is not None else asyncio.Event(),
            until_empty=until_empty,
            on_progress=on_progress,
            flushed_at=asyncio.get_running_loop().time(),
        )
        run.stopping = asyncio.create_task(_wait_for(run.stop))
        keeper = asyncio.create_task(self._keep_leases(run.running))
        try:
            await self._loop(run)
            self._progress.waiting = None  # the run ends: it waits for nothing any more
            await self._release(run.running)
        except BaseException:
            # Fatal (401, the store failing, cancelled): leave every other message as it is;
            # each comes back after its visibility timeout.
            for task in run.running:
                task.cancel()
            await asyncio.gather(*run.running, return_exceptions=True)
            raise
        finally:
            run.stopping.cancel()
            keeper.cancel()
            await asyncio.gather(run.stopping, keeper, return_exceptions=True)
            self._flush_metrics()
        progress = self.progress
        if on_progress is not None:
            on_progress(progress)
        return progress

    async def _loop(self, run: _Run) -> None:
        loop = asyncio.get_running_loop()
        timeout = self._settings.visibility_timeout
        running = run.running
        while not run.stop.is_set():
            run.fetched.clear()
            free = self._free_places(run)
            if free > 0:
                received = await asyncio.to_thread(
                    self._queue.receive, min(10, free), visibility_timeout=timeout
                )
                for message in received:
                    lease = _Lease(message, loop.time())
                    running[asyncio.create_task(self._work(lease, run))] = lease
                if received:
                    self._progress.waiting = None
            if not running:
                if run.until_empty:
                    counts = await asyncio.to_thread(self._queue.counts)
                    if counts.total == 0:
                        return
                    self._wait_for(counts, run)
                await asyncio.wait({run.stopping}, timeout=self._poll)
                continue
            # With a place free the queue had nothing more: look again after a while.
            hungry = self._free_places(run) > 0
            fetched = asyncio.create_task(_wait_for(run.fetched))
            try:
                done, _ = await asyncio.wait(
                    {*running, run.stopping, fetched},
                    timeout=self._poll if hungry else None,
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                fetched.cancel()
            for task in done:
                if task is not run.stopping and task is not fetched:
                    running.pop(task)
                    task.result()  # a fatal error ends the run
                    if run.on_progress is not None:
                        run.on_progress(self.progress)
            if loop.time() - run.flushed_at >= METRICS_FLUSH_SECONDS:
                self._flush_metrics()
                run.flushed_at = loop.time()

    def _wait_for(self, counts: QueueCounts, run: _Run) -> None:
        """Nothing to work on, and the queue not empty: say what the run waits for (a wait
        of up to a visibility timeout, with no reason given, looks like a hang)."""
        previous = self._progress.waiting
        since = self._now_ms() if previous is None else previous.since_ms
        waiting = QueueWait(
            in_flight=counts.in_flight,
            delayed=counts.delayed,
            visible=counts.visible,
            since_ms=since,
            back_by_ms=since + int(self._settings.visibility_timeout * 1000),
        )
        self._progress.waiting = waiting
        if waiting != previous and run.on_progress is not None:
            run.on_progress(self.progress)

    def _free_places(self, run: _Run) -> int:
        """Messages to take on: ``messages_in_flight`` are fetched at once; a message being
        stored no longer counts (a slow store must not stall the fetching, which is what TMDB's
        rate is spent on), but at most as many again may be storing."""
        limit = self._settings.messages_in_flight
        storing = sum(1 for lease in run.running.values() if lease.committing)
        fetching = len(run.running) - storing
        return max(0, min(limit - fetching, 2 * limit - len(run.running)))

    def _flush_metrics(self) -> None:
        """Count the client's requests since the last flush, then flush the metrics."""
        stats, metered = self._client.stats, self._metered_stats
        self._metered_stats = stats
        metrics = self._metrics
        metrics.count("collect.requests", stats.requests - metered.requests)
        metrics.count("collect.rate_limited", stats.rate_limited - metered.rate_limited)
        received = stats.bytes_received - metered.bytes_received
        metrics.count("collect.response_bytes", received, unit=Unit.BYTES)
        metrics.flush()

    async def _release(self, running: dict[asyncio.Task[None], _Lease]) -> None:
        """Stop: let messages being stored finish; abandon the others and release them."""
        for task, lease in running.items():
            if not lease.committing:
                task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        released = [lease.message for task, lease in running.items() if task.cancelled()]
        for message in released:
            await asyncio.to_thread(self._queue.change_visibility, message, 0)
        failures = [t.exception() for t in running if not t.cancelled() and t.exception()]
        running.clear()
        if failures and failures[0] is not None:
            raise failures[0]

    async def _keep_leases(self, running: dict[asyncio.Task[None], _Lease]) -> None:
        """Extend the lease of every message worked on for half its visibility timeout."""
        loop = asyncio.get_running_loop()
        timeout = self._settings.visibility_timeout
        while True:
            await asyncio.sleep(timeout / 4)
            now = loop.time()
            for lease in list(running.values()):
                if now - lease.extended_at < timeout / 2:
                    continue
                lease.extended_at = now
                try:
                    await asyncio.to_thread(self._queue.change_visibility, lease.message, timeout)
                except QueueError as error:
                    # The message may come back to another consumer: at worst fetched twice.
                    _log.warning("could not extend a message's lease: %s", error)
                    self._progress.add_error(str(error))
                else:
                    self._progress.leases_extended += 1

    # --- one message ---------------------------------------------------------------------------

    async def _work(self, lease: _Lease, run: _Run) -> None:
        message = lease.message
        try:
            batch = decode_batch(message.body)
        except MalformedMessageError as error:
            _committing(lease, run)
            await self._dead_body(message, str(error))
            return
        if message.receive_count > 1:
            _committing(lease, run)
            await self._renew(message, batch)
            return
        outcomes = await asyncio.gather(*(self._collect(item, run.slots) for item in batch.items))
        _committing(lease, run)
        await self._commit(message, outcomes)

    async def _renew(self, message: QueueMessage, batch: WorkBatch) -> None:
        """A message received before and never deleted: its consumer stopped before finishing
        (killed, crashed, or out of time). That is no failure of its work, so it must not march
        towards the dead-letter queue by its receive count: it goes back as a new message with
        the stop counted in the body, and to the dead-letter queue only after MAX_EXPIRIES
        stops of a message of one item (a longer one is split in halves from
        SPLIT_AFTER_EXPIRIES stops on, so one bad record cannot hold back the others)."""
        expired = batch.expired + 1
        items = list(batch.items)
        if expired >= MAX_EXPIRIES and len(items) == 1:
            error = (
                f"its consumer stopped {expired} times before finishing it (crashed, killed or "
                "out of time): one of its records may be what stops it"
            )
            bodies = list(pack_items(items, error=error, expired=expired))
            await asyncio.to_thread(self._queue.send_dead, bodies)
            self._progress.items_dead += len(batch.items)
            self._progress.add_error(f"message {message.message_id}: {error}")
        else:
            halves = [items]
            if expired >= SPLIT_AFTER_EXPIRIES and len(items) > 1:
                halves = [items[: len(items) // 2], items[len(items) // 2 :]]
            bodies = [
                body
                for half in halves
                for body in pack_items(half, error=batch.error, expired=expired)
            ]
            await asyncio.to_thread(self._queue.send, bodies)
            self._progress.messages_renewed += 1
        await asyncio.to_thread(self._queue.delete, [message])
        self._metrics.count("collect.messages_renewed")

    async def _dead_body(self, message: QueueMessage, error: str) -> None:
        """A body that is no work batch: kept as it is in the dead-letter queue, for a person."""
        text = f"message {message.message_id} is no work batch: {error}"
        _log.error(text, extra={"message_id": message.message_id})
        self._progress.add_error(text)
        try:
            await asyncio.to_thread(self._queue.send_dead, [message.body])
        except InvalidMessageError as refused:  # it came off a queue, so this is near impossible
            _log.error("the malformed message cannot be dead-lettered either: %s", refused)
        await asyncio.to_thread(self._queue.delete, [message])
        self._progress.messages_dead += 1
        self._progress.messages += 1
        self._metrics.count("collect.messages_malformed")
        self._metrics.count("collect.messages")

    async def _collect(self, item: WorkItem, slots: asyncio.Semaphore) -> _Outcome:
        async with slots:
            try:
                return _Outcome(item, await self._fetcher.fetch(item))
            except (AuthenticationError, asyncio.CancelledError):
                raise
            except TransientError as error:
                return _Outcome(item, error=str(error))
            except (TMDBAPIError, MalformedResponseError, InvalidKeyError) as error:
                return _Outcome(item, error=str(error), permanent=True)
            except (TMDBError, ConfigurationError):
                raise  # the client is misconfigured or closed: no item can succeed
            except Exception as error:  # one odd item must not stop the worker
                _log.exception("collecting %s %s failed", item.kind, item.key)
                return _Outcome(item, error=f"{type(error).__name__}: {error}")

    async def _commit(self, message: QueueMessage, outcomes: Sequence[_Outcome]) -> None:
        """Writes first, then re-sends of failed items, then the delete: a crash in between
        only redelivers."""
        await self._store(outcomes)
        retry = [o for o in outcomes if o.error and not o.permanent and not self._spent(o.item)]
        retried = {id(o) for o in retry}
        dead = [o for o in outcomes if o.error and id(o) not in retried]
        if retry:
            bodies = list(pack_items(_next_attempts(retry), error=_summary(retry)))
            await asyncio.to_thread(
                self._queue.send, bodies, delay_seconds=self._settings.retry_delay_seconds
            )
        if dead:
            bodies = list(pack_items(_next_attempts(dead), error=_summary(dead)))
            await asyncio.to_thread(self._queue.send_dead, bodies)
        await asyncio.to_thread(self._queue.delete, [message])
        progress = self._progress
        for outcome in outcomes:
            if outcome.error is not None:
                text = f"{outcome.item.kind} {outcome.item.key}: {outcome.error}"
                _log.warning("collecting failed: %s", text)
                progress.add_error(text)
            elif outcome.fetched is not None:
                kind = outcome.item.kind
                progress.items[kind] = progress.items.get(kind, 0) + 1
                requests = progress.item_requests.get(kind, 0) + outcome.fetched.requests
                progress.item_requests[kind] = requests
                progress.missing_seasons += outcome.fetched.missing_seasons
        progress.items_retried += len(retry)
        progress.items_dead += len(dead)
        progress.messages += 1
        stored = [o for o in outcomes if o.error is None and o.fetched is not None]
        for name, counted in [
            ("collect.items", stored),
            ("collect.items_retried", retry),
            ("collect.items_dead", dead),
        ]:
            for kind, items in Counter(o.item.kind for o in counted).items():
                self._metrics.count(name, items, kind=kind)
        self._metrics.count("collect.messages")

    async def _store(self, outcomes: Sequence[_Outcome]) -> None:
        """Every record of the message's successful items, in as few write_batch calls as fit;
        a record the store rejects fails its item for good."""
        writes: list[RecordWrite | EncodedWrite | RecordDeletion] = []
        owners: list[_Outcome] = []
        written: Counter[tuple[Kind, str]] = Counter()
        for outcome in outcomes:
            if outcome.fetched is not None:
                writes += outcome.fetched.records
                owners += [outcome] * len(outcome.fetched.records)
        for start in range(0, len(writes), WRITE_CHUNK):
            results = await self._records.write_batch(writes[start : start + WRITE_CHUNK])
            for result, owner in zip(results, owners[start : start + WRITE_CHUNK], strict=True):
                counts = self._progress.records.setdefault(result.key.kind, {})
                counts[result.change] = counts.get(result.change, 0) + 1
                written[result.key.kind, result.change] += 1
                for drift_kind, path, _ in result.drift:
                    name = f"{result.key.kind}: {drift_kind} {path}"
                    self._progress.drift[name] = self._progress.drift.get(name, 0) + 1
                if result.change == "rejected" and owner.error is None:
                    owner.error = (
                        f"the store rejected {result.key.kind} {result.key}: {result.error}"
                    )
                    owner.permanent = True
        for (kind, change), records in written.items():
            self._metrics.count("collect.records", records, kind=kind, outcome=change)

    def _spent(self, item: WorkItem) -> bool:
        """Whether the item has failed as often as a message may be delivered."""
        return item.attempt + 1 >= self._queue.max_receives


def _committing(lease: _Lease, run: _Run) -> None:
    """The message's results are being stored: finished, not abandoned, if the run stops; and
    its place among the messages being fetched is free."""
    lease.committing = True
    run.fetched.set()


def _next_attempts(outcomes: Sequence[_Outcome]) -> list[WorkItem]:
    return [dataclasses.replace(o.item, attempt=o.item.attempt + 1) for o in outcomes]


def _summary(outcomes: Sequence[_Outcome]) -> str:
    """One error text for a body's items (a body has room for one): each item's, cut short."""
    texts = [f"{o.item.kind} {o.item.key}: {o.error}" for o in outcomes]
    return "; ".join(texts)[:_ERROR_CHARS]
