"""``serve`` answers as TMDB does: every fixture record and block as the fake served it, TMDB's
errors, find, search, changes and exports, caching headers — and a third-party client works."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import tmdbsimple  # type: ignore[import-untyped]

from conftest import FIXTURE_KEYS
from openapi import template_for, violations
from serve.conftest import KEY, Running, get, serve_in_thread
from tmdb_collector.fake import FakeTMDB
from tmdb_collector.kinds import SUB_RESOURCES, Kind, RecordKey
from tmdb_collector.store import RecordDeletion, open_object_store, open_record_store


def both(fake: FakeTMDB, served: Running, path: str) -> tuple[Any, Any]:
    separator = "&" if "?" in path else "?"
    ours = get(f"{served.url}{path}{separator}api_key={KEY}")
    theirs = get(f"{fake.url}{path}{separator}api_key={KEY}")
    assert ours.status == theirs.status, (path, ours.body[:300], theirs.body[:300])
    return ours.json(), theirs.json()


@pytest.mark.parametrize("key", FIXTURE_KEYS, ids=str)
def test_every_record_and_block_is_what_the_fake_served(
    fake: FakeTMDB, served: Running, key: RecordKey
) -> None:
    subs = SUB_RESOURCES[key.kind]
    ours, theirs = both(fake, served, key.api_path)
    assert ours == theirs
    if subs:
        ours, theirs = both(fake, served, f"{key.api_path}?append_to_response={','.join(subs)}")
        assert ours == theirs
        assert not violations(template_for(key.api_path), ours)
    for name in subs:
        ours_answer = get(f"{served.url}{key.api_path}/{name}?api_key={KEY}")
        theirs_answer = get(f"{fake.url}{key.api_path}/{name}?api_key={KEY}")
        assert ours_answer.status == theirs_answer.status, (key, name)
        if theirs_answer.status == 200:
            assert ours_answer.json() == theirs_answer.json(), (key, name)
            path = f"{key.api_path}/{name}"
            assert not violations(template_for(path), ours_answer.json()), path
        else:  # the capture lacks the block: not in the mirror either, and said so
            assert ours_answer.json()["status_code"] == 34
            assert "TMDB sent no" in ours_answer.json()["status_message"]


def test_a_series_appends_its_seasons(fake: FakeTMDB, served: Running) -> None:
    ours, theirs = both(fake, served, "/3/tv/1399?append_to_response=season/1,credits,season/7")
    assert ours == theirs
    assert "season/1" in ours
    assert "id" not in ours["season/1"]
    assert "season/7" not in ours  # not in the fixtures, so not mirrored: left out, as TMDB does


def test_tmdb_errors(served: Running) -> None:
    def answer(path: str, **headers: str) -> tuple[int, Any]:
        got = get(served.url + path, headers)
        return got.status, got.json()

    assert answer("/3/movie/551") == (
        404,
        {
            "success": False,
            "status_code": 34,
            "status_message": "The resource you requested could not be found.",
        },
    )
    status, body = answer("/3/movie/abc")
    assert (status, body["status_code"]) == (404, 6)
    many = ",".join(["credits"] * 21)
    status, body = answer(f"/3/movie/550?append_to_response={many}")
    assert (status, body["status_code"]) == (400, 27)
    status, body = answer("/3/movie/550?append_to_response=credits,nonsense,season/1")
    assert status == 200
    assert "credits" in body
    assert "nonsense" not in body
    assert "season/1" not in body
    status, body = answer("/3/movie/changes?start_date=2026-01-01&end_date=2026-02-01")
    assert (status, body["status_code"]) == (422, 20)
    status, body = answer("/3/search/movie?query=x&page=0")
    assert (status, body["status_code"]) == (400, 22)
    # Episode 2 was stored as its season lists it (its own endpoint answered 404): its
    # sub-resources were never mirrored, and the answer says how to get them.
    status, body = answer("/3/tv/1399/season/1/episode/2/credits")
    assert (status, body["status_code"]) == (404, 34)
    assert "EPISODE_DETAILS=true" in body["status_message"]


def test_tmdbs_configuration_as_the_harvester_kept_it(
    fake: FakeTMDB, served: Running, mirrored: Path, tmp_path: Path
) -> None:
    ours, theirs = both(fake, served, "/3/configuration")
    assert ours == theirs
    assert ours["images"]["secure_base_url"]
    assert not violations(template_for("/3/configuration"), ours)
    store = tmp_path / "without"
    shutil.copytree(mirrored, store)
    (store / "state" / "tmdb" / "configuration.json").unlink()
    with serve_in_thread(store) as running:
        missing = get(f"{running.url}/3/configuration")
        assert (missing.status, missing.json()["status_code"]) == (404, 34)
        assert "the next harvest keeps it" in missing.json()["status_message"]


def test_caching_headers_and_gzip(served: Running) -> None:
    url = f"{served.url}/3/movie/550?append_to_response=credits,images"
    first = get(url)
    assert first.status == 200
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert first.headers["Content-Type"] == "application/json;charset=utf-8"
    assert get(url, {"If-None-Match": etag}).status == 304
    assert get(url, {"If-None-Match": '"other"'}).status == 200
    # Another append set is another representation.
    assert get(f"{served.url}/3/movie/550?append_to_response=credits").headers["ETag"] != etag
    zipped = get(url, {"Accept-Encoding": "gzip"})
    assert zipped.headers.get("Content-Encoding") == "gzip"
    assert json.loads(gzip.decompress(zipped.body)) == first.json()
    health = get(f"{served.url}/health")
    assert health.status == 200
    assert health.json()["status"] == "ok"


def test_an_access_key_is_asked_for_and_never_logged(
    mirrored: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "serve-secret-123"  # noqa: S105 - a test credential
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    with caplog.at_level("INFO"), serve_in_thread(mirrored, access_key=secret) as running:
        assert get(f"{running.url}/3/movie/550").status == 401
        assert get(f"{running.url}/3/movie/550").json()["status_code"] == 7
        assert get(f"{running.url}/3/movie/550?api_key=wrong").status == 401
        assert get(f"{running.url}/3/movie/550?api_key={secret}").status == 200
        assert get(f"{running.url}/health").status == 200
    with serve_in_thread(mirrored, access_key=jwt) as running:
        bearer = {"Authorization": f"Bearer {jwt}"}
        assert get(f"{running.url}/3/movie/550", bearer).status == 200
    lines = [record for record in caplog.records if record.name == "tmdb_collector.serve.access"]
    assert len(lines) >= 5
    assert all(secret not in str(vars(record)) for record in caplog.records)
    assert any(getattr(record, "path", None) == "/3/movie/550" for record in lines)


def test_find_by_external_id(served: Running) -> None:
    found = get(f"{served.url}/3/find/tt0137523?external_source=imdb_id").json()
    assert [r["id"] for r in found["movie_results"]] == [550]
    assert found["movie_results"][0]["media_type"] == "movie"
    assert found["movie_results"][0]["title"] == "Fight Club"
    assert found["person_results"] == found["tv_results"] == []
    assert not violations(template_for("/3/find/x"), found)
    series = get(f"{served.url}/3/find/121361?external_source=tvdb_id").json()
    assert [r["id"] for r in series["tv_results"]] == [1399]
    person = get(f"{served.url}/3/find/nm0000093?external_source=imdb_id").json()
    assert [r["id"] for r in person["person_results"]] == [287]
    bad = get(f"{served.url}/3/find/tt0137523?external_source=netflix")
    assert (bad.status, bad.json()["status_code"]) == (400, 47)


def test_search_titles_and_names(served: Running) -> None:
    found = get(f"{served.url}/3/search/movie?query=fight").json()
    assert [r["id"] for r in found["results"]] == [550]
    assert (found["page"], found["total_pages"], found["total_results"]) == (1, 1, 1)
    assert found["results"][0]["genre_ids"]
    assert not violations(template_for("/3/search/movie"), found)
    assert [r["id"] for r in get(f"{served.url}/3/search/tv?query=thrones").json()["results"]] == [
        1399
    ]
    people = get(f"{served.url}/3/search/person?query=brad%20pi").json()["results"]
    assert [r["id"] for r in people] == [287]
    # known_for comes from the person's stored combined_credits, when the capture has them.
    person = json.loads(get(f"{served.url}/3/person/287/combined_credits").body)
    if "cast" in person:
        assert 0 < len(people[0]["known_for"]) <= 3
    else:
        assert "known_for" not in people[0]
    for path, query in [
        ("tv", "game"),
        ("person", "brad"),
        ("collection", "collection"),
        ("company", "lucasfilm"),
        ("keyword", "a"),
    ]:
        answer = get(f"{served.url}/3/search/{path}?query={query}").json()
        assert not violations(template_for(f"/3/search/{path}"), answer), path
    assert get(f"{served.url}/3/search/company?query=lucas").json()["results"][0]["id"] == 1
    # Translated and alternative titles are matched too (ranked below title matches).
    for other in ("club%20de%20la%20lucha", "podziemny", "borilacki"):
        answer = get(f"{served.url}/3/search/movie?query={other}").json()
        assert [r["id"] for r in answer["results"]] == [550], other
    assert get(f"{served.url}/3/search/movie?query=zzzz").json()["results"] == []
    assert get(f"{served.url}/3/search/movie").json()["total_results"] == 0
    assert get(f"{served.url}/3/search/network?query=x").status == 404


def test_changes_and_exports_come_from_the_index(served: Running) -> None:
    changes = get(f"{served.url}/3/movie/changes").json()
    assert 550 in [entry["id"] for entry in changes["results"]]
    assert not violations(template_for("/3/movie/changes"), changes)
    for kind in ("tv", "person"):
        answer = get(f"{served.url}/3/{kind}/changes").json()
        assert not violations(template_for(f"/3/{kind}/changes"), answer), kind
    tv = get(f"{served.url}/3/tv/changes").json()
    assert [entry["id"] for entry in tv["results"]] == [1399]
    today = datetime.now(UTC).date()
    export = get(f"{served.url}/p/exports/movie_ids_{today:%m_%d_%Y}.json.gz")
    assert export.status == 200
    lines = [json.loads(line) for line in gzip.decompress(export.body).splitlines()]
    assert lines == [
        {
            "adult": False,
            "id": 550,
            "original_title": "Fight Club",
            "popularity": lines[0]["popularity"],
            "video": False,
        }
    ]
    people = gzip.decompress(
        get(f"{served.url}/p/exports/person_ids_{today:%m_%d_%Y}.json.gz").body
    )
    assert sorted(json.loads(line)["id"] for line in people.splitlines()) == [31, 287]
    assert get(f"{served.url}/p/exports/movie_ids_01_01_2999.json.gz").status == 404


def test_a_deleted_record_answers_as_tmdb_and_shows_its_tombstone(
    mirrored: Path, tmp_path: Path
) -> None:
    store = tmp_path / "copy"
    shutil.copytree(mirrored, store)

    async def delete() -> None:
        records = await open_record_store(open_object_store(str(store)), writing=True)
        at = int(datetime.now(UTC).timestamp() * 1000)
        await records.write_batch([RecordDeletion(RecordKey(Kind.COMPANY, 1), "404 on fetch", at)])

    asyncio.run(delete())
    with serve_in_thread(store) as running:
        gone = get(f"{running.url}/3/company/1")
        assert (gone.status, gone.json()["status_code"]) == (404, 34)
        assert gone.headers["X-Mirror-Deleted-Reason"] == "404 on fetch"
        assert gone.headers["X-Mirror-Deleted-At"].endswith("Z")
        kept = get(f"{running.url}/3/company/1?include_deleted=true")
        assert kept.status == 200
        assert kept.json()["id"] == 1
        assert "X-Mirror-Deleted-At" in kept.headers


def test_tmdbsimple_works_against_serve(served: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    original = tmdbsimple.base.TMDB.__init__

    def pointed(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.base_uri = f"{served.url}/3"  # its one hard-coded base URL

    monkeypatch.setattr(tmdbsimple.base.TMDB, "__init__", pointed)
    monkeypatch.setattr(tmdbsimple, "API_KEY", KEY)
    movie = tmdbsimple.Movies(550)
    details = movie.info(append_to_response="credits,images")
    assert details["title"] == "Fight Club"
    assert "credits" in details
    assert movie.title == "Fight Club"
    assert tmdbsimple.TV(1399).info()["name"] == "Game of Thrones"
    season = tmdbsimple.TV_Seasons(1399, 1).info()
    assert season["season_number"] == 1
    assert season["episodes"]
    assert tmdbsimple.TV_Episodes(1399, 1, 1).info()["episode_number"] == 1
    assert tmdbsimple.People(287).info()["name"] == "Brad Pitt"
    found = tmdbsimple.Find("tt0137523").info(external_source="imdb_id")
    assert found["movie_results"][0]["id"] == 550
    search = tmdbsimple.Search()
    search.movie(query="Fight Club")
    assert [result["id"] for result in search.results] == [550]


def test_the_command_prints_where_it_listens_and_stops_on_sigterm(mirrored: Path) -> None:

    env = {**os.environ, "SERVE_ACCESS_KEY": "k"}
    command = [sys.executable, "-m", "tmdb_collector", "serve", "--store", str(mirrored)]
    with subprocess.Popen(  # noqa: S603 - our own command
        [*command, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("listening on http://127.0.0.1:"), line
            url = line.removeprefix("listening on ").strip()
            assert get(f"{url}/health").status == 200
            assert get(f"{url}/3/movie/550?api_key=k").json()["id"] == 550
            assert get(f"{url}/3/movie/550").status == 401
            process.send_signal(signal.SIGTERM)
            assert process.wait(30) == 0
        finally:
            process.kill()
