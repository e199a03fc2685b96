"""What the collector's depth costs in requests: per work item of each kind, and for a plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tmdb_collector.collect import (
    ASSUMED_SERIES,
    CollectorSettings,
    SeriesShape,
    requests_per_item,
)
from tmdb_collector.kinds import Kind
from tmdb_collector.store import ObjectStore, RecordIndex

__all__ = ["RequestCosts", "request_costs"]


@dataclass(frozen=True, slots=True)
class RequestCosts:
    """Requests per work item of each kind at the collector's depth (SEASON_DETAILS,
    EPISODE_DETAILS, the appends), a series by the shape of the series the store holds."""

    season_details: bool
    episode_details: bool
    shape: SeriesShape
    #: True when the store holds no series yet: the shape is ASSUMED_SERIES.
    assumed: bool
    per_item: dict[Kind, float]

    def for_items(self, items: dict[Kind, int]) -> dict[Kind, float]:
        """The requests these work items will take, per kind."""
        return {kind: count * self.per_item[kind] for kind, count in items.items()}

    def summary(self) -> dict[str, Any]:
        return {
            "season_details": self.season_details,
            "episode_details": self.episode_details,
            "series_shape": {
                "seasons": round(self.shape.seasons, 2),
                "episodes": round(self.shape.episodes, 2),
                "assumed": self.assumed,
            },
            "requests_per_item": {
                kind.value: round(value, 2) for kind, value in self.per_item.items()
            },
        }


async def request_costs(objects: ObjectStore, settings: CollectorSettings) -> RequestCosts:
    """The costs at ``settings``' depth, the series' shape from the store's index."""
    index = RecordIndex(objects)
    live: dict[Kind, int] = {}
    for kind in (Kind.TV, Kind.TV_SEASON, Kind.TV_EPISODE):
        flags = (await index.table(kind, columns=["deleted"])).column("deleted").to_pylist()
        live[kind] = sum(1 for flag in flags if not flag)
    series = live[Kind.TV]
    assumed = series == 0
    shape = (
        ASSUMED_SERIES
        if assumed
        else SeriesShape(live[Kind.TV_SEASON] / series, live[Kind.TV_EPISODE] / series)
    )
    per_item = {
        kind: requests_per_item(
            kind,
            settings.appends,
            season_details=settings.season_details,
            episode_details=settings.episode_details,
            shape=shape,
        )
        for kind in Kind
    }
    return RequestCosts(settings.season_details, settings.episode_details, shape, assumed, per_item)
