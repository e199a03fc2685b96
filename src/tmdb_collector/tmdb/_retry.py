"""When to try again and how long to wait: pure functions over a frozen policy."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RetryPolicy", "backoff_delay", "parse_retry_after"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Limits for retrying a request.

    Transient failures (5xx, timeouts, resets, truncated bodies) back off per request. 429s pause
    the whole process (see ``Pacer``) and get a separate, larger budget: being told to slow down
    is expected during a long harvest and is no sign that the request itself is broken.
    """

    max_attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 30.0
    rate_limit_attempts: int = 30
    # A paced process's stray 429 (arrivals jittered into one window) clears within a few
    # request intervals: a short first pause costs ~10 requests instead of ~40; a real overload
    # answers 429 again and the pause doubles each time (0.25, 0.5, 1, 2 ... 60 s).
    rate_limit_base_delay: float = 0.25
    rate_limit_max_delay: float = 60.0
    # A run whose every request fails the same transient way from its start (a wrong
    # TMDB_API_URL, a proxy's HTML page, no network) gives up after this many seconds instead
    # of retrying for ever; once TMDB has answered once, failures are the usual kind.
    unreachable_after: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.rate_limit_attempts < 1:
            raise ValueError("a RetryPolicy allows at least one attempt")
        if min(self.base_delay, self.rate_limit_base_delay) < 0:
            raise ValueError("retry delays are never negative")

    def transient_delay(self, failures: int, rng: random.Random) -> float:
        """Wait before the next attempt after ``failures`` (>= 1) consecutive transient ones."""
        return backoff_delay(failures, self.base_delay, self.max_delay, rng)

    def rate_limit_delay(self, consecutive: int, rng: random.Random) -> float:
        """Pause after the process's ``consecutive`` (>= 1) 429 without a Retry-After."""
        return backoff_delay(
            consecutive, self.rate_limit_base_delay, self.rate_limit_max_delay, rng
        )


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Capped exponential backoff with "equal jitter": between half and all of
    ``min(cap, base * 2**(failures-1))``. Never near zero, so a retry really waits, yet
    spread, so workers that failed together do not retry together."""
    ceiling = min(cap, base * 2.0 ** min(failures - 1, 62))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date); None when absent or
    unreadable (the caller then backs off on its own)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit alone accepts '²', which float refuses
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT; an obsolete form may parse without a zone
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
