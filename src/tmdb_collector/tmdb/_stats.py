"""Counters a client keeps for progress displays and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ClientStats"]


@dataclass(slots=True)
class ClientStats:
    """What one client did so far. ``TMDBClient.stats`` hands out copies."""

    requests: int = 0
    #: Answers taken as TMDB's word: a JSON object, a 404 or another refusal (not 429 or 5xx).
    answered: int = 0
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    resets: int = 0
    truncated: int = 0
    not_found: int = 0
    bytes_received: int = 0
