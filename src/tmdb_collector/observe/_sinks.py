"""The sinks that need nothing installed: a log line (the default) and memory (for tests).

A CloudWatch EMF sink (the Lambda handlers) is a third ``MetricsSink`` of the same shape: it
aggregates per invocation like ``LogSink`` does and prints one JSON document on ``flush``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tmdb_collector.observe._metrics import Instrument, Metric, Unit

__all__ = ["LogSink", "MemorySink"]

#: The logger ``LogSink`` writes to by default (a child of ``tmdb_collector``, so
#: ``configure_logging`` formats it: JSON lines off a terminal).
METRICS_LOGGER = "tmdb_collector.metrics"

_Key = tuple[str, Unit, Instrument, tuple[tuple[str, str], ...]]


@dataclass(slots=True)
class _Total:
    value: float
    samples: int


class LogSink:
    """Totals per series since the last flush, written on ``flush`` as one log record whose
    ``metrics`` field lists them (``name``, ``unit``, ``value``, ``samples``, ``dimensions``).

    One record per flush, not per measurement: a collector message makes a dozen measurements,
    and totals are what a reader (or a Logs Insights query) wants — the same totals the EMF sink
    sends. Counts add up, timings add up (``samples`` says how many; the mean is
    ``value / samples``), a gauge keeps its newest value. DEBUG by default, so a normal run
    stays quiet and ``-v`` shows them; below the logger's level nothing is kept at all, so the
    default costs a level check per measurement.
    """

    def __init__(self, logger: logging.Logger | None = None, level: int = logging.DEBUG) -> None:
        self._logger = logger if logger is not None else logging.getLogger(METRICS_LOGGER)
        self._level = level
        self._totals: dict[_Key, _Total] = {}

    def emit(self, metric: Metric) -> None:
        if not self._logger.isEnabledFor(self._level):
            return
        total = self._totals.get(metric.key)
        if total is None:
            self._totals[metric.key] = _Total(metric.value, 1)
            return
        total.samples += 1
        if metric.instrument is Instrument.GAUGE:
            total.value = metric.value
        else:
            total.value += metric.value

    def flush(self) -> None:
        if not self._totals:
            return
        entries: list[dict[str, object]] = []
        described: list[str] = []
        for (name, unit, _, dimensions), total in self._totals.items():
            entries.append(
                {
                    "name": name,
                    "unit": str(unit),
                    "value": total.value,
                    "samples": total.samples,
                    "dimensions": dict(dimensions),
                }
            )
            labels = "".join(f" {key}={value}" for key, value in dimensions)
            described.append(f"{name}{labels} {total.value:g}")
        self._totals = {}
        self._logger.log(
            self._level, "metrics: %s", "; ".join(described), extra={"metrics": entries}
        )


class MemorySink:
    """Keeps every measurement, in order, and counts flushes: for tests."""

    def __init__(self) -> None:
        self.metrics: list[Metric] = []
        self.flushes = 0

    def emit(self, metric: Metric) -> None:
        self.metrics.append(metric)

    def flush(self) -> None:
        self.flushes += 1

    @property
    def names(self) -> set[str]:
        """Every metric name emitted."""
        return {metric.name for metric in self.metrics}

    def total(self, name: str, **dimensions: str) -> float:
        """The sum of ``name``'s values whose dimensions include ``dimensions``."""
        wanted = {(key, str(value)) for key, value in dimensions.items()}
        return sum(
            metric.value
            for metric in self.metrics
            if metric.name == name and wanted <= set(metric.dimensions)
        )

    def totals(self, name: str, by: str) -> dict[str, float]:
        """The sum of ``name``'s values per value of the dimension ``by``."""
        sums: dict[str, float] = {}
        for metric in self.metrics:
            if metric.name != name:
                continue
            for key, value in metric.dimensions:
                if key == by:
                    sums[value] = sums.get(value, 0) + metric.value
        return sums
