"""``/3/`` paths to routes, and the table of stand-alone answers that carry the record's id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tmdb_collector.kinds import SUB_RESOURCES, Kind, RecordKey
from tmdb_collector.tmdbapi import (
    PAGED_SUB_RESOURCES,
    ChangesRoute,
    ConfigurationRoute,
    ErrorAnswer,
    RecordRoute,
    Route,
    parse_api_path,
    standalone_has_id,
)


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/3/configuration", ConfigurationRoute()),
        ("/3/movie/changes", ChangesRoute(Kind.MOVIE)),
        ("/3/person/changes", ChangesRoute(Kind.PERSON)),
        ("/3/movie/550", RecordRoute(RecordKey(Kind.MOVIE, 550))),
        (
            "/3/movie/550/watch/providers",
            RecordRoute(RecordKey(Kind.MOVIE, 550), "watch/providers"),
        ),
        ("/3/tv/1399/season/0", RecordRoute(RecordKey(Kind.TV_SEASON, 1399, 0))),
        ("/3/tv/1399/season/1/credits", RecordRoute(RecordKey(Kind.TV_SEASON, 1399, 1), "credits")),
        ("/3/tv/1399/season/1/episode/2", RecordRoute(RecordKey(Kind.TV_EPISODE, 1399, 1, 2))),
        ("/3/keyword/1701", RecordRoute(RecordKey(Kind.KEYWORD, 1701))),
    ],
)
def test_paths_name_their_record_and_sub_resource(path: str, route: Route) -> None:
    assert parse_api_path(path) == route


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/3/nothing/here", 34),
        ("/3/movie", 34),
        ("/3/keyword/changes", 6),  # keywords have no changes feed; "changes" is no id
        ("/3/movie/550/bogus", 34),
        ("/3/movie/550/account_states", 34),
        ("/3/tv/1399/season/1/episode/2/reviews", 34),  # a sub-resource of another kind
        ("/3/movie/0", 6),
        ("/3/movie/abc", 6),
        ("/3/person/-5", 6),
        ("/3/tv/1399/season/x", 6),
        ("/3/movie/1234567890123", 6),
    ],
)
def test_unknown_paths_are_404_and_malformed_ids_404_code_6(path: str, code: int) -> None:
    with pytest.raises(ErrorAnswer) as raised:
        parse_api_path(path)
    assert (raised.value.status, raised.value.code) == (404, code)


def test_paged_sub_resources_are_sub_resources() -> None:
    every = {sub for subs in SUB_RESOURCES.values() for sub in subs}
    assert every >= PAGED_SUB_RESOURCES


def test_standalone_id_table_matches_the_openapi_document(shared_fixtures: Path) -> None:
    document = json.loads(
        (shared_fixtures.parent / "openapi" / "tmdb-api.json").read_text(encoding="utf-8")
    )
    prefixes = {
        Kind.MOVIE: "/3/movie/{movie_id}",
        Kind.TV: "/3/tv/{series_id}",
        Kind.TV_SEASON: "/3/tv/{series_id}/season/{season_number}",
        Kind.TV_EPISODE: "/3/tv/{series_id}/season/{season_number}/episode/{episode_number}",
        Kind.PERSON: "/3/person/{person_id}",
        Kind.COLLECTION: "/3/collection/{collection_id}",
        Kind.COMPANY: "/3/company/{company_id}",
        Kind.NETWORK: "/3/network/{network_id}",
    }
    for kind, prefix in prefixes.items():
        for sub in SUB_RESOURCES[kind]:
            operation = document["paths"][f"{prefix}/{sub}"]["get"]
            schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
            has_id = "id" in schema.get("properties", {})
            assert standalone_has_id(kind, sub) == has_id, f"{prefix}/{sub}"
