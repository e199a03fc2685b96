"""The demo, the README's main command: reads every record of a synthetic TMDB, and says so."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rich.console import Console

from tmdb_collector._demo import read_fake_tmdb, render_report
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake._synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS, Kind

COUNTS = dict.fromkeys(EXPORT_KINDS, 20) | {Kind.TV: 5}


async def test_demo_fetches_every_exported_record_and_the_changes() -> None:
    catalog = SyntheticCatalog(COUNTS, seed=3)
    async with FakeTMDB(catalog, FakeSettings(rate_limit=1000)).run() as fake:
        report = await read_fake_tmdb(fake.url)
    for kind in EXPORT_KINDS:
        assert report.export_ids[kind] > 0, kind
        # Adult records are only in the adult exports, so every exported id must be fetched.
        assert report.records[kind] == report.export_ids[kind], kind
        assert report.json_bytes[kind] > 0, kind
    assert report.records[Kind.TV_SEASON] >= report.records[Kind.TV]
    assert report.records[Kind.TV_EPISODE] >= report.records[Kind.TV_SEASON]
    # A day passed: at least one movie and one person changed (20 records each guarantee it).
    assert report.changed[Kind.MOVIE] >= 1
    assert report.changed[Kind.PERSON] >= 1
    assert report.fake_rate_limited == 0
    assert report.sample["id"] > 0
    assert "credits" in report.sample

    console = Console(record=True, width=120)
    for renderable in render_report(report):
        console.print(renderable)
    text = console.export_text()
    assert "tv_episode" in text
    assert "429s from the fake: 0" in text


@pytest.mark.slow
def test_demo_command_runs_end_to_end() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tmdb_collector", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "record requests" in result.stdout
    assert "sample: movie" in result.stdout
