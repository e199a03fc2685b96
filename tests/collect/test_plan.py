"""The fetch planning: which appends each request carries, and how answers become records."""

from __future__ import annotations

import pytest

from tmdb_collector.collect import (
    MalformedResponseError,
    first_request,
    follow_up_requests,
    listed_seasons,
    requested_seasons,
    requests_for,
    season_records,
    series_records,
    split_season_blocks,
)
from tmdb_collector.kinds import MAX_APPENDS, SUB_RESOURCES, Kind, RecordKey

SERIES = RecordKey(Kind.TV, 1399)


def test_a_movie_takes_its_appends_in_one_request() -> None:
    appends = SUB_RESOURCES[Kind.MOVIE]
    assert first_request(RecordKey(Kind.MOVIE, 550), appends) == appends
    assert requests_for(appends) == 1
    assert requests_for(()) == 1
    assert requests_for(["a"] * 21) == 2


def test_a_series_fills_the_free_slots_with_seasons_from_zero() -> None:
    appends = SUB_RESOURCES[Kind.TV]  # 17
    first = first_request(SERIES, appends)
    assert len(first) == MAX_APPENDS
    assert first[: len(appends)] == appends
    assert first[len(appends) :] == ("season/0", "season/1", "season/2")
    assert requested_seasons(first) == {0, 1, 2}


def test_a_series_without_appends_asks_for_twenty_seasons() -> None:
    assert first_request(SERIES, ()) == tuple(f"season/{n}" for n in range(20))


def test_follow_ups_ask_for_the_listed_seasons_not_yet_asked_twenty_at_a_time() -> None:
    listed = [0, *range(1, 31)]
    more = follow_up_requests(listed, {0, 1, 2})
    assert [len(chunk) for chunk in more] == [20, 8]
    assert more[0][0] == "season/3"
    assert more[-1][-1] == "season/30"
    assert follow_up_requests([1, 2], {0, 1, 2}) == []
    # Seasons numbered by year are found even though the guess missed them all.
    assert follow_up_requests([2019, 2020], {0, 1, 2}) == [("season/2019", "season/2020")]


def test_listed_seasons_maps_numbers_to_ids() -> None:
    series = {"seasons": [{"season_number": 0, "id": 10}, {"season_number": 1}]}
    assert listed_seasons(series) == {0: 10, 1: None}
    assert listed_seasons({}) == {}


@pytest.mark.parametrize(
    "seasons",
    ["nope", [1], [{"season_number": "1"}], [{"season_number": -1}], [{"season_number": True}]],
)
def test_a_garbled_season_list_is_malformed(seasons: object) -> None:
    with pytest.raises(MalformedResponseError):
        listed_seasons({"seasons": seasons})


def test_season_blocks_are_split_off_the_series() -> None:
    answer = {"id": 1, "credits": {"cast": []}, "season/1": {"name": "S1"}}
    series, blocks = split_season_blocks(answer)
    assert series == {"id": 1, "credits": {"cast": []}}
    assert blocks == {1: {"name": "S1"}}
    with pytest.raises(MalformedResponseError, match="season/2"):
        split_season_blocks({"season/2": []})


def test_series_records_restore_season_ids_and_list_episodes() -> None:
    series = {
        "id": 1399,
        "seasons": [
            {"season_number": 0, "id": 3627},
            {"season_number": 1, "id": 3624},
            {"season_number": 2, "id": 3625},
        ],
    }
    blocks = {
        1: {"name": "Season 1", "episodes": [{"episode_number": 1, "id": 63056}]},
        0: {"name": "Specials", "episodes": []},
    }
    parts = series_records(1399, series, blocks)
    assert parts.series is series
    assert parts.seasons == {
        RecordKey(Kind.TV_SEASON, 1399, 0): {"name": "Specials", "episodes": [], "id": 3627},
        RecordKey(Kind.TV_SEASON, 1399, 1): {**blocks[1], "id": 3624},
    }
    assert parts.episodes == {
        RecordKey(Kind.TV_EPISODE, 1399, 1, 1): {"episode_number": 1, "id": 63056}
    }
    assert parts.missing_seasons == (2,)
    assert "id" not in blocks[1]  # the input is left alone


def test_a_season_block_with_its_own_id_keeps_it() -> None:
    parts = series_records(1, {"seasons": [{"season_number": 1, "id": 5}]}, {1: {"id": 6}})
    assert parts.seasons[RecordKey(Kind.TV_SEASON, 1, 1)] == {"id": 6}


@pytest.mark.parametrize(
    "episodes", ["x", [None], [{"episode_number": None}], [{"name": "no number"}]]
)
def test_garbled_episodes_are_malformed(episodes: object) -> None:
    with pytest.raises(MalformedResponseError):
        season_records(1, 1, {"episodes": episodes})
