"""The ``tmdb-collector`` command. Thin: each subcommand parses options and calls the library.

Subcommands live in their own modules and are imported only when run (or listed by ``--help``):
``query`` or ``--version`` should not pay for aiohttp and the fake server.
"""

from __future__ import annotations

import importlib
import logging

import click

from tmdb_collector import __version__
from tmdb_collector._logging import configure_logging

__all__ = ["main"]

#: command name → "module:attribute" of its click command.
_COMMANDS = {
    "compact": "tmdb_collector._store_cli:compact",
    "demo": "tmdb_collector._demo_cli:demo",
    "export": "tmdb_collector._store_cli:export",
    "fake-tmdb": "tmdb_collector.fake._cli:fake_tmdb",
    "harvest": "tmdb_collector._harvest_cli:harvest",
    "history": "tmdb_collector._store_cli:history",
    "mirror": "tmdb_collector._mirror_cli:mirror",
    "query": "tmdb_collector._store_cli:query",
    "status": "tmdb_collector._status_cli:status",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tmdb-collector")
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
def main(verbose: bool) -> None:
    """Keep a complete, current, lossless copy of The Movie Database (TMDB)."""
    configure_logging(logging.DEBUG if verbose else logging.INFO)
