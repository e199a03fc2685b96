"""The demo, the README's main command: mirrors a synthetic TMDB of every kind, and says so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from tmdb_collector.app import mirror_fake_tmdb
from tmdb_collector.cli._demo import render_report
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS, Kind

COUNTS = dict.fromkeys(EXPORT_KINDS, 20) | {Kind.TV: 5}


async def test_the_demo_mirrors_every_exported_record(tmp_path: Path) -> None:
    catalog = SyntheticCatalog(COUNTS, seed=3)
    async with FakeTMDB(catalog, FakeSettings(rate_limit=1000)).run() as fake:
        report = await mirror_fake_tmdb(fake.url, str(tmp_path / "store"), rate=500)
    for kind in EXPORT_KINDS:
        assert report.records.get(kind, 0) > 0, kind
    assert report.records[Kind.TV_SEASON] >= report.records[Kind.TV]
    assert report.records[Kind.TV_EPISODE] >= report.records[Kind.TV_SEASON]
    assert report.rate_limited == 0
    assert report.sample_key is not None
    assert "credits" in report.sample
    assert 0 < report.stored_bytes < report.json_bytes

    console = Console(record=True, width=160)
    for renderable in render_report(report, "tmdb-collector"):
        console.print(renderable)
    text = console.export_text()
    assert "tv_episode" in text
    assert f"--id={report.sample_key}" in text


@pytest.mark.slow
def test_demo_command_runs_end_to_end_and_its_hint_works_as_printed(tmp_path: Path) -> None:
    """As the README runs it: the installed script, from the user's directory; the command it
    prints to try next works as printed in a fresh shell, and no server log interleaves."""
    script = Path(sys.executable).parent / "tmdb-collector"
    home = tmp_path / "home"
    home.mkdir()
    # A shell that set FAKE_TMDB_API_KEY for `fake-tmdb` (as docs/fake-tmdb.md shows): the demo
    # once exited 3 blaming TMDB_API_KEY, which the README says it does not need.
    fresh = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "FAKE_TMDB_API_KEY": "the-shells-own-fake-key",
    }
    result = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [str(script), "demo", "--store", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=home,
        env=fresh,
    )
    assert result.returncode == 0, result.stderr
    assert "429s from the fake:" in result.stdout
    assert "sample: movie" in result.stdout
    assert "note: FAKE_TMDB_API_KEY from the shell not used" in result.stdout
    assert '{"time"' not in result.stdout + result.stderr
    hint = next(line for line in result.stdout.splitlines() if line.startswith("try:"))
    printed = hint.removeprefix("try:").strip()
    assert printed.startswith(str(script)), printed  # not on PATH: the script's own path
    shown = subprocess.run(  # noqa: S603 (the command our demo printed, in a fresh shell)
        ["/bin/sh", "-c", printed],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=home,
        env=fresh,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("movie ")
    assert "content hash:" in shown.stdout
    query = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "tmdb_collector",
            "query",
            "--store",
            str(tmp_path / "demo"),
            "--type=movie",
            "--where",
            "popularity > 0",
            "--limit",
            "3",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert query.returncode == 0, query.stderr
    assert len(query.stdout.splitlines()) == 3
