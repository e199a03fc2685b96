"""Serving the mirror: ``serve``'s use case, over the wiring's store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tmdb_collector.app._wiring import Wiring
from tmdb_collector.config import SERVE_ACCESS_KEY, SERVE_CHECK_SECONDS
from tmdb_collector.serve import LISTENING_PREFIX, MirrorServer

__all__ = ["LISTENING_PREFIX", "check_seconds", "serving"]

#: How often ``serve`` checks the store for new versions by default (SERVE_CHECK_SECONDS).
LOCAL_CHECK_SECONDS = 2.0
REMOTE_CHECK_SECONDS = 60.0


@asynccontextmanager
async def serving(
    wiring: Wiring, *, host: str, port: int, cache_bytes: int
) -> AsyncIterator[MirrorServer]:
    """The mirror in the wiring's store (which must exist), served at ``host``:``port`` on the
    running event loop until the block ends; ``SERVE_ACCESS_KEY``, when set, is the one
    credential it accepts."""
    records = await wiring.records()
    access = wiring.config[SERVE_ACCESS_KEY]
    server = MirrorServer(
        records,
        access_key=None if access is None else access.reveal(),
        cache_bytes=cache_bytes,
        check_seconds=check_seconds(wiring.config[SERVE_CHECK_SECONDS], records.objects.url),
    )
    async with server.run(host, port):
        yield server


def check_seconds(configured: float | None, store_url: str) -> float:
    """How often ``serve`` checks the store: SERVE_CHECK_SECONDS, else by where the store is.
    Each check is a listing or three and two HEADs per kind asked for: free on disk; on S3
    ~$0.7 a day per kind every 2 s, ~$0.7 a month every 60 s."""
    if configured is not None:
        return configured
    local = store_url.startswith(("file:", "memory:"))
    return LOCAL_CHECK_SECONDS if local else REMOTE_CHECK_SECONDS
