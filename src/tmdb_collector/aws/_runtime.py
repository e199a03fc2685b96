"""What a Lambda container sets up once and keeps between invocations: its wiring
(``app.Wiring`` for its function: the settings, the credential, the store, the pace) in an
``app.Session`` (the event loop, the TMDB client open on it, the work queue's client), logging
as JSON, and the EMF metrics hook."""

from __future__ import annotations

import atexit
import logging
from typing import Protocol

from tmdb_collector import app
from tmdb_collector.config import (
    LOG_LEVEL,
    METRICS_BY_KIND,
    METRICS_NAMESPACE,
    METRICS_PUBLISHED,
    load_config,
)
from tmdb_collector.observe import EMFSink, Metrics, configure_logging

__all__ = ["LambdaContext", "Runtime", "deadline_seconds", "reset_runtime", "runtime"]

_log = logging.getLogger("tmdb_collector.aws")


class LambdaContext(Protocol):
    """The part of Lambda's context object the handlers use."""

    function_name: str
    aws_request_id: str

    def get_remaining_time_in_millis(self) -> int: ...


class Runtime(app.Session):
    """One container's session (``app.Session``: the wiring, the loop, the TMDB client and the
    queue, kept while the container is warm), with its metrics and a check of the queue."""

    def __init__(self, wiring: app.Wiring) -> None:
        super().__init__(wiring)
        config = wiring.config
        self._namespace = config[METRICS_NAMESPACE]
        self._by_kind = config[METRICS_BY_KIND]
        published = config[METRICS_PUBLISHED]
        self._published = None if "all" in published else published
        self._visibility_checked = False

    def metrics(self, function: str) -> Metrics:
        """A fresh hook for one invocation: its EMF document is flushed at its end."""
        kept = ("kind",) if self._by_kind else ()
        return Metrics(
            EMFSink(
                self._namespace,
                dimensions={"function": function},
                kept=kept,
                # Without per-kind series a kind is summed over, not folded into the name (which
                # would make a series per kind all the same).
                dropped=() if self._by_kind else ("kind",),
                published=self._published,
            )
        )

    def check_visibility(self, context: LambdaContext | None) -> None:
        """Warn once per container when the work queue's visibility timeout is shorter than
        this invocation may run: the messages of a batch not started yet keep the visibility
        the poller received them with, so they would come back to another instance while this
        one still holds them, and be collected twice."""
        if self._visibility_checked or context is None:
            return
        self._visibility_checked = True
        seconds = context.get_remaining_time_in_millis() / 1000
        visibility = self.queue().visibility_timeout
        if visibility < seconds:
            _log.warning(
                "the work queue's visibility timeout (%d s) is shorter than this invocation may "
                "run (%.0f s): messages of a batch not started yet come back to another instance "
                "while this one holds them, and are collected twice; set the queue's "
                "VisibilityTimeout to at least the function's timeout (AWS advises 6 times it)",
                visibility,
                seconds,
                extra={"visibility_timeout": visibility, "remaining_seconds": round(seconds)},
            )


_RUNTIMES: dict[app.Surface, Runtime] = {}


def runtime(surface: app.Surface) -> Runtime:
    """The container's runtime for its function, built once (a warm container reuses it: the
    credential is read from Secrets Manager or SSM once, not per invocation)."""
    built = _RUNTIMES.get(surface)
    if built is None:
        config = load_config()
        level = getattr(logging, config[LOG_LEVEL].upper(), logging.INFO)
        configure_logging(level, json_lines=True)
        app.apply_aws_environment(config)
        if not _RUNTIMES:
            # A process that ends normally (a local invocation, a test) closes the TMDB client's
            # HTTP session: aiohttp would warn "Unclosed client session" otherwise.
            atexit.register(reset_runtime)
        built = _RUNTIMES[surface] = Runtime(app.Wiring(config, surface))
    return built


def reset_runtime() -> None:
    """Close the container's runtimes and forget them: the next invocation builds new ones,
    reading the settings and the credential again (tests, and a rejected credential)."""
    for built in list(_RUNTIMES.values()):
        built.close()
    _RUNTIMES.clear()


def deadline_seconds(context: LambdaContext | None, *, default: float = 840.0) -> float:
    """Seconds to keep starting work: the invocation's remaining time less a margin for
    finishing what is under way (a fifth of it, between 5 and 30 s)."""
    if context is None:
        return default
    remaining = context.get_remaining_time_in_millis() / 1000
    return max(1.0, remaining - max(5.0, min(30.0, remaining * 0.2)))
