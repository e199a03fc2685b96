"""``tmdb-collector harvest``: plan the day's work and put it on the queue."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from tmdb_collector._store_cli import store_option
from tmdb_collector.harvest import (
    REASON_ORDER,
    Harvester,
    HarvestReport,
    HarvestSettings,
    HarvestSettingsError,
    HarvestStateError,
    parse_kinds,
)
from tmdb_collector.queue import QueueError, WorkQueue, open_work_queue
from tmdb_collector.store import ObjectStore, StoreError, open_object_store
from tmdb_collector.tmdb import ClientSettings, TMDBClient, TMDBError

__all__ = ["default_queue", "harvest", "queue_option", "with_kinds"]

queue_option = click.option(
    "--queue",
    "queue_spec",
    envvar="TMDB_QUEUE",
    default=None,
    metavar="sqlite:PATH|sqs://NAME|QUEUE_URL",
    help="The work queue (env: TMDB_QUEUE). Default: STORE/queue/work.sqlite3 for a local "
    "store, ./tmdb-queue.sqlite3 otherwise.",
)


def default_queue(store_location: str) -> str:
    """The embedded queue beside a local store (or in the working directory for S3 or memory)."""
    if "://" in store_location and not store_location.startswith("file://"):
        return "sqlite:tmdb-queue.sqlite3"
    root = store_location.removeprefix("file://")
    return f"sqlite:{Path(root) / 'queue' / 'work.sqlite3'}"


@click.command()
@store_option
@queue_option
@click.option(
    "--types",
    "types",
    default=None,
    metavar="KIND,...",
    help="Kinds to harvest (env: MEDIA_TYPES; default all seven): movie, tv, person, "
    "collection, network, keyword, company.",
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The export day to plan from (default today, UTC; yesterday's when today's is not "
    "published yet).",
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
    location: str,
    queue_spec: str | None,
    types: str | None,
    day: datetime | None,
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
    try:
        settings = HarvestSettings.from_env()
        if types is not None:
            settings = with_kinds(settings, types)
        client_settings = ClientSettings.from_env()
        objects = open_object_store(location)
        queue = None if dry_run else open_work_queue(queue_spec or default_queue(location))
    except (HarvestSettingsError, TMDBError, StoreError, QueueError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    console = Console(stderr=True)
    try:
        with (
            console.status("harvest: reading exports and changes feeds ...") if _tty() else _quiet()
        ):
            report = asyncio.run(
                _run(
                    client_settings=client_settings,
                    objects=objects,
                    queue=queue,
                    settings=settings,
                    day=None if day is None else day.date(),
                    dry_run=dry_run,
                    force_deletions=force_deletions,
                )
            )
    except (TMDBError, StoreError, QueueError, HarvestStateError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        if queue is not None:
            queue.close()
    if as_json:
        click.echo(json.dumps(report.summary(), indent=1))
    else:
        # A pipe or file gets every column, not an 80-column cut.
        _print(report, Console() if sys.stdout.isatty() else Console(width=200))
    if report.plan.errors:
        sys.exit(1)


async def _run(
    *,
    client_settings: ClientSettings,
    objects: ObjectStore,
    queue: WorkQueue | None,
    settings: HarvestSettings,
    day: date | None,
    dry_run: bool,
    force_deletions: bool,
) -> HarvestReport:
    async with TMDBClient(client_settings) as client:
        harvester = Harvester(client, objects, queue, settings)
        return await harvester.run(day, dry_run=dry_run, force_deletions=force_deletions)


def with_kinds(settings: HarvestSettings, types: str) -> HarvestSettings:
    """``settings`` limited to the kinds of a ``--types`` option."""
    kinds = parse_kinds(types)
    if not kinds:
        raise HarvestSettingsError("--types names no kind; leave it out for all seven")
    return replace(settings, kinds=kinds)


def _print(report: HarvestReport, console: Console) -> None:
    plan = report.plan
    title = f"harvest of {plan.day}" + (" (dry run: nothing enqueued)" if report.dry_run else "")
    table = Table(title=title)
    table.add_column("kind")
    table.add_column("export")
    table.add_column("stored", justify="right")
    for reason in REASON_ORDER:
        table.add_column(reason.value, justify="right")
    table.add_column("in flight", justify="right")
    for kind_plan in plan.kinds:
        table.add_row(
            kind_plan.kind.value,
            "-" if kind_plan.export_day is None else kind_plan.export_day.isoformat(),
            f"{kind_plan.stored:,}",
            *(f"{kind_plan.count(reason):,}" for reason in REASON_ORDER),
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


def _tty() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None
