"""The events the functions accept, checked: a function given another function's event (an SQS
batch to the harvester), nothing, or a list fails at once with one clear InputError instead of
doing something else than asked."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tmdb_collector.errors import InputError

__all__ = ["schedule_detail", "sqs_batch"]

#: The top-level fields of an EventBridge event (a schedule's, or a rule's delivering a custom
#: event) and of a ``put-events`` entry (samples/trigger-event.json), which one may also invoke
#: a function with directly.
_ENVELOPE = frozenset(
    {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
        "replay-name",
        "Source",
        "DetailType",
        "Detail",
        "EventBusName",
        "Time",
        "Resources",
        "TraceHeader",
    }
)


def _one_event(event: object, function: str, takes: str) -> Mapping[str, Any]:
    # samples/trigger-event.json is put-events' list of entries: one entry is one event.
    if isinstance(event, list) and len(event) == 1:
        event = event[0]
    if not isinstance(event, Mapping):
        got = "an empty list" if event == [] else type(event).__name__
        if event is None:
            got = "no event (null)"
        raise InputError(f"the {function} takes {takes}, not {got}")
    return event


def schedule_detail(event: object, function: str) -> Mapping[str, Any]:
    """The ``detail`` of a schedule or trigger event (an object, or a JSON text holding one, as
    ``put-events`` carries it in ``Detail``); {} for an event without one."""
    takes = "a schedule or trigger event (a JSON object)"
    event = _one_event(event, function, takes)
    if "Records" in event:
        raise InputError(
            f"the {function} takes {takes}; this is a batch of queue records (an SQS event, the "
            "collector's): check the function's triggers"
        )
    unknown = sorted(set(event) - _ENVELOPE)
    if unknown:
        raise InputError(
            f"the {function} takes {takes}; this one has field(s) {', '.join(unknown)} that no "
            "EventBridge event has: put the request in its detail"
        )
    detail = event.get("detail", event.get("Detail"))
    if detail is None:
        return {}
    if isinstance(detail, str):
        try:
            detail = json.loads(detail) if detail.strip() else {}
        except ValueError:
            raise InputError(f"the event's detail is not JSON: {detail[:80]!r}") from None
    if not isinstance(detail, Mapping):
        raise InputError("the event's detail must be a JSON object")
    return detail


def sqs_batch(event: object, function: str) -> Mapping[str, Any]:
    """An SQS event source's batch (``{"Records": [...]}``), or InputError saying what it is."""
    takes = 'a batch from its SQS event source ({"Records": [...]})'
    event = _one_event(event, function, takes)
    records = event.get("Records")
    if not isinstance(records, list):
        raise InputError(f"the {function} takes {takes}: this event has no list of Records")
    sources = {record.get("eventSource") for record in records if isinstance(record, Mapping)}
    if sources - {"aws:sqs", None}:
        raise InputError(
            f"the {function} takes {takes}; these records come from "
            f"{', '.join(sorted(str(source) for source in sources))}"
        )
    return event
