"""The client against the project's fake TMDB (tmdb_collector.fake), which behaves as the real
API does per shared/tmdb/API-NOTES.md: pacing, faults, errors, appends, changes and exports."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import random
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest

from tmdb_collector.fake import ChangedEntry, FakeSettings, FakeTMDB, FixtureCatalog, JSONObject
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.tmdb import (
    AuthenticationError,
    ChangedId,
    ClientSettings,
    Credential,
    NotFound,
    Pacer,
    RequestStart,
    RetryPolicy,
    SystemClock,
    TMDBClient,
    export_file_name,
)

from .conftest import V3_KEY, V4_TOKEN, FakeClock
from .measure import busiest_second

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "tmdb" / "fixtures"
TODAY = date(2026, 8, 27)


class RecordingPacer(Pacer):
    """A Pacer that remembers when each request started and each pause it was told to hold."""

    def __init__(self, rate: float, max_in_flight: int, clock: FakeClock | SystemClock) -> None:
        super().__init__(rate, max_in_flight, clock=clock)
        self.clock = clock
        self.starts: list[float] = []
        self.pauses: list[tuple[float, float]] = []

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[RequestStart]:
        async with super().slot() as start:
            self.starts.append(start.at)
            yield start

    def pause(self, seconds: float) -> None:
        now = self.clock.monotonic()
        self.pauses.append((now, now + seconds))
        super().pause(seconds)


def _client(
    url: str,
    clock: FakeClock | SystemClock,
    pacer: Pacer,
    *,
    secret: str = V3_KEY,
    retry: RetryPolicy | None = None,
) -> TMDBClient:
    settings = ClientSettings(
        credential=Credential(secret), api_url=url, exports_url=url, timeout=5.0
    )
    return TMDBClient(settings, pacer=pacer, clock=clock, retry=retry, rng=random.Random(5))


@asynccontextmanager
async def fixture_fake(settings: FakeSettings | None = None) -> AsyncIterator[FakeTMDB]:
    fake = FakeTMDB(FixtureCatalog(FIXTURES), settings, today=lambda: TODAY)
    async with fake.run(host="127.0.0.1", port=0) as running:
        yield running


async def test_pacing_over_real_time_stays_under_the_fakes_limit() -> None:
    clock = SystemClock()
    pacer = RecordingPacer(20, 20, clock)
    async with (
        fixture_fake(FakeSettings(rate_limit=20)) as fake,
        _client(fake.url, clock, pacer) as client,
    ):
        answers = await asyncio.gather(*(client.get("/3/movie/550") for _ in range(40)))
        stats = fake.stats()
    assert all(isinstance(a, dict) and a["id"] == 550 for a in answers)
    assert busiest_second(pacer.starts) <= 20
    assert stats["rate_limited"] == 0
    assert client.stats.rate_limited == 0


@pytest.mark.parametrize(("fault", "retry_after"), [("429", False), ("429-retry-after", True)])
async def test_a_429_pauses_every_worker(fault: str, retry_after: bool) -> None:
    clock = FakeClock()
    pacer = RecordingPacer(1000, 4, clock)
    async with fixture_fake() as fake, _client(fake.url, clock, pacer) as client:
        fake.inject(fault, count=1, path_prefix="/3/movie/550")

        async def worker(path: str) -> None:
            for _ in range(5):
                assert isinstance(await client.get(path), dict)

        await asyncio.gather(worker("/3/movie/550"), *(worker("/3/person/31") for _ in range(3)))
        assert client.stats.rate_limited == 1
    [(began, until)] = pacer.pauses
    if retry_after:
        assert until - began == pytest.approx(1.0)  # the fake's Retry-After: 1
    else:
        assert 0.125 <= until - began <= 0.25  # first 429 of the process: 0.25 s, jittered
    # Once the 429 came back, no worker started a request until the pause ended.
    assert not [at for at in pacer.starts if began < at < until]
    assert sum(at >= until for at in pacer.starts) >= 4


@pytest.mark.parametrize(
    "fault", ["500", "502", "503", "504", "reset", "truncate", "malformed-json"]
)
async def test_transient_faults_are_retried(fault: str) -> None:
    clock = FakeClock()
    async with (
        fixture_fake() as fake,
        _client(fake.url, clock, Pacer(1000, 4, clock=clock)) as client,
    ):
        fake.inject(fault, count=2, path_prefix="/3/movie/550")
        answer = await client.get("/3/movie/550")
        assert isinstance(answer, dict)
        assert answer["id"] == 550
        assert fake.stats()["faults"] == {fault: 2}
        assert client.stats.retries >= 1  # aiohttp may resend once itself after a reset
        assert clock.sleeps  # backed off on the injected clock, not in real time


async def test_401_stops_without_a_storm(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    caplog.set_level(logging.DEBUG)
    pacer = Pacer(1000, 5, clock=clock)
    async with (
        fixture_fake(FakeSettings(api_key="the-right-key")) as fake,
        _client(fake.url, clock, pacer) as client,
    ):
        outcomes = await asyncio.gather(
            *(client.get(f"/3/movie/{i}") for i in range(1, 60)), return_exceptions=True
        )
        stats = fake.stats()
    assert all(isinstance(o, AuthenticationError) for o in outcomes)
    assert "code 7" in str(outcomes[0])
    assert stats["by_status"].get("401", 0) <= 5  # at most the requests already in flight
    assert V3_KEY not in caplog.text


async def test_a_v4_token_is_accepted_as_bearer() -> None:
    clock = FakeClock()
    async with (
        fixture_fake(FakeSettings(api_key=V4_TOKEN)) as fake,
        _client(fake.url, clock, Pacer(1000, 4, clock=clock), secret=V4_TOKEN) as client,
    ):
        configuration = await client.configuration()
    assert "images" in configuration


async def test_not_found_results() -> None:
    clock = FakeClock()
    async with (
        fixture_fake() as fake,
        _client(fake.url, clock, Pacer(1000, 4, clock=clock)) as client,
    ):
        assert await client.details(RecordKey(Kind.MOVIE, 999_999_999)) == NotFound(
            "/3/movie/999999999", 34
        )
        assert await client.get("/3/movie/0") == NotFound("/3/movie/0", 6)
        assert client.stats.not_found == 2


async def test_25_appends_are_two_requests_merged() -> None:
    clock = FakeClock()
    async with (
        fixture_fake() as fake,
        _client(fake.url, clock, Pacer(1000, 4, clock=clock)) as client,
    ):
        seasons = [f"season/{n}" for n in range(22)]
        appends = [*seasons, "credits", "external_ids", "images"]
        answer = await client.details(RecordKey(Kind.TV, 1399), appends)
        stats = fake.stats()
    assert stats["requests"] == 2
    assert isinstance(answer, dict)
    assert answer["id"] == 1399
    present = {key for key in answer if key.startswith("season/")}
    # The fixture series has fewer than 22 seasons: the missing ones are silently absent.
    assert present
    assert present <= set(seasons)
    assert "credits" in answer or "external_ids" in answer


class ChangesCatalog:
    """A catalog with nothing but changes: ``per_day[day]`` ids changed on a day (0 = today)."""

    def __init__(self, per_day: dict[int, int]) -> None:
        self.per_day = per_day

    @property
    def day(self) -> int:
        return 0

    def advance(self, days: int) -> None:
        raise NotImplementedError("this catalog stays on day 0")

    def base(self, key: RecordKey) -> JSONObject | None:
        return None

    def block(self, key: RecordKey, name: str) -> JSONObject | None:
        return None

    def changed(self, kind: Kind, day: int) -> list[ChangedEntry]:
        # Distinct ids per day, plus id 7 changed every day (must come out once).
        first = 1_000_000 + 100_000 * -day
        ids = [7, *range(first, first + self.per_day.get(day, 0))]
        return [ChangedEntry(i, adult=None if i % 3 == 0 else False) for i in ids]

    def export_lines(self, export_name: str, day: int) -> Iterator[bytes]:
        return iter(())


@asynccontextmanager
async def changes_fake(per_day: dict[int, int]) -> AsyncIterator[tuple[FakeTMDB, TMDBClient]]:
    clock = FakeClock()
    fake = FakeTMDB(ChangesCatalog(per_day), today=lambda: TODAY)
    async with (
        fake.run() as running,
        _client(running.url, clock, Pacer(100_000, 8, clock=clock)) as client,
    ):
        yield running, client


async def test_a_40_day_range_reads_every_window_and_page() -> None:
    per_day = {-day: 150 for day in range(40)}
    async with changes_fake(per_day) as (fake, client):
        changed = [c async for c in client.changes("movie", TODAY - timedelta(days=39), TODAY)]
        stats = fake.stats()
    ids = [c.id for c in changed]
    assert len(ids) == len(set(ids)) == 40 * 150 + 1
    assert stats["by_status"] == {"200": stats["requests"]}  # no window was refused (422)
    # Windows of 14, 14 and 12 days: 2101, 2101 and 1801 ids, 100 per page.
    assert stats["requests"] == 22 + 22 + 19
    assert ChangedId(7, False) in changed


async def test_a_window_past_500_pages_is_split_and_a_day_past_500_is_cut(
    caplog: pytest.LogCaptureFixture,
) -> None:
    per_day = {0: 30_000, -1: 30_000, -2: 51_000}
    async with changes_fake(per_day) as (fake, client):
        changed = [c async for c in client.changes("tv", TODAY - timedelta(days=2), TODAY)]
        stats = fake.stats()
    ids = {c.id for c in changed}
    assert len(ids) == len(changed)
    # Day -2 has 51,001 ids (511 pages): only 500 pages can be read, 1,001 ids are lost.
    assert len(ids) == 50_000 + 30_000 + 30_000
    assert stats["by_status"] == {"200": stats["requests"]}  # never asked for page 501
    # 3 days (1,111 pages) -> 2 days (811 pages) + today (301) -> day -2 (500 read) + day -1.
    assert stats["requests"] == 1 + 1 + 500 + 301 + 301
    lost = [getattr(r, "ids_lost", None) for r in caplog.records if r.levelno == logging.WARNING]
    assert lost == [1001]


async def test_changes_only_for_kinds_with_a_feed() -> None:
    async with changes_fake({}) as (_, client):
        with pytest.raises(ValueError, match="no changes feed for collection"):
            [c async for c in client.changes("collection", TODAY, TODAY)]


async def test_export_fallback_streaming_and_malformed_lines() -> None:
    clock = FakeClock()
    lines = [
        b'{"adult":false,"id":3924,"original_title":"Blondie","popularity":1.8133,"video":false}'
    ]
    lines += [b'{"id":%d,"original_title":"x","popularity":0.1}' % i for i in range(1, 3000)]
    lines += [b'{"id":3924,"original_title":"Blondie again"}', b"{not json", b'{"name":"no id"}']
    yesterday = TODAY - timedelta(days=1)
    async with (
        fixture_fake(FakeSettings(publish_today=False)) as fake,
        _client(fake.url, clock, Pacer(1000, 4, clock=clock)) as client,
    ):
        fake.set_export_file(export_file_name("movie", yesterday), gzip.compress(b"\n".join(lines)))
        found = await client.find_export(Kind.MOVIE, on=TODAY)
        assert found.name == "movie"
        assert found.date == yesterday
        fake.inject("truncate", count=1, path_prefix="/p/exports/")
        stream = client.stream_export(found)
        entries = [entry async for entry in stream]
    assert entries[0].fields["original_title"] == "Blondie"
    assert len(entries) == len({e.id for e in entries}) == 3000
    report = stream.report
    assert (report.duplicates, report.malformed) == (1, 2)
    assert report.restarts == 1  # the truncated first download was read again from the start


async def test_batches_of_a_cached_synthetic_export_survive_a_cut_download(tmp_path: Path) -> None:
    clock = FakeClock()
    catalog = SyntheticCatalog({Kind.PERSON: 20_000}, seed=3)
    lines = list(catalog.export_lines("person", 0))
    fake = FakeTMDB(catalog, today=lambda: TODAY, export_cache=tmp_path)
    async with (
        fake.run() as running,
        _client(running.url, clock, Pacer(1000, 4, clock=clock)) as client,
    ):
        found = await client.find_export(Kind.PERSON, on=TODAY)  # starts the file's generation
        fake.inject("truncate", count=1, path_prefix="/p/exports/")
        stream = client.stream_export(found)
        ids = [entry.id async for batch in stream.batches() for entry in batch]
    assert ids == list(dict.fromkeys(json.loads(line)["id"] for line in lines))
    report = stream.report
    assert (report.lines, report.restarts, report.malformed) == (len(lines), 1, 0)
