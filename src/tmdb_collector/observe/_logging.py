"""The one place that configures log output: rich on a terminal, JSON lines elsewhere."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

__all__ = ["bound_log_fields", "configure_logging"]

#: Fields every log line of the current context carries (a Lambda invocation's request id).
_BOUND: ContextVar[Mapping[str, object]] = ContextVar(
    "tmdb_collector_log_fields", default=MappingProxyType({})
)


@contextmanager
def bound_log_fields(**fields: object) -> Iterator[None]:
    """Every log line written inside the block (and in the tasks and threads it starts) carries
    ``fields``, as if each call had passed them in ``extra``: one invocation's lines can be told
    apart from the next's."""
    token = _BOUND.set(MappingProxyType({**_BOUND.get(), **fields}))
    try:
        yield
    finally:
        _BOUND.reset(token)


class _BoundFields(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _BOUND.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


# Attributes every LogRecord has; anything else was passed through ``extra=`` and is a field.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JSONLineFormatter(logging.Formatter):
    """One JSON object per line with the message and the structured fields given in ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: int = logging.INFO, *, json_lines: bool | None = None) -> None:
    """Send ``tmdb_collector`` logs to stderr. ``json_lines`` defaults to "stderr is not a TTY"."""
    if json_lines is None:
        json_lines = not sys.stderr.isatty()
    handler: logging.Handler
    if json_lines:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JSONLineFormatter())
    else:
        # Imported only for a terminal: Lambda and CI never pay for rich.
        from rich.logging import RichHandler  # noqa: PLC0415

        handler = RichHandler(show_path=False, rich_tracebacks=False)
    handler.addFilter(_BoundFields())
    logger = logging.getLogger("tmdb_collector")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
