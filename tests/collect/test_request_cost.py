"""What a work item costs in requests at each depth (``requests_per_item``)."""

from __future__ import annotations

from tmdb_collector.collect import SeriesShape, default_appends, requests_per_item
from tmdb_collector.kinds import Kind

APPENDS = default_appends()
SHAPE = SeriesShape(seasons=5, episodes=50)


def cost(kind: Kind, *, seasons: bool = False, episodes: bool = False) -> float:
    return requests_per_item(
        kind, APPENDS, season_details=seasons, episode_details=episodes, shape=SHAPE
    )


def test_every_depth() -> None:
    assert cost(Kind.MOVIE) == 1
    assert cost(Kind.MOVIE, seasons=True, episodes=True) == 1
    # 17 series appends leave 3 slots: 5 seasons need a second request (2 of 20 slots).
    assert cost(Kind.TV) == 1 + 2 / 20
    assert cost(Kind.TV, seasons=True) == 1 + 5
    assert cost(Kind.TV, seasons=True, episodes=True) == 1 + 5 + 50
    assert cost(Kind.TV, episodes=True) == 1 + 2 / 20 + 50
    assert cost(Kind.TV_SEASON, seasons=True, episodes=True) == 1 + 10


def test_appends_past_twenty_take_two_requests() -> None:
    many = {**APPENDS, Kind.MOVIE: tuple(f"block{n}" for n in range(21))}
    assert requests_per_item(Kind.MOVIE, many, season_details=False, episode_details=False) == 2
    none = {**APPENDS, Kind.TV: ()}
    # 20 free slots hold 5 seasons: one request.
    assert (
        requests_per_item(Kind.TV, none, season_details=False, episode_details=False, shape=SHAPE)
        == 1
    )
