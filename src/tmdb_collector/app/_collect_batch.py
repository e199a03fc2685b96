"""The collect-a-batch use case: work one batch of messages someone else received (an SQS event
source's batch on Lambda) with the collector, and say which messages must come back.

N such batches run at once (Lambda instances), each paced at its fixed share of TMDB's rate.
Two things keep the end of a run from idling most of that rate (docs/aws.md, "The end of a
run"), both decided from the queue's counts, once TMDB has answered this batch:

- **hand back**: messages not started while the queue has fewer to deliver than the instances
  fetch at once go back to the queue, for an instance that would otherwise find nothing;
- **the share of the idle**: when the queue has nothing to deliver (none visible, none delayed)
  at two looks a second apart, no other instance can start, and the instances at work are
  counted. Each holds at least one of the messages in flight that are not this batch's; and
  each running batch is on the roll call (app._roll_call: an object per batch in the store,
  naming how many messages it holds). When the messages the roll call names are exactly those
  in flight elsewhere, every instance at work is on it: its count is used; otherwise (one has
  just started, or ended, or died) the messages in flight bound the count. This one then paces
  at the rate divided by that count (at most ``instances``): together they stay under the
  rate. Whatever sends a message (a retry, a renewal, a hand-back) first puts this batch back
  to its fixed share: the message may start another instance.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tmdb_collector.app._roll_call import RollCall
from tmdb_collector.app._wiring import Pace
from tmdb_collector.collect import Collector, CollectorProgress, CollectorSettings
from tmdb_collector.observe import Metrics
from tmdb_collector.queue import (
    QueueCounts,
    QueueError,
    QueueMessage,
    ReceivedBatch,
    WorkQueue,
    sqs_event_messages,
)
from tmdb_collector.store import ObjectStore, RecordStore, StoreError, open_record_store
from tmdb_collector.tmdb import TMDBClient

__all__ = ["BatchReport", "collect_batch", "idle_share", "sqs_event_messages"]

_log = logging.getLogger("tmdb_collector.collect")

#: Seconds between looks at the queue's counts near the end of a run (fewer messages than the
#: instances fetch at once), and otherwise.
TAIL_LOOK_SECONDS = 1.0
BUSY_LOOK_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class BatchReport:
    """What one batch came to."""

    #: Message ids that must come back (the partial batch response): released at the deadline,
    #: never started, or failed in a way that leaves them undeleted.
    unfinished: list[str]
    #: Message ids done: stored, re-sent with attempt + 1, or dead-lettered with their error.
    finished: list[str]
    progress: CollectorProgress
    #: The deadline came before the batch was done.
    stopped: bool
    #: Messages sent back to the queue unstarted, for idle instances (the end of a run).
    handed_back: int = 0
    #: The highest pace (requests/s) this batch was allowed: its fixed share, or more when the
    #: other instances had no work left.
    top_rate: float = 0.0


def idle_share(
    counts: QueueCounts, held: int, pace: Pace, roll: tuple[int, int] | None = None
) -> float:
    """The pace for an instance holding ``held`` of the queue's messages in flight; ``roll`` is
    (other instances, the messages they hold) from the roll call, when it was read.

    While the queue has messages to deliver (visible or delayed), any instance may start: the
    fixed share, ``pace.shared_rate / pace.instances``. Otherwise every other instance still
    working holds at least one of the other messages in flight, so at most ``in_flight - held``
    are working; and when the roll call accounts for exactly those messages, its count is the
    count."""
    if counts.visible > 0 or counts.delayed > 0:
        return pace.shared_rate / pace.instances
    elsewhere = max(0, counts.in_flight - held)
    others = elsewhere
    if roll is not None and roll[1] == elsewhere:
        others = roll[0]
    return pace.shared_rate / min(pace.instances, 1 + others)


async def collect_batch(
    *,
    client: TMDBClient,
    objects: ObjectStore,
    queue: WorkQueue,
    messages: Sequence[QueueMessage],
    settings: CollectorSettings,
    seconds: float | None = None,
    metrics: Metrics | None = None,
    pace: Pace | None = None,
    hand_back: bool = True,
    records: RecordStore | None = None,
) -> BatchReport:
    """Collect ``messages`` (already received from ``queue``, which takes the re-sends and the
    dead letters) with ``client`` (open; a warm Lambda container keeps one). After ``seconds``
    no new message is started and those not being stored are released: they come back, with no
    attempt spent. A rejected credential is raised (AuthenticationError): nothing is finished,
    everything comes back. ``records``: the record store to write (a warm container keeps one,
    ``Wiring.writable_records``); by default the store's, opened for this batch.

    With a shared ``pace`` (the wiring's, on Lambda), ``pace.instances`` batches may run at
    once, sharing ``pace.shared_rate`` (the client paces at the fixed share). With
    ``hand_back``, unstarted messages go back to a queue running dry, and with a shared pace
    the pace grows when the other instances have no work (see the module's text) — both only
    once TMDB has answered this batch, so a batch failing on a rejected credential copies
    nothing and never speeds up."""
    answered = client.stats.answered

    def tmdb_answered() -> bool:
        return client.stats.answered > answered

    loop = asyncio.get_running_loop()
    sharing = pace is not None and pace.shared
    roll = (
        RollCall(objects, 900.0 if seconds is None else seconds, len(messages)) if sharing else None
    )
    tail = _Tail(client, queue, roll=roll, held=len(messages), pace=pace, hand_back=hand_back)

    def restore_from_thread() -> None:  # ReceivedBatch sends from worker threads
        loop.call_soon_threadsafe(tail.restore)

    batch = ReceivedBatch(
        messages,
        queue,
        hand_back=tmdb_answered if hand_back else None,
        enough=(1 if pace is None else pace.instances) * settings.messages_in_flight,
        on_send=restore_from_thread,
    )
    tail.batch = batch
    stop = asyncio.Event()
    timer = None if seconds is None else loop.call_later(seconds, stop.set)
    # The roll-call entry is put while the first requests go: until it is listed, the others'
    # roll call does not account for this batch's messages, so they do not believe it.
    entering = asyncio.create_task(roll.enter()) if roll is not None else None
    keeper = asyncio.create_task(tail.keep(tmdb_answered))
    try:
        collector = Collector(
            client,
            records if records is not None else await open_record_store(objects, writing=True),
            batch,
            settings,
            metrics=metrics,
            poll_seconds=0.05,
        )
        progress = await collector.run(stop=stop, until_empty=True)
    finally:
        if timer is not None:
            timer.cancel()
        keeper.cancel()
        [outcome] = await asyncio.gather(keeper, return_exceptions=True)
        if isinstance(outcome, Exception):
            # Only the end of the run is slower: the batch itself is unharmed.
            _log.error("looking at the queue's counts failed: %r", outcome)
        tail.restore()
        if roll is not None and entering is not None:
            await asyncio.gather(entering, return_exceptions=True)
            await roll.leave()
    # Named as unfinished, they come back at once, not after the visibility timeout (a failed
    # batch — a rejected credential — keeps them hidden: no storm).
    await asyncio.to_thread(batch.release_unfinished)
    return BatchReport(
        batch.unfinished(),
        batch.finished(),
        progress,
        stop.is_set(),
        batch.handed_back,
        tail.top_rate,
    )


class _Tail:
    """Looks at the queue's counts while a batch runs: hands back, and sets the pace."""

    batch: ReceivedBatch | None = None

    def __init__(
        self,
        client: TMDBClient,
        queue: WorkQueue,
        *,
        roll: RollCall | None,
        held: int,
        pace: Pace | None,
        hand_back: bool,
    ) -> None:
        self._client = client
        self._queue = queue
        self._roll = roll
        self._held = held
        self._shared = pace if pace is not None and pace.shared else None
        self._hand_back = hand_back
        self._fixed = client.rate if pace is None else pace.shared_rate / pace.instances
        #: Looks in a row that found nothing to deliver.
        self._drained = 0
        self.top_rate = self._fixed

    async def keep(self, answered: Callable[[], bool]) -> None:
        sharing = self._shared is not None
        if not self._hand_back and not sharing:
            return
        while not answered():  # noqa: ASYNC110 - a counter of the client's, with no event
            await asyncio.sleep(0.05)
        batch = self.batch
        assert batch is not None  # noqa: S101 - set by collect_batch before the keeper starts
        while True:
            try:
                counts = await asyncio.to_thread(self._queue.counts)
                handed = 0
                if self._hand_back:
                    handed = await asyncio.to_thread(batch.hand_back_if_drained, counts.visible)
                if handed:
                    counts = await asyncio.to_thread(self._queue.counts)
                if sharing:
                    await self._pace(counts)
            except (QueueError, StoreError) as error:
                _log.warning("cannot look at the queue or the roll call: %s", error)
                self.restore()
                return
            near_the_end = counts.visible < batch.enough
            await asyncio.sleep(TAIL_LOOK_SECONDS if near_the_end else BUSY_LOOK_SECONDS)

    async def _pace(self, counts: QueueCounts) -> None:
        assert self._shared is not None  # noqa: S101 - only called when sharing
        if counts.visible > 0 or counts.delayed > 0:
            self.restore()
            return
        self._drained += 1
        if self._drained < 2:
            return  # a second look: an instance that just received has entered the roll call
        # A batch whose own entry could not be put does not read the roll call (the store
        # may be refusing the others' too): the messages in flight bound the count alone.
        roll = self._roll
        listed = await roll.others() if roll is not None and roll.present else None
        pace = idle_share(counts, self._held, self._shared, listed)
        if self._drained < 2:
            return  # something was sent while counting
        if pace != self._client.rate:
            self._client.set_rate(pace)
        self.top_rate = max(self.top_rate, pace)

    def restore(self) -> None:
        """Back to the fixed share: a message was sent (it may start another instance), the
        queue has work again, or the batch ends (the next may start while others work)."""
        self._drained = 0
        if self._client.rate != self._fixed:
            self._client.set_rate(self._fixed)
