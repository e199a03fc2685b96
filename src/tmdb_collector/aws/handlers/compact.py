"""The compaction function, scheduled: folds each kind's index fragments into its snapshot
(``app.compact_index``, the one compaction path, holding the compaction lease: two
compactions of one store never race). Its event's ``detail`` may carry ``types``, and
``due: true`` (the template's hourly schedule): only the kinds whose compaction is due
(``app.CompactionDue``: 500 fragments waiting, or one waiting for 23 hours)."""

from __future__ import annotations

import logging
from typing import Any

from tmdb_collector import app
from tmdb_collector.aws._events import schedule_detail
from tmdb_collector.aws._frame import Invocation, lambda_handler
from tmdb_collector.errors import InputError
from tmdb_collector.kinds import Kind

__all__ = ["handler"]

_log = logging.getLogger("tmdb_collector.aws.compact")


def _due(detail: Any) -> app.CompactionDue | None:
    due = detail.get("due", False)
    if not isinstance(due, bool):
        raise InputError("detail.due is true (only the kinds whose compaction is due) or false")
    return app.CompactionDue() if due else None


def _kinds(detail: Any) -> tuple[Kind, ...]:
    unknown = set(detail) - {"types", "due"}
    if unknown:
        raise InputError(
            f"unknown field(s) {', '.join(sorted(unknown))} in the event's detail; it takes "
            "types and due"
        )
    types = detail.get("types")
    if types is None:
        return tuple(Kind)
    names = types.split(",") if isinstance(types, str) else types
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise InputError("detail.types is a list of kinds or a comma-separated text")
    known = {kind.value: kind for kind in Kind}
    wrong = [name for name in names if name.strip() not in known]
    if wrong or not names:
        raise InputError(
            f"detail.types names no kind or an unknown one ({', '.join(wrong)}); kinds are "
            + ", ".join(known)
        )
    return tuple(known[name.strip()] for name in names)


@lambda_handler("compact", app.Surface.COMPACTOR_FUNCTION)
def handler(invocation: Invocation) -> dict[str, Any]:
    detail = schedule_detail(invocation.event, "compactor")
    kinds, due = _kinds(detail), _due(detail)
    runtime = invocation.runtime
    results = runtime.run(
        app.compact_index(
            runtime.wiring.objects,
            kinds,
            metrics=invocation.metrics,
            gc=runtime.wiring.segment_gc(),
            due=due,
        )
    )
    summary = {
        str(kind): {"fragments_merged": result.fragments_merged, "rows": result.rows}
        for kind, result in results.items()
    }
    _log.info("index compacted", extra={"kinds": summary})
    return summary
