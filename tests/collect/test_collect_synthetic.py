"""A synthetic TMDB of every kind, collected in full from the queue, at the fewest requests."""

from __future__ import annotations

import math
from typing import Any

from collect.conftest import COUNTS, TEST_SETTINGS, Bench, without
from tmdb_collector.collect import CollectorSettings
from tmdb_collector.fake import with_every_block
from tmdb_collector.kinds import MAX_APPENDS, SUB_RESOURCES, Kind, RecordKey

#: Season numbers the first request of a series guesses with all 17 series appends.
GUESSED = {0, 1, 2}


def series_requests(document: dict[str, Any], guessed: set[int] = GUESSED) -> int:
    listed = {s["season_number"] for s in document["seasons"]}
    return 1 + math.ceil(len(listed - guessed) / MAX_APPENDS)


async def test_every_kind_is_collected_with_seasons_and_episodes(bench: Bench) -> None:
    for kind, count in COUNTS.items():
        bench.enqueue_keys(kind, range(1, count + 1))
    progress = await bench.collect()

    catalog = bench.catalog
    assert progress.items_failed == 0
    assert progress.errors == []
    assert bench.queue.counts().total == 0
    assert bench.queue.dead_counts().total == 0
    assert progress.items == COUNTS
    assert progress.missing_seasons == 0
    for kind, count in COUNTS.items():
        for record_id in range(1, count + 1):
            key = RecordKey(kind, record_id)
            expected = with_every_block(catalog, key)
            assert expected is not None
            stored = await bench.records.read(key)
            assert stored is not None, key
            if kind is not Kind.TV:
                assert stored.json() == expected, key
                continue
            series = stored.json()
            assert not [name for name in series if name.startswith("season/")]
            assert series == without(expected, [n for n in expected if n.startswith("season/")])
            await check_seasons(bench, record_id, series)

    # Requests per record: one per movie, person, ...; one per series whose seasons fit.
    for kind in COUNTS:
        if kind is not Kind.TV:
            assert progress.item_requests[kind] == COUNTS[kind]
    documents = [catalog.base(RecordKey(Kind.TV, i)) for i in range(1, COUNTS[Kind.TV] + 1)]
    expected_tv = [series_requests(d) for d in documents if d is not None]
    assert progress.item_requests[Kind.TV] == sum(expected_tv)
    assert expected_tv.count(1) > 10  # most series fit in one request
    assert max(expected_tv) == 3  # and the 23-season ones take two follow-ups
    assert progress.requests == sum(progress.item_requests.values())
    seasons = progress.written(Kind.TV_SEASON, "created")
    episodes = progress.written(Kind.TV_EPISODE, "created")
    assert seasons > COUNTS[Kind.TV]
    assert episodes > seasons
    assert progress.written(Kind.MOVIE, "created") == COUNTS[Kind.MOVIE]

    # Collecting again writes nothing new: every record is confirmed unchanged.
    for kind, count in COUNTS.items():
        bench.enqueue_keys(kind, range(1, count + 1))
    again = await bench.collect()
    assert again.written(Kind.MOVIE, "unchanged") == COUNTS[Kind.MOVIE]
    assert again.written(Kind.TV_EPISODE, "unchanged") == episodes
    assert not any(
        changes.get("created") or changes.get("updated") for changes in again.records.values()
    )


async def check_seasons(bench: Bench, series_id: int, series: dict[str, Any]) -> None:
    for summary in series["seasons"]:
        number = summary["season_number"]
        season_key = RecordKey(Kind.TV_SEASON, series_id, number)
        expected = bench.catalog.base(season_key)
        assert expected is not None
        stored = await bench.records.read(season_key)
        assert stored is not None, season_key
        season = stored.json()
        # The stand-alone season endpoint's answer, id included.
        assert season == expected
        assert season["id"] == summary["id"]
        for episode in season["episodes"]:
            key = RecordKey(Kind.TV_EPISODE, series_id, number, episode["episode_number"])
            found = await bench.records.read(key)
            assert found is not None, key
            assert found.json() == episode


async def test_a_long_series_takes_follow_up_requests_of_twenty_seasons(bench: Bench) -> None:
    document = bench.catalog.base(RecordKey(Kind.TV, 1))
    assert document is not None
    numbers = sorted(s["season_number"] for s in document["seasons"])
    assert len(numbers) == 23
    bench.enqueue_keys(Kind.TV, [1])
    progress = await bench.collect()
    assert progress.item_requests[Kind.TV] == 3 == progress.requests
    assert progress.written(Kind.TV_SEASON, "created") == 23
    for number in numbers:
        assert await bench.records.read(RecordKey(Kind.TV_SEASON, 1, number)) is not None


async def test_a_series_with_fewer_appends_gets_more_seasons_in_its_first_request(
    bench: Bench,
) -> None:
    settings = CollectorSettings(
        appends={Kind.TV: ("credits", "external_ids")}, retry_delay_seconds=0
    )
    bench.enqueue_keys(Kind.TV, [1])  # 23 seasons, numbered 1-23: 18 guessed, 5 follow
    progress = await bench.collect(settings)
    assert progress.requests == 2
    stored = await bench.records.read(RecordKey(Kind.TV, 1))
    assert stored is not None
    assert stored.record.request.appends == ["credits", "external_ids"]
    assert set(stored.json()) >= {"credits", "external_ids"}
    assert "images" not in stored.json()


async def test_episode_details_fetch_each_episode(bench: Bench) -> None:
    series = next(
        d
        for i in range(1, COUNTS[Kind.TV] + 1)
        if (d := bench.catalog.base(RecordKey(Kind.TV, i))) is not None and len(d["seasons"]) == 1
    )
    settings = CollectorSettings(episode_details=True, retry_delay_seconds=0)
    bench.enqueue_keys(Kind.TV, [series["id"]])
    progress = await bench.collect(settings)
    episodes = progress.written(Kind.TV_EPISODE, "created")
    assert episodes > 0
    assert progress.requests == 1 + episodes == progress.item_requests[Kind.TV]
    number = series["seasons"][0]["season_number"]
    key = RecordKey(Kind.TV_EPISODE, series["id"], number, 1)
    stored = await bench.records.read(key)
    assert stored is not None
    assert stored.json() == with_every_block(bench.catalog, key)
    assert set(SUB_RESOURCES[Kind.TV_EPISODE]) <= set(stored.json()) | {"videos", "images"}


async def test_a_batch_of_one_message_per_item_is_worked_concurrently(bench: Bench) -> None:
    bench.enqueue_keys(Kind.MOVIE, range(1, 13), max_items=1)
    progress = await bench.collect(TEST_SETTINGS)
    assert progress.messages == 12
    assert progress.written(Kind.MOVIE, "created") == 12
    assert len(bench.queue.deleted) == 12
