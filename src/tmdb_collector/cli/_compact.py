"""``tmdb-collector compact``: fold each kind's index fragments into its snapshot."""

from __future__ import annotations

import asyncio

import click

from tmdb_collector import app
from tmdb_collector.cli._options import KIND_NAMES, store_option, wiring

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

    Safe while writers run: a fragment written meanwhile is kept and folded next time. One
    compaction of a store at a time: a second one is refused, naming the first.

    \b
      tmdb-collector compact --store s3://bucket/tmdb
    """
    wired = wiring(location=location)
    results = asyncio.run(app.compact_index(wired.objects, kinds or KIND_NAMES))
    for kind, result in results.items():
        click.echo(
            f"{kind}: {result.fragments_merged} fragments folded, {result.rows} rows indexed"
        )
