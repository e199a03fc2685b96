"""The collector: turns queued work items into stored records at the fewest requests
(docs/collector.md).

A series costs one request when its appends and seasons fit TMDB's 20-item append cap; its
``season/N`` blocks become season records and their episodes episode records. Failures that may
pass go back on the queue with attempt + 1, the others to the dead-letter queue; a 401 stops the
run. The planning (``first_request``, ``follow_up_requests``, ``series_records``) is pure.
"""

from tmdb_collector.collect._collector import Collector, CollectorProgress, QueueWait
from tmdb_collector.collect._fetch import (
    MISSING_FROM_EXPORT,
    NOT_FOUND,
    FetchedItem,
    ItemFetcher,
)
from tmdb_collector.collect._plan import (
    ASSUMED_SERIES,
    MalformedResponseError,
    SeriesParts,
    SeriesShape,
    first_request,
    follow_up_requests,
    listed_seasons,
    requested_seasons,
    requests_for,
    requests_per_item,
    season_append,
    season_records,
    series_records,
    split_season_blocks,
)
from tmdb_collector.collect._settings import (
    APPEND_KINDS,
    CollectorSettings,
    default_appends,
)

__all__ = [
    "APPEND_KINDS",
    "ASSUMED_SERIES",
    "MISSING_FROM_EXPORT",
    "NOT_FOUND",
    "Collector",
    "CollectorProgress",
    "CollectorSettings",
    "FetchedItem",
    "ItemFetcher",
    "MalformedResponseError",
    "QueueWait",
    "SeriesParts",
    "SeriesShape",
    "default_appends",
    "first_request",
    "follow_up_requests",
    "listed_seasons",
    "requested_seasons",
    "requests_for",
    "requests_per_item",
    "season_append",
    "season_records",
    "series_records",
    "split_season_blocks",
]
