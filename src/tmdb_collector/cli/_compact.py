"""``tmdb-collector compact``: fold each kind's index fragments into its snapshot."""

from __future__ import annotations

import asyncio

import click

from tmdb_collector import app
from tmdb_collector.cli._options import KIND_NAMES, settings, store_option
from tmdb_collector.store import RecordIndex

__all__ = ["compact"]


@click.command()
@click.option(
    "--type",
    "kinds",
    type=click.Choice(KIND_NAMES),
    multiple=True,
    help="A kind to compact (repeatable); default: every kind.",
)
@store_option
def compact(kinds: tuple[str, ...], location: str | None) -> None:
    """Fold each kind's index fragments into its snapshot.

    Safe while writers run: a fragment written meanwhile is kept and folded next time. Run one
    compaction of a kind at a time.

    \b
      tmdb-collector compact --store s3://bucket/tmdb
    """
    config = settings(location=location)
    index = RecordIndex(app.open_store(config))
    for kind in kinds or KIND_NAMES:
        result = asyncio.run(index.compact(kind))
        click.echo(
            f"{kind}: {result.fragments_merged} fragments folded, {result.rows} rows indexed"
        )
