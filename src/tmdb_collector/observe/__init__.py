"""Observability: the one place that configures log output, and the metrics hook with its
pluggable sinks (docs/observability.md).

Pure: logging and the standard library only, so every stage (and a Lambda's cold start) can
import it for free.
"""

from tmdb_collector.observe._emf import EMFSink
from tmdb_collector.observe._logging import bound_log_fields, configure_logging
from tmdb_collector.observe._metrics import Instrument, Metric, Metrics, MetricsSink, Unit
from tmdb_collector.observe._sinks import METRICS_LOGGER, LogSink, MemorySink

__all__ = [
    "METRICS_LOGGER",
    "EMFSink",
    "Instrument",
    "LogSink",
    "MemorySink",
    "Metric",
    "Metrics",
    "MetricsSink",
    "Unit",
    "bound_log_fields",
    "configure_logging",
]
