"""Ways to run the fake: a background thread, the ``fake-tmdb`` command, a child process."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from tmdb_collector.cli._fake import fake_tmdb
from tmdb_collector.fake import (
    FakeProcessError,
    FakeSettings,
    FakeStartError,
    FakeTMDB,
    FixtureCatalog,
    start_fake_process,
)
from tmdb_collector.fake._server import MAX_ADVANCE_DAYS


def get_json(url: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own fake
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def test_run_in_thread_serves_synchronous_callers(shared_fixtures: Path) -> None:
    fake = FakeTMDB(FixtureCatalog(shared_fixtures), FakeSettings(api_key="k"))
    with fake.run_in_thread() as running:
        assert running is fake
        status, body = get_json(f"{fake.url}/3/keyword/1701?api_key=k")
        assert (status, body) == (200, {"id": 1701, "name": "hero"})
        # Calls from this thread are carried out on the server's loop.
        fake.inject(503)
        assert get_json(f"{fake.url}/3/keyword/1701?api_key=k")[0] == 503
        assert fake.advance(2) == 2
        stats = fake.stats()
        assert (stats["requests"], stats["day"], stats["faults_injected"]) == (2, 2, 1)
    with pytest.raises(FakeStartError):
        _ = fake.url


async def test_running_twice_at_once_is_refused(shared_fixtures: Path) -> None:
    fake = FakeTMDB(FixtureCatalog(shared_fixtures))
    async with fake.run():
        with pytest.raises(FakeStartError, match="already running"):
            async with fake.run():
                pass


def test_cli_prints_the_listening_line_and_stops_on_sigterm(shared_fixtures: Path) -> None:
    command = [sys.executable, "-m", "tmdb_collector", "fake-tmdb", "--port", "0"]
    command += ["--fixtures", str(shared_fixtures), "--api-key", "k", "--day", "3"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:  # noqa: S603
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            match = re.fullmatch(r"listening on (http://127\.0\.0\.1:[0-9]+)\n", line)
            assert match, line
            url = match.group(1)
            assert get_json(f"{url}/3/keyword/1701?api_key=k")[0] == 200
            assert get_json(f"{url}/3/keyword/1701?api_key=other")[0] == 401
            _, stats = get_json(f"{url}/_fake/stats")
            assert isinstance(stats, dict)
            assert stats["day"] == 3
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0


def test_start_fake_process_yields_the_url_and_stops_the_process(shared_fixtures: Path) -> None:
    with start_fake_process(["--fixtures", str(shared_fixtures), "--rate-limit", "1"]) as url:
        assert get_json(f"{url}/3/configuration?api_key=x")[0] == 200
        assert get_json(f"{url}/3/configuration?api_key=x")[0] == 429
    with pytest.raises(urllib.error.URLError):
        get_json(f"{url}/3/configuration?api_key=x")


def test_start_fake_process_reports_a_process_that_cannot_start(tmp_path: Path) -> None:
    with (
        pytest.raises(FakeProcessError, match="exited"),
        start_fake_process(["--fixtures", str(tmp_path / "missing")]),
    ):
        pass


def test_cli_refuses_more_days_than_one_advance_takes(shared_fixtures: Path) -> None:
    # A huge --day would advance for ever before listening; the address is never reached.
    args = ["--fixtures", str(shared_fixtures), "--host", "256.0.0.1", "--day"]
    result = CliRunner().invoke(fake_tmdb, [*args, str(MAX_ADVANCE_DAYS + 1)])
    assert result.exit_code == 2
    assert "--day" in result.output
