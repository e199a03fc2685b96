"""A slow store does not stall the fetching: a message being stored frees its place among the
messages being fetched, and at most as many again may be storing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from collect.conftest import TEST_SETTINGS, Bench
from tmdb_collector.collect import Collector
from tmdb_collector.kinds import Kind
from tmdb_collector.store import RecordStore, WriteResult

ONE_AT_A_TIME = TEST_SETTINGS.__class__(
    retry_delay_seconds=0, visibility_timeout=30, messages_in_flight=1
)


class GatedStore(RecordStore):
    """A record store whose writes wait until the test opens the gate."""

    def __init__(self, inner: RecordStore) -> None:
        super().__init__(inner.objects)
        self.gate = asyncio.Event()
        self.waiting = 0

    async def write_batch(self, items: Sequence[object]) -> list[WriteResult]:  # type: ignore[override]
        self.waiting += 1
        await self.gate.wait()
        return await super().write_batch(items)  # type: ignore[arg-type]


async def test_a_message_being_stored_frees_its_place_for_the_next(bench: Bench) -> None:
    store = GatedStore(bench.records)
    bench.enqueue_keys(Kind.MOVIE, range(1, 9), max_items=2)  # four messages of two movies
    async with bench.client() as client:
        collector = Collector(
            client, store, bench.queue, ONE_AT_A_TIME, now_ms=bench.now_ms, poll_seconds=0.02
        )
        run = asyncio.create_task(collector.run())
        # One message is fetched at a time, yet two are fetched while no write ends: the first
        # one's store did not hold the second's fetching back.
        async with asyncio.timeout(10):
            while store.waiting < 2:  # noqa: ASYNC110 - a counter, with no event
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        # Two are storing (as many as are fetched, again): the third waits in the queue.
        assert store.waiting == 2
        assert bench.queue.inner.counts().visible == 2
        store.gate.set()
        async with asyncio.timeout(30):
            progress = await run
    assert progress.items == {Kind.MOVIE: 8}
    assert progress.messages == 4
    assert bench.queue.counts().total == 0
