"""Spaces TMDB request starts evenly and caps requests in flight, for a whole process."""

from __future__ import annotations

import asyncio
import collections
import math
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from tmdb_collector.tmdb._clock import Clock, SystemClock
from tmdb_collector.tmdb._retry import RetryPolicy

__all__ = ["Pacer", "RequestStart"]


@dataclass(frozen=True, slots=True)
class RequestStart:
    """When a request was let go, and under which pause generation (see Pacer.rate_limited)."""

    at: float
    generation: int


class Pacer:
    """One per process, shared by every client: TMDB counts requests per IP, not per client.
    It serves one event loop at a time (successive loops are fine, e.g. a warm Lambda's).

    Starts are spaced ``(1 + window_guard) / rate`` apart, reserved first come first served, so
    no 1-second window ever holds more than ``rate`` starts and there are no bursts. The guard
    exists because TMDB measures arrivals, which jitter around our starts. Starts that fell due
    together (the loop stalled) go at least half an interval apart. As a last line, a start is
    also held back when the ``rate`` starts before it fall within one window (a task that woke
    late can otherwise crowd the next one).
    """

    def __init__(
        self,
        rate: float,
        max_in_flight: int,
        *,
        clock: Clock | None = None,
        window_guard: float = 0.02,
    ) -> None:
        if not (math.isfinite(rate) and rate > 0) or max_in_flight < 1 or window_guard < 0:
            raise ValueError("a Pacer needs rate > 0, max_in_flight >= 1, window_guard >= 0")
        self._clock = clock or SystemClock()
        self._window = 1.0 + window_guard
        self._interval = self._window / rate
        self._max_in_flight = max_in_flight
        # Made on first use, per event loop: an asyncio.Semaphore binds to the loop it first
        # waits on, and a warm Lambda runs each invocation in a new loop (asyncio.run).
        self._in_flight: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._recent: collections.deque[float] = collections.deque(maxlen=max(1, int(rate)))
        self._next_slot = -math.inf
        self._last_start = -math.inf
        self._paused_until = -math.inf
        self._generation = 0
        self._consecutive_429 = 0

    @property
    def interval(self) -> float:
        """Seconds between consecutive request starts."""
        return self._interval

    @property
    def rate(self) -> float:
        """Request starts per second (less the window guard)."""
        return self._window / self._interval

    def set_rate(self, rate: float) -> None:
        """Pace at ``rate`` from the next reservation on (a Lambda collector's share of TMDB's
        rate grows when the other instances have no work left). Starts already reserved keep
        their times; a lower rate holds the next start until the last ``rate`` starts are a
        window old."""
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError(f"a Pacer needs rate > 0, got {rate}")
        self._interval = self._window / rate
        self._recent = collections.deque(self._recent, maxlen=max(1, int(rate)))

    @property
    def paused_until(self) -> float:
        """Clock time before which no request starts (-inf when never paused)."""
        return self._paused_until

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[RequestStart]:
        """Wait for a place in flight and a start time; hold the place while the body runs."""
        async with self._places_in_flight():
            yield await self._wait_for_start()

    def _places_in_flight(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._in_flight is None or self._loop is not loop:
            # Nothing can still hold a place of another loop: a closed loop ran its tasks out,
            # and a Pacer serves one loop at a time.
            self._in_flight = asyncio.Semaphore(self._max_in_flight)
            self._loop = loop
        return self._in_flight

    def pause(self, seconds: float) -> None:
        """Hold every request start of the process until ``seconds`` from now."""
        until = self._clock.monotonic() + max(seconds, 0.0)
        self._paused_until = max(self._paused_until, until)
        self._generation += 1

    def rate_limited(
        self,
        start: RequestStart,
        retry_after: float | None,
        policy: RetryPolicy,
        rng: random.Random,
    ) -> float:
        """Record a 429 for the request that began at ``start``; return the pause it caused.

        Requests already in flight when a pause began were sent during the same overload: their
        429s extend the pause only by an explicit Retry-After and do not count as one more
        consecutive 429, otherwise 20 workers hitting one 429 together would back off 2**20-fold.
        """
        if retry_after is not None:
            delay = min(retry_after, policy.rate_limit_max_delay)
        elif start.generation == self._generation:
            delay = policy.rate_limit_delay(self._consecutive_429 + 1, rng)
        else:
            return max(0.0, self._paused_until - self._clock.monotonic())
        if start.generation == self._generation:
            self._consecutive_429 += 1
        self.pause(delay)
        return delay

    def succeeded(self, start: RequestStart) -> None:
        """A request answered without 429: the process's 429 streak ends, unless the request was
        sent before the latest pause (its success says nothing about the current pressure)."""
        if start.generation == self._generation:
            self._consecutive_429 = 0

    def _reserve(self) -> float:
        # Synchronous, so reservations are handed out strictly in arrival order.
        slot = max(self._clock.monotonic(), self._next_slot, self._paused_until)
        self._next_slot = slot + self._interval
        return slot

    async def _wait_for_start(self) -> RequestStart:
        at = self._reserve()
        while True:
            now = self._clock.monotonic()
            if now < at:
                await self._clock.sleep(at - now)
                continue
            if now < self._paused_until:  # a pause began while this request slept
                at = self._reserve()
                continue
            window_opens = self._window_opens()
            if now < window_opens:
                at = window_opens
                continue
            # After the loop stalled, every slot that passed meanwhile is due at once: let them
            # go at least half an interval apart, not as a burst (TMDB's window counts
            # arrivals, which a burst lands in together). Half, so lost time is made up.
            burst_ends = self._last_start + self._interval / 2
            if now < burst_ends:
                at = burst_ends
                continue
            self._last_start = now
            self._recent.append(now)
            return RequestStart(now, self._generation)

    def _window_opens(self) -> float:
        if len(self._recent) < (self._recent.maxlen or 1):
            return -math.inf
        return self._recent[0] + self._window
