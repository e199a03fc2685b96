"""The collect-a-batch use case: work one batch of messages someone else received (an SQS event
source's batch on Lambda) with the collector, and say which messages must come back."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from tmdb_collector.collect import Collector, CollectorProgress, CollectorSettings
from tmdb_collector.observe import Metrics
from tmdb_collector.queue import QueueMessage, ReceivedBatch, WorkQueue
from tmdb_collector.store import ObjectStore, RecordStore
from tmdb_collector.tmdb import TMDBClient

__all__ = ["BatchReport", "collect_batch"]


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


async def collect_batch(
    *,
    client: TMDBClient,
    objects: ObjectStore,
    queue: WorkQueue,
    messages: Sequence[QueueMessage],
    settings: CollectorSettings,
    seconds: float | None = None,
    metrics: Metrics | None = None,
) -> BatchReport:
    """Collect ``messages`` (already received from ``queue``, which takes the re-sends and the
    dead letters) with ``client`` (open; a warm Lambda container keeps one). After ``seconds``
    no new message is started and those not being stored are released: they come back, with no
    attempt spent. A rejected credential is raised (AuthenticationError): nothing is finished,
    everything comes back."""
    batch = ReceivedBatch(messages, queue)
    stop = asyncio.Event()
    timer = None if seconds is None else asyncio.get_running_loop().call_later(seconds, stop.set)
    try:
        collector = Collector(
            client, RecordStore(objects), batch, settings, metrics=metrics, poll_seconds=0.05
        )
        progress = await collector.run(stop=stop, until_empty=True)
    finally:
        if timer is not None:
            timer.cancel()
    return BatchReport(batch.unfinished(), batch.finished(), progress, stop.is_set())
