"""Bad input never crashes: every one of these is refused with a clear message that names the
thing at fault — no traceback, no exit 0, nothing half-written (issue 12: "bad inputs handled
clearly / tried" must be 100 %)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tmdb_collector.cli import main

SECRET = "do-not-print-this-key-123"  # noqa: S105 (a test credential)

#: (arguments, environment, file text or None, what the message must name).
BAD_INPUTS: list[tuple[list[str], dict[str, str], str | None, str]] = [
    # settings from the environment
    (["config"], {"VISIBILITY_TIMEOUT": "0"}, None, "VISIBILITY_TIMEOUT"),
    (["config"], {"VISIBILITY_TIMEOUT": "soon"}, None, "VISIBILITY_TIMEOUT"),
    (["config"], {"RATE_LIMIT_REQUESTS": "1e9"}, None, "RATE_LIMIT_REQUESTS"),
    (["config"], {"RATE_LIMIT_REQUESTS": "0.001"}, None, "RATE_LIMIT_REQUESTS"),
    (["config"], {"RATE_LIMIT_REQUESTS": "nan"}, None, "RATE_LIMIT_REQUESTS"),
    (["config"], {"COLLECTOR_CONCURRENCY": "-3"}, None, "COLLECTOR_CONCURRENCY"),
    (["config"], {"TMDB_REQUEST_TIMEOUT": "0"}, None, "TMDB_REQUEST_TIMEOUT"),
    (["config"], {"TMDB_API_URL": "api.themoviedb.org"}, None, "TMDB_API_URL"),
    (["config"], {"TMDB_API_URL": "http://127.0.0.1:port"}, None, "TMDB_API_URL"),
    (["config"], {"TMDB_EXPORTS_URL": "ftp://files.tmdb.org"}, None, "TMDB_EXPORTS_URL"),
    (["config"], {"TMDB_API_KEY": f"two words {SECRET}"}, None, "TMDB_API_KEY"),
    (["config"], {"MEDIA_TYPES": "movie,season"}, None, "MEDIA_TYPES"),
    (["config"], {"ADULT": "sometimes"}, None, "ADULT"),
    (["config"], {"DELETE_MAX_SHARE": "5"}, None, "DELETE_MAX_SHARE"),
    (["config"], {"CONFIRM_DELETIONS": "perhaps"}, None, "CONFIRM_DELETIONS"),
    (["config"], {"WORK_BATCH_SIZE": "20000"}, None, "WORK_BATCH_SIZE"),
    (["config"], {"APPENDS_MOVIE": "credits,cast"}, None, "APPENDS_MOVIE"),
    (["config"], {"APPENDS_TV": "season/1"}, None, "APPENDS_TV"),
    (["config"], {"EPISODE_DETAILS": "2"}, None, "EPISODE_DETAILS"),
    (["config"], {"LOG_LEVEL": "loud"}, None, "LOG_LEVEL"),
    (["config"], {"TMDB_MAX_ATTEMPTS": "0"}, None, "TMDB_MAX_ATTEMPTS"),
    (["config"], {"METRICS_NAMESPACE": "has spaces"}, None, "METRICS_NAMESPACE"),
    # the configuration file
    (["config"], {}, "visibilty_timeout = 5", "visibilty_timeout"),
    (["config"], {}, "[colector]\nx = 1", "[colector]"),
    (["config"], {}, "visibility_timeout = ", "not valid TOML"),
    (["config"], {}, "[collector]\nvisibility_timeout = -1", "VISIBILITY_TIMEOUT"),
    (["config"], {}, "refresh_per_run = 1\n[harvester]\nrefresh_per_run = 2", "set twice"),
    (["config"], {}, "tmdb_collector_config = 'x.toml'", "tmdb_collector_config"),
    (["config"], {}, "[tmdb.nested]\nx = 1", "tables do not nest"),
    (["--config", "/nonexistent/tmdb-collector.toml", "config"], {}, None, "does not exist"),
    # stores, queues and options
    (["query", "--type=movie", "--id=550", "--store", "gs://bucket"], {}, None, "gs://bucket"),
    (["query", "--type=movie", "--id=550", "--store", "s3://"], {}, None, "s3://"),
    (["status", "--queue", "kafka://x"], {}, None, "kafka://x"),
    (["status", "--queue", "sqlite://x.db"], {}, None, "sqlite://x.db"),
    (["query", "--type=movie", "--id=abc"], {}, None, "--id"),
    (["query", "--type=movie", "--id=999999999999999"], {}, None, "at most 12"),
    (["query", "--type=tv_season", "--id=1399"], {}, None, "--id"),
    (["query", "--type=film", "--id=1"], {}, None, "--type"),
    (["query", "--type=movie", "--id=550", "--version", "0"], {}, None, "--version"),
    (["query", "--type=movie", "--id=550", "--at", "yesterday"], {}, None, "yesterday"),
    (["query", "--type=movie", "--id=550", "--where", "x > 1"], {}, None, "--where"),
    (["query", "--type=movie", "--where", "no_such_column > 1"], {}, None, "no_such_column"),
    (["history", "--type=movie"], {}, None, "--id"),
    (["export", "--type=movie", "--format=csv", "--out", "x.csv"], {}, None, "--format"),
    (
        ["export", "--type=movie", "--format=jsonl", "--out", "/no/such/dir/x.jsonl"],
        {},
        None,
        "/no/such/dir/x.jsonl",
    ),
    (["harvest", "--types", "season"], {}, None, "season"),
    (["harvest", "--date", "2026-13-01"], {}, None, "--date"),
    (["mirror"], {}, None, "TMDB_API_KEY"),
    (["mirror", "--types", ""], {"TMDB_API_KEY": SECRET}, None, "MEDIA_TYPES"),
    (["redrive", "--max", "0"], {}, None, "--max"),
    (["compact", "--type", "films"], {}, None, "--type"),
    (["fake-tmdb", "--port", "70000"], {}, None, "--port"),
    (["fake-tmdb", "--synthetic", "movie=-1"], {}, None, "movie"),
    (["fake-tmdb", "--fixtures", "/nonexistent"], {}, None, "/nonexistent"),
    (["nonexistent-command"], {}, None, "nonexistent-command"),
]


@pytest.mark.parametrize(
    "case",
    BAD_INPUTS,
    ids=[f"{i:02d}-{' '.join(case[0])[:40]}" for i, case in enumerate(BAD_INPUTS)],
)
def test_a_bad_input_is_one_clear_error(
    case: tuple[list[str], dict[str, str], str | None, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(case, tmp_path, monkeypatch)
    assert result.exit_code in (1, 2), (result.exit_code, result.output)
    _assert_one_clear_line(result, case[3])


def _run(
    case: tuple[list[str], dict[str, str], str | None, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Result:
    """The case's command in ``tmp_path``, its file written, a store that exists beside it."""
    args, env, file, _ = case
    monkeypatch.chdir(tmp_path)  # no ./tmdb-collector.toml of the machine, nothing left behind
    if file is not None:
        (tmp_path / "settings.toml").write_text(file + "\n")
        args = ["--config", str(tmp_path / "settings.toml"), *args]
    store = tmp_path / "store"
    store.mkdir()  # a store that exists: each case is about its own bad input
    if args[-1] in ("query", "status") or "--store" not in args:
        env = {"TMDB_STORE": str(store), **env}
    return CliRunner().invoke(main, args, env=env)


