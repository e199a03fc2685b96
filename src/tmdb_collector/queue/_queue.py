"""The work queue interface, with SQS's semantics, and the checks both implementations share.

Synchronous on purpose: boto3 and sqlite3 are; async callers use asyncio.to_thread. Delivery is
at least once: a consumer deletes what it finished, and whatever it does not delete comes back
after the visibility timeout, until the max_receives-th receive, after which the next receive
moves it to the dead-letter queue instead of delivering it (as SQS's redrive policy does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Final, Protocol, Self

from tmdb_collector.queue._errors import InvalidMessageError, MessageTooLargeError
from tmdb_collector.queue._work import MAX_MESSAGE_BYTES

__all__ = [
    "MAX_DELAY_SECONDS",
    "MAX_RECEIVE_MESSAGES",
    "MAX_VISIBILITY_TIMEOUT",
    "MAX_WAIT_SECONDS",
    "QueueCounts",
    "QueueMessage",
    "WorkQueue",
]

#: SQS's limits, kept by every implementation so code tested on SQLite runs on SQS.
MAX_RECEIVE_MESSAGES: Final = 10
MAX_BATCH_ENTRIES: Final = 10
MAX_DELAY_SECONDS: Final = 900
MAX_VISIBILITY_TIMEOUT: Final = 43_200
MAX_WAIT_SECONDS: Final = 20
MAX_RECEIVES_LIMIT: Final = 1000
MIN_RETENTION_SECONDS: Final = 60
MAX_RETENTION_SECONDS: Final = 14 * 86_400
# SQS names: letters, digits, '-' and '_', at most 80, and '-dlq' must still fit.
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,76}")
# The characters SQS accepts in a body (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | beyond).
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
DEAD_LETTER_SUFFIX: Final = "-dlq"


@dataclass(frozen=True, slots=True)
class QueueMessage:
    """One delivery of a message. `receipt` names this delivery: deleting or changing the
    visibility of the message needs the receipt of its latest delivery."""

    message_id: str
    body: str
    receipt: str
    #: Deliveries so far, this one included (SQS's ApproximateReceiveCount).
    receive_count: int
    #: When the message was sent (epoch milliseconds): to this queue, or, for a message moved to
    #: the dead-letter queue by the redrive policy, to the main queue.
    sent_at_ms: int


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """Messages by state. SQS's counts are approximate and lag by up to a minute."""

    #: Ready to be received.
    visible: int
    #: Received and not yet deleted, until their visibility timeout ends.
    in_flight: int
    #: Sent with a delay that has not ended.
    delayed: int

    @property
    def total(self) -> int:
        return self.visible + self.in_flight + self.delayed


