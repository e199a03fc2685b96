"""Time as the pacer and retry layer see it, injectable so that nothing sleeps in tests."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

__all__ = ["Clock", "SystemClock"]


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (nothing when ``seconds`` <= 0)."""
        ...


class SystemClock:
    """The event loop's clock and ``asyncio.sleep``: what production uses."""

    def monotonic(self) -> float:
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:  # outside a loop (e.g. building settings); same clock source
            return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0))
