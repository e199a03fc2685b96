"""Running many store requests at once, within bounds."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

__all__ = ["CONCURRENCY", "bounded"]

#: Requests in flight at once: enough to hide S3's latency, few enough to be polite to a disk.
CONCURRENCY = 32

_T = TypeVar("_T")


async def bounded(awaitables: Iterable[Awaitable[_T]]) -> list[_T]:
    """Await all, at most CONCURRENCY at once, results in order; the first failure is raised
    once all are done, so no request is left running behind the caller's back."""
    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def one(awaitable: Awaitable[_T]) -> _T:
        async with semaphore:
            return await awaitable

    outcomes = await asyncio.gather(*(one(a) for a in awaitables), return_exceptions=True)
    results: list[_T] = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        results.append(outcome)
    return results
