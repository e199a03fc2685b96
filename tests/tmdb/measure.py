"""Measurements the pacing tests share."""

from __future__ import annotations


def busiest_second(starts: list[float]) -> int:
    """The most request starts in any one-second window (a sliding window, as TMDB counts)."""
    starts = sorted(starts)
    busiest, low = 0, 0
    for high, at in enumerate(starts):
        while at - starts[low] >= 1.0:
            low += 1
        busiest = max(busiest, high - low + 1)
    return busiest
