"""The fake TMDB's /3/ API over real HTTP: shapes, appends, auth, errors, changes."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tmdb_collector.fake import ChangedEntry, FakeSettings, FakeTMDB, JSONObject, SettingsError
from tmdb_collector.fake._configuration import CONFIGURATION
from tmdb_collector.kinds import SUB_RESOURCES, Kind, RecordKey

from .catalogs import RecordlessCatalog

KEY = {"api_key": "any-key"}
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ0ZXN0In0.c2lnbmF0dXJl"
NOT_FOUND = {
    "success": False,
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
}
INVALID_ID = {
    "success": False,
    "status_code": 6,
    "status_message": "Invalid id: The pre-requisite id is invalid or not found.",
}
INVALID_KEY = {
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
    "success": False,
}


async def get(
    session: aiohttp.ClientSession,
    url: str,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    query = KEY if params is None else params
    async with session.get(url, params=query, headers=headers) as response:
        assert response.headers["Content-Type"] == "application/json;charset=utf-8"
        return response.status, await response.json()


def fixture_files(root: Path) -> Iterator[tuple[RecordKey, Path]]:
    for kind in (Kind.MOVIE, Kind.TV, Kind.PERSON, Kind.COLLECTION, Kind.COMPANY):
        for path in sorted((root / kind.value).glob("*.json")):
            yield RecordKey(kind, int(path.stem)), path
    for kind in (Kind.NETWORK, Kind.KEYWORD):
        for path in sorted((root / kind.value).glob("*.json")):
            yield RecordKey(kind, int(path.stem)), path
    for path in sorted(root.glob("tv/*/season/*.json")):
        yield RecordKey(Kind.TV_SEASON, int(path.parts[-3]), int(path.stem)), path
    for path in sorted(root.glob("tv/*/season/*/episode/*.json")):
        key = RecordKey(Kind.TV_EPISODE, int(path.parts[-5]), int(path.parts[-3]), int(path.stem))
        yield key, path


def load(path: Path) -> JSONObject:
    value: JSONObject = json.loads(path.read_text(encoding="utf-8"))
    return value


# -- details and append_to_response ---------------------------------------------------------


async def test_each_fixture_comes_back_unchanged_with_its_appends(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession, shared_fixtures: Path
) -> None:
    files = list(fixture_files(shared_fixtures))
    assert len(files) == 11
    for key, path in files:
        expected = load(path)
        appends = [name for name in expected if name in SUB_RESOURCES[key.kind]]
        params = {**KEY, "append_to_response": ",".join(appends)}
        status, body = await get(http_session, fixture_fake.url + key.api_path, params)
        assert status == 200, path
        assert body == expected, path


async def test_details_without_appends_is_the_base_object(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    status, body = await get(http_session, f"{fixture_fake.url}/3/movie/550")
    assert status == 200
    assert body["title"] == "Fight Club"
    assert not set(body) & set(SUB_RESOURCES[Kind.MOVIE])


async def test_season_appends_return_whole_seasons_without_their_id(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession, shared_fixtures: Path
) -> None:
    season = load(shared_fixtures / "tv" / "1399" / "season" / "1.json")
    expected = {
        k: v for k, v in season.items() if k != "id" and k not in SUB_RESOURCES[Kind.TV_SEASON]
    }
    # Seasons 2 and 99 are not in the fixtures: silently omitted, as TMDB omits missing ones.
    params = {**KEY, "append_to_response": "season/1,season/2,season/99,credits"}
    status, body = await get(http_session, f"{fixture_fake.url}/3/tv/1399", params)
    assert status == 200
    assert body["season/1"] == expected
    assert len(body["season/1"]["episodes"]) == len(season["episodes"])
    assert "season/2" not in body
    assert "season/99" not in body
    assert "credits" in body


async def test_unknown_wrong_namespace_and_duplicate_appends(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    appends = "credits,credits,bogus,combined_credits,season/1, images"
    params = {**KEY, "append_to_response": appends}
    status, body = await get(http_session, f"{fixture_fake.url}/3/movie/550", params)
    assert status == 200
    assert "credits" in body
    assert "images" in body
    for absent in ("bogus", "combined_credits", "season/1"):
        assert absent not in body
    assert "id" not in body["credits"]


async def test_more_than_twenty_appends_is_400_code_27(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    url = f"{fixture_fake.url}/3/tv/1399"
    twenty = ",".join(f"season/{n}" for n in range(20))
    status, _ = await get(http_session, url, {**KEY, "append_to_response": twenty})
    assert status == 200
    status, body = await get(http_session, url, {**KEY, "append_to_response": twenty + ",x"})
    assert status == 400
    assert body == {
        "success": False,
        "status_code": 27,
        "status_message": (
            "Too many append to response objects: The maximum number of remote calls is 20."
        ),
    }


# -- stand-alone sub-resources ------------------------------------------------------------------


async def test_standalone_sub_resources_carry_the_record_id_first(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession, shared_fixtures: Path
) -> None:
    movie = load(shared_fixtures / "movie" / "550.json")
    status, body = await get(http_session, f"{fixture_fake.url}/3/movie/550/credits")
    assert status == 200
    assert next(iter(body)) == "id"
    assert body == {"id": 550, **movie["credits"]}
    # watch/providers holds a slash and is still one sub-resource.
    status, body = await get(http_session, f"{fixture_fake.url}/3/movie/550/watch/providers")
    assert (status, body) == (200, {"id": 550, **movie["watch/providers"]})
    # TMDB's document shows no id for similar (nor recommendations, changes).
    status, body = await get(http_session, f"{fixture_fake.url}/3/movie/550/similar")
    assert (status, body) == (200, movie["similar"])
    # A season's and an episode's sub-resources carry the season's and the episode's own id.
    status, body = await get(http_session, f"{fixture_fake.url}/3/tv/1399/season/1/credits")
    assert (status, body["id"]) == (200, 3624)
    url = f"{fixture_fake.url}/3/tv/1399/season/1/episode/1/external_ids"
    status, body = await get(http_session, url)
    assert (status, body["id"]) == (200, 63056)


async def test_standalone_sub_resource_missing_from_the_fixture_is_404(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    # person/287 was captured without appends; the fake does not invent blocks.
    status, body = await get(http_session, f"{fixture_fake.url}/3/person/287/images")
    assert (status, body) == (404, NOT_FOUND)
    status, body = await get(http_session, f"{fixture_fake.url}/3/movie/1/credits")
    assert (status, body) == (404, NOT_FOUND)


async def test_paged_sub_resources_page_beyond_one_and_past_500(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession, shared_fixtures: Path
) -> None:
    reviews = load(shared_fixtures / "movie" / "550.json")["reviews"]
    url = f"{fixture_fake.url}/3/movie/550/reviews"
    status, body = await get(http_session, url, {**KEY, "page": "2"})
    assert status == 200
    assert (body["page"], body["results"]) == (2, [])
    assert body["total_results"] == reviews["total_results"]
    status, body = await get(http_session, url, {**KEY, "page": "501"})
    assert (status, body) == (422, {"errors": ["page must be less than or equal to 500"]})


# -- credentials --------------------------------------------------------------------------------


async def test_credentials_as_api_key_or_bearer_jwt(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    url = f"{fixture_fake.url}/3/keyword/1701"
    assert (await get(http_session, url))[0] == 200
    bearer = {"Authorization": f"Bearer {JWT}"}
    assert (await get(http_session, url, {}, bearer))[0] == 200
    assert await get(http_session, url, {}) == (401, INVALID_KEY)
    assert await get(http_session, url, {"api_key": ""}) == (401, INVALID_KEY)
    # A v3 key sent as Bearer is rejected, as the real API does.
    v3_as_bearer = {"Authorization": "Bearer 0123456789abcdef0123456789abcdef"}
    assert await get(http_session, url, {}, v3_as_bearer) == (401, INVALID_KEY)


async def test_configured_api_key_is_the_only_credential_accepted(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    url = f"{fixture_fake.url}/3/keyword/1701"
    fixture_fake.settings.api_key = JWT
    assert (await get(http_session, url, {"api_key": JWT}))[0] == 200
    assert (await get(http_session, url, {}, {"Authorization": f"Bearer {JWT}"}))[0] == 200
    assert await get(http_session, url, {"api_key": "other"}) == (401, INVALID_KEY)
    other_jwt = {"Authorization": f"Bearer {JWT}x"}
    assert await get(http_session, url, {}, other_jwt) == (401, INVALID_KEY)


# -- not found ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/3/movie/1", NOT_FOUND),
        ("/3/tv/550", NOT_FOUND),  # movie 550 exists; tv ids are another id space
        ("/3/tv/1399/season/5", NOT_FOUND),
        ("/3/tv/1399/season/1/episode/2", NOT_FOUND),
        ("/3/keyword/1", NOT_FOUND),
        ("/3/movie/550/account_states", NOT_FOUND),
        ("/3/movie/550/bogus", NOT_FOUND),
        ("/3/nothing/here", NOT_FOUND),
        ("/3/movie", NOT_FOUND),
        ("/elsewhere", NOT_FOUND),
        ("/3/movie/0", INVALID_ID),
        ("/3/movie/abc", INVALID_ID),
        ("/3/person/-5", INVALID_ID),
        ("/3/tv/1399/season/x", INVALID_ID),
    ],
)
async def test_not_found_and_invalid_ids(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession, path: str, expected: JSONObject
) -> None:
    assert await get(http_session, fixture_fake.url + path) == (404, expected)


# -- configuration -------------------------------------------------------------------------------


async def test_configuration_is_the_recorded_one(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession, shared_fixtures: Path
) -> None:
    status, body = await get(http_session, f"{fixture_fake.url}/3/configuration")
    assert (status, body) == (200, load(shared_fixtures / "configuration.json"))


async def test_built_in_configuration_is_the_fixture_copy(
    http_session: aiohttp.ClientSession, shared_fixtures: Path
) -> None:
    assert load(shared_fixtures / "configuration.json") == CONFIGURATION
    async with FakeTMDB(DayCatalog({})).run() as fake:
        status, body = await get(http_session, f"{fake.url}/3/configuration")
    assert (status, body) == (200, CONFIGURATION)


# -- changes: fixture mode ----------------------------------------------------------------------


async def test_recorded_changes_page_is_served_unchanged(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession, shared_fixtures: Path
) -> None:
    today = fixture_fake.today()
    window = {"start_date": str(today - timedelta(days=14)), "end_date": str(today)}
    for kind in ("movie", "tv", "person"):
        recorded = load(shared_fixtures / "changes" / f"{kind}.json")
        url = f"{fixture_fake.url}/3/{kind}/changes"
        assert await get(http_session, url) == (200, recorded)
        assert await get(http_session, url, {**KEY, **window}) == (200, recorded)
        # The recorded totals claim more pages than were captured: those pages are empty.
        status, body = await get(http_session, url, {**KEY, "page": "2"})
        assert status == 200
        assert body == {**recorded, "page": 2, "results": []}


@pytest.mark.parametrize(
    ("params", "status", "body"),
    [
        (
            {"start_date": "2026-08-01", "end_date": "2026-08-16"},
            422,
            {
                "success": False,
                "status_code": 20,
                "status_message": "Invalid date range: Should be a range no longer than 14 days.",
            },
        ),
        ({"page": "501"}, 422, {"errors": ["page must be less than or equal to 500"]}),
        ({"start_date": "yesterday"}, 400, None),
        ({"page": "0"}, 400, None),
        # Python refuses int() on 4300+ digits; still a page past 500, not a server crash.
        ({"page": "9" * 5000}, 422, {"errors": ["page must be less than or equal to 500"]}),
        # The default start, the day before, would be before year 1.
        ({"end_date": "0001-01-01"}, 200, None),
    ],
)
async def test_changes_rejects_bad_windows_and_pages(
    fixture_fake: FakeTMDB,
    http_session: aiohttp.ClientSession,
    params: dict[str, str],
    status: int,
    body: JSONObject | None,
) -> None:
    answer = await get(http_session, f"{fixture_fake.url}/3/movie/changes", {**KEY, **params})
    assert answer[0] == status
    if body is not None:
        assert answer[1] == body


# -- changes: how dates map to catalog days ------------------------------------------------------


class DayCatalog(RecordlessCatalog):
    """A catalog with scripted changes per day and nothing else: for the changes feed."""

    def __init__(self, changes: dict[int, list[int]], day: int = 0) -> None:
        super().__init__(day)
        self.changes = changes

    def changed(self, kind: Kind, day: int) -> list[ChangedEntry]:
        return [ChangedEntry(i, False) for i in self.changes.get(day, [])]

    def export_lines(self, export_name: str, day: int) -> Iterator[bytes]:
        yield from (b'{"id":%d,"name":"n"}' % i for i in range(day * 10, day * 10 + 3))


TODAY = date(2026, 8, 27)


async def test_changes_window_is_the_union_of_its_days_paged_by_100(
    http_session: aiohttp.ClientSession,
) -> None:
    catalog = DayCatalog({8: [1, 2, 3], 9: [3, 4], 10: list(range(1000, 1250))}, day=10)
    async with FakeTMDB(catalog, today=lambda: TODAY).run() as fake:
        url = f"{fake.url}/3/tv/changes"

        async def ids(start: date, end: date, page: int = 1) -> tuple[list[int], JSONObject]:
            params = {**KEY, "start_date": str(start), "end_date": str(end), "page": str(page)}
            status, body = await get(http_session, url, params)
            assert status == 200
            return [item["id"] for item in body["results"]], body

        yesterday = TODAY - timedelta(days=1)
        assert (await ids(TODAY - timedelta(days=2), yesterday))[0] == [1, 2, 3, 4]
        first, body = await ids(TODAY - timedelta(days=14), TODAY)
        assert (body["total_results"], body["total_pages"]) == (254, 3)
        second, _ = await ids(TODAY - timedelta(days=14), TODAY, 2)
        third, _ = await ids(TODAY - timedelta(days=14), TODAY, 3)
        assert len(first) == len(second) == 100
        assert first + second + third == [1, 2, 3, 4, *range(1000, 1250)]
        # No dates: the last 24 hours, i.e. yesterday and today.
        assert (await get(http_session, url))[1]["total_results"] == 252
        # A window in the future or before any change is empty, with one (empty) page.
        empty, body = await ids(TODAY + timedelta(days=1), TODAY + timedelta(days=2))
        assert (empty, body["total_pages"], body["total_results"]) == ([], 1, 0)
        assert body["results"] == []


async def test_changes_follow_the_catalog_when_it_advances(
    http_session: aiohttp.ClientSession,
) -> None:
    catalog = DayCatalog({0: [7], 1: [8]})
    async with FakeTMDB(catalog, today=lambda: TODAY).run() as fake:
        params = {**KEY, "start_date": str(TODAY), "end_date": str(TODAY)}
        _, body = await get(http_session, f"{fake.url}/3/person/changes", params)
        assert body["results"] == [{"id": 7, "adult": False}]
        async with http_session.post(f"{fake.url}/_fake/advance", params={"days": "1"}) as r:
            assert await r.json() == {"day": 1, "today": str(TODAY)}
        _, body = await get(http_session, f"{fake.url}/3/person/changes", params)
        assert body["results"] == [{"id": 8, "adult": False}]


def test_settings_object_checks_values() -> None:
    with pytest.raises(SettingsError, match="error_rate"):
        FakeSettings(error_rate=2)
    # An infinite latency would hold every request forever; NaN slips past "< 0".
    for latency in (math.inf, math.nan):
        with pytest.raises(SettingsError, match="latency"):
            FakeSettings(latency_ms=latency)
        with pytest.raises(SettingsError, match="latency"):
            FakeSettings(latency_ms=10, latency_jitter_ms=latency)
    settings = FakeSettings()
    with pytest.raises(SettingsError, match="unknown setting"):
        settings.update({"rate_limit": 5, "speed": 1})
    assert settings.rate_limit is None  # all or nothing
    settings.update({"rate_limit": 5, "latency_ms": 10})
    assert settings.to_json()["rate_limit"] == 5
    assert settings.to_json()["latency_ms"] == 10.0
    assert FakeSettings(api_key="secret").to_json()["api_key"] == "(set)"
