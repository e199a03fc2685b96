"""FixtureCatalog on its own: what it reads from a fixture directory and what it refuses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tmdb_collector.fake import FixtureCatalog, FixtureError, UnknownExportError
from tmdb_collector.kinds import Kind, RecordKey


def write(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


def test_base_and_blocks_split_a_fixture_by_sub_resources(shared_fixtures: Path) -> None:
    catalog = FixtureCatalog(shared_fixtures)
    key = RecordKey(Kind.MOVIE, 550)
    base = catalog.base(key)
    assert base is not None
    assert "credits" not in base
    assert base["title"] == "Fight Club"
    credits = catalog.block(key, "credits")
    assert credits is not None
    assert "cast" in credits
    assert catalog.block(key, "changes") is None  # not captured
    assert catalog.block(key, "title") is None  # a base field, not a block
    # Fresh copies: a caller may change what it gets.
    base["title"] = "changed"
    assert catalog.base(key)["title"] == "Fight Club"  # type: ignore[index]
    assert catalog.base(RecordKey(Kind.MOVIE, 551)) is None


def test_changed_is_the_recorded_page_every_day(shared_fixtures: Path) -> None:
    catalog = FixtureCatalog(shared_fixtures)
    recorded = json.loads((shared_fixtures / "changes" / "tv.json").read_text(encoding="utf-8"))
    ids = [entry.id for entry in catalog.changed(Kind.TV, 0)]
    assert ids == [item["id"] for item in recorded["results"]]
    catalog.advance(5)
    assert catalog.day == 5
    assert [entry.id for entry in catalog.changed(Kind.TV, 5)] == ids


def test_adult_records_are_only_in_adult_exports(tmp_path: Path, shared_fixtures: Path) -> None:
    shutil.copytree(shared_fixtures, tmp_path, dirs_exist_ok=True)
    movie = json.loads((tmp_path / "movie" / "550.json").read_text(encoding="utf-8"))
    write(tmp_path / "movie" / "7.json", movie | {"id": 7, "adult": True, "original_title": "X"})
    catalog = FixtureCatalog(tmp_path)
    adult = [json.loads(line) for line in catalog.export_lines("adult_movie", 0)]
    main = [json.loads(line) for line in catalog.export_lines("movie", 0)]
    assert adult == [
        {"adult": True, "id": 7, "original_title": "X", "popularity": 24.1745, "video": False}
    ]
    assert [line["id"] for line in main] == [550]
    with pytest.raises(UnknownExportError):
        list(catalog.export_lines("genre", 0))


def test_broken_fixture_directories_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="does not exist"):
        FixtureCatalog(tmp_path / "missing")
    write(tmp_path / "movie" / "fight-club.json", {"id": 550})
    with pytest.raises(FixtureError, match="not named like a movie"):
        FixtureCatalog(tmp_path)
    (tmp_path / "movie" / "fight-club.json").unlink()
    write(tmp_path / "tv" / "5" / "season" / "1.json", {"id": 9})
    with pytest.raises(FixtureError, match="belongs to series 5"):
        FixtureCatalog(tmp_path)
    write(tmp_path / "tv" / "5.json", {"id": 6})
    catalog = FixtureCatalog(tmp_path)
    with pytest.raises(FixtureError, match="holds id 6"):
        catalog.base(RecordKey(Kind.TV, 5))
