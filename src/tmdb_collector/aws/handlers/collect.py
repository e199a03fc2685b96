"""The collector function: an SQS event source's batch in, a partial batch response out.

Each message's work items are collected with the collector the CLI runs. A message comes back
(is named in ``batchItemFailures``) only when it was not finished: released at the deadline,
never started, or its commit failed. Items that failed are already re-sent with attempt + 1 (or
dead-lettered with their error), so their message is finished. A malformed message is
dead-lettered with its error. A rejected credential fails the whole invocation: nothing is
finished, every message comes back after its visibility timeout (no retry storm: the client
refuses every request after the first 401).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from tmdb_collector import app
from tmdb_collector.aws._runtime import (
    LambdaContext,
    deadline_seconds,
    forgetting_a_rejected_credential,
    runtime,
)
from tmdb_collector.config import RATE_LIMIT_REQUESTS
from tmdb_collector.queue import sqs_event_messages

__all__ = ["handler"]

_log = logging.getLogger("tmdb_collector.aws.collect")


def handler(event: Mapping[str, Any], context: LambdaContext | None = None) -> dict[str, Any]:
    wiring = runtime()
    messages = sqs_event_messages(event)
    metrics = wiring.metrics("collect")
    seconds = deadline_seconds(context)
    wiring.check_visibility(context)

    async def collect() -> app.BatchReport:
        return await app.collect_batch(
            client=await wiring.client(),
            objects=wiring.objects,
            queue=wiring.queue(),
            messages=messages,
            settings=app.collector_settings(wiring.config),
            seconds=seconds,
            metrics=metrics,
            instances=wiring.instances,
            rate=wiring.config[RATE_LIMIT_REQUESTS],
        )

    try:
        with forgetting_a_rejected_credential():
            report = wiring.run(collect())
    finally:
        metrics.flush()
    progress = report.progress
    _log.info(
        "collected a batch",
        extra={
            "messages": len(messages),
            "finished": len(report.finished),
            "unfinished": len(report.unfinished),
            "deadline_reached": report.stopped,
            "handed_back": report.handed_back,
            "top_rate": round(report.top_rate, 2),
            "items": {str(kind): n for kind, n in progress.items.items()},
            "retried": progress.items_retried,
            "dead": progress.items_dead,
            "requests": progress.requests,
            "rate_limited": progress.rate_limited,
        },
    )
    return {"batchItemFailures": [{"itemIdentifier": mid} for mid in report.unfinished]}
