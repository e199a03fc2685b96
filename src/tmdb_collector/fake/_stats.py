"""Request counters of the fake TMDB, read by tests and benchmarks through ``/_fake/stats``."""

from __future__ import annotations

import re
from collections import Counter

from tmdb_collector.kinds import Kind
from tmdb_collector.tmdbapi import JSONObject

__all__ = ["ENDPOINT_KINDS", "RequestStats", "endpoint_kind"]

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


_ENDPOINT = re.compile(
    r"/3/(?:(?P<changes>(?:movie|tv|person)/changes$)"
    r"|(?P<episode>tv/[^/]+/season/[^/]+/episode(?:/|$))"
    r"|(?P<season>tv/[^/]+/season(?:/|$))"
    r"|(?P<configuration>configuration$)"
    r"|(?P<kind>movie|tv|person|collection|company|network|keyword)(?:/|$))"
)


def endpoint_kind(path: str) -> str:
    """The stats bucket of a request path: a record kind, changes, configuration, export, other."""
    if path.startswith("/p/exports/"):
        return "export"
    match = _ENDPOINT.match(path)
    if match is None:
        return "other"
    if match["episode"]:
        return Kind.TV_EPISODE.value
    if match["season"]:
        return Kind.TV_SEASON.value
    if match["kind"]:
        return match["kind"]
    return "changes" if match["changes"] else "configuration"


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
