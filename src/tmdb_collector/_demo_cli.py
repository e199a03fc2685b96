"""``tmdb-collector demo``: the README's main command."""

from __future__ import annotations

import logging
import sys

import click
from rich.console import Console
from rich.live import Live

from tmdb_collector._demo import render_report, run_demo
from tmdb_collector._mirror_cli import render_progress

__all__ = ["demo"]


@click.command()
@click.option("--seed", type=int, default=42, show_default=True, help="Seeds the synthetic TMDB.")
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
    if not ctx.find_root().params["verbose"]:
        # The progress display and the summary say what the log lines would.
        logging.getLogger("tmdb_collector").setLevel(logging.WARNING)
    # A pipe or file gets whole lines, not an 80-column cut.
    console = Console() if sys.stdout.isatty() else Console(width=200)
    if console.is_terminal:
        with Live(console=console, refresh_per_second=2) as live:
            report = run_demo(
                seed=seed, store=store, on_progress=lambda p: live.update(render_progress(p))
            )
    else:
        report = run_demo(seed=seed, store=store)
    for renderable in render_report(report):
        console.print(renderable)
