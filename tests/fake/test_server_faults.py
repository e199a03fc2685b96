"""Rate limiting, injected and random faults, and the /_fake/ admin API, seen by a raw client."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import aiohttp
import pytest

from tmdb_collector.fake import FakeSettings, FakeTMDB, Fault, FixtureCatalog
from tmdb_collector.fake._server import MAX_ADVANCE_DAYS
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import Kind

KEY = {"api_key": "any-key"}


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def status_of(session: aiohttp.ClientSession, url: str) -> int:
    async with session.get(url, params=KEY) as response:
        await response.read()
        return response.status


# -- rate limit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("retry_after", [False, True])
async def test_rate_limit_sends_429_beyond_the_sliding_second(
    shared_fixtures: Path, http_session: aiohttp.ClientSession, retry_after: bool
) -> None:
    clock = ManualClock()
    settings = FakeSettings(rate_limit=2, retry_after=retry_after)
    async with FakeTMDB(FixtureCatalog(shared_fixtures), settings, clock=clock).run() as fake:
        url = f"{fake.url}/3/keyword/1701"
        assert [await status_of(http_session, url) for _ in range(2)] == [200, 200]
        clock.now += 0.5
        async with http_session.get(url, params=KEY) as response:
            assert response.status == 429
            assert response.headers["Content-Type"] == "application/json;charset=utf-8"
            assert await response.json() == {
                "status_code": 25,
                "status_message": "Your request count (3) is over the allowed limit of (2).",
            }
            assert response.headers.get("Retry-After") == ("1" if retry_after else None)
        # Exports (another host) and admin requests are never limited.
        exports = f"{fake.url}/p/exports/keyword_ids_{fake.today():%m_%d_%Y}.json.gz"
        assert await status_of(http_session, exports) == 200
        assert await status_of(http_session, f"{fake.url}/_fake/stats") == 200
        # A second after the first admitted requests, there is room again.
        clock.now += 0.5
        assert await status_of(http_session, url) == 200
        stats = fake.stats()
    assert stats["rate_limited"] == 1
    assert stats["by_status"] == {"200": 4, "429": 1}
    assert stats["requests"] == 5


# -- injected faults ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [("500", 500, 11), ("502", 502, 43), ("503", 503, 9), ("504", 504, 24)],
)
async def test_injected_server_errors(
    fixture_fake: FakeTMDB,
    http_session: aiohttp.ClientSession,
    fault: str,
    status: int,
    code: int,
) -> None:
    fixture_fake.inject(int(fault), count=2)
    url = f"{fixture_fake.url}/3/movie/550"
    for _ in range(2):
        async with http_session.get(url, params=KEY) as response:
            assert response.status == status
            body = await response.json()
            assert (body["success"], body["status_code"]) == (False, code)
    assert await status_of(http_session, url) == 200
    assert fixture_fake.stats()["faults"] == {fault: 2}


@pytest.mark.parametrize("fault", [Fault.RATE_LIMITED, Fault.RATE_LIMITED_RETRY_AFTER])
async def test_injected_429(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession, fault: Fault
) -> None:
    fixture_fake.inject(fault)
    async with http_session.get(f"{fixture_fake.url}/3/movie/550", params=KEY) as response:
        assert response.status == 429
        assert (await response.json())["status_code"] == 25
        expected = "1" if fault is Fault.RATE_LIMITED_RETRY_AFTER else None
        assert response.headers.get("Retry-After") == expected
    stats = fixture_fake.stats()
    assert (stats["rate_limited"], stats["faults_injected"]) == (1, 1)


async def test_injected_reset_drops_the_connection(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    # Twice: aiohttp's client silently retries a GET once when the connection drops.
    fixture_fake.inject("reset", count=2)
    url = f"{fixture_fake.url}/3/movie/550"
    with pytest.raises(aiohttp.ClientConnectionError):
        async with http_session.get(url, params=KEY) as response:
            await response.read()
    assert await status_of(http_session, url) == 200
    stats = fixture_fake.stats()
    assert stats["by_status"] == {"200": 1}  # a reset sends no status
    assert stats["faults"] == {"reset": 2}


async def test_injected_truncate_cuts_the_body_short(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    fixture_fake.inject("truncate")
    url = f"{fixture_fake.url}/3/movie/550"
    async with http_session.get(url, params=KEY) as response:
        assert response.status == 200
        assert response.content_length is not None
        full_length = response.content_length
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()
    async with http_session.get(url, params=KEY) as response:
        assert len(await response.read()) == full_length


async def test_injected_malformed_json_is_a_200_that_does_not_parse(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    fixture_fake.inject("malformed-json")
    async with http_session.get(f"{fixture_fake.url}/3/movie/550", params=KEY) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json;charset=utf-8"
        body = await response.read()
        assert response.content_length == len(body)
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


async def test_faults_target_a_path_prefix_and_spare_admin(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    fixture_fake.inject(503, path_prefix="/3/tv/")
    fixture_fake.inject(500, path_prefix="/")
    # Admin requests never consume or suffer a fault, even one aimed at every path.
    assert await status_of(http_session, f"{fixture_fake.url}/_fake/stats") == 200
    assert await status_of(http_session, f"{fixture_fake.url}/3/movie/550") == 500
    assert await status_of(http_session, f"{fixture_fake.url}/3/movie/550") == 200
    assert await status_of(http_session, f"{fixture_fake.url}/3/tv/1399") == 503
    assert await status_of(http_session, f"{fixture_fake.url}/3/tv/1399") == 200


async def test_a_fault_prefix_may_name_the_query_string(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    # One window of a changes feed fails, the others answer: a feed failing part-way.
    fixture_fake.inject(503, count=2, path_prefix="/3/movie/changes?start_date=2026-08-20")
    url = f"{fixture_fake.url}/3/movie/changes"

    async def window(start: str) -> int:
        params = {"start_date": start, "end_date": "2026-08-26", "page": "1", **KEY}
        async with http_session.get(url, params=params) as response:
            await response.read()
            return response.status

    assert await window("2026-08-13") == 200
    assert await window("2026-08-20") == 503
    assert await window("2026-08-20") == 503
    assert await window("2026-08-20") == 200


async def test_inject_through_the_admin_api(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    admin = f"{fixture_fake.url}/_fake/inject"
    async with http_session.post(admin, json={"fault": "502", "count": 2}) as response:
        assert response.status == 200
        assert (await response.json())["pending"] == [
            {"fault": "502", "remaining": 2, "path": "/3/"}
        ]
    async with http_session.post(admin, json={"fault": "418"}) as response:
        assert response.status == 400
        assert "unknown fault" in (await response.json())["errors"][0]
    url = f"{fixture_fake.url}/3/collection/10"
    assert [await status_of(http_session, url) for _ in range(3)] == [502, 502, 200]
    async with http_session.post(admin, json={"fault": "503", "count": 5}) as response:
        assert response.status == 200
    async with http_session.delete(admin) as response:  # drop what is pending
        assert (await response.json())["pending"] == []
    assert await status_of(http_session, url) == 200


async def test_random_faults_follow_the_seed(
    shared_fixtures: Path, http_session: aiohttp.ClientSession
) -> None:
    async def run(seed: int) -> dict[str, int]:
        settings = FakeSettings(error_rate=0.5, seed=seed)
        async with FakeTMDB(FixtureCatalog(shared_fixtures), settings).run() as fake:
            for _ in range(30):
                with contextlib.suppress(aiohttp.ClientError):  # resets, truncated bodies
                    await status_of(http_session, f"{fake.url}/3/keyword/1701")
            faults: dict[str, int] = fake.stats()["faults"]
            return faults

    first = await run(seed=3)
    assert 5 < sum(first.values()) < 25
    assert set(first) <= {"500", "502", "503", "504", "reset", "truncate"}
    assert await run(seed=3) == first


async def test_latency_delays_each_api_request(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    fixture_fake.settings.latency_ms = 40
    fixture_fake.settings.latency_jitter_ms = 0
    started = time.monotonic()
    assert await status_of(http_session, f"{fixture_fake.url}/3/keyword/1701") == 200
    assert time.monotonic() - started >= 0.04


# -- admin ----------------------------------------------------------------------------------------


async def test_stats_count_by_endpoint_and_status(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    url = fixture_fake.url
    paths = [
        "/3/movie/550",
        "/3/movie/550/credits",
        "/3/tv/1399",
        "/3/tv/1399/season/1",
        "/3/tv/1399/season/1/episode/1",
        "/3/person/31",
        "/3/collection/10",
        "/3/company/1",
        "/3/network/49",
        "/3/keyword/1701",
        "/3/movie/changes",
        "/3/configuration",
        f"/p/exports/movie_ids_{fixture_fake.today():%m_%d_%Y}.json.gz",
        "/3/movie/1",
        "/favicon.ico",
    ]
    for path in paths:
        await status_of(http_session, url + path)
    async with http_session.get(f"{url}/_fake/stats") as response:
        stats = await response.json()
    assert stats["requests"] == len(paths)
    assert stats["by_endpoint"] == {
        "movie": 3,
        "tv": 1,
        "tv_season": 1,
        "tv_episode": 1,
        "person": 1,
        "collection": 1,
        "company": 1,
        "network": 1,
        "keyword": 1,
        "changes": 1,
        "configuration": 1,
        "export": 1,
        "other": 1,
    }
    assert stats["by_status"] == {"200": 13, "404": 2}
    assert (stats["rate_limited"], stats["faults_injected"]) == (0, 0)
    assert (stats["day"], stats["today"]) == (0, fixture_fake.today().isoformat())
    async with http_session.post(f"{url}/_fake/reset-stats") as response:
        assert (await response.json())["requests"] == 0
    assert fixture_fake.stats()["requests"] == 0


async def test_settings_read_and_changed_at_runtime(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    admin = f"{fixture_fake.url}/_fake/settings"
    async with http_session.get(admin) as response:
        assert (await response.json())["rate_limit"] is None
    change = {"rate_limit": 1, "retry_after": True, "api_key": "k"}
    async with http_session.post(admin, json=change) as response:
        body = await response.json()
        assert (body["rate_limit"], body["retry_after"], body["api_key"]) == (1, True, "(set)")
    assert fixture_fake.settings.rate_limit == 1
    async with http_session.post(admin, json={"error_rate": 3}) as response:
        assert response.status == 400
    async with http_session.post(admin, data=b"not json") as response:
        assert response.status == 400
    url = f"{fixture_fake.url}/3/keyword/1701"
    statuses = []
    for _ in range(2):
        async with http_session.get(url, params={"api_key": "k"}) as response:
            statuses.append((response.status, response.headers.get("Retry-After")))
    assert statuses == [(200, None), (429, "1")]


async def test_advance_moves_the_day(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    async with http_session.post(f"{fixture_fake.url}/_fake/advance?days=3") as response:
        assert (await response.json())["day"] == 3
    assert fixture_fake.advance() == 4
    assert fixture_fake.stats()["day"] == 4
    async with http_session.post(f"{fixture_fake.url}/_fake/advance?days=0") as response:
        assert response.status == 400
    async with http_session.get(f"{fixture_fake.url}/_fake/advance") as response:
        assert response.status == 405


async def test_admin_api_refuses_malformed_requests_with_json(
    http_session: aiohttp.ClientSession,
) -> None:
    catalog = SyntheticCatalog({Kind.MOVIE: 20}, seed=1)
    async with FakeTMDB(catalog).run() as fake:
        admin = f"{fake.url}/_fake"
        for count in (0, -1, True):
            body = {"fault": "503", "count": count}
            async with http_session.post(f"{admin}/inject", json=body) as response:
                assert response.status == 400
                assert "count" in (await response.json())["errors"][0]
        # A huge number of days would hold the event loop (and every request) for ever.
        for days in (MAX_ADVANCE_DAYS + 1, 10**30):
            async with http_session.post(f"{admin}/advance", params={"days": days}) as response:
                assert response.status == 400
                assert "days" in (await response.json())["errors"][0]
        assert catalog.day == 0
        async with http_session.post(f"{admin}/advance?days={MAX_ADVANCE_DAYS}") as response:
            assert (await response.json())["day"] == MAX_ADVANCE_DAYS
        for value in (b"Infinity", b"NaN"):
            body = b'{"latency_ms": %s}' % value
            async with http_session.post(f"{admin}/settings", data=body) as response:
                assert response.status == 400
        assert await status_of(http_session, f"{fake.url}/3/configuration") == 200
