"""The metrics hook: fan-out to sinks, what a Metric holds, and the two sinks that ship."""

from __future__ import annotations

import logging

import pytest

from tmdb_collector.kinds import Kind
from tmdb_collector.observe import Instrument, LogSink, MemorySink, Metric, Metrics, Unit


class BrokenSink:
    def emit(self, metric: Metric) -> None:
        raise RuntimeError("emit")

    def flush(self) -> None:
        raise RuntimeError("flush")


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def handler() -> ListHandler:
    """Records of the logger ``test.metrics`` (DEBUG), which nothing else writes to."""
    logger = logging.getLogger("test.metrics")
    logger.handlers[:] = [handler := ListHandler()]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return handler


def test_every_sink_gets_every_measurement_and_every_flush() -> None:
    first, second = MemorySink(), MemorySink()
    metrics = Metrics(first, second)
    metrics.count("collect.items", 3, kind=Kind.MOVIE)
    metrics.timing("harvest.seconds", 1.5)
    metrics.gauge("queue.visible", 40)
    metrics.flush()
    expected = [
        Metric("collect.items", 3, Unit.COUNT, Instrument.COUNT, (("kind", "movie"),)),
        Metric("harvest.seconds", 1.5, Unit.SECONDS, Instrument.TIMING),
        Metric("queue.visible", 40, Unit.COUNT, Instrument.GAUGE),
    ]
    assert first.metrics == second.metrics == expected
    assert first.flushes == second.flushes == 1


def test_dimensions_are_plain_strings_sorted_by_name() -> None:
    sink = MemorySink()
    Metrics(sink).count("collect.records", outcome="created", kind=Kind.TV_SEASON)
    [metric] = sink.metrics
    assert metric.dimensions == (("kind", "tv_season"), ("outcome", "created"))
    assert all(type(value) is str for _, value in metric.dimensions)
    assert sink.total("collect.records", kind=Kind.TV_SEASON) == 1
    assert sink.totals("collect.records", "outcome") == {"created": 1}


def test_bytes_are_counted_in_their_unit() -> None:
    sink = MemorySink()
    Metrics(sink).count("collect.response_bytes", 2048, unit=Unit.BYTES)
    assert sink.metrics[0].unit is Unit.BYTES
    assert str(Unit.BYTES) == "Bytes"


def test_metrics_without_sinks_do_nothing() -> None:
    metrics = Metrics()
    assert not metrics.enabled
    assert metrics.sinks == ()
    metrics.count("collect.items", kind="movie")
    metrics.flush()


def test_a_failing_sink_does_not_stop_the_others_or_the_caller() -> None:
    sink = MemorySink()
    metrics = Metrics(BrokenSink(), sink)
    metrics.count("collect.messages")
    metrics.flush()
    assert sink.names == {"collect.messages"}
    assert sink.flushes == 1


def test_the_log_sink_writes_one_record_of_totals_per_flush(handler: ListHandler) -> None:
    metrics = Metrics(LogSink(logging.getLogger("test.metrics")))
    metrics.count("collect.items", 2, kind=Kind.MOVIE)
    metrics.count("collect.items", 3, kind=Kind.MOVIE)
    metrics.count("collect.items", kind=Kind.TV)
    metrics.timing("harvest.seconds", 1.0)
    metrics.timing("harvest.seconds", 2.5)
    metrics.gauge("queue.visible", 7)
    metrics.gauge("queue.visible", 4)
    metrics.count("collect.response_bytes", 100, unit=Unit.BYTES)
    metrics.flush()

    [record] = handler.records
    assert record.levelno == logging.DEBUG
    assert record.metrics == [  # type: ignore[attr-defined]
        {
            "name": "collect.items",
            "unit": "Count",
            "value": 5,
            "samples": 2,
            "dimensions": {"kind": "movie"},
        },
        {
            "name": "collect.items",
            "unit": "Count",
            "value": 1,
            "samples": 1,
            "dimensions": {"kind": "tv"},
        },
        {
            "name": "harvest.seconds",
            "unit": "Seconds",
            "value": 3.5,
            "samples": 2,
            "dimensions": {},
        },
        {"name": "queue.visible", "unit": "Count", "value": 4, "samples": 2, "dimensions": {}},
        {
            "name": "collect.response_bytes",
            "unit": "Bytes",
            "value": 100,
            "samples": 1,
            "dimensions": {},
        },
    ]
    assert record.getMessage().startswith("metrics: collect.items kind=movie 5; ")

    # Totals start again after a flush; a flush with nothing kept writes nothing.
    metrics.flush()
    metrics.count("collect.messages")
    metrics.flush()
    assert len(handler.records) == 2
    assert handler.records[1].metrics[0]["value"] == 1  # type: ignore[attr-defined]


def test_the_log_sink_keeps_nothing_below_its_level(handler: ListHandler) -> None:
    logging.getLogger("test.metrics").setLevel(logging.INFO)
    sink = LogSink(logging.getLogger("test.metrics"))
    sink.emit(Metric("collect.messages", 1, Unit.COUNT, Instrument.COUNT))
    logging.getLogger("test.metrics").setLevel(logging.DEBUG)
    sink.flush()
    assert handler.records == []

    # At another level it is written at that level.
    loud = LogSink(logging.getLogger("test.metrics"), level=logging.INFO)
    loud.emit(Metric("collect.messages", 1, Unit.COUNT, Instrument.COUNT))
    loud.flush()
    assert [record.levelno for record in handler.records] == [logging.INFO]
