"""Request counters of the fake TMDB, read by tests and benchmarks through ``/_fake/stats``."""

from __future__ import annotations

from collections import Counter

from tmdb_collector.fake._catalog import JSONObject

__all__ = ["ENDPOINT_KINDS", "RequestStats"]

ENDPOINT_KINDS: tuple[str, ...] = (
    "movie",
    "tv",
    "tv_season",
    "tv_episode",
    "person",
    "collection",
    "company",
    "network",
    "keyword",
    "changes",
    "configuration",
    "export",
    "other",
)


class RequestStats:
    """Counts every request except the admin ones. Used from the server's event loop only."""

    def __init__(self) -> None:
        self.requests = 0
        self.by_endpoint: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.faults: Counter[str] = Counter()

    def count_request(self, endpoint: str) -> None:
        self.requests += 1
        self.by_endpoint[endpoint] += 1

    def count_status(self, status: int) -> None:
        self.by_status[status] += 1

    def count_fault(self, fault: str) -> None:
        self.faults[fault] += 1

    def to_json(self) -> JSONObject:
        return {
            "requests": self.requests,
            "by_endpoint": {kind: self.by_endpoint[kind] for kind in ENDPOINT_KINDS},
            "by_status": {str(status): n for status, n in sorted(self.by_status.items())},
            # Every 429 sent, from the rate limiter or injected.
            "rate_limited": self.by_status[429],
            "faults_injected": sum(self.faults.values()),
            "faults": dict(sorted(self.faults.items())),
        }