def _assert_one_clear_line(result: Result, named: str) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert named in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.stderr
    assert SECRET not in result.output


def test_the_battery_is_large_enough_to_mean_something() -> None:
    assert len(BAD_INPUTS) >= 50


def test_the_fake_says_which_variable_it_reads() -> None:
    """Failure 9 of issue 12: fake-tmdb read FAKE_TMDB_API_KEY without --help saying so."""
    result = CliRunner().invoke(main, ["fake-tmdb", "--help"])
    assert result.exit_code == 0
    assert "FAKE_TMDB_API_KEY" in result.stdout


#: Issue "Honest answers": each was a traceback (exit 1) or was accepted silently; each is now
#: something to fix — exit status 2 and one line naming it.
MUST_BE_FIXED: list[tuple[list[str], dict[str, str], str | None, str]] = [
    # tracebacks
    (["harvest"], {"TMDB_API_URL": f"http://u:{SECRET}@127.0.0.1:9"}, None, "TMDB_API_URL"),
    (["harvest"], {"TMDB_EXPORTS_URL": f"http://u:{SECRET}@127.0.0.1:9"}, None, "user:password@"),
    (["status", "--queue", "sqs://"], {}, None, "'sqs://' names no SQS queue"),
    (["status", "--queue", "sqs://bad name"], {}, None, "1-76 ASCII letters, digits"),
    (["redrive"], {}, 'tmdb_queue = "sqlite:q\\u0000.db"', "NUL character"),
    (["query", "--type=movie", "--id=550", "--store", "file:///tmp/x%00y"], {}, None, "NUL"),
    (["query", "--type=movie", "--id=550", "--store", "~no-such-user-x/d"], {}, None, "~no-such"),
    (["query", "--type=movie", "--where", ""], {}, None, "the where clause (--where) is empty"),
    (["query", "--type=movie", "--limit", "99999999999999999999"], {}, None, "9223372036854775807"),
    (["query", "--type=movie", "--limit", "1e20"], {}, None, "not a whole number"),
    (["query", "--type=movie", "--id=1", "--at", "9999-12-31T23:00-05:00"], {}, None, "years"),
    (["redrive", "--max", "99999999999999999999999"], {}, None, "--max"),
    (["config"], {"REFRESH_MIN_AGE_HOURS": "1e308"}, None, "REFRESH_MIN_AGE_HOURS"),
    (["config"], {"IN_FLIGHT_EXPIRY_HOURS": "1e20"}, None, "IN_FLIGHT_EXPIRY_HOURS"),
    (["config"], {"AWS_REGION": "eu west 1"}, None, "AWS_REGION"),
    (["config"], {"AWS_ENDPOINT_URL_SQS": "nonsense"}, None, "AWS_ENDPOINT_URL_SQS"),
    # accepted silently
    (["config"], {}, 'tmdb_api_url = "ftp://x"', "TMDB_API_URL"),
    (["config"], {}, 'tmdb_api_key = "a b"', "TMDB_API_KEY"),
    (["config"], {"RATE_LIMIT_REQUESTS": "４０"}, None, "ASCII digits"),
    (["config"], {"COLLECTOR_CONCURRENCY": "1_0"}, None, "ASCII digits"),
    (["config"], {"APPENDS_MOVIE": ","}, None, "names nothing; leave it empty for no appends"),
    (["config"], {}, '[aws]\naws_region = ""', "[aws] aws_region: remove the line"),
    (["config"], {"TMDB_API_URL": "https://api.themoviedb.org/3"}, None, "leave out /3"),
    (["config"], {"METRICS_NAMESPACE": "AWS/Lambda"}, None, "METRICS_NAMESPACE"),
    (["fake-tmdb", "--latency-ms", "nan"], {}, None, "--latency-ms"),
    (["fake-tmdb", "--port", "８０"], {}, None, "--port"),
    (["fake-tmdb", "--synthetic", "movie=_"], {}, None, "movie=_"),
]


@pytest.mark.parametrize(
    "case",
    MUST_BE_FIXED,
    ids=[f"{i:02d}-{' '.join(case[0])[:40]}" for i, case in enumerate(MUST_BE_FIXED)],
)
def test_what_must_be_fixed_exits_2_in_one_line(
    case: tuple[list[str], dict[str, str], str | None, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(case, tmp_path, monkeypatch)
    assert result.exit_code == 2, (result.exit_code, result.output)
    _assert_one_clear_line(result, case[3])
