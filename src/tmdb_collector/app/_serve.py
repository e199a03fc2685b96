"""Serving the mirror: ``serve``'s use case, over the wiring's store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tmdb_collector.app._wiring import Wiring
from tmdb_collector.config import SERVE_ACCESS_KEY
from tmdb_collector.serve import LISTENING_PREFIX, MirrorServer

__all__ = ["LISTENING_PREFIX", "serving"]


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
    )
    async with server.run(host, port):
        yield server
