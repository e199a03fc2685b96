"""``tmdb-collector config``: the effective settings and where each came from."""

from __future__ import annotations

import json

import click
from rich.table import Table
from rich.text import Text

from tmdb_collector import app
from tmdb_collector.cli._options import settings
from tmdb_collector.cli._render import stdout_console

__all__ = ["config"]


@click.command()
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print {"SETTING": {"value": ..., "source": ...}} for every setting.',
)
def config(*, as_json: bool) -> None:
    """Show every setting's effective value and its source: default, file (the TOML file of
    --config, TMDB_COLLECTOR_CONFIG or ./tmdb-collector.toml), env or option.

    Credentials show only as set or unset. docs/configuration.md describes each setting.
    """
    resolved = settings()
    app.Wiring(resolved).check_locations()
    shown = resolved.to_json()
    if as_json:
        click.echo(json.dumps(shown, indent=1, ensure_ascii=False))
        return
    table = Table(title=f"settings (file: {resolved.file or 'none'})")
    table.add_column("setting", no_wrap=True)
    table.add_column("value", overflow="fold")  # whole values, however long
    table.add_column("source", no_wrap=True)
    for name, entry in shown.items():
        value = entry["value"]
        # Text, not markup: a value such as "/data/[x]" is shown as it is.
        table.add_row(name, Text("" if value is None else str(value)), str(entry["source"]))
    stdout_console().print(table)
