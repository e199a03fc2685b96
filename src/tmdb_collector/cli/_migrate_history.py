"""``tmdb-collector migrate-history``: give back the bytes of the history copies of current
versions that stores written before the superseded-only layout kept."""

from __future__ import annotations

import asyncio

import click

from tmdb_collector import app
from tmdb_collector.cli._options import (
    chosen_kinds,
    record_kinds_options,
    store_option,
    wiring,
)

__all__ = ["migrate_history"]


@click.command("migrate-history")
@record_kinds_options("migrate")
@store_option
def migrate_history(
    kind_text: tuple[str, ...], kind_list: tuple[str, ...], location: str | None
) -> None:
    """Delete history's copies of current versions (stores written before version 0.2 kept
    one per record; reading already ignores them).

    Safe to run while mirrors run, and to run again: only an object naming exactly a record's
    current version is deleted. Costs one listing per record.

    \b
      tmdb-collector migrate-history --store s3://bucket/tmdb
    """
    wired = wiring(location=location)
    for kind in chosen_kinds(kind_text, kind_list):
        deleted = asyncio.run(app.drop_history_copies(wired, kind))
        click.echo(f"{kind}: {deleted} copies of current versions deleted")
