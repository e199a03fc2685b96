"""bounded: many store requests at once, within bounds — and nothing left behind when cancelled."""

from __future__ import annotations

import asyncio

import pytest

from tmdb_collector.store._gather import CONCURRENCY, bounded


async def test_at_most_concurrency_run_at_once_results_in_order() -> None:
    running = peak = 0

    async def work(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001)
        running -= 1
        return n

    assert await bounded(work(n) for n in range(CONCURRENCY * 3)) == list(range(CONCURRENCY * 3))
    assert peak == CONCURRENCY


async def test_a_cancelled_call_leaves_no_coroutine_pending() -> None:
    """Those still waiting for a place are closed, not left to be reported as never awaited
    (which, with warnings as errors, failed an unrelated test now and then)."""
    started: list[int] = []

    async def work(n: int) -> None:
        started.append(n)
        await asyncio.sleep(10)

    coroutines = [work(n) for n in range(CONCURRENCY + 5)]
    task = asyncio.create_task(bounded(coroutines))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(started) == CONCURRENCY
    assert all(coroutine.cr_frame is None for coroutine in coroutines)


async def test_a_call_cancelled_before_its_tasks_ran_leaves_no_coroutine_pending() -> None:
    """Cancelled right after it started gathering: the tasks never ran a step, so their own
    clean-up never ran either; the coroutines they were given are closed all the same."""

    async def work() -> None:
        await asyncio.sleep(10)

    coroutines = [work() for _ in range(3)]
    task = asyncio.create_task(bounded(coroutines))
    await asyncio.sleep(0)  # bounded has created its tasks; none of them has run
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert all(coroutine.cr_frame is None for coroutine in coroutines)
