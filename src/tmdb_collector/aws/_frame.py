"""The frame every function's handler runs in (``@lambda_handler(...)``): it builds or reuses
the container's runtime, binds the invocation's request id and the function's name to every
log line, hands the body a fresh metrics hook and flushes it in ``finally`` (also when the body
fails), and turns the error tree into the invocation's outcome. A handler's body only parses its
event and calls the use case."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tmdb_collector import app
from tmdb_collector.aws._runtime import LambdaContext, Runtime, deadline_seconds, reset_runtime
from tmdb_collector.aws._runtime import runtime as container_runtime
from tmdb_collector.errors import Action, TMDBCollectorError, action_for
from tmdb_collector.observe import Metrics, bound_log_fields, configure_logging

__all__ = ["Handler", "Invocation", "lambda_handler"]

_log = logging.getLogger("tmdb_collector.aws")

#: What Lambda calls: ``handler(event, context)``.
Handler = Callable[[Any, "LambdaContext | None"], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Invocation:
    """One invocation, as a handler's body sees it."""

    event: Any
    context: LambdaContext | None
    runtime: Runtime
    metrics: Metrics

    @property
    def wiring(self) -> app.Wiring:
        return self.runtime.wiring

    def seconds(self) -> float:
        """Seconds to keep starting work (``deadline_seconds``)."""
        return deadline_seconds(self.context)


def lambda_handler(
    function: str, surface: app.Surface
) -> Callable[[Callable[[Invocation], dict[str, Any]]], Handler]:
    """The frame of the ``function``'s handler (its metrics dimension, its log field)."""

    def decorate(body: Callable[[Invocation], dict[str, Any]]) -> Handler:
        @functools.wraps(body)
        def handler(event: Any, context: LambdaContext | None = None) -> dict[str, Any]:
            _log_somewhere()
            request_id = getattr(context, "aws_request_id", None)
            with bound_log_fields(function=function, aws_request_id=request_id):
                metrics = None
                try:
                    built = container_runtime(surface)
                    metrics = built.metrics(function)
                    return body(Invocation(event, context, built, metrics))
                except Exception as error:
                    _failed(error)
                    raise
                finally:
                    if metrics is not None:
                        metrics.flush()

        return handler

    return decorate


def _failed(error: Exception) -> None:
    """Say why the invocation fails, by what must be done about it; the error itself is raised
    on to Lambda (the Errors metric; the poller or the scheduler retries)."""
    if not isinstance(error, TMDBCollectorError):
        _log.exception("the invocation failed: %s", type(error).__name__)
        return
    action = action_for(error)
    if action is Action.STOP:
        # The credential may have been fixed in its secret meanwhile: the next invocation of
        # this container reads it again (one request to TMDB), no redeploy needed.
        reset_runtime()
        _log.error("%s — this container reads the credential again at its next invocation", error)
    elif action is Action.FIX:
        _log.error("%s — nothing was done; fix that, then the next invocation works", error)
    else:
        _log.error("%s — the invocation may pass when it is retried", error)


def _log_somewhere() -> None:
    """JSON lines on stderr before the runtime exists: an invocation that fails on its
    settings must say so in the function's logs, not only to Lambda."""
    if not logging.getLogger("tmdb_collector").handlers:
        configure_logging(logging.INFO, json_lines=True)
