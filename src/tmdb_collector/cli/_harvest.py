"""``tmdb-collector harvest``: plan the day's work and put it on the queue."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from datetime import date

import click
from rich.console import Console
from rich.table import Table

from tmdb_collector import app
from tmdb_collector.cli._options import (
    day_option,
    queue_option,
    store_option,
    types_option,
    wiring,
)
from tmdb_collector.cli._render import stdout_console
from tmdb_collector.cli._status import depth_line
from tmdb_collector.kinds import Kind

__all__ = ["harvest"]


@click.command()
@store_option
@queue_option
@types_option
@day_option(
    "The export day to plan from (default today, UTC; yesterday's when today's is not "
    "published yet); never a day to come."
)
@click.option("--dry-run", is_flag=True, help="Print the plan; enqueue and remember nothing.")
@click.option(
    "--force-deletions",
    is_flag=True,
    help="Tombstone even when more than DELETE_MAX_SHARE of a kind is missing from its export.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def harvest(
    *,
    location: str | None,
    queue_spec: str | None,
    types: str | None,
    day: date | None,
    dry_run: bool,
    force_deletions: bool,
    as_json: bool,
) -> None:
    """Plan what to fetch (new, changed, deleted and stale records) and enqueue it.

    Reads each kind's daily export and changes feed, compares them with the store, and puts the
    work on the queue for `mirror` or the collectors. TMDB_API_KEY is needed to read the changes
    feeds (the exports need none). Exit status 1 when some kind could not be planned (the others
    are enqueued).
    """
    wired = wiring(location=location, queue_spec=queue_spec, types=types)
    export_day = app.harvest_day(wired, day)
    client_settings = wired.client_settings()
    harvest_settings = wired.harvest_settings()
    # A dry run remembers nothing: it plans from the store if there is one, creating none.
    objects = asyncio.run(wired.objects_or_nothing()) if dry_run else wired.lasting_objects()
    spec = asyncio.run(wired.store_queue_spec(record=not dry_run))
    queue, missing = app.open_harvest_queue(wired, spec, dry_run=dry_run)
    console = Console(stderr=True)
    try:
        waiting = "harvest: reading exports and changes feeds ..."
        with console.status(waiting) if console.is_terminal else contextlib.nullcontext():
            report = asyncio.run(
                app.run_harvest(
                    client_settings=client_settings,
                    objects=objects,
                    queue=queue,
                    settings=harvest_settings,
                    day=export_day,
                    dry_run=dry_run,
                    force_deletions=force_deletions,
                    queue_missing=missing,
                )
            )
    finally:
        if queue is not None:
            queue.close()
    costs = asyncio.run(app.request_costs(objects, wired.collector_settings()))
    planned = costs.for_items(
        {
            kind_plan.kind: sum(kind_plan.count(reason) for reason in app.REASON_ORDER)
            for kind_plan in report.plan.kinds
        }
    )
    if as_json:
        summary = report.summary()
        summary["requests"] = {
            **costs.summary(),
            "planned": {kind.value: round(count) for kind, count in planned.items()},
            "total": round(sum(planned.values())),
        }
        click.echo(json.dumps(summary, indent=1))
    else:
        console = stdout_console()
        _print(report, console)
        _print_requests(costs, planned, client_settings.rate_limit, console)
    if report.plan.errors:
        sys.exit(1)


def _print(report: app.HarvestReport, console: Console) -> None:
    plan = report.plan
    title = f"harvest of {plan.day}" + (" (dry run: nothing enqueued)" if report.dry_run else "")
    table = Table(title=title)
    table.add_column("kind")
    table.add_column("export")
    table.add_column("stored", justify="right")
    for reason in app.REASON_ORDER:
        table.add_column(reason.value, justify="right")
    table.add_column("in flight", justify="right")
    for kind_plan in plan.kinds:
        table.add_row(
            kind_plan.kind.value,
            "-" if kind_plan.export_day is None else kind_plan.export_day.isoformat(),
            f"{kind_plan.stored:,}",
            *(f"{kind_plan.count(reason):,}" for reason in app.REASON_ORDER),
            f"{kind_plan.in_flight:,}",
        )
    console.print(table)
    for kind_plan in plan.kinds:
        for note in kind_plan.notes:
            console.print(f"{kind_plan.kind}: {note}")
    for error in plan.errors:
        console.print(f"[bold red]error[/] {error}")
    if report.dry_run:
        console.print(f"{plan.total:,} items planned in {report.seconds:.1f} s")
    else:
        console.print(
            f"{report.items_enqueued:,} items enqueued in {report.messages_sent:,} messages "
            f"in {report.seconds:.1f} s"
        )


def _print_requests(
    costs: app.RequestCosts, planned: dict[Kind, float], rate: float, console: Console
) -> None:
    """The requests the planned items will take at the collector's depth, and how long."""
    total = sum(planned.values())
    kinds = ", ".join(f"{kind} {count:,.0f}" for kind, count in planned.items() if count)
    console.print(
        f"requests to collect them: ~{total:,.0f} ({kinds or 'none'}), "
        f"~{_duration(total / rate)} at {rate:g} requests/s",
        markup=False,
    )
    console.print(depth_line(costs.summary()), markup=False)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
