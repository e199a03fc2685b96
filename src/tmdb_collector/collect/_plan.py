"""Which requests collect a record, and how a series' answers become records: pure, no I/O.

A series is the one kind that costs more than one request: its seasons ride along as
``season/N`` appends (API-NOTES.md, "The season trick"), at most MAX_APPENDS items per request.
The first request fills every slot its configured appends leave free with season/0, season/1, …
(most shows number their seasons that way); the series' ``seasons[]`` in the answer then says
which seasons exist, and the ones not asked for yet follow in requests of MAX_APPENDS seasons.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any

from tmdb_collector.kinds import MAX_APPENDS, JSONObject, Kind, RecordKey, season_append_number

__all__ = [
    "ASSUMED_SERIES",
    "MalformedResponseError",
    "SeriesParts",
    "SeriesShape",
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

#: A TMDB answer (as the client's JSONObject; not imported from it: this module stays free of I/O).


class MalformedResponseError(ValueError):
    """A TMDB answer the collector cannot turn into records (a season list that is no list, an
    episode without a number, ...). Retrying gets the same answer: the item goes to the
    dead-letter queue with this message."""


def season_append(number: int) -> str:
    return f"season/{number}"


def first_request(key: RecordKey, appends: Sequence[str]) -> tuple[str, ...]:
    """The appends of the first request for ``key``: its configured appends, and for a series
    as many ``season/N`` (from season 0 up) as fit beside them under MAX_APPENDS."""
    if key.kind is not Kind.TV:
        return tuple(appends)
    free = max(0, MAX_APPENDS - len(appends))
    return (*appends, *(season_append(number) for number in range(free)))


def requested_seasons(appends: Iterable[str]) -> set[int]:
    """The season numbers a list of appends asks for."""
    return {n for n in map(season_append_number, appends) if n is not None}


def follow_up_requests(listed: Iterable[int], requested: Set[int]) -> list[tuple[str, ...]]:
    """The appends of each further request for a series: every listed season not requested yet,
    in order, MAX_APPENDS per request (each such request carries seasons only)."""
    missing = sorted(set(listed) - requested)
    return [
        tuple(season_append(number) for number in missing[start : start + MAX_APPENDS])
        for start in range(0, len(missing), MAX_APPENDS)
    ]


def listed_seasons(series: JSONObject) -> dict[int, int | None]:
    """Season number → season id, from a series' ``seasons[]`` (an id TMDB left out is None)."""
    seasons = series.get("seasons")
    if seasons is None:
        return {}
    if not isinstance(seasons, list):
        raise MalformedResponseError(f"the series' seasons is {_type(seasons)}, not a list")
    listed: dict[int, int | None] = {}
    for entry in seasons:
        if not isinstance(entry, dict):
            raise MalformedResponseError(f"a seasons[] entry is {_type(entry)}, not an object")
        number = _number(entry.get("season_number"), "a seasons[] entry's season_number")
        season_id = entry.get("id")
        listed[number] = season_id if _is_int(season_id) else None
    return listed


def split_season_blocks(answer: JSONObject) -> tuple[JSONObject, dict[int, JSONObject]]:
    """The series without its ``season/N`` blocks, and the blocks by season number."""
    series: JSONObject = {}
    blocks: dict[int, JSONObject] = {}
    for name, value in answer.items():
        number = season_append_number(name)
        if number is None:
            series[name] = value
        elif isinstance(value, dict):
            blocks[number] = value
        else:
            raise MalformedResponseError(f"the {name!r} block is {_type(value)}, not an object")
    return series, blocks


@dataclass(frozen=True, slots=True)
class SeriesParts:
    """The records one series' answers hold, in the order they are written."""

    series: JSONObject
    seasons: dict[RecordKey, JSONObject]
    episodes: dict[RecordKey, JSONObject]
    #: Listed in the series' seasons[] but absent from every answer (TMDB left it out).
    missing_seasons: tuple[int, ...]


