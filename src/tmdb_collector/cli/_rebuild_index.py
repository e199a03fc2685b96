"""``tmdb-collector rebuild-index``: a store of segments' index and version map, rebuilt from
the segments alone (docs/storage.md, "Segments")."""

from __future__ import annotations

import asyncio

import click

from tmdb_collector import app
from tmdb_collector.cli._options import store_option, wiring

__all__ = ["rebuild_index"]


@click.command("rebuild-index")
@store_option
def rebuild_index(location: str | None) -> None:
    """Rebuild the index and the version map of a store of segments from its segments, when
    they were lost or damaged. Every segment is read once; a damaged part of one is named, and
    its records are fetched again by the next harvest. It holds the store: stop every mirror,
    harvest and collector first.

    \b
      tmdb-collector rebuild-index --store s3://bucket/tmdb
    """
    report = asyncio.run(
        app.rebuild_store_index(
            wiring(location=location), progress=lambda line: click.echo(line, err=True)
        )
    )
    for kind, records in report.records.items():
        if records:
            click.echo(f"{kind}: {records:,} records")
    for damage in report.damaged:
        click.echo(f"damaged (its records are fetched again): {damage}")
    click.echo(f"rebuilt from {report.segments:,} segments: {report.versions:,} versions kept")
