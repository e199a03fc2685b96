"""configure_logging: JSON lines off a terminal with the structured fields, rich on one."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator

import pytest
from rich.logging import RichHandler

from tmdb_collector.observe import LogSink, Metrics, configure_logging

#: The JSON lines written to stderr since the last call.
Lines = Callable[[], list[dict[str, object]]]


@pytest.fixture
def stderr(capsys: pytest.CaptureFixture[str]) -> Iterator[Lines]:
    """The JSON lines written to stderr (captured: not a TTY) since the last call; the
    ``tmdb_collector`` logger is put back as it was afterwards."""
    logger = logging.getLogger("tmdb_collector")
    saved = logger.handlers[:], logger.level, logger.propagate

    def lines() -> list[dict[str, object]]:
        return [json.loads(line) for line in capsys.readouterr().err.splitlines()]

    yield lines
    logger.handlers[:], logger.level, logger.propagate = saved


def test_off_a_terminal_each_record_is_a_json_line_with_its_fields(
    stderr: Lines,
) -> None:
    configure_logging(logging.INFO)
    log = logging.getLogger("tmdb_collector.collect")
    log.info("collecting %s", "movie 550", extra={"message_id": "m-1"})
    log.debug("not shown at INFO")
    [entry] = stderr()
    assert entry["level"] == "info"
    assert entry["logger"] == "tmdb_collector.collect"
    assert entry["message"] == "collecting movie 550"
    assert entry["message_id"] == "m-1"


def test_metrics_are_logged_at_debug_with_structured_fields(
    stderr: Lines,
) -> None:
    configure_logging(logging.INFO)
    quiet = Metrics(LogSink())
    quiet.count("collect.items", 2, kind="movie")
    quiet.flush()
    assert stderr() == []

    configure_logging(logging.DEBUG)
    metrics = Metrics(LogSink())
    metrics.count("collect.items", 2, kind="movie")
    metrics.flush()
    [entry] = stderr()
    assert entry["logger"] == "tmdb_collector.metrics"
    assert entry["level"] == "debug"
    assert entry["metrics"] == [
        {
            "name": "collect.items",
            "unit": "Count",
            "value": 2,
            "samples": 1,
            "dimensions": {"kind": "movie"},
        }
    ]


def test_on_a_terminal_rich_writes_the_logs(stderr: Lines) -> None:
    configure_logging(logging.INFO, json_lines=False)
    [handler] = logging.getLogger("tmdb_collector").handlers
    assert isinstance(handler, RichHandler)
