"""Running many store requests at once, within bounds."""

from __future__ import annotations

import asyncio
import inspect
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
    pending = list(awaitables)

    async def one(awaitable: Awaitable[_T]) -> _T:
        async with semaphore:
            return await awaitable

    try:
        outcomes = await asyncio.gather(*(one(a) for a in pending), return_exceptions=True)
    finally:
        # Cancelled (the caller was) before some of them ran — waiting for a place, or before
        # their task even started: close each coroutine that never ran, or it is reported as
        # "never awaited" when collected.
        for awaitable in pending:
            if (
                inspect.iscoroutine(awaitable)
                and inspect.getcoroutinestate(awaitable) == inspect.CORO_CREATED
            ):
                awaitable.close()
    results: list[_T] = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        results.append(outcome)
    return results
