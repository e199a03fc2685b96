"""``tmdb-collector migrate-history``: give back the bytes of the history copies of current
versions that stores written before the superseded-only layout kept."""

from __future__ import annotations

import asyncio

import click

from tmdb_collector import app
from tmdb_collector.cli._options import KIND_NAMES, store_option, wiring
from tmdb_collector.kinds import Kind

__all__ = ["migrate_history"]


@click.command("migrate-history")
@click.option(
    "--type",
    "kinds",
    type=click.Choice(KIND_NAMES),
    multiple=True,
    help="A kind to migrate (repeatable); default: every kind.",
)
@store_option
def migrate_history(kinds: tuple[str, ...], location: str | None) -> None:
    """Delete history's copies of current versions (stores written before version 0.2 kept
    one per record; reading already ignores them).

    Safe to run while mirrors run, and to run again: only an object naming exactly a record's
    current version is deleted. Costs one listing per record.

    \b
      tmdb-collector migrate-history --store s3://bucket/tmdb
    """
    wired = wiring(location=location)
    for kind in kinds or KIND_NAMES:
        deleted = asyncio.run(app.drop_history_copies(wired, Kind(kind)))
        click.echo(f"{kind}: {deleted} copies of current versions deleted")
