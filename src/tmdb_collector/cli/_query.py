"""``tmdb-collector query``: one stored record (any version), or the index's rows that match."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click
from rich import box
from rich.table import Table
from rich.text import Text

from tmdb_collector import app
from tmdb_collector.cli import _render
from tmdb_collector.cli._options import (
    CommandFailed,
    Integer,
    UTCTime,
    kind_option,
    parse_key,
    stack_option,
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
@click.option(
    "--version", type=Integer(), help="Read version N of the history: 1 oldest, -1 newest."
)
@click.option("--at", "at_ms", type=UTCTime(), help="Read the version current at TIME (UTC).")
@click.option("--where", help='Index query filter, e.g. "popularity > 50".')
@click.option("--order", help="Index query: order by this column.")
@click.option("--desc", is_flag=True, help="Index query: descending order.")
@click.option("--limit", type=Integer(min=1), help="Index query: at most N rows.")
@click.option(
    "--columns",
    metavar="A,B,C",
    help="Index query: the columns to show (default: the kind's key columns in a table, "
    "every column in JSON).",
)
@store_option
@stack_option
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
    columns: str | None,
    location: str | None,
    stack: str | None,
) -> None:
    """Print one stored record (--id), or the records of the index that match (--where).

    \b
      tmdb-collector query --type=movie --id=550
      tmdb-collector query --type=tv_episode --id=1399/1/1 --at 2026-11-01
      tmdb-collector query --type=movie --where "popularity > 50" --order popularity --desc
      tmdb-collector query --type=movie --where "vote_count > 1000" --columns id,title,vote_count
    """
    if spec is not None:
        if where is not None or order is not None or desc or limit is not None or columns:
            raise click.UsageError(
                "--id reads one record: --where, --order, --desc, --limit and --columns "
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
        _print_record(wiring(location=location, stack=stack), key, version, at_ms, output or "json")
    else:
        if version is not None or at_ms is not None:
            raise click.UsageError("--version and --at read one record's history: give --id")
        if output in ("text", "pb"):
            raise click.UsageError("an index query prints --format table or json")
        wired = wiring(location=location, stack=stack)
        table = asyncio.run(
            app.query_index(
                wired, Kind(kind), where=where, order_by=order, descending=desc, limit=limit
            )
        )
        chosen = None if columns is None else _chosen_columns(columns, table.column_names)
        if output == "json":
            rows = table.to_pylist() if chosen is None else table.select(chosen).to_pylist()
            write_utf8("".join(_json_line(row) for row in rows))
        else:
            _print_rich_table(table, chosen or _key_columns(Kind(kind), table, order))


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


#: What an index table shows by default, per kind: the key, the title (a name for all but
#: movies), the date and what ranks the rows. The index's other columns (hashes, sizes, times)
#: would squeeze the titles to a few letters on a terminal; ``--columns`` or ``--format json``
#: give them.
_SHOWN: dict[Kind, tuple[str, ...]] = {
    Kind.MOVIE: ("id", "title", "date", "popularity", "vote_average"),
    Kind.TV: ("id", "title", "date", "popularity", "vote_average"),
    Kind.TV_SEASON: ("id", "season_number", "title", "date", "vote_average"),
    Kind.TV_EPISODE: ("id", "season_number", "episode_number", "title", "date"),
    Kind.PERSON: ("id", "title", "date", "popularity"),
}
_SHOWN_OTHERWISE = ("id", "title")
_NUMBERS = ("id", "season_number", "episode_number", "popularity", "vote_average", "vote_count")


def _chosen_columns(spec: str, available: list[str]) -> list[str]:
    """The columns ``--columns`` names, in its order; a usage error naming any unknown one."""
    chosen = list(dict.fromkeys(name.strip() for name in spec.split(",") if name.strip()))
    unknown = [name for name in chosen if name not in available]
    if unknown or not chosen:
        what = f"unknown column {', '.join(map(repr, unknown))}" if unknown else "no column"
        raise click.BadParameter(
            f"{what}; the index has: {', '.join(available)}", param_hint="'--columns'"
        )
    return chosen


def _key_columns(kind: Kind, table: pyarrow.Table, order: str | None) -> list[str]:
    """The kind's key columns that hold something, with the --order column and, in a query of
    deleted records, whether each is deleted."""
    names = [*_SHOWN.get(kind, _SHOWN_OTHERWISE)]
    if order is not None and order in table.column_names and order not in names:
        names.append(order)
    rows = table.select([name for name in names if name in table.column_names]).to_pylist()
    # A column empty in every row (a person's unknown birthday) only takes the terminal's width.
    names = [name for name in names if any(row.get(name) is not None for row in rows)] or names
    if "deleted" in table.column_names and any(table.column("deleted").to_pylist()):
        names.append("deleted")
    return names


def _print_rich_table(table: pyarrow.Table, names: list[str]) -> None:
    shown = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for name in names:
        number = name in _NUMBERS
        shown.add_column(name, justify="right" if number else "left", no_wrap=name != "title")
    for row in table.select(names).to_pylist():
        # Text, not markup: a title such as "[REC]" is printed as it is.
        shown.add_row(*(Text(_cell(row[name])) for name in names))
    _render.stdout_console().print(shown)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # popularity 24.746, not its float64 24.746000000000002
        return f"{value:.3f}"
    return str(value)
