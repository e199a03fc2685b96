"""The ``tmdb-collector`` group: global options, logging, lazily imported subcommands, and the one
place where errors become exit statuses and one-line messages.

Subcommands live in their own modules and are imported only when run (or listed by ``--help``):
``query`` or ``--version`` should not pay for aiohttp and the fake server.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

import click

from tmdb_collector import __version__
from tmdb_collector.cli._options import CLIState, command_error
from tmdb_collector.config import LOG_FORMAT, LOG_LEVEL, load_config
from tmdb_collector.errors import TMDBCollectorError
from tmdb_collector.observe import configure_logging

__all__ = ["main"]

#: command name → "module:attribute" of its click command.
_COMMANDS = {
    "aws": "tmdb_collector.cli._aws:aws",
    "compact": "tmdb_collector.cli._compact:compact",
    "config": "tmdb_collector.cli._config:config",
    "demo": "tmdb_collector.cli._demo:demo",
    "export": "tmdb_collector.cli._export:export",
    "fake-tmdb": "tmdb_collector.cli._fake:fake_tmdb",
    "harvest": "tmdb_collector.cli._harvest:harvest",
    "history": "tmdb_collector.cli._history:history",
    "migrate": "tmdb_collector.cli._migrate:migrate",
    "migrate-history": "tmdb_collector.cli._migrate_history:migrate_history",
    "mirror": "tmdb_collector.cli._mirror:mirror",
    "query": "tmdb_collector.cli._query:query",
    "rebuild-index": "tmdb_collector.cli._rebuild_index:rebuild_index",
    "redrive": "tmdb_collector.cli._redrive:redrive",
    "serve": "tmdb_collector.cli._serve:serve",
    "status": "tmdb_collector.cli._status:status",
}

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
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

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TMDBCollectorError as error:
            raise command_error(error) from None


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tmdb-collector")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Read settings from this TOML file (TMDB_COLLECTOR_CONFIG; default "
    "./tmdb-collector.toml when it exists). `tmdb-collector config` shows the result.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail (LOG_LEVEL=debug).")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None, verbose: bool) -> None:
    """Keep a complete, current, lossless copy of The Movie Database (TMDB)."""
    ctx.obj = CLIState(config_file, verbose)
    # Logging is set up before any command runs, so a broken file must not stop `--help` or
    # `config` from explaining it: they resolve the settings again and report the error.
    try:
        config = load_config(file=config_file)
        level, output = config[LOG_LEVEL], config[LOG_FORMAT]
    except TMDBCollectorError:
        level, output = LOG_LEVEL.default, LOG_FORMAT.default
    configure_logging(
        logging.DEBUG if verbose else _LEVELS.get(level, logging.ERROR),
        json_lines=None if output == "auto" else output == "json",
    )
