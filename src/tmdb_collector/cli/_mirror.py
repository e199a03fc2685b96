"""``tmdb-collector mirror``: harvest and collect in one process until the work is done."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections.abc import Coroutine
from datetime import date
from typing import Any

import click
from rich.console import Console
from rich.live import Live

from tmdb_collector import app
from tmdb_collector.cli._options import (
    EXIT_STOPPED,
    CommandFailed,
    day_option,
    queue_option,
    store_option,
    types_option,
    wiring,
)
from tmdb_collector.cli._render import progress_line, render_progress
from tmdb_collector.errors import UpstreamRejectedError

__all__ = ["mirror"]

_log = logging.getLogger("tmdb_collector.mirror")
#: Seconds between progress lines when stderr is not a terminal.
_LOG_EVERY = 10.0


@click.command()
@store_option
@queue_option
@types_option
@day_option("The export day (default today, UTC); never a day to come.")
@click.option("--no-harvest", is_flag=True, help="Only work off what the queue holds.")
def mirror(
    *,
    location: str | None,
    queue_spec: str | None,
    types: str | None,
    day: date | None,
    no_harvest: bool,
) -> None:
    """Harvest, then fetch and store every queued record at the pace TMDB allows.

    Needs TMDB_API_KEY. Ctrl-C stops cleanly (records being stored are finished, the rest stays
    queued); running `mirror` again resumes. Progress per kind on a terminal, a log line every
    10 s otherwise.
    """
    wired = wiring(location=location, queue_spec=queue_spec, types=types)
    export_day = app.harvest_day(wired, day)
    client_settings = wired.client_settings()
    client_settings.require_credential()
    harvest_settings = wired.harvest_settings()
    collector_settings = wired.collector_settings()
    objects = wired.lasting_objects()
    queue = wired.open_queue(asyncio.run(wired.store_queue_spec(record=True)))
    stop = asyncio.Event()
    display = _Display(Console(stderr=True))
    try:
        report = asyncio.run(
            _until_stopped(
                app.mirror_tmdb(
                    client_settings=client_settings,
                    objects=objects,
                    queue=queue,
                    harvest_settings=harvest_settings,
                    collector_settings=collector_settings,
                    harvest=not no_harvest,
                    day=export_day,
                    stop=stop,
                    on_progress=display.update,
                ),
                stop,
                display,
            )
        )
    except UpstreamRejectedError as error:
        raise UpstreamRejectedError(
            f"{error} — the run stopped; queued work stays queued for the next run"
        ) from None
    finally:
        queue.close()
    _print_summary(report, Console())
    if report.stopped:
        sys.exit(EXIT_STOPPED)
    if report.dead_letters:
        raise CommandFailed(
            f"the mirror ran to its end, but {report.dead_letters} messages of planned work are "
            "in the dead-letter queue: `tmdb-collector status` shows their errors; once their "
            "cause is fixed, `tmdb-collector redrive` puts them back on the queue"
        )
    if report.harvest_errors:
        raise CommandFailed(
            "the mirror stored everything it planned, but the harvest could not read part of "
            "TMDB's input (the harvest errors above): that work is not planned yet; the next "
            "`tmdb-collector mirror` reads it again"
        )


async def _until_stopped(
    mirroring: Coroutine[Any, Any, app.MirrorReport], stop: asyncio.Event, display: _Display
) -> app.MirrorReport:
    """Await ``mirroring`` with Ctrl-C and SIGTERM turned into a clean stop."""
    loop = asyncio.get_running_loop()

    def interrupted() -> None:
        if stop.is_set():  # a second Ctrl-C: stop now, whatever is in flight
            raise KeyboardInterrupt
        _log.warning("stopping: finishing the records being stored (Ctrl-C again to abort)")
        stop.set()

    loop.add_signal_handler(signal.SIGINT, interrupted)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        with display:
            return await mirroring
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

    def update(self, progress: app.MirrorProgress) -> None:
        if self._terminal:
            self._live.update(render_progress(progress))
        elif time.monotonic() - self._logged >= _LOG_EVERY:
            self._logged = time.monotonic()
            _log.info("mirror: %s", progress_line(progress))


def _print_summary(report: app.MirrorReport, console: Console) -> None:
    if report.harvest is not None:
        planned = report.harvest.items_enqueued
        console.print(f"harvest: {planned:,} items enqueued for {report.harvest.plan.day}")
        for error in report.harvest.plan.errors:
            console.print(f"[bold red]harvest error[/] {error}")
    verdict = report.verdict
    if report.stopped:
        verdict = "stopped: run `tmdb-collector mirror` again to resume"
    collect = report.collect
    if collect is not None:
        # The table's title says what the verdict below it says: "done" only when it is.
        ended = app.MirrorProgress(verdict.partition(":")[0], collect, None, {}, report.seconds)
        console.print(render_progress(ended))
    if report.compacted:
        console.print(f"index compacted: {', '.join(str(k) for k in report.compacted)}")
    console.print(f"mirror {verdict} in {report.seconds:,.1f} s")
