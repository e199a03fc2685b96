"""``make_api_app``: the ``/3/`` API over any APISource, as a server other than the fake uses it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tmdb_collector.kinds import Kind
from tmdb_collector.tmdbapi import (
    JSON_CONTENT_TYPE,
    ChangedEntry,
    ChangesWindow,
    ErrorAnswer,
    answer_errors,
    make_api_app,
)

from .memory import MemorySource, small_source

TODAY = date(2026, 8, 27)
KEY = "secret"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ0ZXN0In0.c2lnbmF0dXJl"
NOT_FOUND = ErrorAnswer.not_found().to_json()
INVALID_KEY = ErrorAnswer.invalid_api_key().to_json()


@pytest.fixture
def source() -> MemorySource:
    source = small_source()
    source.changed[Kind.MOVIE] = [ChangedEntry(i, False) for i in range(150)]
    return source


async def serve(app: web.Application) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
async def client(source: MemorySource) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async for client in serve(make_api_app(source, api_key=KEY, today=lambda: TODAY)):
        yield client


async def get(
    client: TestClient[web.Request, web.Application],
    path: str,
    method: str = "GET",
    **params: str,
) -> tuple[int, Any]:
    async with client.request(method, path, params={"api_key": KEY, **params}) as response:
        assert response.headers["Content-Type"] == JSON_CONTENT_TYPE
        return response.status, await response.json()


async def test_details_with_appends(client: TestClient[web.Request, web.Application]) -> None:
    status, body = await get(client, "/3/tv/1399", append_to_response="season/1,images")
    assert status == 200
    assert body["season/1"] == {"name": "Season 1", "episodes": []}


async def test_standalone_sub_resource_and_its_pages(
    client: TestClient[web.Request, web.Application],
) -> None:
    assert await get(client, "/3/movie/550/credits") == (200, {"id": 550, "cast": [], "crew": []})
    status, body = await get(client, "/3/movie/550/reviews", page="2")
    assert (status, body["page"], body["results"]) == (200, 2, [])
    assert (await get(client, "/3/movie/550/reviews", page="501"))[0] == 422
    # page means nothing to a list that is not paged.
    assert (await get(client, "/3/movie/550/credits", page="x"))[0] == 200


async def test_changes_pass_the_window_and_page_to_the_source(
    client: TestClient[web.Request, web.Application], source: MemorySource
) -> None:
    status, body = await get(client, "/3/movie/changes", page="2")
    assert (status, body["total_results"], len(body["results"])) == (200, 150, 50)
    assert source.windows == [ChangesWindow(date(2026, 8, 26), TODAY)]
    status, _ = await get(client, "/3/movie/changes", start_date="2026-01-01")
    assert status == 422


async def test_configuration(client: TestClient[web.Request, web.Application]) -> None:
    status, body = await get(client, "/3/configuration")
    assert (status, body["images"]["base_url"]) == (200, "http://image.tmdb.org/t/p/")


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/3/movie/1", "GET"),
        ("/3/movie/550/bogus", "GET"),
        ("/3/movie/550", "POST"),
        ("/elsewhere", "GET"),
        ("/", "GET"),
    ],
)
async def test_what_nothing_serves_is_tmdbs_404(
    client: TestClient[web.Request, web.Application], path: str, method: str
) -> None:
    assert await get(client, path, method) == (404, NOT_FOUND)


async def test_only_the_configured_credential_is_accepted(
    client: TestClient[web.Request, web.Application],
) -> None:
    assert await get(client, "/3/movie/550", api_key="other") == (401, INVALID_KEY)
    bearer = {"Authorization": f"Bearer {KEY}"}  # not a JWT: TMDB refuses a v3 key as Bearer
    async with client.get("/3/movie/550", headers=bearer) as response:
        assert response.status == 401


async def test_without_a_configured_key_any_credential_but_an_empty_one(
    source: MemorySource,
) -> None:
    async for client in serve(make_api_app(source)):
        assert (await get(client, "/3/movie/550", api_key="anything"))[0] == 200
        assert await get(client, "/3/movie/550", api_key="") == (401, INVALID_KEY)
        async with client.get("/3/movie/550", headers={"Authorization": f"Bearer {JWT}"}) as ok:
            assert ok.status == 200


async def test_answer_errors_lets_other_answers_through() -> None:
    async def teapot(request: web.Request) -> web.StreamResponse:
        return web.Response(status=418)

    app = web.Application(middlewares=[web.middleware(answer_errors)])
    app.router.add_get("/tea", teapot)
    async for client in serve(app):
        async with client.get("/tea") as response:
            assert response.status == 418
