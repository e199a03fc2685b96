"""open_work_queue: from a queue spec a user typed (a path or a URL) to a WorkQueue."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

from tmdb_collector.config import MAX_RECEIVES, VISIBILITY_TIMEOUT
from tmdb_collector.queue._errors import QueueConfigurationError
from tmdb_collector.queue._queue import (
    DEAD_LETTER_SUFFIX,
    MAX_RETENTION_SECONDS,
    WorkQueue,
    check_queue_name,
)
from tmdb_collector.queue._sqlite import SQLiteWorkQueue
from tmdb_collector.queue._sqs import SQSWorkQueue, display_url, ensure_sqs_queues

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient

__all__ = ["QueueOptions", "check_queue_spec", "open_work_queue", "sqlite_path"]

ACCEPTED_SPECS = (
    "a file path or sqlite:PATH (an SQLite queue file), sqs://NAME (the SQS queue NAME and "
    "NAME-dlq, created if missing), or an SQS queue URL "
    "(https://sqs.REGION.amazonaws.com/ACCOUNT_ID/NAME, or http(s)://HOST/ACCOUNT_ID/NAME for a "
    "local SQS)"
)
# Two or more letters before ':' make a scheme; one letter is a Windows drive ("C:\queue.db").
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")
# Settings a queue URL takes from the queue itself (its attributes), not from the caller.
_SETTINGS = ("name", "max_receives", "visibility_timeout", "retention_seconds")


class QueueOptions(TypedDict, total=False):
    """Options of open_work_queue; each applies to the backends that have it."""

    #: SQLite: the queue's name inside the file (SQS: the name is in the spec).
    name: str
    #: SQLite and sqs://NAME: deliveries before a message goes to the dead-letter queue.
    max_receives: int
    #: SQLite and sqs://NAME: default seconds a received message stays hidden.
    visibility_timeout: int
    #: SQLite and sqs://NAME: seconds before an undelivered message expires.
    retention_seconds: int
    #: SQLite only: epoch milliseconds, for tests.
    clock: Callable[[], int]
    #: SQS only: the boto3 SQS client to use.
    client: SQSClient


def open_work_queue(spec: str, **options: Unpack[QueueOptions]) -> WorkQueue:
    """The work queue `spec` names:

    - a path, or sqlite:PATH: an SQLite file, created with its directories if missing;
    - sqs://NAME: the SQS queue NAME with its dead-letter queue NAME-dlq, created if missing;
    - an SQS queue URL: that existing queue, whose RedrivePolicy names its dead-letter queue.

    Raises QueueConfigurationError (a ValueError) for any other spec or an option the backend
    does not take.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise QueueConfigurationError(f"the work queue spec is empty: use {ACCEPTED_SPECS}")
    if "\x00" in spec:
        # No file name or URL holds one; only a TOML file's "\u0000" can bring it here.
        raise QueueConfigurationError(
            f"the work queue spec {display_url(spec)!r} contains a NUL character: use "
            f"{ACCEPTED_SPECS}"
        )
    match = _SCHEME.match(spec)
    scheme = match.group(1).lower() if match else None
    if scheme is None:
        return _sqlite(spec, options)
    rest = spec[match.end() :] if match else spec
    if scheme == "sqlite":
        if not rest or rest.startswith("//"):
            raise QueueConfigurationError(
                f"{spec!r}: write sqlite:relative/path.db or sqlite:/absolute/path.db "
                "(no '//' after 'sqlite:')"
            )
        return _sqlite(rest, options)
    if scheme == "sqs" and rest.startswith("//") and "/" not in rest[2:]:
        _refuse(spec, options, ("clock", "name"), "sqs://NAME takes its name from the spec")
        return ensure_sqs_queues(
            _sqs_name(spec, rest[2:]),
            max_receives=options.get("max_receives", MAX_RECEIVES.default),
            visibility_timeout=options.get("visibility_timeout", VISIBILITY_TIMEOUT.default),
            retention_seconds=options.get("retention_seconds", MAX_RETENTION_SECONDS),
            client=options.get("client"),
        )
    if scheme in {"http", "https"} and rest.startswith("//"):
        _refuse(spec, options, (*_SETTINGS, "clock"), "an SQS queue URL takes them from the queue")
        return SQSWorkQueue(spec, client=options.get("client"))
    raise QueueConfigurationError(
        f"unknown work queue spec {display_url(spec)!r}: use {ACCEPTED_SPECS}"
    )


def check_queue_spec(spec: str) -> str:
    """``spec`` itself when it is a form ``open_work_queue`` takes (an SQS name that SQS
    allows), else QueueConfigurationError — without opening or creating anything (a dry run's
    queue, which it only reads when it exists)."""
    if sqlite_path(spec) is not None and not spec.lower().startswith("sqlite://"):
        return spec
    match = _SCHEME.match(spec)
    rest = spec[match.end() :] if match else ""
    scheme = match.group(1).lower() if match else ""
    if scheme == "sqs" and rest.startswith("//") and "/" not in rest[2:]:
        _sqs_name(spec, rest[2:])
        return spec
    if scheme in {"http", "https"} and rest.startswith("//"):
        return spec
    if scheme == "sqlite":
        raise QueueConfigurationError(
            f"{spec!r}: write sqlite:relative/path.db or sqlite:/absolute/path.db "
            "(no '//' after 'sqlite:')"
        )
    raise QueueConfigurationError(
        f"unknown work queue spec {display_url(spec)!r}: use {ACCEPTED_SPECS}"
    )


def sqlite_path(spec: str) -> Path | None:
    """The file of an SQLite queue spec (a path or sqlite:PATH); None for any other spec."""
    match = _SCHEME.match(spec)
    if match is None:
        return Path(spec)
    if match.group(1).lower() == "sqlite" and not spec[match.end() :].startswith("//"):
        return Path(spec[match.end() :])
    return None


def _sqs_name(spec: str, name: str) -> str:
    """The queue name of sqs://NAME, if SQS takes it (a user typed it: a QueueConfigurationError
    saying the rule, not check_queue_name's ValueError)."""
    try:
        return check_queue_name(name)
    except ValueError:
        raise QueueConfigurationError(
            f"the work queue {display_url(spec)!r} names no SQS queue: write sqs://NAME, where "
            "NAME is 1-76 ASCII letters, digits, '-' or '_' (SQS allows 80, and the dead-letter "
            f"queue adds {DEAD_LETTER_SUFFIX!r})"
        ) from None


def _sqlite(path: str, options: QueueOptions) -> SQLiteWorkQueue:
    _refuse(path, options, ("client",), "an SQLite queue needs no boto3 client")
    return SQLiteWorkQueue(
        path,
        name=options.get("name", "work"),
        max_receives=options.get("max_receives", MAX_RECEIVES.default),
        visibility_timeout=options.get("visibility_timeout", VISIBILITY_TIMEOUT.default),
        retention_seconds=options.get("retention_seconds", MAX_RETENTION_SECONDS),
        clock=options.get("clock"),
    )


def _refuse(spec: str, options: QueueOptions, names: tuple[str, ...], why: str) -> None:
    given = sorted(name for name in names if name in options)
    if given:
        raise QueueConfigurationError(
            f"the work queue {display_url(spec)!r} does not take {', '.join(given)}: {why}"
        )
