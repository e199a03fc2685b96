"""The collector on each work queue backend: the embedded SQLite queue and SQS (on moto)."""

from __future__ import annotations

import asyncio

from collect.conftest import TEST_SETTINGS, Bench, RecordingQueue, synthetic_catalog
from conftest import QueueCase
from tmdb_collector.collect import CollectorProgress
from tmdb_collector.fake import FakeSettings, FakeTMDB, with_every_block
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.queue import decode_batch
from tmdb_collector.store import RecordStore, open_object_store

MOVIES = 10
SERIES = 6


async def test_the_collector_stores_everything_and_retries_through_either_queue(
    queue_case: QueueCase,
) -> None:
    catalog = synthetic_catalog()
    server = FakeTMDB(catalog, FakeSettings())
    async with server.run(host="127.0.0.1", port=0):
        queue = RecordingQueue(queue_case.new(max_receives=3))
        bench = Bench(server, catalog, queue, RecordStore(open_object_store("memory://")))
        bench.enqueue_keys(Kind.MOVIE, range(1, MOVIES + 1), max_items=4)
        bench.enqueue_keys(Kind.TV, range(1, SERIES + 1), max_items=4)
        # Movie 3's first try fails (two client attempts): it comes back through the queue.
        server.inject("503", 2, "/3/movie/3")
        progress = await bench.collect(TEST_SETTINGS)

    assert progress.items == {Kind.MOVIE: MOVIES, Kind.TV: SERIES}
    assert progress.items_retried == 1
    assert progress.items_dead == 0
    [retried] = [decode_batch(body) for body in queue.sent]
    assert [(item.key, item.attempt) for item in retried.items] == [("3", 1)]
    assert queue.counts().total == 0
    assert queue.dead_counts().total == 0
    for movie_id in range(1, MOVIES + 1):
        key = RecordKey(Kind.MOVIE, movie_id)
        stored = await bench.records.read(key)
        assert stored is not None
        assert stored.json() == with_every_block(catalog, key)
    for series_id in range(1, SERIES + 1):
        assert await bench.records.read(RecordKey(Kind.TV, series_id)) is not None
        assert await bench.records.stored_parts(Kind.TV_SEASON, series_id)


async def test_a_run_with_nothing_to_work_on_says_what_it_waits_for(bench: Bench) -> None:
    """A message another consumer holds (here: received and never deleted) keeps a run
    ``until_empty`` waiting up to a visibility timeout: its progress says so, and until when."""
    bench.enqueue_keys(Kind.MOVIE, [1])
    [held] = bench.queue.inner.receive(1, visibility_timeout=60)
    stop = asyncio.Event()
    moments: list[CollectorProgress] = []

    def seen(progress: CollectorProgress) -> None:
        moments.append(progress)
        stop.set()  # one moment of waiting is enough

    progress = await asyncio.wait_for(bench.collect(stop=stop, on_progress=seen), timeout=30)

    waiting = moments[0].waiting
    assert waiting is not None
    assert (waiting.in_flight, waiting.delayed, waiting.visible) == (1, 0, 0)
    assert waiting.back_by_ms - waiting.since_ms == TEST_SETTINGS.visibility_timeout * 1000
    assert progress.items == {}
    bench.queue.inner.delete([held])
