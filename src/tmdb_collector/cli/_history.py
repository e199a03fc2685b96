"""``tmdb-collector history``: the kept versions of one record."""

from __future__ import annotations

import asyncio

import click

from tmdb_collector import app
from tmdb_collector.cli._options import (
    CommandFailed,
    kind_option,
    parse_key,
    stack_option,
    store_option,
    wiring,
)
from tmdb_collector.cli._render import write_utf8

__all__ = ["history"]


@click.command()
@kind_option
@click.option("--id", "spec", metavar="ID", required=True, help="550, 1399/1 or 1399/1/1.")
@store_option
@stack_option
def history(kind: str, spec: str, location: str | None, stack: str | None) -> None:
    """List the kept versions of one record, oldest first.

    \b
      tmdb-collector history --type=movie --id=550
    """
    key = parse_key(kind, spec)
    wired = wiring(location=location, stack=stack)
    versions = asyncio.run(app.record_history(wired, key))
    if not versions:
        raise CommandFailed(f"{key.kind} {key} is not in {wired.objects.url}")
    write_utf8("".join(_version_line(v) for v in [None, *versions]))


def _version_line(version: app.VersionInfo | None) -> str:
    if version is None:
        return f"{'version':>7}  {'time':<24}  {'content hash':<16}  state\n"
    state = f"deleted ({version.reason})" if version.deleted else "live"
    hash_prefix = version.content_hash.hex()[:16]
    return f"{version.number:>7}  {app.iso_time(version.at_ms):<24}  {hash_prefix:<16}  {state}\n"
