"""The metrics hook: code counts and times what it does on a ``Metrics`` it was handed, and
``Metrics`` fans each measurement out to pluggable sinks (a log line, a test's memory, later
CloudWatch's embedded metric format on Lambda).

Callers name what happened; sinks decide where it goes and how it is aggregated, so a new sink
never changes a caller. No global state: whoever builds a ``Collector`` or ``Harvester`` passes
the ``Metrics`` it wants, and a ``Metrics`` without sinks costs one attribute test per call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = ["Instrument", "Metric", "Metrics", "MetricsSink", "Unit"]

_log = logging.getLogger("tmdb_collector.observe")


class Unit(StrEnum):
    """What a value measures. The values are CloudWatch's unit names, so an EMF sink writes
    them as they are."""

    COUNT = "Count"
    SECONDS = "Seconds"
    BYTES = "Bytes"


class Instrument(StrEnum):
    """How values of one metric combine when a sink aggregates them."""

    #: Occurrences since the last flush: values add up.
    COUNT = "count"
    #: Durations: each value is a sample (a sink may keep them all, or their sum and number).
    TIMING = "timing"
    #: A level at one moment (queue depth, bytes held): the newest value wins.
    GAUGE = "gauge"


@dataclass(frozen=True, slots=True)
class Metric:
    """One measurement. ``dimensions`` are (name, value) pairs sorted by name: hashable, so a
    sink can aggregate on (name, unit, dimensions)."""

    name: str
    value: float
    unit: Unit
    instrument: Instrument
    dimensions: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> tuple[str, Unit, Instrument, tuple[tuple[str, str], ...]]:
        """What identifies the series this measurement belongs to."""
        return self.name, self.unit, self.instrument, self.dimensions


class MetricsSink(Protocol):
    """Where measurements go. ``emit`` is called once per measurement and must be cheap (keep
    or drop, no I/O); ``flush`` hands on what was kept since the last flush (one log line, one
    EMF document) and forgets it. Sinks are called from the thread that owns the ``Metrics``."""

    def emit(self, metric: Metric) -> None: ...

    def flush(self) -> None: ...


def _dimensions(values: dict[str, str]) -> tuple[tuple[str, str], ...]:
    # str(): a Kind or Reason (StrEnum) becomes its plain value, as a JSON document wants.
    return tuple(sorted((name, str(value)) for name, value in values.items()))


class Metrics:
    """The hook code calls: ``count``, ``timing``, ``gauge``, then ``flush`` at the end of a
    unit of work (a collector run, a harvest, a Lambda invocation).

    Names are dotted, stage first (``collect.items``); dimensions are keyword arguments whose
    values come from small fixed vocabularies (kind, outcome, reason) — never an id, a URL or a
    credential: every distinct combination is a series of its own on a dashboard. A sink that
    raises is logged and skipped: instrumentation never stops the work it measures.
    """

    __slots__ = ("_sinks",)

    def __init__(self, *sinks: MetricsSink) -> None:
        self._sinks = sinks

    @property
    def sinks(self) -> tuple[MetricsSink, ...]:
        return self._sinks

    @property
    def enabled(self) -> bool:
        """Whether any sink listens: lets a caller skip preparing many measurements."""
        return bool(self._sinks)

    def count(
        self, name: str, value: float = 1, *, unit: Unit = Unit.COUNT, **dimensions: str
    ) -> None:
        """``value`` more occurrences of ``name`` (or bytes, with ``unit=Unit.BYTES``)."""
        if self._sinks:
            self.emit(Metric(name, value, unit, Instrument.COUNT, _dimensions(dimensions)))

    def timing(self, name: str, seconds: float, **dimensions: str) -> None:
        """How long one ``name`` took."""
        if self._sinks:
            metric = Metric(name, seconds, Unit.SECONDS, Instrument.TIMING, _dimensions(dimensions))
            self.emit(metric)

    def gauge(self, name: str, value: float, *, unit: Unit = Unit.COUNT, **dimensions: str) -> None:
        """The level of ``name`` now."""
        if self._sinks:
            self.emit(Metric(name, value, unit, Instrument.GAUGE, _dimensions(dimensions)))

    def emit(self, metric: Metric) -> None:
        """Hand one measurement to every sink."""
        for sink in self._sinks:
            try:
                sink.emit(metric)
            except Exception:
                _log.exception("metrics sink %r failed on %s", sink, metric.name)

    def flush(self) -> None:
        """Ask every sink to hand on what it kept."""
        for sink in self._sinks:
            try:
                sink.flush()
            except Exception:
                _log.exception("metrics sink %r failed to flush", sink)
