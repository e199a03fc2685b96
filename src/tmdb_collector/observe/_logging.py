"""The one place that configures log output: rich on a terminal, JSON lines elsewhere."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

__all__ = ["configure_logging"]

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
    logger = logging.getLogger("tmdb_collector")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
