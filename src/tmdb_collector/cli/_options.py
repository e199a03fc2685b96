"""What every command shares: the options that are settings (--store, --queue, --types), the
settings they resolve to, and the one place that turns errors into exit codes and messages."""

from __future__ import annotations

import ipaddress
import logging
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from tmdb_collector.app import Wiring, apply_aws_environment, find_stack
from tmdb_collector.config import (
    LOG_LEVEL,
    MEDIA_TYPES,
    TMDB_QUEUE,
    TMDB_STORE,
    Config,
    OptionValue,
    Setting,
    load_config,
    to_integer,
    to_number,
)
from tmdb_collector.errors import Action, TMDBCollectorError, action_for
from tmdb_collector.kinds import InvalidKeyError, Kind, RecordKey

__all__ = [
    "EXIT_FAILED",
    "EXIT_REJECTED",
    "EXIT_STOPPED",
    "EXIT_USAGE",
    "KIND_NAMES",
    "CLIState",
    "CommandFailed",
    "CommandMisconfigured",
    "CommandRejected",
    "Day",
    "Integer",
    "Number",
    "UTCTime",
    "check_host",
    "check_stack_name",
    "chosen_kinds",
    "command_error",
    "day_option",
    "host_option",
    "kind_option",
    "parse_key",
    "port_option",
    "queue_option",
    "record_kinds_options",
    "settings",
    "stack_option",
    "store_option",
    "types_option",
    "wiring",
]

#: Exit statuses: 1 failed, and may pass (or a lookup found nothing); 2 something to fix before a
#: rerun can succeed (a setting, an option, an input, a damaged object); 3 TMDB rejected the
#: credential (nothing else will work); 130 stopped by Ctrl-C or SIGTERM, the work kept.
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3
EXIT_STOPPED = 130

_log = logging.getLogger("tmdb_collector.config")

KIND_NAMES: list[str] = [kind.value for kind in Kind]


@dataclass(frozen=True, slots=True)
class CLIState:
    """The root command's options, for its subcommands (``ctx.obj``)."""

    config_file: Path | None
    verbose: bool


def _option_help(setting: Setting[Any]) -> str:
    """An option's help from its setting's: one text for --help, `config` and the docs."""
    text = re.sub(r" \(`--[a-z-]+`\)", "", setting.help)
    shown = setting.shown(setting.default)
    default = f"; default {shown}" if shown is not None else ""
    return f"{text} [{setting.name}{default}]"


store_option = click.option(
    "--store",
    "location",
    default=None,
    metavar="PATH|s3://BUCKET/PREFIX|memory://",
    help=_option_help(TMDB_STORE),
)
queue_option = click.option(
    "--queue",
    "queue_spec",
    default=None,
    metavar="sqlite:PATH|sqs://NAME|QUEUE_URL",
    help=_option_help(TMDB_QUEUE),
)
types_option = click.option(
    "--types",
    "types",
    default=None,
    metavar="KIND,...",
    help=_option_help(MEDIA_TYPES),
)
kind_option = click.option(
    "--type", "kind", type=click.Choice(KIND_NAMES), required=True, help="The kind of record."
)


