"""Details with append_to_response, and stand-alone sub-resource answers, from a RecordSource."""

from __future__ import annotations

import pytest

from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.tmdbapi import (
    ErrorAnswer,
    append_block,
    details_answer,
    parse_appends,
    sub_resource_answer,
)

from .memory import MOVIE, SEASON, SERIES, small_source


def test_appends_are_trimmed_and_deduplicated_in_order() -> None:
    assert parse_appends(None) == []
    assert parse_appends(" credits, ,images,credits ") == ["credits", "images"]


def test_more_than_twenty_appends_is_400_code_27_duplicates_included() -> None:
    assert len(parse_appends(",".join(["credits"] * 20))) == 1
    with pytest.raises(ErrorAnswer) as raised:
        parse_appends(",".join(["credits"] * 21))
    assert (raised.value.status, raised.value.code) == (400, 27)


async def test_details_carry_each_block_under_its_name_and_ignore_the_rest() -> None:
    answer = await details_answer(small_source(), MOVIE, ["credits", "images", "bogus", "season/1"])
    assert answer == {"id": 550, "title": "Fight Club", "credits": {"cast": [], "crew": []}}


async def test_a_series_appends_whole_seasons_without_their_id() -> None:
    answer = await details_answer(small_source(), SERIES, ["season/1", "season/2"])
    assert answer["season/1"] == {"name": "Season 1", "episodes": []}
    assert "season/2" not in answer  # a season the show lacks is left out
    assert answer["seasons"] == [{"id": 3624}]


async def test_details_of_no_record_is_404() -> None:
    with pytest.raises(ErrorAnswer) as raised:
        await details_answer(small_source(), RecordKey(Kind.MOVIE, 1), [])
    assert (raised.value.status, raised.value.code) == (404, 34)


def test_append_block_names_only_this_kinds_items() -> None:
    source = small_source()
    assert append_block(source, MOVIE, "credits") == {"cast": [], "crew": []}
    assert append_block(source, MOVIE, "aggregate_credits") is None  # a series' sub-resource
    assert append_block(source, SERIES, "season/٣") is None


def test_standalone_answers_lead_with_the_records_own_id() -> None:
    source = small_source()
    credits = sub_resource_answer(source, MOVIE, "credits")
    assert list(credits) == ["id", "cast", "crew"]
    assert credits["id"] == 550
    assert sub_resource_answer(source, SEASON, "credits") == {"id": 3624, "cast": []}
    # TMDB's similar list carries no id.
    assert sub_resource_answer(source, MOVIE, "similar") == {"page": 1, "results": []}


def test_later_pages_of_a_paged_sub_resource_are_empty_with_the_same_totals() -> None:
    reviews = sub_resource_answer(small_source(), MOVIE, "reviews", page=2)
    assert reviews == {"id": 550, "page": 2, "results": [], "total_results": 30}


@pytest.mark.parametrize(("key", "sub"), [(MOVIE, "images"), (RecordKey(Kind.MOVIE, 1), "credits")])
def test_standalone_without_block_or_record_is_404(key: RecordKey, sub: str) -> None:
    with pytest.raises(ErrorAnswer) as raised:
        sub_resource_answer(small_source(), key, sub)
    assert (raised.value.status, raised.value.code) == (404, 34)
