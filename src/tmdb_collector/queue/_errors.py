"""The exceptions of the work queue: every failure the caller can act on has its own type."""

from __future__ import annotations

from tmdb_collector.errors import Action, ConfigurationError, CorruptDataError, QueueError

__all__ = [
    "InvalidMessageError",
    "InvalidWorkItemError",
    "MalformedMessageError",
    "MessageTooLargeError",
    "QueueConfigurationError",
    "QueueError",
]


class QueueConfigurationError(QueueError, ConfigurationError):
    """The queue spec, file or SQS setup cannot serve as a work queue (not a queue database, no
    dead-letter queue, no region...)."""

    action = Action.FIX


class InvalidMessageError(ValueError):
    """A message body SQS would refuse (empty, or characters outside SQS's allowed set). Raised
    before anything is sent: it is a bug in the caller, not a queue failure."""


class MessageTooLargeError(InvalidMessageError):
    """A message body over MAX_MESSAGE_BYTES. Nothing of the call was sent; pack fewer items per
    body (pack_items does)."""


class InvalidWorkItemError(ValueError):
    """A WorkItem that cannot be put on the queue (bad key text, negative attempt...): a bug in
    the producer, caught before it becomes a message no consumer could read."""


class MalformedMessageError(CorruptDataError):
    """A message body that is not a valid work batch. The consumer cannot act on it: record it
    in the dead-letter queue rather than retrying."""