def series_records(
    series_id: int, answer: JSONObject, blocks: Mapping[int, JSONObject]
) -> SeriesParts:
    """Split a series' merged answer (``answer`` without its season blocks, ``blocks`` from
    every request) into the series record, a record per season and one per episode."""
    listed = listed_seasons(answer)
    seasons: dict[RecordKey, JSONObject] = {}
    episodes: dict[RecordKey, JSONObject] = {}
    for number, block in sorted(blocks.items()):
        season_key = RecordKey(Kind.TV_SEASON, series_id, number)
        season = dict(block)
        season_id = listed.get(number)
        if "id" not in season and season_id is not None:
            # TMDB omits the id in appended blocks; the series' seasons[] carries it.
            season["id"] = season_id
        seasons[season_key] = season
        episodes.update(season_records(series_id, number, season)[1])
    missing = tuple(sorted(set(listed) - set(blocks)))
    return SeriesParts(answer, seasons, episodes, missing)


def season_records(
    series_id: int, season_number: int, season: JSONObject
) -> tuple[RecordKey, dict[RecordKey, JSONObject]]:
    """A season's key, and its episodes (as the season lists them) by key."""
    key = RecordKey(Kind.TV_SEASON, series_id, season_number)
    listed = season.get("episodes")
    if listed is None:
        return key, {}
    if not isinstance(listed, list):
        raise MalformedResponseError(f"season {key}'s episodes is {_type(listed)}, not a list")
    episodes: dict[RecordKey, JSONObject] = {}
    for episode in listed:
        if not isinstance(episode, dict):
            raise MalformedResponseError(
                f"an episode of season {key} is {_type(episode)}, not an object"
            )
        number = _number(episode.get("episode_number"), f"an episode of season {key}'s number")
        episodes[RecordKey(Kind.TV_EPISODE, series_id, season_number, number)] = episode
    return key, episodes


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any, what: str) -> int:
    # RecordKey.parse's limit (12 digits): a number beyond it names no record we can store.
    if not _is_int(value) or not 0 <= value < 10**12:
        raise MalformedResponseError(f"{what} is {value!r}, not a number from 0")
    number: int = value
    return number


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def requests_for(appends: Sequence[str]) -> int:
    """Requests the client sends for one details() call with these appends."""
    return max(1, math.ceil(len(appends) / MAX_APPENDS))


@dataclass(frozen=True, slots=True)
class SeriesShape:
    """A series' seasons and episodes, on average: what a series item costs depends on them."""

    seasons: float
    episodes: float


#: The shape assumed before a store holds any series (docs/collector.md, "Depth and its cost").
ASSUMED_SERIES = SeriesShape(seasons=2.0, episodes=20.0)


def requests_per_item(
    kind: Kind,
    appends: Mapping[Kind, Sequence[str]],
    *,
    season_details: bool,
    episode_details: bool,
    shape: SeriesShape = ASSUMED_SERIES,
) -> float:
    """The requests the collector sends for one work item of ``kind`` at this depth, on
    average (a series: by ``shape``), not counting retries."""

    def cost(of: Kind) -> int:
        return requests_for(appends.get(of, ()))

    if kind is Kind.TV:
        if season_details:
            requests = cost(Kind.TV) + shape.seasons * cost(Kind.TV_SEASON)
        else:  # the season trick: seasons ride in the series requests, 20 appends each
            free = max(0, MAX_APPENDS - len(appends.get(Kind.TV, ())))
            requests = 1 + max(0.0, shape.seasons - free) / MAX_APPENDS
        return requests + (shape.episodes * cost(Kind.TV_EPISODE) if episode_details else 0)
    if kind is Kind.TV_SEASON:
        per_season = shape.episodes / max(shape.seasons, 1.0)
        requests = cost(Kind.TV_SEASON) if season_details else 1
        return requests + (per_season * cost(Kind.TV_EPISODE) if episode_details else 0)
    return cost(kind)
