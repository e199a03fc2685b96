"""The durable work queue between the harvester (producer) and the collectors (consumers).

A message body is a batch of WorkItems (records to collect and why) in compact JSON; the queue
holding the bodies has SQS's semantics (visibility timeout, receive count, dead-letter queue after
max_receives) whether it is an SQLite file on one machine or SQS. open_work_queue picks one from a
spec; both pass one contract test suite. Importing this package does not import boto3.
"""

from tmdb_collector.queue._batch import ReceivedBatch, sqs_event_messages
from tmdb_collector.queue._errors import (
    InvalidMessageError,
    InvalidWorkItemError,
    MalformedMessageError,
    MessageTooLargeError,
    QueueConfigurationError,
    QueueError,
)
from tmdb_collector.queue._open import (
    QueueOptions,
    check_queue_spec,
    open_work_queue,
    sqlite_path,
)
from tmdb_collector.queue._queue import QueueCounts, QueueMessage, WorkQueue
from tmdb_collector.queue._sqlite import SQLiteWorkQueue
from tmdb_collector.queue._sqs import SQSWorkQueue, ensure_sqs_queues
from tmdb_collector.queue._work import (
    MAX_MESSAGE_BYTES,
    Reason,
    WorkBatch,
    WorkItem,
    decode_batch,
    encode_batch,
    pack_items,
    pack_keys,
)

__all__ = [
    "MAX_MESSAGE_BYTES",
    "InvalidMessageError",
    "InvalidWorkItemError",
    "MalformedMessageError",
    "MessageTooLargeError",
    "QueueConfigurationError",
    "QueueCounts",
    "QueueError",
    "QueueMessage",
    "QueueOptions",
    "Reason",
    "ReceivedBatch",
    "SQLiteWorkQueue",
    "SQSWorkQueue",
    "WorkBatch",
    "WorkItem",
    "WorkQueue",
    "check_queue_spec",
    "decode_batch",
    "encode_batch",
    "ensure_sqs_queues",
    "open_work_queue",
    "pack_items",
    "pack_keys",
    "sqlite_path",
    "sqs_event_messages",
]