def record_kinds_options(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--types KIND,...`` over all nine record kinds (seasons and episodes included), spelled
    as ``mirror``'s and ``harvest``'s ``--types``; ``--type KIND`` (repeatable) stays as it
    was. The command receives ``kinds``: the kinds named, or every kind."""

    def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
        if value is None:
            return ()
        names = tuple(name.strip().lower() for name in value.split(",") if name.strip())
        unknown = [name for name in names if name not in KIND_NAMES]
        if unknown or not names:
            raise click.BadParameter(
                f"{', '.join(unknown) or 'no kind'}: kinds are {', '.join(KIND_NAMES)}"
            )
        return names

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "--type",
            "kind_list",
            type=click.Choice(KIND_NAMES),
            multiple=True,
            help="A kind (repeatable); the same as --types.",
        )(command)
        return click.option(
            "--types",
            "kind_text",
            default=None,
            metavar="KIND,...",
            callback=parse,
            help=f"The kinds to {what}, e.g. movie,tv_season; default: every kind.",
        )(command)

    return decorate


def chosen_kinds(kind_text: tuple[str, ...], kind_list: tuple[str, ...]) -> tuple[Kind, ...]:
    """The kinds ``--types`` and ``--type`` name together, in the canonical order; all when
    neither is given."""
    named = set(kind_text) | set(kind_list)
    return tuple(kind for kind in Kind if not named or kind.value in named)


def settings(
    *,
    location: str | None = None,
    queue_spec: str | None = None,
    types: str | None = None,
    extra: Mapping[str, OptionValue] | None = None,
    only: Collection[Setting[Any]] | None = None,
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
    config = load_config(file=state.config_file if state else None, options=options, only=only)
    for warning in config.warnings:
        _log.warning("%s", warning)
    # A process-wide step, so it is done here, at the surface, once per command.
    apply_aws_environment(config)
    return config


# CloudFormation's rule for a stack name: checked here, a typo is refused before AWS is asked.
_STACK_NAME = re.compile(r"[A-Za-z][-A-Za-z0-9]{0,127}")


def check_stack_name(
    _ctx: click.Context | None, _param: click.Parameter | None, value: str | None
) -> str | None:
    """A ``--stack`` as CloudFormation names stacks (letters, digits and -, a letter first)."""
    if value is not None and not _STACK_NAME.fullmatch(value):
        raise click.BadParameter(
            f"{value!r} is no CloudFormation stack name (a letter, then letters, digits or -)"
        )
    return value


stack_option = click.option(
    "--stack",
    "stack",
    default=None,
    callback=check_stack_name,
    metavar="NAME",
    help="A deployment of infra/template.yaml (its CloudFormation stack): its store and work "
    "queue, from the stack's outputs (instead of --store and --queue).",
)


def wiring(
    *,
    location: str | None = None,
    queue_spec: str | None = None,
    types: str | None = None,
    stack: str | None = None,
) -> Wiring:
    """The running command's wiring (``app.Wiring``) over its ``settings``; with ``stack``,
    the store and the queue of that deployment."""
    if stack is None:
        return Wiring(settings(location=location, queue_spec=queue_spec, types=types))
    if location is not None or queue_spec is not None:
        raise click.UsageError("give --stack, or --store and --queue: not both")
    deployed = find_stack(stack, settings(types=types))
    extra = {
        TMDB_STORE.name: OptionValue(deployed.store, f"--stack {stack}"),
        TMDB_QUEUE.name: OptionValue(deployed.queue, f"--stack {stack}"),
    }
    return Wiring(settings(types=types, extra=extra))


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
        try:
            # In UTC it must still be a date (9999-12-31T23:00-05:00 is in year 10000), or
            # printing it back fails.
            moment = moment.astimezone(UTC)
        except OverflowError:
            self.fail(f"{value!r} is out of range: in UTC it falls outside years 1-9999")
        return int(moment.timestamp() * 1000)


class Integer(click.IntRange):
    """A whole number in ASCII digits, optionally in a range. click's INT is Python's int(),
    which also takes "1_000" and "４０": the settings' rule (``config.to_integer``) instead."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            try:
                value = to_integer(value)
            except ValueError:
                self.fail(f"{value!r} is not a whole number in digits 0-9, e.g. 10", param, ctx)
        return super().convert(value, param, ctx)

    def _describe_range(self) -> str:
        # Without bounds, click would show "[x<=None]".
        return "" if self.min is None and self.max is None else super()._describe_range()


class Day(click.ParamType[date, Any]):
    """A day, YYYY-MM-DD in ASCII digits (click's DateTime also takes "２０２６-01-01")."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a day written YYYY-MM-DD, e.g. 2026-11-23", param, ctx)


def day_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--date YYYY-MM-DD``: the export day of a harvest."""
    return click.option("--date", "day", type=Day(), default=None, help=help)


class Number(click.FloatRange):
    """A finite number in ASCII digits (0.5, 1e3), optionally in a range: click's FLOAT takes
    "nan", which passes every range check, "inf" and "1_0"."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            try:
                number = to_number(value)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):  # "nan", "inf", "1e999", "1_0", "０.５"
                self.fail(f"{value!r} is not a finite number in digits 0-9, e.g. 0.5", param, ctx)
            value = number
        return super().convert(value, param, ctx)


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
    """The one-line message and exit status of one of our errors, by what the caller must do
    (the same ``Action`` a Lambda handler sorts by): fix 2, stop 3, retry 1."""
    action = action_for(error)
    if action is Action.FIX:
        return CommandMisconfigured(str(error))
    if action is Action.STOP:
        return CommandRejected(str(error))
    return CommandFailed(str(error))


#: A click-decorated command.
FC = TypeVar("FC", bound=Callable[..., Any])

# A host name's labels (RFC 1123), or an IP address: anything else cannot be listened on.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")


def check_host(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        if not _HOST_NAME.fullmatch(value):
            raise click.BadParameter(
                f"{value!r} is no address to listen on: an IP address or a host name, e.g. "
                "127.0.0.1",
                param_hint="'--host'",
            ) from None
    return value


def host_option(help_text: str) -> Callable[[FC], FC]:
    """``--host``: the address a server listens on (default 127.0.0.1), checked."""
    return click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        callback=lambda _ctx, _param, value: check_host(value),
        help=help_text,
    )


def port_option(default: int) -> Callable[[FC], FC]:
    """``--port``: the port a server listens on; 0 picks a free one."""
    return click.option(
        "--port",
        type=Integer(0, 65535),
        default=default,
        show_default=True,
        help="Port to listen on; 0 picks a free one.",
    )
