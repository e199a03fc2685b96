"""``tmdb-collector status``: the queue, the dead letters, the store and the last harvest at a
glance (``--json`` for scripts and alarms)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from tmdb_collector import app
from tmdb_collector.cli._options import queue_option, stack_option, store_option, wiring
from tmdb_collector.cli._render import stdout_console

__all__ = ["show_status", "status"]


@click.command()
@store_option
@queue_option
@stack_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
def status(
    *, location: str | None, queue_spec: str | None, stack: str | None, as_json: bool
) -> None:
    """Show who is at work on the store (the run holding it, collector functions on Lambda),
    the work queue (waiting, in flight, dead letters with their last errors), records and
    tombstones per kind, and the last harvest with its watermarks."""
    show_status(wiring(location=location, queue_spec=queue_spec, stack=stack), as_json=as_json)


def show_status(
    wired: app.Wiring,
    *,
    as_json: bool,
    deployment: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> None:
    """Print the status of the store and queue ``wired`` names (``status``, ``aws status``);
    ``deployment`` adds what CloudWatch knows of a deployment (``aws status``)."""
    objects = asyncio.run(wired.existing_objects())  # a status never creates a store
    spec = asyncio.run(wired.store_queue_spec(record=False))
    report = asyncio.run(app.gather_status(objects, spec, wired.collector_settings()))
    if deployment is not None:
        report["deployment"] = deployment(report)
    if as_json:
        click.echo(json.dumps(report, indent=1))
    else:
        _print(report, stdout_console())


_LAYOUTS = {
    "objects": "layout: one object per record version (earlier releases'); `tmdb-collector "
    "migrate` moves it to segments (docs/storage.md)",
    "segments": "layout: segments",
}


def _print(report: dict[str, Any], console: Console) -> None:
    queue = report["queue"]
    console.print(f"store: {report['store']}")
    if report.get("layout") in _LAYOUTS:
        console.print(_LAYOUTS[report["layout"]])
    _print_holders(report, console)
    if not queue["exists"]:
        console.print(f"queue: {queue['spec']} (none yet: run `tmdb-collector harvest`)")
    else:
        console.print(
            f"queue: {queue['spec']}: {queue['waiting']:,} waiting, {queue['in_flight']:,} in "
            f"flight, {queue['delayed']:,} delayed; dead letters: {queue['dead']:,}"
        )
        for letter in queue["dead_letters"]:
            console.print(f"  dead: {_dead_letter(letter)}", markup=False)
    if "deployment" in report:
        console.print(_activity(report["deployment"]), markup=False)
    table = Table(title="records")
    for column in ("kind", "records", "tombstones"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind, counts in report["kinds"].items():
        table.add_row(kind, f"{counts['records']:,}", f"{counts['tombstones']:,}")
    console.print(table if report["kinds"] else "records: none yet")
    last = report["last_harvest"]
    if last is None:
        console.print("last harvest: none")
    else:
        errors = [error for kind in last.get("kinds", []) for error in kind.get("errors", [])]
        console.print(
            f"last harvest: {last.get('started_at')} for {last.get('day')}: "
            f"{last.get('items_enqueued', 0):,} items enqueued"
            + (f", {len(errors)} errors" if errors else "")
        )
        for error in errors:
            console.print(f"  error: {error}")
    _print_mirror(report.get("mirror"), console)
    for kind, mark in report["watermarks"].items():
        console.print(f"changes watermark {kind}: read through {mark['through']}")
    if report.get("depth"):
        console.print(depth_line(report["depth"]), markup=False)


def _print_holders(report: dict[str, Any], console: Console) -> None:
    """Who is at work on the store: the run holding it, collector functions on Lambda."""
    lease = report.get("lease")
    if lease is not None:
        console.print(
            f"in use by: `{lease['command']}` (pid {lease['pid']} on {lease['host']}) since "
            f"{lease['since']}, renewed {lease['renewed_at']}"
        )
    collectors = report.get("collectors_at_work") or {}
    if collectors.get("instances"):
        console.print(
            f"collector functions at work: {collectors['instances']:,}, holding "
            f"{collectors['messages']:,} messages"
        )


def _activity(activity: dict[str, Any]) -> str:
    """The deployment's last minutes, from CloudWatch (``aws status``)."""
    oldest, rate = activity["oldest_message_seconds"], activity["requests_per_second"]
    minutes = activity["window_seconds"] // 60
    parts = [
        "oldest message: "
        + ("no data" if oldest is None else _duration(int(oldest)))
        + f"; TMDB requests in the last {minutes} min: "
        + (
            "no data (no collector ran)"
            if rate is None
            else f"{rate:.1f}/s, {activity['rate_limited']:,} × 429"
        )
    ]
    eta, items = activity["eta_seconds"], activity["items_queued"]
    if eta == 0:
        parts.append("nothing queued")
    elif eta is not None:
        parts.append(f"about {items:,} items queued: about {_duration(eta)} left at this rate")
    elif items is not None:
        parts.append(f"about {items:,} items queued: no rate yet to estimate the time left")
    return "; ".join(parts)


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"


