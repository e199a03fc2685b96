"""A small world for harvest tests: a synthetic fake TMDB whose days can pass, a store, the
embedded queue, a clock, and a minimal collector that fetches what the queue asks for."""

from __future__ import annotations

import gzip
import json
import urllib.request
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.harvest import Harvester, HarvestReport, HarvestSettings
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.queue import Reason, SQLiteWorkQueue, WorkItem, decode_batch
from tmdb_collector.store import (
    ObjectStore,
    RecordDeletion,
    RecordStore,
    RecordWrite,
    open_object_store,
)
from tmdb_collector.tmdb import ClientSettings, Credential, NotFound, TMDBClient

#: The first day of every harvest test (10:00 UTC: exports of the day are out).
DAY0 = date(2026, 9, 1)
#: Small, but with at least one new, changed and deleted record per kind and day.
COUNTS = {
    Kind.MOVIE: 400,
    Kind.TV: 60,
    Kind.PERSON: 300,
    Kind.COLLECTION: 30,
    Kind.COMPANY: 40,
    Kind.NETWORK: 25,
    Kind.KEYWORD: 30,
}


def at(day: date, hour: int = 10) -> int:
    """Epoch milliseconds of ``day`` at ``hour`` UTC."""
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=UTC).timestamp() * 1000)


@dataclass
class Calendar:
    """Today for the fake TMDB and now for the harvester and collector: one clock for both."""

    today: date = DAY0
    now_ms: int = field(default_factory=lambda: at(DAY0))

    def date(self) -> date:
        return self.today


@dataclass
class World:
    fake: FakeTMDB
    objects: ObjectStore
    queue: SQLiteWorkQueue
    calendar: Calendar
    settings: HarvestSettings = field(default_factory=HarvestSettings)

    @property
    def today(self) -> date:
        return self.calendar.today

    @property
    def now_ms(self) -> int:
        return self.calendar.now_ms

    def clock(self) -> int:
        return self.now_ms

    def client(self) -> TMDBClient:
        return TMDBClient(
            ClientSettings(
                credential=Credential("test-key"),
                api_url=self.fake.url,
                exports_url=self.fake.url,
                rate_limit=2000.0,
                concurrency=8,
                timeout=10.0,
            )
        )

    async def harvest(self, **options: Any) -> HarvestReport:
        settings = replace(self.settings, **options.pop("settings", {}))
        async with self.client() as client:
            harvester = Harvester(client, self.objects, self.queue, settings, now_ms=self.clock)
            return await harvester.run(options.pop("day", self.today), **options)

    def drain(self) -> list[WorkItem]:
        """Every item on the queue, in queue order; the messages are deleted."""
        items: list[WorkItem] = []
        while messages := self.queue.receive(10, visibility_timeout=60):
            for message in messages:
                items.extend(decode_batch(message.body).items)
            self.queue.delete(messages)
        return items

    async def collect(self, items: Iterable[WorkItem]) -> None:
        """What a collector does, minimally: fetch each record (no appends) and store it, or a
        tombstone on 404; fetched at the world's current time."""
        records = RecordStore(self.objects, now_ms=self.clock)
        writes: list[RecordWrite | RecordDeletion] = []
        async with self.client() as client:
            for item in items:
                key = RecordKey.parse(item.kind, item.key)
                document = await client.details(key)
                if isinstance(document, NotFound):
                    writes.append(RecordDeletion(key, "404 on fetch", self.now_ms))
                else:
                    writes.append(RecordWrite(key, document, self.now_ms, key.api_path))
        for start in range(0, len(writes), 200):
            await records.write_batch(writes[start : start + 200])

    def next_day(self) -> None:
        """A day passes at TMDB (new, changed and deleted records) and on our clock."""
        self.fake.advance(1)
        self.calendar.today += timedelta(days=1)
        self.calendar.now_ms += 86_400_000

    def export_lines(self, name: str, day: date | None = None) -> list[dict[str, Any]]:
        """The lines of an export as the fake serves it, in file order (duplicates kept)."""
        day = day or self.today
        url = f"{self.fake.url}/p/exports/{name}_ids_{day:%m_%d_%Y}.json.gz"
        with urllib.request.urlopen(url) as response:  # noqa: S310 (our fake on 127.0.0.1)
            lines = gzip.decompress(response.read()).splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def export_ids(self, name: str, day: date | None = None) -> list[int]:
        return [line["id"] for line in self.export_lines(name, day)]

    async def changed_ids(self, kind: Kind, start: date, end: date) -> list[int]:
        async with self.client() as client:
            return [changed.id async for changed in client.changes(kind, start, end)]

    def serve_export(self, name: str, ids_and_lines: Iterable[dict[str, Any]]) -> None:
        body = "\n".join(json.dumps(line) for line in ids_and_lines) + "\n"
        file_name = f"{name}_ids_{self.today:%m_%d_%Y}.json.gz"
        self.fake.set_export_file(file_name, gzip.compress(body.encode()))


def by_reason(items: Iterable[WorkItem], kind: Kind) -> dict[Reason, list[int]]:
    grouped: dict[Reason, list[int]] = {}
    for item in items:
        if item.kind is kind:
            grouped.setdefault(item.reason, []).append(int(item.key))
    return grouped


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    calendar = Calendar()
    fake = FakeTMDB(SyntheticCatalog(COUNTS, seed=5), FakeSettings(), today=calendar.date)
    # On its own thread and loop: tests read exports with blocking urllib calls.
    with fake.run_in_thread(host="127.0.0.1", port=0):
        queue = SQLiteWorkQueue(tmp_path / "queue.sqlite3")
        objects = open_object_store(str(tmp_path / "store"))
        try:
            yield World(fake, objects, queue, calendar)
        finally:
            queue.close()
