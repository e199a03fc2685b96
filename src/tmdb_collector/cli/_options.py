"""What every command shares: the options that are settings (--store, --queue, --types), the
settings they resolve to, and the one place that turns errors into exit codes and messages."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from tmdb_collector.config import (
    DEFAULT_STORE,
    LOG_LEVEL,
    MEDIA_TYPES,
    TMDB_QUEUE,
    TMDB_STORE,
    Config,
    OptionValue,
    load_config,
)
from tmdb_collector.errors import (
    ConfigurationError,
    InputError,
    TMDBCollectorError,
    UpstreamRejectedError,
)
from tmdb_collector.kinds import InvalidKeyError, Kind, RecordKey

__all__ = [
    "EXIT_FAILED",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "KIND_NAMES",
    "CLIState",
    "CommandFailed",
    "CommandMisconfigured",
    "CommandRejected",
    "UTCTime",
    "command_error",
    "kind_option",
    "parse_key",
    "queue_option",
    "settings",
    "store_option",
    "types_option",
]

#: Exit statuses: 1 a failure that may pass or needs a look; 2 a usage or configuration error
#: (fix it and run again); 3 TMDB rejected the credential (nothing else will work); 130 stopped
#: by Ctrl-C or SIGTERM with the work kept for the next run.
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3

_log = logging.getLogger("tmdb_collector.config")

KIND_NAMES: list[str] = [kind.value for kind in Kind]


@dataclass(frozen=True, slots=True)
class CLIState:
    """The root command's options, for its subcommands (``ctx.obj``)."""

    config_file: Path | None
    verbose: bool


store_option = click.option(
    "--store",
    "location",
    default=None,
    metavar="PATH|s3://BUCKET/PREFIX|memory://",
    help=f"Where the records are (TMDB_STORE; default {DEFAULT_STORE}).",
)
queue_option = click.option(
    "--queue",
    "queue_spec",
    default=None,
    metavar="sqlite:PATH|sqs://NAME|QUEUE_URL",
    help="The work queue (TMDB_QUEUE). Default: STORE/queue/work.sqlite3 for a local store, "
    "./tmdb-queue.sqlite3 otherwise.",
)
types_option = click.option(
    "--types",
    "types",
    default=None,
    metavar="KIND,...",
    help="Kinds to harvest (MEDIA_TYPES; default all seven): movie, tv, person, collection, "
    "network, keyword, company.",
)
kind_option = click.option(
    "--type", "kind", type=click.Choice(KIND_NAMES), required=True, help="The kind of record."
)


def settings(
    *,
    location: str | None = None,
    queue_spec: str | None = None,
    types: str | None = None,
    extra: Mapping[str, OptionValue] | None = None,
) -> Config:
    """The effective settings of the running command: defaults < the configuration file <
    the environment < these options (None: not given; ``extra`` for a command's own)."""
    ctx = click.get_current_context()
    state = ctx.find_object(CLIState)
    options = {
        TMDB_STORE.name: OptionValue(location, "--store"),
        TMDB_QUEUE.name: OptionValue(queue_spec, "--queue"),
        MEDIA_TYPES.name: OptionValue(types, "--types"),
        LOG_LEVEL.name: OptionValue("debug" if state and state.verbose else None, "-v"),
        **(extra or {}),
    }
    config = load_config(file=state.config_file if state else None, options=options)
    for warning in config.warnings:
        _log.warning("%s", warning)
    return config


def parse_key(kind: str, spec: str) -> RecordKey:
    """An ``--id`` of a kind: 550, 1399/1 or 1399/1/1."""
    try:
        return RecordKey.parse(kind, spec)
    except InvalidKeyError as error:
        raise click.BadParameter(str(error), param_hint="'--id'") from None


class UTCTime(click.ParamType[int, Any]):
    """An ISO 8601 date or date-time; UTC when it names no zone. Converted to Unix ms."""

    name = "TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date or date-time, e.g. 2026-11-23T10:00Z")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp() * 1000)


class CommandFailed(click.ClickException):
    """One line on stderr, ``Error: ...``, and exit status 1."""

    exit_code = EXIT_FAILED


class CommandMisconfigured(click.ClickException):
    """A setting, an option or an input to fix: exit status 2, as for a usage error."""

    exit_code = EXIT_USAGE


class CommandRejected(click.ClickException):
    """TMDB rejected the credential: exit status 3."""

    exit_code = EXIT_REJECTED


def command_error(error: TMDBCollectorError) -> click.ClickException:
    """The one-line message and exit status of one of our errors: configuration and input
    errors 2, a rejected credential 3, anything else 1."""
    if isinstance(error, ConfigurationError | InputError):
        return CommandMisconfigured(str(error))
    if isinstance(error, UpstreamRejectedError):
        return CommandRejected(str(error))
    return CommandFailed(str(error))
