"""Deletions, TMDB failures, bad messages and stopping: nothing is lost, nothing crashes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from collect.conftest import T0, TEST_SETTINGS, Bench
from tmdb_collector.collect import Collector, CollectorSettings
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.queue import Reason, decode_batch
from tmdb_collector.store import RecordWrite
from tmdb_collector.tmdb import AuthenticationError, ClientStats, NotFound, TMDBAPIError

GONE = 9999  # no record of any kind has this id in the bench's catalog


async def test_a_404_tombstones_the_record_and_a_series_its_seasons_and_episodes(
    bench: Bench,
) -> None:
    movie = RecordKey(Kind.MOVIE, GONE)
    series = RecordKey(Kind.TV, GONE)
    season = RecordKey(Kind.TV_SEASON, GONE, 1)
    episode = RecordKey(Kind.TV_EPISODE, GONE, 1, 1)
    await bench.records.write_batch(
        [
            RecordWrite(movie, {"id": GONE, "title": "Gone"}, T0, movie.api_path),
            RecordWrite(series, {"id": GONE, "name": "Gone"}, T0, series.api_path),
            RecordWrite(season, {"id": 1, "season_number": 1}, T0, series.api_path),
            RecordWrite(episode, {"id": 2, "episode_number": 1}, T0, series.api_path),
        ]
    )
    bench.enqueue_keys(Kind.MOVIE, [GONE, 12345])  # 12345 was never stored
    bench.enqueue_keys(Kind.TV, [GONE], reason=Reason.DELETED)
    progress = await bench.collect()

    assert progress.items_failed == 0
    for key, reason in [
        (movie, "404 on fetch"),
        (series, "404 on fetch"),
        (season, "series 404 on fetch"),
        (episode, "series 404 on fetch"),
    ]:
        stored = await bench.records.read(key)
        assert stored is not None
        assert stored.deleted
        assert stored.deletion_reason == reason
    assert progress.written(Kind.MOVIE, "deleted") == 1
    assert progress.written(Kind.MOVIE, "absent") == 1
    assert progress.written(Kind.TV_EPISODE, "deleted") == 1
    assert await bench.records.read(RecordKey(Kind.MOVIE, 12345)) is None


async def test_a_certain_deletion_is_tombstoned_without_asking_tmdb(bench: Bench) -> None:
    bench.enqueue_keys(Kind.TV, [2])
    first = await bench.collect()
    seasons = first.written(Kind.TV_SEASON, "created")
    episodes = first.written(Kind.TV_EPISODE, "created")

    bench.enqueue_keys(Kind.TV, [2], reason=Reason.DELETED, confirm=False)
    progress = await bench.collect()
    assert progress.requests == 0
    assert progress.written(Kind.TV, "deleted") == 1
    assert progress.written(Kind.TV_SEASON, "deleted") == seasons
    assert progress.written(Kind.TV_EPISODE, "deleted") == episodes
    stored = await bench.records.read(RecordKey(Kind.TV, 2))
    assert stored is not None
    assert stored.deletion_reason == "missing from export"


async def test_a_deletion_to_confirm_stores_a_record_tmdb_still_has(bench: Bench) -> None:
    bench.enqueue_keys(Kind.MOVIE, [3], reason=Reason.DELETED)
    progress = await bench.collect()
    assert progress.written(Kind.MOVIE, "created") == 1
    assert progress.requests == 1


async def test_transient_failures_retry_with_attempt_plus_one_then_dead_letter(
    bench: Bench,
) -> None:
    # Movie 7 always answers 503 (two client attempts per try); the others are fine.
    bench.fake.inject("503", 1000, "/3/movie/7")
    bench.enqueue_keys(Kind.MOVIE, range(1, 10))
    progress = await bench.collect()
    bench.fake.clear_faults()

    # max_receives is 3: tried at attempts 0, 1 and 2, then dead-lettered with attempt 3.
    retried = [decode_batch(body) for body in bench.queue.sent]
    assert [[(i.key, i.attempt) for i in b.items] for b in retried] == [[("7", 1)], [("7", 2)]]
    assert all(b.error and "HTTP 503" in b.error and "movie 7" in b.error for b in retried)
    dead = bench.dead_items()
    assert [(item.key, item.attempt) for item, _ in dead] == [("7", 3)]
    assert dead[0][1] is not None
    assert "HTTP 503" in dead[0][1]
    assert dead[0][0].enqueued_at_ms == T0
    assert progress.items_retried == 2
    assert progress.items_dead == 1
    assert progress.written(Kind.MOVIE, "created") == 8
    assert bench.queue.counts().total == 0
    assert bench.queue.dead_counts().visible == 1
    assert progress.requests == 8 + 3 * 2


async def test_a_transient_failure_that_passes_is_collected_on_the_retry(bench: Bench) -> None:
    bench.fake.inject("503", 2, "/3/movie/7")  # exactly one try of movie 7 fails
    bench.enqueue_keys(Kind.MOVIE, [6, 7, 8])
    progress = await bench.collect()
    assert progress.items_retried == 1
    assert progress.items_dead == 0
    assert progress.written(Kind.MOVIE, "created") == 3


async def test_a_401_stops_the_run_and_keeps_the_message(bench: Bench) -> None:
    bench.fake.settings.api_key = "the-right-key"
    bench.credential = "a-wrong-key"
    bench.enqueue_keys(Kind.MOVIE, range(1, 6))
    with pytest.raises(AuthenticationError):
        await bench.collect()
    assert bench.queue.deleted == []
    assert bench.queue.released == []
    assert bench.queue.sent == []
    assert bench.queue.dead == []
    assert bench.queue.counts().in_flight == 1  # back after its visibility timeout


async def test_a_malformed_body_goes_to_the_dead_letter_queue_as_it_is(bench: Bench) -> None:
    bench.queue.inner.send(['{"v": 1, "groups": "nope"}'])
    bench.enqueue_keys(Kind.MOVIE, [1])
    progress = await bench.collect()
    assert bench.queue.dead == ['{"v": 1, "groups": "nope"}']
    assert progress.messages_dead == 1
    assert progress.messages == 2
    assert progress.written(Kind.MOVIE, "created") == 1
    assert bench.queue.counts().total == 0
    assert "no work batch" in progress.errors[0]


class StubClient:
    """Answers details() from a table: an object, or an exception to raise."""

    def __init__(self, answers: dict[RecordKey, Any]) -> None:
        self.answers = answers

    @property
    def stats(self) -> ClientStats:
        return ClientStats()

    async def details(self, key: RecordKey, appends: Sequence[str] = ()) -> Any:
        answer = self.answers.get(key, NotFound(key.api_path, 34))
        if isinstance(answer, Exception):
            raise answer
        return answer


async def test_malformed_answers_and_rejected_records_are_dead_lettered(bench: Bench) -> None:
    answers = {
        RecordKey(Kind.MOVIE, 1): {"id": 1, "title": "fine"},
        RecordKey(Kind.MOVIE, 2): TMDBAPIError(
            "/3/movie/2", 200, None, "the answer is not a JSON object"
        ),
        RecordKey(Kind.MOVIE, 3): {"id": 3, "title": "\ud800"},  # protobuf refuses it
        RecordKey(Kind.TV, 4): {"id": 4, "seasons": "garbage"},
    }
    bench.enqueue_keys(Kind.MOVIE, [1, 2, 3])
    bench.enqueue_keys(Kind.TV, [4])
    collector = Collector(
        StubClient(answers),  # type: ignore[arg-type]
        bench.records,
        bench.queue,  # type: ignore[arg-type]
        TEST_SETTINGS,
        now_ms=bench.now_ms,
        poll_seconds=0.02,
    )
    progress = await collector.run()
    dead = {item.key: error for item, error in bench.dead_items()}
    assert set(dead) == {"2", "3", "4"}
    assert all(item.attempt == 1 for item, _ in bench.dead_items())
    errors = " ".join(e or "" for e in dead.values())
    assert "not a JSON object" in errors
    assert "rejected" in errors
    assert "seasons is str" in errors
    assert bench.queue.sent == []  # none of these is worth a retry
    assert progress.items == {Kind.MOVIE: 1}
    assert progress.written(Kind.MOVIE, "rejected") == 1
    assert bench.queue.counts().total == 0


async def test_stop_releases_the_messages_in_flight(bench: Bench) -> None:
    bench.fake.settings.latency_ms = 1000  # every request hangs until the stop
    bench.enqueue_keys(Kind.MOVIE, range(1, 7), max_items=1)
    stop = asyncio.Event()
    settings = CollectorSettings(messages_in_flight=2, retry_delay_seconds=0)

    async def stop_soon() -> None:
        await asyncio.sleep(0.3)
        stop.set()

    stopper = asyncio.create_task(stop_soon())
    progress = await bench.collect(settings, stop=stop)
    await stopper
    assert progress.messages == 0
    assert len(bench.queue.released) == 2
    assert bench.queue.deleted == []
    counts = bench.queue.counts()
    assert counts.visible == 6
    assert counts.in_flight == 0


async def test_a_long_message_has_its_lease_extended(bench: Bench) -> None:
    bench.fake.settings.latency_ms = 700
    bench.fake.settings.latency_jitter_ms = 0
    bench.enqueue_keys(Kind.TV, [1])  # three requests, two of them after the first
    settings = CollectorSettings(visibility_timeout=1, retry_delay_seconds=0)
    progress = await bench.collect(settings)
    assert progress.leases_extended >= 1
    assert bench.queue.extended
    assert progress.written(Kind.TV_SEASON, "created") == 23
    assert bench.queue.counts().total == 0


async def test_progress_is_reported_per_message(bench: Bench) -> None:
    bench.enqueue_keys(Kind.MOVIE, range(1, 4), max_items=1)
    seen: list[int] = []
    await bench.collect(on_progress=lambda progress: seen.append(progress.messages))
    assert seen[-1] == 3
    assert sorted(seen) == seen


async def test_a_message_whose_consumer_died_comes_back_new_not_closer_to_the_dlq(
    bench: Bench,
) -> None:
    """Failure 1 of issue 12: a lease that expired because its consumer died (SIGKILL) is no
    failure of the work. The message goes back as a new one (its receive count starts over)
    with the stop counted in its body, and its records are then stored."""
    bench.enqueue_keys(Kind.MOVIE, [1, 2])
    for _ in range(2):  # two consumers received it and died before deleting it (of 3 allowed)
        [taken] = bench.queue.inner.receive(1, visibility_timeout=30)
        bench.queue.inner.change_visibility(taken, 0)
    progress = await bench.collect()
    assert progress.messages_renewed == 1
    assert progress.items_dead == 0
    assert bench.queue.dead == []
    assert decode_batch(bench.queue.sent[0]).expired == 1
    for movie in (1, 2):
        assert await bench.records.read(RecordKey(Kind.MOVIE, movie)) is not None


async def test_a_message_that_keeps_stopping_its_consumers_is_split_in_halves(
    bench: Bench,
) -> None:
    from tmdb_collector.collect._collector import SPLIT_AFTER_EXPIRIES  # noqa: PLC0415
    from tmdb_collector.queue import Reason, WorkItem, pack_items  # noqa: PLC0415

    items = [WorkItem(Kind.MOVIE, str(n), Reason.NEW, T0) for n in (1, 2, 3, 4)]
    bench.queue.inner.send(list(pack_items(items, expired=SPLIT_AFTER_EXPIRIES - 1)))
    [taken] = bench.queue.inner.receive(1, visibility_timeout=30)
    bench.queue.inner.change_visibility(taken, 0)  # its consumer died once more
    progress = await bench.collect()
    halves = [decode_batch(body) for body in bench.queue.sent[:2]]
    assert [[item.key for item in half.items] for half in halves] == [["1", "2"], ["3", "4"]]
    assert {half.expired for half in halves} == {SPLIT_AFTER_EXPIRIES}
    assert progress.items_dead == 0
    for movie in (1, 2, 3, 4):
        assert await bench.records.read(RecordKey(Kind.MOVIE, movie)) is not None


async def test_a_message_that_stops_every_consumer_ends_in_the_dlq_saying_so(
    bench: Bench,
) -> None:
    from tmdb_collector.collect._collector import MAX_EXPIRIES  # noqa: PLC0415
    from tmdb_collector.queue import Reason, WorkItem, pack_items  # noqa: PLC0415

    item = WorkItem(Kind.MOVIE, "1", Reason.NEW, T0)
    bench.queue.inner.send(list(pack_items([item], expired=MAX_EXPIRIES - 1)))
    [taken] = bench.queue.inner.receive(1, visibility_timeout=30)
    bench.queue.inner.change_visibility(taken, 0)  # its consumer died once more
    progress = await bench.collect()
    assert progress.items_dead == 1
    [dead] = bench.queue.dead
    error = decode_batch(dead).error
    assert error is not None
    assert f"stopped {MAX_EXPIRIES} times" in error