class WorkQueue(Protocol):
    """A durable queue of message bodies with a dead-letter queue, with SQS's semantics.

    Implementations: SQLiteWorkQueue (one file, for one machine) and SQSWorkQueue. Bad arguments
    raise ValueError (InvalidMessageError, MessageTooLargeError) before anything is sent; backend
    failures raise QueueError, whose message says what to check.
    """

    @property
    def name(self) -> str:
        """The main queue's name; its dead-letter queue is named ``<name>-dlq``."""
        ...

    @property
    def max_receives(self) -> int:
        """Deliveries a message gets before the next receive moves it to the dead-letter queue."""
        ...

    @property
    def visibility_timeout(self) -> int:
        """Seconds a received message stays hidden when receive() is given no timeout."""
        ...

    def send(self, bodies: Sequence[str], *, delay_seconds: int = 0) -> int:
        """Put the bodies on the queue, in as many requests as needed; return how many were sent.
        A body over MAX_MESSAGE_BYTES raises MessageTooLargeError before anything is sent. A
        failure part-way raises QueueError: some bodies may have been sent (send again; items
        are idempotent, so duplicates only cost a fetch)."""
        ...

    def receive(
        self,
        max_messages: int = 10,
        *,
        visibility_timeout: int | None = None,
        wait_seconds: int = 0,
    ) -> list[QueueMessage]:
        """Up to `max_messages` (1-10) visible messages, each hidden for `visibility_timeout`
        seconds (default: the queue's). With `wait_seconds` (0-20), wait that long for a first
        message instead of returning an empty list at once."""
        ...

    def delete(self, messages: Sequence[QueueMessage]) -> int:
        """Remove finished messages; return how many were removed. A stale receipt (the message
        was received again since, or moved to the dead-letter queue) removes nothing; see each
        implementation for how exactly it reports that."""
        ...

    def change_visibility(self, message: QueueMessage, timeout_seconds: int) -> bool:
        """Hide an in-flight message for `timeout_seconds` from now (0: release it now, for
        another consumer). False when the receipt is no longer the message's latest."""
        ...

    def counts(self) -> QueueCounts:
        """The main queue's messages by state."""
        ...

    def send_dead(self, bodies: Sequence[str]) -> int:
        """Put bodies straight on the dead-letter queue (items a consumer gave up on, with their
        error); return how many were sent. Same limits as send()."""
        ...

    def dead_counts(self) -> QueueCounts:
        """The dead-letter queue's messages by state."""
        ...

    def peek_dead(self, max_messages: int = 10) -> list[QueueMessage]:
        """Up to `max_messages` (1-10) dead-letter messages, to show, not to process: they stay
        on the dead-letter queue and visible. Their receipts are not for deleting."""
        ...

    def redrive(self, max_messages: int | None = None) -> int:
        """Move dead-letter messages back to the main queue, oldest first (all when None), as new
        messages (receive count 0). At least once: each is sent before it is deleted from the
        dead-letter queue. Return how many moved."""
        ...

    def close(self) -> None:
        """Release connections; the queue object is unusable afterwards (the queue lives on)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


def body_sizes(bodies: Sequence[str]) -> list[int]:
    """Each body's size in UTF-8 bytes, after checking every body SQS would accept: none empty,
    none over MAX_MESSAGE_BYTES, no character SQS refuses. Raises before anything is sent."""
    sizes: list[int] = []
    for index, body in enumerate(bodies):
        if not isinstance(body, str):
            raise InvalidMessageError(f"body {index} is {type(body).__name__}, not text")
        size = len(body) if body.isascii() else len(body.encode("utf-8", "surrogatepass"))
        if size > MAX_MESSAGE_BYTES:
            raise MessageTooLargeError(
                f"body {index} is {size} bytes, over the {MAX_MESSAGE_BYTES}-byte limit; nothing "
                "was sent. Pack fewer items per body (pack_items keeps within the limit)."
            )
        if not body:
            raise InvalidMessageError(f"body {index} is empty; SQS refuses empty messages")
        forbidden = _FORBIDDEN.search(body)
        if forbidden:
            raise InvalidMessageError(
                f"body {index} has the character {forbidden.group()!r} at {forbidden.start()}, "
                "which SQS refuses; nothing was sent. Escape it (JSON with ensure_ascii does)."
            )
        sizes.append(size)
    return sizes


def send_batches(sizes: Sequence[int]) -> Iterator[range]:
    """Indexes of the bodies, in order, cut into SQS batches: at most 10 entries and
    MAX_MESSAGE_BYTES in all (SQS's limit for a batch is its limit for one message)."""
    start, total = 0, 0
    for index, size in enumerate(sizes):
        if index - start == MAX_BATCH_ENTRIES or total + size > MAX_MESSAGE_BYTES:
            yield range(start, index)
            start, total = index, 0
        total += size
    if start < len(sizes):
        yield range(start, len(sizes))


def check_queue_name(name: str) -> str:
    if not isinstance(name, str) or not _QUEUE_NAME.fullmatch(name):
        raise ValueError(
            f"queue name {name!r} is not 1-76 letters, digits, '-' or '_' (SQS's rule, with "
            f"room for {DEAD_LETTER_SUFFIX!r})"
        )
    return name


def check_range(name: str, value: int, low: int, high: int) -> int:
    """`value`, if it is an integer from `low` to `high`; else a ValueError naming the bounds."""
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return value


def check_receive(max_messages: int, visibility_timeout: int | None, wait_seconds: int) -> None:
    check_range("max_messages", max_messages, 1, MAX_RECEIVE_MESSAGES)
    if visibility_timeout is not None:
        check_range("visibility_timeout", visibility_timeout, 0, MAX_VISIBILITY_TIMEOUT)
    check_range("wait_seconds", wait_seconds, 0, MAX_WAIT_SECONDS)
