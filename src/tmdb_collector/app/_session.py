"""A long-lived process's open resources over one wiring: an event loop, the TMDB client open on
it and the work queue's client, made on first use and kept — a warm Lambda container reuses
them between invocations (no new connections, no new boto3 client, and the pacer keeps its
rhythm)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from tmdb_collector.app._wiring import Pace, Wiring
from tmdb_collector.queue import WorkQueue
from tmdb_collector.tmdb import TMDBClient

__all__ = ["Session"]

_T = TypeVar("_T")


class Session:
    """The wiring's objects kept open: ``run`` work on the kept loop, ``client()``, ``queue()``;
    ``close()`` closes them (the client's HTTP session included)."""

    def __init__(self, wiring: Wiring) -> None:
        self.wiring = wiring
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: TMDBClient | None = None
        self._queue: WorkQueue | None = None

    def run(self, work: Coroutine[Any, Any, _T]) -> _T:
        """Run ``work`` on the session's event loop (kept between calls)."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop.run_until_complete(work)

    async def client(self, pace: Pace | None = None) -> TMDBClient:
        """The TMDB client, opened at first use, at ``pace`` (default: the wiring's); a kept
        client is set to ``pace``. The credential is required before anything else happens."""
        settings = self.wiring.client_settings(pace)
        settings.require_credential()
        if self._client is None:
            client = TMDBClient(settings)
            await client.__aenter__()
            self._client = client
        elif self._client.rate != settings.rate_limit:
            self._client.set_rate(settings.rate_limit)
        return self._client

    def queue(self) -> WorkQueue:
        """The work queue (``Wiring.open_queue()``), opened once."""
        if self._queue is None:
            self._queue = self.wiring.open_queue()
        return self._queue

    def close(self) -> None:
        """Close the client's HTTP session, the queue and the loop."""
        if self._client is not None:
            self.run(self._client.__aexit__(None, None, None))
            self._client = None
        if self._queue is not None:
            self._queue.close()
            self._queue = None
        if self._loop is not None:
            self._loop.close()
            self._loop = None
