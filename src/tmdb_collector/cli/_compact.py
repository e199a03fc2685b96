"""``tmdb-collector compact``: fold each kind's index fragments into its snapshot."""

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

__all__ = ["compact"]


@click.command()
@record_kinds_options("compact")
@store_option
def compact(kind_text: tuple[str, ...], kind_list: tuple[str, ...], location: str | None) -> None:
    """Fold each kind's index fragments into its snapshot (in a store of segments, also the
    version map, the change log, and the segments' garbage: SEGMENT_LIVE_FRACTION,
    SEGMENT_GRACE_SECONDS).

    Safe while writers run: a fragment written meanwhile is kept and folded next time. One
    compaction of a store at a time: a second one is refused, naming the first.

    \b
      tmdb-collector compact --store s3://bucket/tmdb
    """
    wired = wiring(location=location)
    kinds = chosen_kinds(kind_text, kind_list)
    objects = asyncio.run(wired.existing_objects())  # compacting no store is a typo
    results = asyncio.run(app.compact_index(objects, kinds, gc=wired.segment_gc()))
    for kind, result in results.items():
        click.echo(
            f"{kind}: {result.fragments_merged} fragments folded, {result.rows} rows indexed"
        )