def _dead_letter(letter: dict[str, Any]) -> str:
    if letter.get("unreadable"):
        return f"a message that is no work batch (no item can be read from it): {letter['error']}"
    items, first = letter["items"], letter.get("first")
    if first is None:
        return f"a message of no items: {letter['error']}"
    return f"{items:,} item{'' if items == 1 else 's'} from {first}: {letter['error']}"


#: The outcome ``status`` gives a run whose progress says "running" while no live ``mirror``
#: holds the store (app/_status.py).
_ENDED = "ended without finishing"


def _run_state(mirror: dict[str, Any]) -> str:
    outcome = mirror.get("outcome") or ("done" if mirror.get("finished") else "running")
    if outcome.startswith(_ENDED):
        return f"{outcome} at {mirror.get('updated_at')}: run `tmdb-collector mirror` to resume"
    if outcome == "done":
        return "finished"
    if outcome == "stopped":
        return "stopped before the end (run `tmdb-collector mirror` to resume)"
    if outcome.startswith("failed"):
        return f"{outcome} (fix that, then run `tmdb-collector mirror` to resume)"
    if outcome.startswith("incomplete"):
        advice = []
        if "dead-letter" in outcome:
            advice.append("see the dead letters above; `tmdb-collector redrive` after the fix")
        if "harvest error" in outcome:
            advice.append("the last harvest's errors are below; the next `mirror` reads again")
        return f"{outcome} ({'; '.join(advice)})"
    return f"running ({mirror.get('phase')})"


def _print_mirror(mirror: dict[str, Any] | None, console: Console) -> None:
    if mirror is None:
        console.print("mirror: no run yet")
        return
    done = sum(mirror.get("items_done", {}).values())
    planned = sum(mirror.get("items_planned", {}).values())
    state = _run_state(mirror)
    when = f"started {mirror.get('started_at')}"
    if not state.startswith(_ENDED):  # an ended run's state says when it last said anything
        when += f", last update {mirror.get('updated_at')}"
    line = (
        f"mirror: {state}; {when}: {done:,}"
        + (f" / {planned:,}" if planned else "")
        + f" items, {mirror.get('items_per_second', 0):,.1f}/s, {mirror.get('retried', 0)} "
        f"retried, {mirror.get('dead', 0)} dead, {mirror.get('rate_limited', 0)} × 429"
    )
    eta = mirror.get("eta_seconds")
    if eta is not None:
        line += f"; about {eta // 3600} h {eta % 3600 // 60} min left"
    console.print(line)
    for error in mirror.get("errors", []):
        console.print(f"  error: {error}")
    drift = mirror.get("schema_drift") or {}
    if drift:
        console.print("schema drift seen (kept losslessly; a schema update would type it):")
        for path, records in drift.items():
            console.print(f"  {path}: {records:,} records")


def depth_line(depth: dict[str, Any]) -> str:
    """What a work item costs at the collector's depth, on one line."""
    shape = depth["series_shape"]
    per_item = depth["requests_per_item"]
    shown = ", ".join(
        f"{kind} {per_item[kind]:g}" for kind in ("movie", "tv", "person") if kind in per_item
    )
    source = "assumed" if shape["assumed"] else "as stored"
    return (
        f"depth: SEASON_DETAILS={str(depth['season_details']).lower()}, "
        f"EPISODE_DETAILS={str(depth['episode_details']).lower()}; requests per item: {shown} "
        f"(a series with {shape['seasons']:g} seasons and {shape['episodes']:g} episodes, "
        f'{source}; docs/collector.md, "Depth and its cost")'
    )
