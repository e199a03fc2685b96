"""An APISource held in dicts, as small as a test needs."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.tmdbapi import ChangedEntry, ChangesWindow, JSONObject, page_of


@dataclass
class MemorySource:
    """Records, blocks and changed ids given by the test; every answer is a fresh copy."""

    records: dict[RecordKey, JSONObject] = field(default_factory=dict)
    blocks: dict[tuple[RecordKey, str], JSONObject] = field(default_factory=dict)
    changed: dict[Kind, list[ChangedEntry]] = field(default_factory=dict)
    windows: list[ChangesWindow] = field(default_factory=list)

    def base(self, key: RecordKey) -> JSONObject | None:
        return copy.deepcopy(self.records.get(key))

    def block(self, key: RecordKey, name: str) -> JSONObject | None:
        return copy.deepcopy(self.blocks.get((key, name)))

    def changes(self, kind: Kind, window: ChangesWindow, page: int) -> JSONObject:
        self.windows.append(window)
        return page_of(self.changed.get(kind, []), page)

    def configuration(self) -> JSONObject:
        return {"images": {"base_url": "http://image.tmdb.org/t/p/"}}


MOVIE = RecordKey(Kind.MOVIE, 550)
SERIES = RecordKey(Kind.TV, 1399)
SEASON = RecordKey(Kind.TV_SEASON, 1399, 1)


def small_source() -> MemorySource:
    """A movie with credits and reviews, and a series with one season."""
    return MemorySource(
        records={
            MOVIE: {"id": 550, "title": "Fight Club"},
            SERIES: {"id": 1399, "name": "Game of Thrones", "seasons": [{"id": 3624}]},
            SEASON: {"id": 3624, "name": "Season 1", "episodes": []},
        },
        blocks={
            (MOVIE, "credits"): {"cast": [], "crew": []},
            (MOVIE, "reviews"): {"page": 1, "results": [{"id": "r"}], "total_results": 30},
            (MOVIE, "similar"): {"page": 1, "results": []},
            (SEASON, "credits"): {"cast": []},
        },
    )
