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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from tmdb_collector.queue._errors import MalformedMessageError
from tmdb_collector.queue._queue import QueueCounts, QueueMessage, WorkQueue

__all__ = ["ReceivedBatch", "sqs_event_messages"]


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
    """The messages of one received batch, as a WorkQueue whose sends go to ``target``."""

    def __init__(self, messages: Sequence[QueueMessage], target: WorkQueue) -> None:
        self._waiting = list(messages)
        self._all = {message.message_id: message for message in messages}
        self._finished: set[str] = set()
        self._released: set[str] = set()
        self._target = target

    # --- what the poller needs -------------------------------------------------------------

    def unfinished(self) -> list[str]:
        """The ids of the messages that must come back: not finished by the collector."""
        return [mid for mid in self._all if mid not in self._finished]

    def finished(self) -> list[str]:
        return [mid for mid in self._all if mid in self._finished]

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
        return self._target.send(bodies, delay_seconds=delay_seconds)

    def receive(
        self,
        max_messages: int = 10,
        *,
        visibility_timeout: int | None = None,
        wait_seconds: int = 0,
    ) -> list[QueueMessage]:
        taken, self._waiting = self._waiting[:max_messages], self._waiting[max_messages:]
        return taken

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
