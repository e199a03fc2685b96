"""The harvester function: invoked by EventBridge Scheduler, or by a custom event (``aws events
put-events`` with samples/trigger-event.json) whose ``detail`` may carry ``types``, ``date``
(YYYY-MM-DD), ``force_deletions`` and ``dry_run``. Plans, sends the work to SQS, advances the
watermarks; stops cleanly before the function's timeout (a later run plans what is missing)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from tmdb_collector import app
from tmdb_collector.aws._runtime import (
    LambdaContext,
    deadline_seconds,
    forgetting_a_rejected_credential,
    runtime,
)
from tmdb_collector.config import MEDIA_TYPES
from tmdb_collector.errors import InputError
from tmdb_collector.harvest import HarvestReport
from tmdb_collector.queue import open_work_queue

__all__ = ["HarvestRequest", "handler", "parse_event"]

_log = logging.getLogger("tmdb_collector.aws.harvest")


class HarvestRequest:
    """What an event asks of a harvest."""

    __slots__ = ("day", "dry_run", "force_deletions", "types")

    def __init__(
        self,
        types: str | None = None,
        day: date | None = None,
        force_deletions: bool = False,
        dry_run: bool = False,
    ) -> None:
        self.types, self.day = types, day
        self.force_deletions, self.dry_run = force_deletions, dry_run


def parse_event(event: Mapping[str, Any]) -> HarvestRequest:
    """A scheduler event (its detail is empty) or a custom trigger event's ``detail``; an
    invalid field is an InputError naming it (the invocation fails, and says why)."""
    detail = event.get("detail") or {}
    if not isinstance(detail, Mapping):
        raise InputError("the event's detail must be a JSON object")
    unknown = set(detail) - {"types", "date", "force_deletions", "dry_run"}
    if unknown:
        raise InputError(
            f"unknown field(s) {', '.join(sorted(unknown))} in the event's detail; it takes "
            "types, date, force_deletions and dry_run"
        )
    types = detail.get("types")
    if isinstance(types, list):
        types = ",".join(str(kind) for kind in types)
    if types is not None and not isinstance(types, str):
        raise InputError("detail.types is a list of kinds or a comma-separated text")
    day = detail.get("date")
    try:
        parsed = None if day is None else date.fromisoformat(str(day))
    except ValueError:
        raise InputError(f"detail.date must be YYYY-MM-DD, got {day!r}") from None
    flags = {name: detail.get(name, False) for name in ("force_deletions", "dry_run")}
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise InputError(f"detail.{name} must be true or false, got {value!r}")
    return HarvestRequest(types, parsed, flags["force_deletions"], flags["dry_run"])


def handler(event: Mapping[str, Any], context: LambdaContext | None = None) -> dict[str, Any]:
    wiring = runtime()
    request = parse_event(event)
    settings = app.harvest_settings(wiring.config)
    if request.types is not None:
        settings = replace(settings, kinds=MEDIA_TYPES.parse(request.types))
    metrics = wiring.metrics("harvest")
    queue = None if request.dry_run else open_work_queue(wiring.queue_spec)
    try:
        harvest = app.run_harvest(
            client_settings=wiring.client_settings,
            objects=wiring.objects,
            queue=queue,
            settings=settings,
            day=request.day,
            dry_run=request.dry_run,
            force_deletions=request.force_deletions,
            metrics=metrics,
        )
        with forgetting_a_rejected_credential():
            report = asyncio.run(_before(harvest, deadline_seconds(context)))
    finally:
        if queue is not None:
            queue.close()
        metrics.flush()
    if report is None:
        summary: dict[str, Any] = {
            "stopped": "the function's deadline came first; the next run plans what is missing"
        }
        _log.warning("harvest stopped before the deadline", extra=summary)
        return summary
    summary = report.summary()
    _log.info("harvest done", extra={"summary": summary})
    return summary


async def _before(
    harvest: Coroutine[Any, Any, HarvestReport], seconds: float
) -> HarvestReport | None:
    """The harvest's report, or None when the deadline came first. Stopping is safe at any
    point: the work is sent before the ledgers and watermarks are saved, so a later run plans
    again what this one did not record (at worst a few items twice)."""
    try:
        return await asyncio.wait_for(harvest, timeout=seconds)
    except TimeoutError:
        return None
