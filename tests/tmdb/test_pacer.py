import asyncio
import itertools
import random

import pytest

from tmdb_collector.tmdb import Pacer, RetryPolicy, SystemClock

from .conftest import FakeClock
from .measure import busiest_second


async def test_starts_are_spaced_by_the_guarded_interval(clock: FakeClock) -> None:
    pacer = Pacer(40, 4, clock=clock)
    starts = []
    for _ in range(81):
        async with pacer.slot() as start:
            starts.append(start.at)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) == pytest.approx(1.02 / 40)
    assert starts[40] - starts[0] >= 1.02 - 1e-9  # 41 starts never fit in a second
    assert starts[80] - starts[0] == pytest.approx(2.04)


async def test_no_wait_after_a_quiet_spell(clock: FakeClock) -> None:
    pacer = Pacer(10, 1, clock=clock)
    async with pacer.slot():
        pass
    clock.now += 60
    async with pacer.slot() as start:
        assert start.at == clock.now
    assert clock.sleeps == []


async def test_pause_holds_every_start(clock: FakeClock) -> None:
    pacer = Pacer(100, 4, clock=clock)
    async with pacer.slot():
        pass
    paused_at = clock.now
    pacer.pause(5.0)
    async with pacer.slot() as start:
        assert start.at >= paused_at + 5.0


async def test_a_pause_that_begins_while_sleeping_is_honoured(clock: FakeClock) -> None:
    pacer = Pacer(1, 2, clock=clock)
    async with pacer.slot():
        pass

    async def pause_soon() -> None:  # runs once the waiter below sleeps towards its slot
        pacer.pause(30.0)

    pausing = asyncio.create_task(pause_soon())
    async with pacer.slot() as start:
        await pausing
        assert start.at >= pacer.paused_until - 1e-9


async def test_in_flight_cap(clock: FakeClock) -> None:
    pacer = Pacer(1000, 3, clock=clock)
    in_flight = peak = 0

    async def request() -> None:
        nonlocal in_flight, peak
        async with pacer.slot():
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.001)
            in_flight -= 1

    await asyncio.gather(*(request() for _ in range(20)))
    assert peak == 3


async def test_consecutive_429s_double_the_pause_but_echoes_do_not(clock: FakeClock) -> None:
    pacer = Pacer(1000, 20, clock=clock)
    policy = RetryPolicy()
    rng = random.Random(3)
    async with pacer.slot() as first:
        pass
    async with pacer.slot() as echo:  # sent before the first 429 came back
        pass
    pause = pacer.rate_limited(first, None, policy, rng)
    assert 0.125 <= pause <= 0.25
    assert pacer.rate_limited(echo, None, policy, rng) <= pause + 1e-9  # no escalation
    async with pacer.slot() as second:
        pass
    assert 0.25 <= pacer.rate_limited(second, None, policy, rng) <= 0.5
    async with pacer.slot() as third:
        pass
    pacer.succeeded(third)
    async with pacer.slot() as fourth:
        pass
    assert 0.125 <= pacer.rate_limited(fourth, None, policy, rng) <= 0.25  # streak reset


async def test_retry_after_is_honoured_and_capped(clock: FakeClock) -> None:
    pacer = Pacer(1000, 20, clock=clock)
    async with pacer.slot() as start:
        pass
    assert pacer.rate_limited(start, 7.0, RetryPolicy(), random.Random()) == 7.0
    assert pacer.paused_until == pytest.approx(clock.now + 7.0)
    capped = pacer.rate_limited(start, 3600.0, RetryPolicy(), random.Random())
    assert capped == RetryPolicy().rate_limit_max_delay


async def test_real_time_no_second_holds_more_than_the_rate() -> None:
    # Real clock, real scheduling jitter: the invariant holds however late tasks wake up.
    pacer = Pacer(20, 5, clock=SystemClock())
    starts: list[float] = []

    async def request() -> None:
        async with pacer.slot() as start:
            starts.append(start.at)
            await asyncio.sleep(0.01)

    await asyncio.gather(*(request() for _ in range(36)))
    assert busiest_second(starts) <= 20
    assert starts[-1] - starts[0] >= 35 * 1.02 / 20 - 1e-6


def test_pacer_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="rate > 0"):
        Pacer(0, 1)


def test_one_pacer_serves_successive_event_loops() -> None:
    # A warm Lambda keeps its module-level objects and calls asyncio.run once per invocation:
    # the pacer must not stay bound to the first, closed, loop.
    pacer = Pacer(1000, max_in_flight=1)

    async def two_at_once() -> None:
        async def one() -> None:
            async with pacer.slot():
                await asyncio.sleep(0.001)

        await asyncio.gather(one(), one())  # the second must wait for the only place in flight

    asyncio.run(two_at_once())
    asyncio.run(two_at_once())


class _LateClock(FakeClock):
    """A stalled event loop: every sleep wakes 0.3 s late."""

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds + 0.3)


async def test_no_burst_after_the_loop_stalls() -> None:
    # Slots reserved before a stall are all due when it ends; releasing them together would
    # put a burst on the wire that TMDB's window (and the fake's) counts as one.
    clock = _LateClock()
    pacer = Pacer(40, 20, clock=clock)
    starts: list[float] = []

    async def one() -> None:
        async with pacer.slot() as start:
            starts.append(start.at)

    await asyncio.gather(*(one() for _ in range(12)))
    starts.sort()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= pacer.interval / 2 - 1e-9


async def test_the_rate_can_change_between_starts(clock: FakeClock) -> None:
    pacer = Pacer(10, 4, clock=clock)
    starts = []
    for _ in range(11):
        async with pacer.slot() as start:
            starts.append(start.at)
    pacer.set_rate(40)
    assert pacer.rate == pytest.approx(40)
    for _ in range(40):
        async with pacer.slot() as start:
            starts.append(start.at)
    gaps = [b - a for a, b in itertools.pairwise(starts[11:])]
    assert max(gaps) == pytest.approx(1.02 / 40)
    # Slower again: no window holds more than 10 starts from the change on.
    pacer.set_rate(10)
    changed = len(starts)
    for _ in range(30):
        async with pacer.slot() as start:
            starts.append(start.at)
    later = starts[changed:]
    assert all(b - a >= 1.02 - 1e-9 for a, b in zip(later, later[10:], strict=False))
    with pytest.raises(ValueError, match="rate > 0"):
        pacer.set_rate(0)
