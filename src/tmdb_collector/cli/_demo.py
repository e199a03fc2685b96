"""``tmdb-collector demo``: the README's main command."""

from __future__ import annotations

import logging
import shlex

import click
from rich.live import Live
from rich.table import Table

from tmdb_collector import app
from tmdb_collector.cli._options import CLIState, Integer
from tmdb_collector.cli._render import command_name, render_progress, stdout_console

__all__ = ["demo", "render_report"]


@click.command()
@click.option(
    "--seed", type=Integer(), default=42, show_default=True, help="Seeds the synthetic TMDB."
)
@click.option(
    "--store",
    default=None,
    metavar="DIR",
    help="Mirror into this directory (default: a new temporary directory, kept for querying).",
)
@click.pass_context
def demo(ctx: click.Context, seed: int, store: str | None) -> None:
    """Mirror a small synthetic TMDB into a local store, with no API key and no network.

    Starts the fake TMDB (a child process) at TMDB's rate limit (40 requests/s), runs the mirror
    (harvest today's exports, collect every record of every kind with all its sub-resources,
    seasons and episodes included), and prints what it stored, what it cost, and a sample record.
    """
    state = ctx.find_object(CLIState)
    if state is None or not state.verbose:
        # The progress display and the summary (429s included) say what the log lines would;
        # only errors still show.
        logging.getLogger("tmdb_collector").setLevel(logging.ERROR)
    console = stdout_console()
    if console.is_terminal:
        with Live(console=console, refresh_per_second=2) as live:
            report = app.run_demo(
                seed=seed, store=store, on_progress=lambda p: live.update(render_progress(p))
            )
    else:
        report = app.run_demo(seed=seed, store=store)
    for renderable in render_report(report, command_name()):
        console.print(renderable)
    for note in report.notes:
        console.print(f"note: {note}")


def render_report(report: app.DemoReport, program: str) -> list[Table | str]:
    """The summary lines; `program` is how the user types this command (the "try:" line)."""
    table = Table(title="records mirrored from the synthetic TMDB")
    table.add_column("kind")
    table.add_column("records", justify="right")
    for kind, count in report.records.items():
        table.add_row(kind.value, f"{count:,}")
    table.add_row("all", f"{sum(report.records.values()):,}")
    lines: list[Table | str] = [table]
    rate = report.requests / report.seconds if report.seconds else 0.0
    lines.append(
        f"record requests: {report.requests:,} in {report.seconds:.1f} s ({rate:.1f}/s, TMDB's "
        f"limit is {app.DEMO_RATE}/s); 429s from the fake: {report.fake_rate_limited}"
    )
    if report.json_bytes:
        lines.append(
            f"stored {report.stored_bytes / 1e6:.2f} MB for {report.json_bytes / 1e6:.2f} MB of "
            f"JSON received ({report.stored_bytes / report.json_bytes:.0%}), with every version's "
            "history"
        )
    if report.sample_key is not None:
        sample = report.sample
        title = sample.get("title") or sample.get("name")
        blocks = sorted(name for name, value in sample.items() if isinstance(value, dict))
        lines.append(
            f"sample: movie {report.sample_key} — {title!r}, released "
            f"{sample.get('release_date')}, popularity {sample.get('popularity')}; appended: "
            f"{', '.join(blocks)}"
        )
        lines.append(
            f"try:    {program} query --store {shlex.quote(report.store)} --type=movie "
            f"--id={report.sample_key} --format text"
        )
    lines.append(f"store:  {report.store}")
    return lines
