"""The ``tmdb-collector`` command. Thin: each subcommand parses options and calls the library."""

from __future__ import annotations

import logging

import click

from tmdb_collector import __version__
from tmdb_collector._logging import configure_logging
from tmdb_collector.fake._cli import fake_tmdb

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tmdb-collector")
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
def main(verbose: bool) -> None:
    """Keep a complete, current, lossless copy of The Movie Database (TMDB)."""
    configure_logging(logging.DEBUG if verbose else logging.INFO)


@main.command()
@click.option("--seed", type=int, default=42, show_default=True, help="Seeds the synthetic TMDB.")
@click.pass_context
def demo(ctx: click.Context, seed: int) -> None:
    """Read a small synthetic TMDB the way the collector will, with no API key and no network.

    Starts the fake TMDB in-process at TMDB's rate limit (40 requests/s), streams today's export
    of every kind, fetches every record with all its sub-resources, lets a day pass, reads the
    changes feeds, and prints what it did.
    """
    # The demo's imports load only when the demo runs.
    from rich.console import Console  # noqa: PLC0415

    from tmdb_collector._demo import render_report, run_demo  # noqa: PLC0415

    if not ctx.find_root().params["verbose"]:
        # The summary says what the per-export and per-retry log lines would.
        logging.getLogger("tmdb_collector").setLevel(logging.WARNING)
    console = Console()
    with console.status("demo: fetching a synthetic TMDB at 40 requests/s ..."):
        report = run_demo(seed=seed)
    for renderable in render_report(report):
        console.print(renderable)


main.add_command(fake_tmdb)
