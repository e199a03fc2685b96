"""The collector function: an SQS event source's batch in, a partial batch response out.

Each message's work items are collected with the collector the CLI runs. A message comes back
(is named in ``batchItemFailures``) only when it was not finished: released at the deadline,
never started, or its commit failed. Items that failed are already re-sent with attempt + 1 (or
dead-lettered with their error), so their message is finished. A malformed message is
dead-lettered with its error. A setting to fix (no credential anywhere) or a rejected
credential fails the whole invocation before anything is sent: nothing is finished, every
message comes back after its visibility timeout (no retry storm: the client refuses every
request after the first 401).
"""

from __future__ import annotations

import logging
from typing import Any

from tmdb_collector import app
from tmdb_collector.aws._events import sqs_batch
from tmdb_collector.aws._frame import Invocation, lambda_handler

__all__ = ["handler"]

_log = logging.getLogger("tmdb_collector.aws.collect")


@lambda_handler("collect", app.Surface.COLLECTOR_FUNCTION)
def handler(invocation: Invocation) -> dict[str, Any]:
    runtime, wiring = invocation.runtime, invocation.wiring
    messages = app.sqs_event_messages(sqs_batch(invocation.event, "collector"))
    pace = wiring.pace()
    seconds = invocation.seconds()
    runtime.check_visibility(invocation.context)

    async def collect() -> app.BatchReport:
        return await app.collect_batch(
            client=await runtime.client(pace),
            objects=wiring.objects,
            queue=runtime.queue(),
            messages=messages,
            settings=wiring.collector_settings(),
            seconds=seconds,
            metrics=invocation.metrics,
            pace=pace,
            records=await wiring.writable_records(),
        )

    report = runtime.run(collect())
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
        }
        # What TMDB sent that the schema does not know yet (docs/schema.md, "Schema drift"):
        # "KIND: unknown_key|type_change PATH" -> the batch's records showing it.
        | ({"schema_drift": dict(progress.drift)} if progress.drift else {}),
    )
    return {"batchItemFailures": [{"itemIdentifier": mid} for mid in report.unfinished]}
