"""``tmdb-collector query``: one stored record (any version), or the index's rows that match."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from tmdb_collector import app
from tmdb_collector.cli import _render
from tmdb_collector.cli._options import (
    CommandFailed,
    UTCTime,
    kind_option,
    parse_key,
    store_option,
    wiring,
)
from tmdb_collector.cli._render import write_bytes, write_utf8
from tmdb_collector.kinds import Kind, RecordKey

if TYPE_CHECKING:
    import pyarrow  # type: ignore[import-untyped, unused-ignore]

__all__ = ["query"]


@click.command()
@kind_option
@click.option("--id", "spec", metavar="ID", help="550; seasons 1399/1; episodes 1399/1/1.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "text", "pb", "table"]),
    help="A record: json (default), text or pb (raw stored bytes). An index query: table "
    "(default) or json (one object per line).",
)
@click.option("--version", type=int, help="Read version N of the history: 1 oldest, -1 newest.")
@click.option("--at", "at_ms", type=UTCTime(), help="Read the version current at TIME (UTC).")
@click.option("--where", help='Index query filter, e.g. "popularity > 50".')
@click.option("--order", help="Index query: order by this column.")
@click.option("--desc", is_flag=True, help="Index query: descending order.")
@click.option("--limit", type=click.IntRange(min=1), help="Index query: at most N rows.")
@store_option
def query(  # click passes options by name
    *,
    kind: str,
    spec: str | None,
    output: str | None,
    version: int | None,
    at_ms: int | None,
    where: str | None,
    order: str | None,
    desc: bool,
    limit: int | None,
    location: str | None,
) -> None:
    """Print one stored record (--id), or the records of the index that match (--where).

    \b
      tmdb-collector query --type=movie --id=550
      tmdb-collector query --type=tv_episode --id=1399/1/1 --at 2026-11-01
      tmdb-collector query --type=movie --where "popularity > 50" --order popularity --desc
    """
    if spec is not None:
        if where is not None or order is not None or desc or limit is not None:
            raise click.UsageError(
                "--id reads one record: --where, --order, --desc and --limit "
                "query the index instead"
            )
        key = parse_key(kind, spec)
        if version is not None and at_ms is not None:
            raise click.UsageError("give --version or --at, not both")
        if version == 0:
            raise click.BadParameter(
                "versions count from 1 (the oldest) or -1 (the newest)", param_hint="'--version'"
            )
        if output == "table":
            raise click.UsageError("a record prints --format json, text or pb")
        if output == "pb" and _render.stdout_is_terminal():
            raise click.UsageError(
                "--format pb writes binary bytes: redirect stdout to a file or pipe"
            )
        _print_record(wiring(location=location), key, version, at_ms, output or "json")
    else:
        if version is not None or at_ms is not None:
            raise click.UsageError("--version and --at read one record's history: give --id")
        if output in ("text", "pb"):
            raise click.UsageError("an index query prints --format table or json")
        wired = wiring(location=location)
        table = asyncio.run(
            app.query_index(
                wired, Kind(kind), where=where, order_by=order, descending=desc, limit=limit
            )
        )
        if output == "json":
            write_utf8("".join(_json_line(row) for row in table.to_pylist()))
        else:
            _print_rich_table(table)


def _print_record(
    wired: app.Wiring, key: RecordKey, version: int | None, at_ms: int | None, output: str
) -> None:
    if output == "pb":
        data = asyncio.run(app.read_record_bytes(wired, key, version=version, at_ms=at_ms))
        if data is not None:
            write_bytes(data)
            return
    else:
        stored = asyncio.run(app.read_record(wired, key, version=version, at_ms=at_ms))
        if stored is not None:
            write_utf8(_render_text(stored) if output == "text" else _render_json(stored))
            return
    raise CommandFailed(_missing(key, version, at_ms, wired.objects.url))


def _missing(key: RecordKey, version: int | None, at_ms: int | None, url: str) -> str:
    """What to say when the selected version does not exist."""
    if version is not None:
        return f"{key.kind} {key} has no version {version} in {url}"
    if at_ms is not None:
        return f"{key.kind} {key} has no version at or before {app.iso_time(at_ms)} in {url}"
    return f"{key.kind} {key} is not in {url}"


def _tombstone_json(stored: app.StoredRecord) -> dict[str, Any]:
    deleted_at = stored.deleted_at_ms
    return {
        "deleted": True,
        "deleted_at": app.iso_time(deleted_at) if deleted_at is not None else None,
        "reason": stored.deletion_reason,
    }


def _render_json(stored: app.StoredRecord) -> str:
    document = _tombstone_json(stored) if stored.deleted else stored.json()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _render_text(stored: app.StoredRecord) -> str:
    lines = [f"{stored.key.kind} {stored.key}"]
    if stored.deleted:
        deleted_at = stored.deleted_at_ms
        when = app.iso_time(deleted_at) if deleted_at is not None else "?"
        lines.append(f"deleted:      yes, at {when} ({stored.deletion_reason})")
    else:
        document = stored.json()
        lines.append(f"title:        {document.get('title') or document.get('name') or '-'}")
        lines.append(f"date:         {_record_date(document) or '-'}")
        lines.append(f"fetched at:   {app.iso_time(stored.fetched_at_ms)}")
        lines.append("deleted:      no")
    lines.append(f"content hash: {stored.content_hash.hex()}")
    return "\n".join(lines) + "\n"


def _record_date(document: dict[str, Any]) -> str | None:
    for field in ("release_date", "first_air_date", "air_date", "birthday"):
        value = document.get(field)
        if isinstance(value, str) and value:
            return value
    return None


def _json_line(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, default=_json_value) + "\n"


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _print_rich_table(table: pyarrow.Table) -> None:
    rows = table.to_pylist()
    # Columns empty in every row (a movie's season_number) only take a terminal's width.
    names = [name for name in table.column_names if any(row[name] is not None for row in rows)]
    shown = Table(*(names or table.column_names))
    for row in rows:
        shown.add_row(*("" if row[name] is None else str(row[name]) for name in names))
    Console().print(shown)
