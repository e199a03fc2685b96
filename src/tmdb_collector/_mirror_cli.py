"""``tmdb-collector mirror``: harvest and collect in one process until the work is done."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from datetime import date, datetime

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from tmdb_collector._harvest_cli import default_queue, queue_option, with_kinds
from tmdb_collector._mirror import MirrorProgress, MirrorReport, run_mirror
from tmdb_collector._store_cli import store_option
from tmdb_collector.collect import CollectorSettings, CollectorSettingsError
from tmdb_collector.harvest import (
    HarvestSettings,
    HarvestSettingsError,
    HarvestStateError,
)
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import QueueError, WorkQueue, open_work_queue
from tmdb_collector.store import ObjectStore, StoreError, open_object_store
from tmdb_collector.tmdb import AuthenticationError, ClientSettings, TMDBClient, TMDBError

__all__ = ["mirror", "render_progress"]

_log = logging.getLogger("tmdb_collector.mirror")
#: Seconds between progress lines when stderr is not a terminal.
_LOG_EVERY = 10.0


@click.command()
@store_option
@queue_option
@click.option("--types", default=None, metavar="KIND,...", help="Kinds to harvest (MEDIA_TYPES).")
@click.option(
    "--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The export day."
)
@click.option("--no-harvest", is_flag=True, help="Only work off what the queue holds.")
def mirror(
    *,
    location: str,
    queue_spec: str | None,
    types: str | None,
    day: datetime | None,
    no_harvest: bool,
) -> None:
    """Harvest, then fetch and store every queued record at the pace TMDB allows.

    Needs TMDB_API_KEY. Ctrl-C stops cleanly (records being stored are finished, the rest stays
    queued); running `mirror` again resumes. Progress per kind on a terminal, a log line every
    10 s otherwise.
    """
    try:
        harvest_settings = HarvestSettings.from_env()
        if types is not None:
            harvest_settings = with_kinds(harvest_settings, types)
        collector_settings = CollectorSettings.from_env()
        client_settings = ClientSettings.from_env()
        client_settings.require_credential()
        objects = open_object_store(location)
        queue = open_work_queue(
            queue_spec or default_queue(location),
            visibility_timeout=collector_settings.visibility_timeout,
        )
    except (
        HarvestSettingsError,
        CollectorSettingsError,
        TMDBError,
        StoreError,
        QueueError,
        ValueError,
    ) as error:
        raise click.ClickException(str(error)) from None
    try:
        report = asyncio.run(
            _run(
                client_settings=client_settings,
                objects=objects,
                queue=queue,
                harvest_settings=harvest_settings,
                collector_settings=collector_settings,
                harvest=not no_harvest,
                day=None if day is None else day.date(),
            )
        )
    except AuthenticationError as error:
        raise click.ClickException(
            f"{error} — the run stopped; queued work stays queued for the next run"
        ) from None
    except (TMDBError, StoreError, QueueError, HarvestStateError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        queue.close()
    _print_summary(report, Console())
    if report.stopped:
        sys.exit(130)


async def _run(
    *,
    client_settings: ClientSettings,
    objects: ObjectStore,
    queue: WorkQueue,
    harvest_settings: HarvestSettings,
    collector_settings: CollectorSettings,
    harvest: bool,
    day: date | None,
) -> MirrorReport:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def interrupted() -> None:
        if stop.is_set():  # a second Ctrl-C: stop now, whatever is in flight
            raise KeyboardInterrupt
        _log.warning("stopping: finishing the records being stored (Ctrl-C again to abort)")
        stop.set()

    loop.add_signal_handler(signal.SIGINT, interrupted)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    console = Console(stderr=True)
    display = _Display(console)
    try:
        async with TMDBClient(client_settings) as client:
            with display:
                return await run_mirror(
                    client=client,
                    objects=objects,
                    queue=queue,
                    harvest_settings=harvest_settings,
                    collector_settings=collector_settings,
                    harvest=harvest,
                    day=day,
                    stop=stop,
                    on_progress=display.update,
                )
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        loop.remove_signal_handler(signal.SIGTERM)


class _Display:
    """A live table on a terminal; a log line every 10 s otherwise."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._live = Live(console=console, refresh_per_second=2, transient=False)
        self._terminal = console.is_terminal
        self._logged = 0.0

    def __enter__(self) -> _Display:
        if self._terminal:
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._terminal:
            self._live.__exit__(None, None, None)

    def update(self, progress: MirrorProgress) -> None:
        if self._terminal:
            self._live.update(render_progress(progress))
        elif time.monotonic() - self._logged >= _LOG_EVERY:
            self._logged = time.monotonic()
            _log.info("mirror: %s", _progress_line(progress))


def render_progress(progress: MirrorProgress) -> Table:
    """The progress table: per kind done / planned, then the run's rates and counters."""
    collect = progress.collect
    table = Table(title=f"mirror — {progress.phase}, {progress.seconds:,.0f} s")
    for column in ("kind", "done / planned", "created", "updated", "unchanged", "deleted"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind in Kind:
        done = 0 if collect is None else collect.items.get(kind, 0)
        planned = progress.planned.get(kind)
        written = {} if collect is None else collect.records.get(kind, {})
        if not done and not planned and not written:
            continue
        table.add_row(
            kind.value,
            f"{done:,} / {planned:,}" if planned is not None else f"{done:,}",
            *(f"{written.get(change, 0):,}" for change in ("created", "updated", "unchanged")),
            f"{written.get('deleted', 0):,}",
        )
    table.caption = _progress_line(progress)
    return table


def _progress_line(progress: MirrorProgress) -> str:
    collect, queue = progress.collect, progress.queue
    parts = [progress.phase]
    if collect is not None:
        seconds = max(time.time() - collect.started_at_ms / 1000, 1e-3)
        items = sum(collect.items.values())
        rate = items / seconds
        parts.append(
            f"{items:,} items ({rate:,.1f}/s), {collect.requests:,} requests "
            f"({collect.requests / seconds:,.1f}/s), {collect.rate_limited} × 429, "
            f"{collect.items_retried} retried, {collect.items_dead} dead"
        )
        if queue is not None and rate > 0:
            waiting = queue.visible + queue.in_flight + queue.delayed
            parts.append(f"{waiting:,} messages queued")
    if collect is not None and collect.errors:
        parts.append(f"last error: {collect.errors[-1]}")
    return "; ".join(parts)


def _print_summary(report: MirrorReport, console: Console) -> None:
    if report.harvest is not None:
        planned = report.harvest.items_enqueued
        console.print(f"harvest: {planned:,} items enqueued for {report.harvest.plan.day}")
        for error in report.harvest.plan.errors:
            console.print(f"[bold red]harvest error[/] {error}")
    collect = report.collect
    if collect is not None:
        console.print(render_progress(MirrorProgress("done", collect, None, {}, report.seconds)))
    if report.compacted:
        console.print(f"index compacted: {', '.join(str(k) for k in report.compacted)}")
    verdict = "stopped: run `tmdb-collector mirror` again to resume" if report.stopped else "done"
    console.print(f"mirror {verdict} in {report.seconds:,.1f} s")
