"""The ``tmdb-collector`` command line: its commands, and what starting it costs."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from tmdb_collector.cli import main


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "demo" in result.output
    assert "fake-tmdb" in result.output


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["mirrror"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_starting_the_cli_loads_no_http_library() -> None:
    # Subcommands load lazily: `--version`, and later `query`, must not pay for aiohttp.
    probe = "import sys, tmdb_collector.cli; print('aiohttp' in sys.modules)"
    command = [sys.executable, "-c", probe]
    result = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    assert result.stdout.strip() == "False"


def test_reading_the_store_does_not_load_the_tmdb_client() -> None:
    """query and history only read the store: no aiohttp, collector or harvester."""
    probe = (
        "import sys, tmdb_collector.cli._query, tmdb_collector.cli._history; "
        "print(sorted(m for m in ('aiohttp', 'tmdb_collector.collect', 'tmdb_collector.harvest',"
        " 'tmdb_collector.tmdb') if m in sys.modules))"
    )
    result = subprocess.run(  # noqa: S603 (our interpreter, a fixed probe)
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
