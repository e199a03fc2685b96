"""``tmdb-collector aws``: operate a deployment of infra/template.yaml, found by its stack's name
(``--stack NAME``): its status, a harvest now, its dead letters back, alerts by mail, its logs
(docs/aws.md, "Operating a deployment")."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime, timedelta

import click

from tmdb_collector import app
from tmdb_collector.cli._options import CommandFailed, Day, check_stack_name, settings, wiring
from tmdb_collector.cli._redrive import max_option, move_dead_letters
from tmdb_collector.cli._status import show_status
from tmdb_collector.config import MEDIA_TYPES

__all__ = ["aws"]

_SINCE = re.compile(r"([0-9]{1,4})([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
# An address AWS mails: no spaces, one @, a dot in the domain.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

stack_required = click.option(
    "--stack",
    required=True,
    callback=check_stack_name,
    metavar="NAME",
    help="The CloudFormation stack of the deployment (sam deploy's stack_name).",
)


def _since(_ctx: click.Context, _param: click.Parameter, value: str) -> timedelta:
    match = _SINCE.fullmatch(value.strip())
    if match is None:
        raise click.BadParameter(f"{value!r} is no duration: write e.g. 30m, 1h or 2d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _past_day(_ctx: click.Context, _param: click.Parameter, value: date | None) -> date | None:
    today = datetime.now(UTC).date()
    if value is not None and value > today:
        raise click.BadParameter(
            f"{value} is after today ({today}, UTC): TMDB has no export or changes for it yet"
        )
    return value


def _email(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise click.BadParameter(f"{value!r} is no e-mail address")
    return value


def _kinds(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    try:
        return tuple(kind.value for kind in MEDIA_TYPES.parse(value))
    except ValueError as error:  # the setting's own words
        raise click.BadParameter(str(error)) from None


@click.group()
def aws() -> None:
    """Operate a deployment of infra/template.yaml on AWS (docs/aws.md)."""


@aws.command("verify")
@stack_required
def aws_verify(*, stack: str) -> None:
    """Check the deployment, one check a line, OK or FAIL with what to do: the stack, the
    functions' handlers and environment, the event source, the queue and its dead-letter
    queue, the visibility timeout, the schedules, the bucket, the credential's secret, and one
    request to TMDB with it (the credential itself is never shown). Exit status 1 on a FAIL."""
    config = settings()
    checks = asyncio.run(app.verify_stack(app.find_stack(stack, config), config))
    for check in checks:
        mark = "OK  " if check.ok else "FAIL"
        click.echo(f"{mark} {check.what}" + (f": {check.detail}" if check.detail else ""))
    failed = [check for check in checks if not check.ok]
    if failed:
        raise CommandFailed(f"{len(failed)} of {len(checks)} checks failed (FAIL above)")


@aws.command("status")
@stack_required
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
def aws_status(*, stack: str, as_json: bool) -> None:
    """The deployment's queue, dead letters (with their last errors), the age of the oldest
    message, TMDB requests and 429s of the last 5 minutes and the time left at that rate,
    records per kind, the last harvest and its watermarks, the collector functions at work."""
    config = settings()
    deployed = app.find_stack(stack, config)
    show_status(
        wiring(stack=stack),
        as_json=as_json,
        deployment=lambda report: app.stack_activity(deployed, config, report),
    )


@aws.command("redrive")
@stack_required
@max_option
def aws_redrive(*, stack: str, max_messages: int | None) -> None:
    """Move the deployment's dead letters back to its work queue (fix their cause first:
    `tmdb-collector aws status` shows their errors)."""
    move_dead_letters(wiring(stack=stack), max_messages)


@aws.command("trigger")
@stack_required
@click.option(
    "--types",
    default=None,
    metavar="KIND,...",
    callback=_kinds,
    help="Only these kinds (default: the deployment's MEDIA_TYPES).",
)
@click.option(
    "--date",
    "day",
    type=Day(),
    default=None,
    callback=_past_day,
    help="The export day (default today); never a day to come.",
)
@click.option("--dry-run", is_flag=True, help="Plan only: enqueue and remember nothing.")
def aws_trigger(*, stack: str, types: tuple[str, ...], day: date | None, dry_run: bool) -> None:
    """Ask the deployment's harvester for a harvest now (the custom event its rule delivers,
    as samples/trigger-event.json)."""
    config = settings()
    deployed = app.find_stack(stack, config)
    event_id = app.trigger_harvest(
        deployed,
        config,
        types=types,
        day=None if day is None else day.isoformat(),
        dry_run=dry_run,
    )
    click.echo(
        f"harvest requested (event {event_id}); `tmdb-collector aws logs --stack {stack}` "
        "shows it run"
    )


@aws.command("setup-alerts")
@stack_required
@click.option("--email", required=True, callback=_email, help="The address the alarms go to.")
def aws_setup_alerts(*, stack: str, email: str) -> None:
    """Send the deployment's alarms to an e-mail address (AWS mails it a link to confirm);
    run again, it changes nothing."""
    config = settings()
    added = app.subscribe_alerts(app.find_stack(stack, config), config, email)
    if added:
        click.echo(f"{email} subscribed to the alarms: confirm with the link AWS mails it")
    else:
        click.echo(f"{email} already receives the alarms")


@aws.command("logs")
@stack_required
@click.option(
    "--since",
    default="1h",
    show_default=True,
    callback=_since,
    help="How far back: 30m, 1h, 2d.",
)
@click.option("--errors", is_flag=True, help="Only errors.")
def aws_logs(*, stack: str, since: timedelta, errors: bool) -> None:
    """The deployment's functions' log lines (never a credential: none is logged), oldest
    first, each after its function's name."""
    config = settings()
    lines = app.stack_log_lines(app.find_stack(stack, config), config, since=since, errors=errors)
    for function, line in lines:
        click.echo(f"{function}: {line}")
    if not lines:
        click.echo(f"no {'error ' if errors else ''}log lines in the last {since}", err=True)
