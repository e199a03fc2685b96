"""``ReceivedBatch``: a WorkQueue over messages someone else already received — the batch an SQS
event source hands a Lambda function — so the collector works them exactly as it works a queue.

What the collector does maps onto the Lambda poller's contract:

- ``receive`` hands out the batch's messages, once each; ``counts`` says how many are left, so a
  collector run "until empty" ends when the batch is done;
- ``delete`` only marks a message finished: the poller deletes every message the function does
  not name in its partial batch response;
- ``change_visibility(message, 0)`` (a release, on a stop) marks it unfinished: it is named in
  the response and comes back; a lease extension goes to the real queue;
- ``send`` (items put back with attempt + 1) and ``send_dead`` go to the real queue.

``unfinished()`` is then the partial batch response: released, never handed out, or failed.

With ``hand_back`` (the collector function sets it), messages not started yet go back to the real
queue as new messages when it has nothing else to hand out: at the end of a run the last
batches would otherwise keep one instance busy at its share of TMDB's rate while the others
idle; handed back, the idle ones take them (docs/aws.md, "The end of a run").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from tmdb_collector.queue._errors import MalformedMessageError, QueueError
from tmdb_collector.queue._queue import QueueCounts, QueueMessage, WorkQueue

__all__ = ["ReceivedBatch", "sqs_event_messages"]

_log = logging.getLogger("tmdb_collector.queue")


def sqs_event_messages(event: Mapping[str, Any]) -> list[QueueMessage]:
    """The messages of an SQS event (``{"Records": [...]}`` as Lambda's poller sends it).
    Raises MalformedMessageError for a record without the fields every SQS record has."""
    records = event.get("Records")
    if not isinstance(records, list):
        raise MalformedMessageError("an SQS event has a list of Records")
    messages = []
    for record in records:
        try:
            attributes = record.get("attributes", {})
            messages.append(
                QueueMessage(
                    message_id=str(record["messageId"]),
                    body=str(record["body"]),
                    receipt=str(record["receiptHandle"]),
                    receive_count=int(attributes.get("ApproximateReceiveCount", 1)),
                    sent_at_ms=int(attributes.get("SentTimestamp", 0)),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise MalformedMessageError(f"an SQS event record lacks {error}") from None
    return messages


class ReceivedBatch:
    """The messages of one received batch, as a WorkQueue whose sends go to ``target``.

    ``hand_back``, when given, says whether handing back is safe now (the collector function:
    once TMDB has answered this invocation, so a batch failing on a rejected credential never
    copies its messages). Then ``hand_back_if_drained`` asks ``target`` how many messages it has
    to deliver; when fewer than ``enough`` (the collector function: the messages every instance
    fetches at once), an instance that frees up may find too little while this one holds work
    it has not started: the waiting ones are sent to the target again (same bodies) and count
    as finished here — the poller deletes the originals. Only messages received for the first
    time are handed back: one received again must be renewed by the collector, which counts
    its consumer's stop."""

    def __init__(
        self,
        messages: Sequence[QueueMessage],
        target: WorkQueue,
        *,
        hand_back: Callable[[], bool] | None = None,
        enough: int = 1,
        on_send: Callable[[], None] | None = None,
    ) -> None:
        self._waiting = list(messages)
        self._all = {message.message_id: message for message in messages}
        self._finished: set[str] = set()
        self._released: set[str] = set()
        self._target = target
        self._hand_back = hand_back
        #: Told (from the sending thread) before messages go to the target queue: new work for
        #: whichever instance receives it.
        self._on_send = on_send
        #: Below this many visible messages the target runs dry for some instance.
        self._enough = max(1, enough)
        # receive and hand_back_if_drained run in worker threads (asyncio.to_thread).
        self._lock = threading.Lock()
        #: Messages sent back to the target queue unstarted.
        self.handed_back = 0

    # --- what the poller needs -------------------------------------------------------------

    def unfinished(self) -> list[str]:
        """The ids of the messages that must come back: not finished by the collector."""
        return [mid for mid in self._all if mid not in self._finished]

    def finished(self) -> list[str]:
        return [mid for mid in self._all if mid in self._finished]

    def release_unfinished(self) -> int:
        """Make the unfinished messages visible in the target queue at once (visibility 0):
        named in the partial batch response, they would otherwise stay hidden for the rest of
        the visibility timeout the poller received them with. Returns how many were released;
        a refusal is logged (they then come back when their timeout ends)."""
        released = 0
        for message_id in self.unfinished():
            try:
                released += bool(self._target.change_visibility(self._all[message_id], 0))
            except QueueError as error:
                _log.warning("could not release message %s at once: %s", message_id, error)
        return released

    # --- WorkQueue ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._target.name

    @property
    def max_receives(self) -> int:
        return self._target.max_receives

    @property
    def visibility_timeout(self) -> int:
        return self._target.visibility_timeout

    def send(self, bodies: Sequence[str], *, delay_seconds: int = 0) -> int:
        if self._on_send is not None:
            self._on_send()
        return self._target.send(bodies, delay_seconds=delay_seconds)

    def receive(
        self,
        max_messages: int = 10,
        *,
        visibility_timeout: int | None = None,
        wait_seconds: int = 0,
    ) -> list[QueueMessage]:
        with self._lock:
            taken, self._waiting = self._waiting[:max_messages], self._waiting[max_messages:]
        return taken

    @property
    def enough(self) -> int:
        """Messages the target must have to deliver for this batch to keep its waiting ones."""
        return self._enough

    def hand_back_if_drained(self, visible: int | None = None) -> int:
        """Send the waiting messages received for the first time back to the target queue if
        it has fewer than ``enough`` to deliver (``visible``, or asked) and ``hand_back`` says
        it is safe; return how many went."""
        if self._hand_back is None:
            return 0
        with self._lock:
            fresh = [message for message in self._waiting if message.receive_count == 1]
            if not fresh or not self._hand_back():
                return 0
            try:
                if visible is None:
                    visible = self._target.counts().visible
                if visible >= self._enough:
                    return 0  # the queue still feeds every instance: keep the batch
                if self._on_send is not None:
                    self._on_send()
                self._target.send([message.body for message in fresh])
            except QueueError as error:
                # Worked here instead: only the end of the run is slower.
                _log.warning("could not hand unstarted messages back to the queue: %s", error)
                return 0
            self._finished |= {message.message_id for message in fresh}
            self._waiting = [message for message in self._waiting if message.receive_count != 1]
            self.handed_back += len(fresh)
        _log.info(
            "handed %d unstarted messages back to the queue, which had too few for idle instances",
            len(fresh),
        )
        return len(fresh)

    def delete(self, messages: Sequence[QueueMessage]) -> int:
        ids = {message.message_id for message in messages} & self._all.keys()
        self._finished |= ids
        return len(ids)

    def change_visibility(self, message: QueueMessage, timeout_seconds: int) -> bool:
        if message.message_id not in self._all:
            return False
        if timeout_seconds == 0:
            self._released.add(message.message_id)
            return True
        return self._target.change_visibility(message, timeout_seconds)

    def counts(self) -> QueueCounts:
        return QueueCounts(len(self._waiting), 0, 0)

    def send_dead(self, bodies: Sequence[str]) -> int:
        return self._target.send_dead(bodies)

    def dead_counts(self) -> QueueCounts:
        return self._target.dead_counts()

    def peek_dead(self, max_messages: int = 10) -> list[QueueMessage]:
        return self._target.peek_dead(max_messages)

    def redrive(self, max_messages: int | None = None) -> int:
        return self._target.redrive(max_messages)

    def close(self) -> None:
        """The target queue is the caller's: it stays open."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
