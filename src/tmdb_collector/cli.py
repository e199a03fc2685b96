"""The ``tmdb-collector`` command. Thin: each subcommand parses options and calls the library."""

from __future__ import annotations

import logging

import click

from tmdb_collector import __version__
from tmdb_collector._logging import configure_logging

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tmdb-collector")
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
def main(verbose: bool) -> None:
    """Keep a complete, current, lossless copy of The Movie Database (TMDB)."""
    configure_logging(logging.DEBUG if verbose else logging.INFO)
