"""``tmdb-collector demo``: the README's main command."""

from __future__ import annotations

import logging

import click
from rich.console import Console

from tmdb_collector._demo import render_report, run_demo

__all__ = ["demo"]


@click.command()
@click.option("--seed", type=int, default=42, show_default=True, help="Seeds the synthetic TMDB.")
@click.pass_context
def demo(ctx: click.Context, seed: int) -> None:
    """Read a small synthetic TMDB the way the collector will, with no API key and no network.

    Starts the fake TMDB at TMDB's rate limit (40 requests/s) in a child process, streams today's
    export of every kind, fetches every record with all its sub-resources, lets a day pass, reads
    the changes feeds, and prints what it did.
    """
    if not ctx.find_root().params["verbose"]:
        # The summary says what the per-export and per-retry log lines would.
        logging.getLogger("tmdb_collector").setLevel(logging.WARNING)
    console = Console()
    with console.status("demo: fetching a synthetic TMDB at 40 requests/s ..."):
        report = run_demo(seed=seed)
    for renderable in render_report(report):
        console.print(renderable)
