"""A bench for collector tests: a fake TMDB on the test's loop (synthetic or fixtures), a
memory store, the embedded queue, and a client that never sleeps between retries."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tmdb_collector.collect import Collector, CollectorProgress, CollectorSettings
from tmdb_collector.fake import Catalog, FakeSettings, FakeTMDB, FixtureCatalog
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import (
    QueueMessage,
    Reason,
    SQLiteWorkQueue,
    WorkItem,
    WorkQueue,
    decode_batch,
    pack_items,
)
from tmdb_collector.store import RecordStore, open_object_store
from tmdb_collector.tmdb import ClientSettings, Credential, RetryPolicy, TMDBClient

#: Epoch ms the bench's clock starts at (2026-09-01 10:00 UTC); it moves 1 ms per reading.
T0 = 1_788_256_800_000
#: Small, with a few long series (seed 1: series 1 has 23 seasons, 9 has 17, 22 and 29 have 23).
COUNTS = {
    Kind.MOVIE: 12,
    Kind.TV: 30,
    Kind.PERSON: 8,
    Kind.COLLECTION: 4,
    Kind.COMPANY: 4,
    Kind.NETWORK: 4,
    Kind.KEYWORD: 4,
}
#: Retries without waiting: two attempts per request.
FAST_RETRY = RetryPolicy(max_attempts=2, base_delay=0.0, rate_limit_base_delay=0.0)
#: Settings for tests: no delay before retried items come back, a short lease.
TEST_SETTINGS = CollectorSettings(retry_delay_seconds=0, visibility_timeout=30)


class RecordingQueue:
    """A WorkQueue that remembers the bodies sent to it and to its dead-letter queue."""

    def __init__(self, queue: WorkQueue) -> None:
        self.inner = queue
        self.sent: list[str] = []
        self.dead: list[str] = []
        self.deleted: list[QueueMessage] = []
        self.released: list[QueueMessage] = []
        self.extended: list[QueueMessage] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @property
    def max_receives(self) -> int:
        return self.inner.max_receives

    def send(self, bodies: Sequence[str], *, delay_seconds: int = 0) -> int:
        self.sent += bodies
        return self.inner.send(bodies, delay_seconds=delay_seconds)

    def send_dead(self, bodies: Sequence[str]) -> int:
        self.dead += bodies
        return self.inner.send_dead(bodies)

    def delete(self, messages: Sequence[QueueMessage]) -> int:
        self.deleted += messages
        return self.inner.delete(messages)

    def change_visibility(self, message: QueueMessage, timeout_seconds: int) -> bool:
        (self.released if timeout_seconds == 0 else self.extended).append(message)
        return self.inner.change_visibility(message, timeout_seconds)


@dataclass
class Bench:
    fake: FakeTMDB
    catalog: Catalog
    queue: RecordingQueue
    records: RecordStore
    credential: str = "test-key"
    clock_ms: list[int] = field(default_factory=lambda: [T0])

    def now_ms(self) -> int:
        self.clock_ms[0] += 1
        return self.clock_ms[0]

    def client(self) -> TMDBClient:
        return TMDBClient(
            ClientSettings(
                credential=Credential(self.credential),
                api_url=self.fake.url,
                exports_url=self.fake.url,
                rate_limit=5000.0,
                concurrency=16,
                timeout=10.0,
            ),
            retry=FAST_RETRY,
        )

    def enqueue(self, items: Iterable[WorkItem], max_items: int = 100) -> None:
        self.queue.inner.send(list(pack_items(items, max_items=max_items)))

    def enqueue_keys(
        self, kind: Kind, keys: Iterable[int | str], *, max_items: int = 100, **options: Any
    ) -> None:
        reason = options.pop("reason", Reason.NEW)
        self.enqueue((WorkItem(kind, str(k), reason, T0, **options) for k in keys), max_items)

    async def collect(
        self, settings: CollectorSettings = TEST_SETTINGS, **options: Any
    ) -> CollectorProgress:
        async with self.client() as client:
            collector = Collector(
                client, self.records, self.queue, settings, now_ms=self.now_ms, poll_seconds=0.02
            )
            return await collector.run(**options)

    def dead_items(self) -> list[tuple[WorkItem, str | None]]:
        """Every item sent to the dead-letter queue, with its body's error."""
        found = []
        for body in self.queue.dead:
            batch = decode_batch(body)
            found += [(item, batch.error) for item in batch.items]
        return found


def synthetic_catalog() -> SyntheticCatalog:
    return SyntheticCatalog(COUNTS, seed=1)


async def _bench(catalog: Catalog, tmp_path: Path, **fake: Any) -> AsyncIterator[Bench]:
    server = FakeTMDB(catalog, FakeSettings(**fake))
    async with server.run(host="127.0.0.1", port=0):
        queue = SQLiteWorkQueue(tmp_path / "queue.sqlite3", max_receives=3, visibility_timeout=30)
        try:
            records = RecordStore(open_object_store("memory://"))
            yield Bench(server, catalog, RecordingQueue(queue), records)
        finally:
            queue.close()


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    """A synthetic fake TMDB (COUNTS, seed 1)."""
    async for value in _bench(synthetic_catalog(), tmp_path):
        yield value


@pytest.fixture
async def fixture_bench(tmp_path: Path, shared_fixtures: Path) -> AsyncIterator[Bench]:
    """The fake TMDB serving ../shared/tmdb/fixtures."""
    async for value in _bench(FixtureCatalog(shared_fixtures), tmp_path):
        yield value


def without(document: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    names = set(names)
    return {key: copy.deepcopy(value) for key, value in document.items() if key not in names}
