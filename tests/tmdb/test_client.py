"""The client against a small scripted app that answers as TMDB does (see API-NOTES.md)."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tmdb_collector import __version__
from tmdb_collector.errors import Action, action_for
from tmdb_collector.kinds import MAX_APPENDS, SUB_RESOURCES, Kind, RecordKey
from tmdb_collector.tmdb import (
    AuthenticationError,
    ClientSettings,
    ConfigurationError,
    NotFound,
    RetriesExhaustedError,
    RetryPolicy,
    TMDBAPIError,
    TMDBClient,
    TMDBError,
    TMDBUnreachableError,
)

from .conftest import V3_KEY, V4_TOKEN, FakeClock, make_client, serve
from .scripted import ScriptedTMDB, raw, reset, tmdb_error, tmdb_json, truncated_body

MOVIE = "/3/movie/550"


@pytest.fixture
async def tmdb() -> AsyncIterator[tuple[ScriptedTMDB, str]]:
    app = ScriptedTMDB()
    async with serve({"/{tail:.*}": app.handle}) as url:
        yield app, url


def _assert_secret_absent(*texts: str) -> None:
    for text in texts:
        assert V3_KEY not in text
        assert V4_TOKEN not in text


def _everything_about(error: BaseException) -> str:
    return "\n".join(
        [str(error), repr(error), repr(error.args), *traceback.format_exception(error)]
    )


async def test_a_v3_key_goes_in_the_query_with_our_headers(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb
    async with make_client(url, clock) as client:
        assert await client.get(MOVIE, {"language": "en-US"}) == {"id": 1, "path": MOVIE}
    request = app.seen[0]
    assert request.query == {"language": "en-US", "api_key": V3_KEY}
    assert "Authorization" not in request.headers
    assert request.headers["User-Agent"] == f"tmdb-collector/{__version__}"
    assert "gzip" in request.headers["Accept-Encoding"]


async def test_a_v4_token_goes_in_the_authorization_header(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb
    async with make_client(url, clock, secret=V4_TOKEN) as client:
        await client.get(MOVIE)
    assert app.seen[0].headers["Authorization"] == f"Bearer {V4_TOKEN}"
    assert "api_key" not in app.seen[0].query


@pytest.mark.parametrize("code", [34, 6])
async def test_404_with_code_34_or_6_is_a_not_found_result(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock, code: int
) -> None:
    app, url = tmdb
    app.queue(MOVIE, tmdb_error(404, code, "The resource you requested could not be found."))
    async with make_client(url, clock) as client:
        assert await client.get(MOVIE) == NotFound(MOVIE, code)
        assert client.stats.not_found == 1
        assert client.stats.retries == 0


@pytest.mark.parametrize(
    ("status", "body", "code", "message"),
    [
        (400, {"status_code": 27, "status_message": "Too many append"}, 27, "Too many append"),
        (422, {"errors": ["page must be less than or equal to 500"]}, None, "page must be"),
        (404, {"status_code": 99, "status_message": "odd"}, 99, "odd"),
    ],
)
async def test_other_client_errors_raise_with_tmdb_details(
    tmdb: tuple[ScriptedTMDB, str],
    clock: FakeClock,
    *,
    status: int,
    body: dict[str, object],
    code: int | None,
    message: str,
) -> None:
    app, url = tmdb
    app.queue(MOVIE, tmdb_json(body, status))
    async with make_client(url, clock) as client:
        with pytest.raises(TMDBAPIError, match=message) as raised:
            await client.get(MOVIE)
    assert (raised.value.http_status, raised.value.status_code) == (status, code)
    assert raised.value.path == MOVIE
    assert app.hits(MOVIE) == 1  # never retried


async def test_401_stops_at_once_and_for_good(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb
    app.default = _invalid_key
    async with make_client(url, clock, concurrency=4) as client:
        with pytest.raises(AuthenticationError, match=r"401, code 7.*TMDB_API_KEY") as raised:
            await client.get(MOVIE)
        _assert_secret_absent(_everything_about(raised.value))
        outcomes = await asyncio.gather(
            *(client.get(f"/3/movie/{i}") for i in range(1, 50)), return_exceptions=True
        )
    assert all(isinstance(o, AuthenticationError) for o in outcomes)
    assert len(app.seen) == 1  # the refusal is remembered: no request after the first 401


def _invalid_key(request: web.Request) -> web.StreamResponse:
    return web.json_response(
        {"status_code": 7, "status_message": "Invalid API key", "success": False}, status=401
    )


async def test_concurrent_workers_do_not_storm_after_a_401(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb
    app.default = _invalid_key
    async with make_client(url, clock, concurrency=4) as client:
        outcomes = await asyncio.gather(
            *(client.get(f"/3/movie/{i}") for i in range(1, 100)), return_exceptions=True
        )
    assert all(isinstance(o, AuthenticationError) for o in outcomes)
    assert len(app.seen) <= 4  # at most the requests already in flight


@pytest.mark.parametrize("fault", ["500", "502", "503", "504", "reset", "truncate", "malformed"])
async def test_transient_failures_are_retried_with_backoff(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock, fault: str
) -> None:
    app, url = tmdb
    replies = {
        "reset": reset(),
        "truncate": truncated_body,
        "malformed": raw(b'{"id": 550, "tit'),
    }
    reply = replies.get(fault) or tmdb_error(int(fault), 9, "Service offline")
    app.queue(MOVIE, reply, reply)
    async with make_client(url, clock) as client:
        assert await client.get(MOVIE) == {"id": 1, "path": MOVIE}
        stats = client.stats
    assert app.hits(MOVIE) == 3
    # aiohttp itself resends once when a kept-alive connection turns out dead, so one of two
    # resets may never reach us.
    assert stats.retries == (2 if fault != "reset" else stats.requests - 1)
    assert len(clock.sleeps) == stats.retries
    assert 0.25 <= clock.sleeps[0] <= 0.5
    assert all(0.5 <= delay <= 1.0 for delay in clock.sleeps[1:])


async def test_retries_end_with_the_last_cause_and_no_secret(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    app, url = tmdb
    app.queue(MOVIE, *[reset()] * 6)  # aiohttp may resend once by itself
    policy = RetryPolicy(max_attempts=3)
    caplog.set_level(logging.DEBUG)
    async with make_client(url, clock, retry=policy) as client:
        with pytest.raises(RetriesExhaustedError) as raised:
            await client.get(MOVIE)
    error = raised.value
    assert error.attempts == 3
    assert error.cause in {"ServerDisconnectedError", "ClientOSError", "ClientConnectionResetError"}
    assert error.__cause__ is None
    assert error.__context__ is None  # no aiohttp exception (with its URL) rides along
    _assert_secret_absent(_everything_about(error), caplog.text)
    assert [getattr(r, "attempt", None) for r in caplog.records if r.levelname == "WARNING"] == [
        1,
        2,
    ]


async def test_429_without_retry_after_pauses_with_backoff(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb
    limited = tmdb_error(429, 25, "Your request count (#) is over the allowed limit of (40).")
    app.queue(MOVIE, limited, limited)
    async with make_client(url, clock) as client:
        started = clock.now
        assert await client.get(MOVIE) == {"id": 1, "path": MOVIE}
        assert client.stats.rate_limited == 2
    # 0.25 s base doubling per consecutive 429, equal jitter: [0.125, 0.25] then [0.25, 0.5].
    assert 0.375 <= clock.now - started <= 0.75 + 0.1
    assert app.hits(MOVIE) == 3


async def test_429_with_retry_after_waits_that_long(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb
    app.queue(MOVIE, tmdb_error(429, 25, "over the limit", {"Retry-After": "3"}))
    async with make_client(url, clock) as client:
        started = clock.now
        await client.get(MOVIE)
    assert clock.now - started == pytest.approx(3.0, abs=0.01)


async def test_a_429_slows_every_concurrent_request(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb
    app.queue("/3/movie/1", tmdb_error(429, 25, "over", {"Retry-After": "5"}))
    async with make_client(url, clock, rate=1000, concurrency=1) as client:
        pacer = client.pacer
        await asyncio.gather(*(client.get(f"/3/movie/{i}") for i in range(1, 6)))
    # Requests 2..5 queued behind the 429 and could only start after the pause.
    assert pacer.paused_until - 5.0 <= clock.now
    assert clock.now >= 1000 + 5.0


async def test_429s_have_their_own_budget(tmdb: tuple[ScriptedTMDB, str], clock: FakeClock) -> None:
    app, url = tmdb
    app.queue(MOVIE, *[tmdb_error(429, 25, "over")] * 4)
    policy = RetryPolicy(max_attempts=1, rate_limit_attempts=4)
    async with make_client(url, clock, retry=policy) as client:
        with pytest.raises(RetriesExhaustedError, match="HTTP 429"):
            await client.get(MOVIE)


async def test_25_appends_take_two_requests_merged(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb

    def details(request: web.Request) -> web.StreamResponse:
        items = request.query.get("append_to_response", "").split(",")
        blocks = {item: {"from": item} for item in items if item != "unknown_item"}
        return web.json_response({"id": 1399, "name": "GoT", **blocks})

    app.default = details
    seasons = [f"season/{n}" for n in range(22)]
    appends = [*seasons, "credits", "images", "credits", "unknown_item"]
    async with make_client(url, clock) as client:
        answer = await client.details(RecordKey(Kind.TV, 1399), appends, {"language": "en-US"})
    assert len(app.seen) == 2
    sent = [s.query["append_to_response"].split(",") for s in app.seen]
    assert [len(items) for items in sent] == [MAX_APPENDS, 5]
    assert sent[0] + sent[1] == [*seasons, "credits", "images", "unknown_item"]
    assert all(s.query["language"] == "en-US" for s in app.seen)
    assert isinstance(answer, dict)
    assert answer["id"] == 1399
    assert {k for k in answer if k not in ("id", "name")} == {*seasons, "credits", "images"}


async def test_appends_not_found_in_a_later_request(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb
    path = "/3/tv/1399"
    app.queue(path, tmdb_json({"id": 1399}), tmdb_error(404, 34, "gone"))
    appends = SUB_RESOURCES[Kind.TV] + tuple(f"season/{n}" for n in range(5))
    async with make_client(url, clock) as client:
        assert await client.details(RecordKey(Kind.TV, 1399), appends) == NotFound(path, 34)


async def test_details_without_appends_is_one_plain_request(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb
    async with make_client(url, clock) as client:
        await client.details(RecordKey(Kind.TV_EPISODE, 1399, 1, 1))
    assert app.seen[0].path == "/3/tv/1399/season/1/episode/1"
    assert "append_to_response" not in app.seen[0].query


@pytest.mark.parametrize("appends", [["credits,images"], [""], "credits"])
async def test_bad_appends_are_refused(clock: FakeClock, appends: list[str]) -> None:
    async with make_client("http://127.0.0.1:9", clock) as client:
        with pytest.raises((ValueError, TypeError)):
            await client.details(RecordKey(Kind.MOVIE, 550), appends)


async def test_configuration(tmdb: tuple[ScriptedTMDB, str], clock: FakeClock) -> None:
    app, url = tmdb
    app.queue("/3/configuration", tmdb_json({"images": {"base_url": "http://image.tmdb.org/t/p/"}}))
    async with make_client(url, clock) as client:
        assert (await client.configuration())["images"]["base_url"].startswith("http")


async def test_api_calls_need_a_credential_and_an_open_client(clock: FakeClock) -> None:
    async with TMDBClient(ClientSettings(), clock=clock) as client:
        with pytest.raises(ConfigurationError, match="TMDB_API_KEY"):
            await client.get(MOVIE)
    with pytest.raises(TMDBError, match="not open"):
        await make_client("http://127.0.0.1:9", clock).get(MOVIE)
    async with make_client("http://127.0.0.1:9", clock) as client:
        with pytest.raises(ValueError, match="not a TMDB v3 path"):
            await client.get("https://evil.example/3/movie/1")


async def test_the_secret_is_absent_from_debug_logs_and_errors(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    app, url = tmdb
    app.queue(MOVIE, reset(), truncated_body, tmdb_error(503, 9, "offline"), raw(b"{"))
    app.queue("/3/movie/2", raw(f"<html>{'x' * 190} ?api_key={V3_KEY}</html>".encode(), 400))
    app.queue("/3/movie/3", tmdb_json({"status_code": 3, "status_message": f"key {V3_KEY}"}, 403))
    caplog.set_level(logging.DEBUG)
    async with make_client(url, clock) as client:
        await client.get(MOVIE)
        with pytest.raises(TMDBAPIError) as raised:
            await client.get("/3/movie/2")
        with pytest.raises(TMDBAPIError) as raised_again:
            await client.get("/3/movie/3")
        text = repr(client) + repr(client.stats)
    for error in (raised.value, raised_again.value):
        _assert_secret_absent(_everything_about(error))
        assert V3_KEY[:8] not in error.status_message  # not even a piece of it
    _assert_secret_absent(caplog.text, text)
    for record in caplog.records:
        _assert_secret_absent(repr(vars(record)))
    assert any(getattr(r, "path", None) == MOVIE for r in caplog.records)


async def test_unreachable_host_is_a_transient_error(clock: FakeClock) -> None:
    # Port 9 (discard) is closed on 127.0.0.1: connection refused, retried, then reported.
    async with make_client(
        "http://127.0.0.1:9", clock, retry=RetryPolicy(max_attempts=2)
    ) as client:
        with pytest.raises(RetriesExhaustedError, match="ClientConnectorError") as raised:
            await client.get(MOVIE)
    # The message names the host asked and the setting that chose it.
    assert "at http://127.0.0.1:9" in str(raised.value)
    assert "check TMDB_API_URL (http://127.0.0.1:9)" in str(raised.value)
    _assert_secret_absent(_everything_about(raised.value))


async def test_a_tmdb_that_never_answers_stops_the_run_after_a_bounded_time(
    clock: FakeClock,
) -> None:
    """Every request failing the same way since the start (a wrong URL): after
    ``unreachable_after`` seconds the client gives up for good, naming the URL and the setting,
    and refuses every later request at once instead of retrying for ever."""
    policy = RetryPolicy(max_attempts=1000, unreachable_after=120.0)
    async with make_client("http://127.0.0.1:9", clock, retry=policy) as client:
        started = clock.now
        with pytest.raises(TMDBUnreachableError) as raised:
            await client.get(MOVIE)
        assert 120.0 <= clock.now - started < 200.0
        message = str(raised.value)
        assert "http://127.0.0.1:9 (TMDB_API_URL)" in message
        assert "ClientConnectorError" in message
        assert "stays queued" in message
        sleeps = len(clock.sleeps)
        with pytest.raises(TMDBUnreachableError):
            await client.get("/3/movie/551")
        assert len(clock.sleeps) == sleeps  # refused at once, no further tries
    assert action_for(raised.value) is Action.RETRY  # the run stops; the work comes back later


async def test_an_html_page_where_tmdb_should_be_is_named(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb

    async def html(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"<html>captive portal</html>", content_type="text/html")

    for _ in range(3):
        app.queue(MOVIE, html)
    async with make_client(url, clock, retry=RetryPolicy(max_attempts=3)) as client:
        with pytest.raises(
            RetriesExhaustedError, match=r"malformed JSON body \(text/html"
        ) as raised:
            await client.get(MOVIE)
    assert f"check TMDB_API_URL ({url})" in str(raised.value)


async def test_once_tmdb_has_answered_failures_are_only_retried(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb
    app.queue(MOVIE, tmdb_json({"id": 550}))
    for _ in range(10):  # aiohttp may spend two on one attempt (a reused connection)
        app.queue("/3/movie/551", reset())
    policy = RetryPolicy(max_attempts=2, base_delay=100.0, max_delay=100.0, unreachable_after=1.0)
    async with make_client(url, clock, retry=policy) as client:
        await client.get(MOVIE)
        with pytest.raises(RetriesExhaustedError):
            await client.get("/3/movie/551")


@pytest.mark.parametrize("status", [200, 400])
async def test_absurdly_nested_json_is_a_typed_error(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock, status: int
) -> None:
    app, url = tmdb
    app.queue(MOVIE, raw(b"[" * 100_000 + b"]" * 100_000, status))  # json: RecursionError
    async with make_client(url, clock) as client:
        with pytest.raises(TMDBAPIError) as raised:
            await client.get(MOVIE)
    assert raised.value.http_status == status
    assert app.hits(MOVIE) == 1  # a whole answer: retrying would get the same


async def test_the_429_that_ends_a_request_still_pauses_the_process(
    tmdb: tuple[ScriptedTMDB, str], clock: FakeClock
) -> None:
    app, url = tmdb
    app.queue(MOVIE, tmdb_error(429, 25, "over", {"Retry-After": "9"}))
    async with make_client(url, clock, retry=RetryPolicy(rate_limit_attempts=1)) as client:
        with pytest.raises(RetriesExhaustedError, match="HTTP 429"):
            await client.get(MOVIE)
        assert client.pacer.paused_until == pytest.approx(clock.now + 9.0)


async def test_appends_hidden_in_params_are_refused(clock: FakeClock) -> None:
    too_many = ",".join(f"season/{n}" for n in range(MAX_APPENDS + 1))
    async with make_client("http://127.0.0.1:9", clock) as client:
        with pytest.raises(ValueError, match="append_to_response"):
            # Would silently drop "images" (overwritten by the appends) or pass 21 items on.
            await client.details(
                RecordKey(Kind.MOVIE, 550), ["credits"], {"append_to_response": "images"}
            )
        with pytest.raises(ValueError, match="append_to_response"):
            await client.get("/3/tv/1399", {"append_to_response": too_many})
    assert clock.sleeps == []  # refused before any request
