"""The harvester function: invoked by EventBridge Scheduler, or by a custom event (``aws events
put-events`` with samples/trigger-event.json, through a rule; or the entry itself, its
``Detail`` a JSON text) whose detail may carry ``types``, ``date`` (YYYY-MM-DD),
``force_deletions`` and ``dry_run``. Plans, sends the work to SQS, advances the watermarks;
stops cleanly before the function's timeout (a later run plans what is missing). Paces at the
full rate alone, at HARVESTER_RATE beside collector functions at work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from tmdb_collector import app
from tmdb_collector.aws._events import schedule_detail
from tmdb_collector.aws._frame import Invocation, lambda_handler
from tmdb_collector.config import MEDIA_TYPES
from tmdb_collector.errors import InputError, TMDBCollectorError

__all__ = ["HarvestRequest", "handler", "parse_event"]

_log = logging.getLogger("tmdb_collector.aws.harvest")


class HarvestIncompleteError(TMDBCollectorError):
    """Some kind could not be planned (its export or changes feed could not be read): the
    others were sent, and the invocation fails so that it shows in the Errors metric."""


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


def parse_event(event: object) -> HarvestRequest:
    """A scheduler event (its detail is empty) or a custom trigger event's detail; an event
    that is not one, or an invalid field, is an InputError naming it (the invocation fails, and
    says why)."""
    detail: Mapping[str, Any] = schedule_detail(event, "harvester")
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


@lambda_handler("harvest", app.Surface.HARVESTER_FUNCTION)
def handler(invocation: Invocation) -> dict[str, Any]:
    request = parse_event(invocation.event)
    wiring = invocation.wiring
    day = app.harvest_day(wiring, request.day)
    given = {} if request.types is None else {"kinds": MEDIA_TYPES.parse(request.types)}
    settings = wiring.harvest_settings(**given)
    queue = None if request.dry_run else wiring.open_queue()

    async def harvest() -> app.HarvestReport | None:
        client_settings = wiring.client_settings(await wiring.harvester_pace(queue))
        client_settings.require_credential()  # the changes feeds are the hourly work
        work = app.run_harvest(
            client_settings=client_settings,
            objects=wiring.objects,
            queue=queue,
            settings=settings,
            day=day,
            dry_run=request.dry_run,
            force_deletions=request.force_deletions,
            metrics=invocation.metrics,
        )
        # Stopping is safe at any point: the work is sent before the ledgers and watermarks are
        # saved, so a later run plans again what this one did not record (a few items twice).
        try:
            return await asyncio.wait_for(work, timeout=invocation.seconds())
        except TimeoutError:
            return None

    try:
        report = invocation.runtime.run(harvest())
    finally:
        if queue is not None:
            queue.close()
    if report is None:
        summary: dict[str, Any] = {
            "stopped": "the function's deadline came first; the next run plans what is missing"
        }
        _log.warning("harvest stopped before the deadline", extra=summary)
        return summary
    summary = report.summary()
    _log.info("harvest done", extra={"summary": summary})
    if report.plan.errors:
        raise HarvestIncompleteError(
            "the harvest is incomplete: " + "; ".join(report.plan.errors) + " (the other "
            "kinds' work was sent; the next run plans again what is missing)"
        )
    return summary
