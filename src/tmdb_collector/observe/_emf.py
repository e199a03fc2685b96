"""``EMFSink``: metrics as CloudWatch Embedded Metric Format documents, one JSON line per
dimension set on each flush, written to a stream (stdout on Lambda, where CloudWatch Logs turns
them into metrics without an API call).

Aggregated between flushes (a Lambda invocation flushes once): counts add up, gauges keep the
newest value, timings keep up to 100 samples (EMF's limit per value array).

Every distinct (metric, dimension values) is a CloudWatch metric, billed monthly: so only the
sink's own dimensions (the function) and those named in ``kept`` (by default the record kind)
become EMF dimensions; another dimension's value (an outcome, a reason) is folded into the metric
name (``collect_records_created``), which keeps it on a dashboard at the price of one series.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Collection, Mapping
from typing import TextIO

from tmdb_collector.observe._metrics import Instrument, Metric, Unit

__all__ = ["EMFSink"]

#: EMF keeps at most 100 values per metric in one document.
_MAX_VALUES = 100
#: Metric names in CloudWatch: the dotted name of the hook, without dots (``collect_items``).
_NAME = str.maketrans({".": "_"})

_Series = tuple[str, Unit, tuple[tuple[str, str], ...]]


class EMFSink:
    """Writes what it kept as EMF documents to ``stream`` on ``flush``.

    ``namespace`` is the CloudWatch namespace; ``dimensions`` are added to every metric (keep
    them few: each distinct set is billed as a metric of its own); ``dropped`` dimensions are
    summed over (a per-kind count becomes one total). ``published`` names the
    metrics CloudWatch is told about (None: all): the others are written in the same line as
    plain fields — free, and still there for Logs Insights. ``now_ms`` is for tests.
    """

    def __init__(
        self,
        namespace: str,
        *,
        dimensions: Mapping[str, str] | None = None,
        kept: tuple[str, ...] = ("kind",),
        dropped: tuple[str, ...] = (),
        published: Collection[str] | None = None,
        stream: TextIO | None = None,
        now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self._namespace = namespace
        self._fixed = tuple(sorted((dimensions or {}).items()))
        self._kept = frozenset(kept)
        #: Dimensions summed over (neither kept nor folded into the name: no series of their own).
        self._dropped = frozenset(dropped)
        #: Metric names published to CloudWatch (None: all); the others are plain fields.
        self._published = None if published is None else frozenset(published)
        self._stream = stream
        self._now_ms = now_ms
        self._values: dict[_Series, list[float]] = {}
        self._kinds: dict[_Series, Instrument] = {}

    def emit(self, metric: Metric) -> None:
        name = metric.name.translate(_NAME)
        dimensions = [(key, value) for key, value in metric.dimensions if key not in self._dropped]
        kept = tuple((key, value) for key, value in dimensions if key in self._kept)
        folded = [value for key, value in dimensions if key not in self._kept]
        if folded:
            name = "_".join([name, *(value.replace(" ", "_") for value in folded)])
        series = (name, metric.unit, kept)
        values = self._values.setdefault(series, [])
        self._kinds[series] = metric.instrument
        if metric.instrument is Instrument.COUNT:
            values[:] = [(values[0] if values else 0.0) + metric.value]
        elif metric.instrument is Instrument.GAUGE:
            values[:] = [metric.value]
        elif len(values) < _MAX_VALUES:
            values.append(metric.value)

    def flush(self) -> None:
        if not self._values:
            return
        stream = self._stream if self._stream is not None else sys.stdout
        for document in self.documents():
            stream.write(json.dumps(document, separators=(",", ":")) + "\n")
        stream.flush()
        self._values.clear()
        self._kinds.clear()

    def documents(self) -> list[dict[str, object]]:
        """What ``flush`` would write: one EMF document per dimension set."""
        by_dimensions: dict[tuple[tuple[str, str], ...], list[tuple[_Series, list[float]]]] = {}
        for series, values in self._values.items():
            dimensions = tuple(sorted({*self._fixed, *series[2]}))
            by_dimensions.setdefault(dimensions, []).append((series, values))
        documents = []
        for dimensions, members in by_dimensions.items():
            metrics = [
                {"Name": name, "Unit": str(unit)}
                for (name, unit, _), _ in members
                if self._published is None or name in self._published
            ]
            document: dict[str, object] = {}
            if metrics:
                document["_aws"] = {
                    "Timestamp": self._now_ms(),
                    "CloudWatchMetrics": [
                        {
                            "Namespace": self._namespace,
                            "Dimensions": [[name for name, _ in dimensions]],
                            "Metrics": metrics,
                        }
                    ],
                }
            else:  # a plain log line: nothing in it is a metric
                document["time_ms"] = self._now_ms()
            document.update(dimensions)
            for (name, _, _), values in members:
                document[name] = values[0] if len(values) == 1 else list(values)
            documents.append(document)
        return documents
