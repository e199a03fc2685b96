"""Shared helpers: a clock that never sleeps, and small local aiohttp apps scripted per test."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from tmdb_collector.tmdb import ClientSettings, Credential, Pacer, RetryPolicy, TMDBClient

# Made-up credentials in the two forms TMDB issues.
V3_KEY = "0123456789abcdef0123456789abcdef"
V4_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJzZWNyZXQtdG9rZW4ifQ.c2lnbmF0dXJlLXNlY3JldA"  # noqa: S105


class FakeClock:
    """Virtual time: ``sleep`` records the request and moves time forward at once."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serve(routes: dict[str, Handler]) -> AsyncIterator[str]:
    """Run an app answering GET (and HEAD) on ``routes`` at 127.0.0.1; yield its base URL."""
    app = web.Application()
    for path, handler in routes.items():
        app.router.add_get(path, handler)
    runner = web.AppRunner(app, access_log=None)  # the server side would log the v3 key
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def make_client(
    url: str,
    clock: FakeClock,
    *,
    secret: str = V3_KEY,
    rate: float = 1000.0,
    concurrency: int = 8,
    pacer: Pacer | None = None,
    retry: RetryPolicy | None = None,
) -> TMDBClient:
    settings = ClientSettings(
        credential=Credential(secret),
        api_url=url,
        exports_url=url,
        rate_limit=rate,
        concurrency=concurrency,
        timeout=5.0,
    )
    return TMDBClient(
        settings,
        pacer=pacer or Pacer(rate, concurrency, clock=clock),
        retry=retry,
        clock=clock,
        rng=random.Random(7),
    )
