"""``tmdb-collector export``: every current record of a kind to a file, in bounded memory."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from tmdb_collector import app
from tmdb_collector.cli import _render
from tmdb_collector.cli._options import (
    CommandFailed,
    kind_option,
    stack_option,
    store_option,
    wiring,
)
from tmdb_collector.kinds import Kind

__all__ = ["export"]

#: Records between two progress lines of an export on a terminal.
_PROGRESS_EVERY = 10_000
#: Unreadable records named one by one; the rest are counted.
_SKIPS_SHOWN = 10


@click.command()
@kind_option
@click.option(
    "--format",
    "output",
    type=click.Choice(app.EXPORT_FORMATS),
    required=True,
    help="jsonl: one TMDB JSON object per line. parquet: one row per record.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    required=True,
    help="The file; - for standard output (a pipe or device is written through).",
)
@click.option("--include-deleted", is_flag=True, help="Export tombstones too.")
@store_option
@stack_option
def export(  # click passes options by name
    *,
    kind: str,
    output: str,
    out: Path,
    include_deleted: bool,
    location: str | None,
    stack: str | None,
) -> None:
    """Write every current record of a kind to a file, in bounded memory.

    A regular file appears complete or not at all: it is written under a temporary name beside
    it and renamed at the end. A record that cannot be read is skipped and named; the export
    then ends with exit status 1, saying how many were skipped.

    \b
      tmdb-collector export --type=movie --format jsonl --out movies.jsonl
      tmdb-collector export --type=tv_episode --format parquet --out episodes.parquet
    """
    wired = wiring(location=location, stack=stack)
    terminal = _render.stderr_is_terminal()

    def progress(count: int) -> None:
        if terminal and count % _PROGRESS_EVERY == 0:
            click.echo(f"... {count} {kind} records", err=True)

    to_stdout = str(out) == "-"
    result = asyncio.run(
        app.export_kind(
            wired,
            Kind(kind),
            "parquet" if output == "parquet" else "jsonl",
            None if to_stdout else out,
            include_deleted=include_deleted,
            on_record=progress,
        )
    )
    where = "standard output" if to_stdout else out
    click.echo(f"exported {result.written} {kind} records to {where}", err=True)
    for unreadable in result.unreadable[:_SKIPS_SHOWN]:
        click.echo(f"skipped: {unreadable}", err=True)
    if result.unreadable:
        raise CommandFailed(
            f"{len(result.unreadable)} {kind} records could not be read and were skipped "
            f"({_SKIPS_SHOWN} at most are named above); `tmdb-collector mirror` refetches a "
            "damaged record when it is next planned, or delete its object"
        )
