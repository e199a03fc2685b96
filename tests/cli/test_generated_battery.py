"""The hostile battery, generated: every setting (from the settings definitions) and every option
of every command (from the click tree) gets bad values, and each must end in one clear line
naming the thing, exit status 2, no traceback, no credential, and nothing created or changed on
disk. A new setting or option is covered the day it is added — or this file fails, asking for
a bad value for it.

tests/cli/test_bad_inputs.py keeps the hand-written cases (files, stores, odd combinations)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from tmdb_collector.cli import main
from tmdb_collector.cli._group import _COMMANDS
from tmdb_collector.config import CONFIG_FILE, SETTINGS, Setting

SECRET = "battery-secret-key-0123456789"  # noqa: S105 (a test credential)

# --- settings -----------------------------------------------------------------------------------

#: Bad values every setting of a type must refuse (hostile, not random: what a careless operator
#: or a copy from a web page gives).
BY_TYPE: dict[type, list[str]] = {
    bool: ["maybe", "２", "yes please"],
    int: ["x", "１", "1_0", "1.5", "99999999999999999999999", "-99999999999999999999"],
    float: ["x", "nan", "inf", "-inf", "４０", "1_0", "1e999"],
    tuple: ["zzz-no-such-thing", ","],
}
#: Settings whose default says nothing of their type (text, or unset): their bad values by name.
#: An empty list needs its reason.
BY_NAME: dict[str, list[str]] = {
    "LOG_LEVEL": ["loud"],
    "LOG_FORMAT": ["yaml"],
    "ADULT": ["sometimes"],
    "TMDB_API_KEY": [f"two words {SECRET}"],
    "FAKE_TMDB_API_KEY": [f"two words {SECRET}"],
    "SERVE_ACCESS_KEY": [f"two words {SECRET}"],
    "SERVE_CHECK_SECONDS": ["-1", "3601", "soon"],
    "TMDB_API_URL": ["ftp://x", "api.themoviedb.org", f"http://u:{SECRET}@127.0.0.1:1"],
    "TMDB_EXPORTS_URL": ["ftp://x", "http://127.0.0.1:port"],
    "TMDB_STORE": ["kafka://x", "s3://", "gs://bucket"],
    "TMDB_QUEUE": ["kafka://x", "sqs://", "sqs://bad name"],
    "HARVEST_TODAY": ["tomorrow", "２０２６-01-01", "2026-13-01"],
    "METRICS_NAMESPACE": ["has spaces", "AWS/Lambda"],
    "TMDB_API_KEY_SECRET": ["has spaces"],
    "TMDB_API_KEY_PARAMETER": ["has spaces"],
    "AWS_REGION": ["eu west 1"],
    "AWS_DEFAULT_REGION": ["eu west 1"],
    "AWS_ENDPOINT_URL": ["nonsense"],
    "AWS_ENDPOINT_URL_S3": ["nonsense"],
    "AWS_ENDPOINT_URL_SQS": ["nonsense"],
    "AWS_ACCESS_KEY_ID": ["two words"],
    "AWS_SECRET_ACCESS_KEY": [f"two words {SECRET}"],
    "AWS_SESSION_TOKEN": ["two words"],
    # A named profile may be any text AWS's own tools accept; a wrong one fails when used.
    "AWS_PROFILE": [],
}


#: Settings whose form the store and the queue check (``config`` asks them, via the wiring).
CHECKED_BY_THEIR_OWNER = {"TMDB_STORE", "TMDB_QUEUE"}


def _setting_cases() -> Iterator[tuple[str, str]]:
    for setting in SETTINGS:
        if setting is CONFIG_FILE:
            continue  # names the file itself: tests/cli/test_bad_inputs.py tries it
        values = BY_NAME.get(setting.name)
        if values is None:
            values = BY_TYPE.get(type(setting.default), [])
        for value in values:
            yield setting.name, value


SETTING_CASES = list(_setting_cases())


def test_every_setting_has_bad_values_or_a_reason() -> None:
    covered = {name for name, _ in SETTING_CASES} | {
        name for name, values in BY_NAME.items() if not values
    }
    missing = [s.name for s in SETTINGS if s is not CONFIG_FILE and s.name not in covered]
    assert not missing, f"add bad values for {missing} to BY_NAME (or a reason for none)"


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize(
    ("name", "value"), SETTING_CASES, ids=[f"{n}={v!r}" for n, v in SETTING_CASES]
)
@pytest.mark.parametrize("source", ["env", "file"])
def test_a_bad_setting_is_one_clear_error(
    name: str, value: str, source: str, tmp_path: Path, isolated: None
) -> None:
    setting: Setting[Any] = next(s for s in SETTINGS if s.name == name)
    if name not in CHECKED_BY_THEIR_OWNER:
        with pytest.raises(Exception, match=name) as refused:
            setting.parse(value)
        assert refused.type.__name__ == "SettingValueError"
    args, env = ["config"], {}
    if source == "env":
        env[name] = value
    else:
        (tmp_path / "settings.toml").write_text(f"{setting.key} = {_toml(value)}\n")
        args = ["--config", str(tmp_path / "settings.toml"), *args]
    result = _invoke(args, env, tmp_path, nowhere=False)  # `config` reaches nothing
    _one_clear_error(result, name)


# --- options ------------------------------------------------------------------------------------

#: What makes each command valid apart from the option under test.
BASE: dict[str, list[str]] = {
    "export": ["--type=movie", "--format=jsonl", "--out", "OUT"],
    "history": ["--type=movie", "--id=550"],
    "query": ["--type=movie"],
    "harvest": ["--dry-run"],
    **{
        f"aws {name}": ["--stack", "a-stack"]
        for name in ("logs", "redrive", "setup-alerts", "status", "trigger", "verify")
    },
    "aws setup-alerts": ["--stack", "a-stack", "--email", "ops@example.org"],
}
#: Bad values of free-text options, by (command, option); a new one must be added here.
FREE_TEXT: dict[tuple[str, str], list[str]] = {
    **{
        (command, "--store"): ["gs://bucket", "s3://", "file:///tmp/x%00y", "kafka://x"]
        for command in (
            "compact",
            "export",
            "harvest",
            "history",
            "migrate",
            "migrate-history",
            "mirror",
            "query",
            "rebuild-index",
            "redrive",
            "status",
        )
    },
    **{
        (command, "--queue"): ["kafka://x", "sqs://", "sqs://bad name", "sqlite://x.db"]
        for command in ("harvest", "mirror", "redrive", "status")
    },
    ("harvest", "--types"): ["season", ","],
    ("mirror", "--types"): ["season", ","],
    ("compact", "--types"): ["films", ","],
    ("migrate-history", "--types"): ["films", ","],
    ("migrate", "--types"): ["films", ","],
    ("query", "--id"): ["abc", "1399/x", "999999999999999"],
    ("history", "--id"): ["abc", "-1"],
    ("query", "--where"): ["", "popularity >"],
    ("query", "--order"): ["no_such_column"],
    ("query", "--columns"): ["nope", ","],
    ("demo", "--store"): ["/dev/null/demo"],
    # Any whole number seeds: only what is no number is wrong.
    ("demo", "--seed"): ["x", "１", "1_0", "1.5"],
    ("fake-tmdb", "--seed"): ["x", "１", "1_0", "1.5"],
    ("fake-tmdb", "--fixtures"): ["/no/such/fixtures"],
    # A cache directory is created when missing: only one that cannot be is wrong.
    ("fake-tmdb", "--export-cache"): ["/dev/null/cache"],
    ("fake-tmdb", "--host"): ["bad host"],
    ("fake-tmdb", "--synthetic"): ["movie=-1", "films=3", "movie=_"],
    ("fake-tmdb", "--api-key"): ["two words"],
    ("serve", "--store"): ["/no/such/store", "kafka://x"],
    ("serve", "--host"): ["bad host"],
    ("serve", "--access-key"): ["two words"],
    **{
        (command, "--stack"): ["bad name", "1stack", "a_b"]
        for command in (
            "export",
            "history",
            "query",
            "redrive",
            "status",
            "aws logs",
            "aws redrive",
            "aws setup-alerts",
            "aws status",
            "aws trigger",
            "aws verify",
        )
    },
    ("aws setup-alerts", "--email"): ["nobody", "a b@c.d"],
    ("aws logs", "--since"): ["soon", "1w", "-1h"],
    ("aws trigger", "--types"): ["season", ","],
}
#: Bad values by parameter type.
BY_PARAM_TYPE: dict[str, list[str]] = {
    "Choice": ["no-such-choice"],
    "Integer": ["x", "１", "1_0", "1.5", "-99999999999999999999999"],
    "Number": ["x", "nan", "inf", "４"],
    "Day": ["2026-13-01", "２０２６-01-01", "2099-01-01"],
    "UTCTime": ["yesterday", "２０２６-01-01"],
    "Path": ["/no/such/dir/file"],
}


def _commands() -> Iterator[tuple[str, click.Command]]:
    """Every command, a group's subcommands by their full name ("aws status")."""
    ctx = click.Context(main)
    for name in sorted(_COMMANDS):
        command = main.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            for sub_name in sorted(command.list_commands(ctx)):
                sub = command.get_command(ctx, sub_name)
                assert sub is not None
                yield f"{name} {sub_name}", sub
        else:
            yield name, command


def _options() -> Iterator[tuple[str, click.Option]]:
    for name, command in _commands():
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag and param.name != "help":
                yield name, param


def _option_cases() -> Iterator[tuple[str, str, str]]:
    for command, option in _options():
        flag = option.opts[0]
        values = FREE_TEXT.get((command, flag))
        if values is None:
            values = BY_PARAM_TYPE.get(type(option.type).__name__, [])
        for value in values:
            yield command, flag, value


OPTION_CASES = list(_option_cases())


def test_every_option_has_bad_values() -> None:
    covered = {(command, flag) for command, flag, _ in OPTION_CASES}
    missing = [
        f"{command} {option.opts[0]} ({type(option.type).__name__})"
        for command, option in _options()
        if (command, option.opts[0]) not in covered
    ]
    assert not missing, f"add bad values for {missing} to FREE_TEXT or BY_PARAM_TYPE"


@pytest.mark.parametrize(
    ("command", "flag", "value"),
    OPTION_CASES,
    ids=[f"{c} {f}={v!r}" for c, f, v in OPTION_CASES],
)
def test_a_bad_option_is_one_clear_error(
    command: str, flag: str, value: str, tmp_path: Path, isolated: None
) -> None:
    store = tmp_path / "store"
    store.mkdir()  # a store that exists: the option is the one thing wrong
    base = [str(tmp_path / "out.jsonl") if arg == "OUT" else arg for arg in BASE.get(command, [])]
    env = {"TMDB_STORE": str(store), "TMDB_API_KEY": SECRET}
    if command in ("fake-tmdb", "serve") and flag != "--port":
        base = [*base, "--port", "0"]
    if command == "demo":
        env = {}
    result = _invoke([*command.split(), *base, flag, value], env, tmp_path)
    _one_clear_error(result, flag, value, _setting_of(flag))


def _setting_of(flag: str) -> str:
    return {"--store": "TMDB_STORE", "--queue": "TMDB_QUEUE", "--types": "MEDIA_TYPES"}.get(
        flag, flag
    )


# --- the checks ---------------------------------------------------------------------------------

#: Seconds a case may take: a refused value is refused at once; one accepted by mistake would
#: start the real work (a server, a harvest against a TMDB that refuses connections).
CASE_SECONDS = 30.0
#: Where TMDB "is" for these runs: nothing listens there, so an accepted value fails fast.
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for setting in SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)


def _tree(root: Path) -> dict[str, float]:
    return {
        str(path.relative_to(root)): path.stat().st_mtime
        for path in root.rglob("*")
        if not path.name.startswith("settings.toml")
    }


def _invoke(args: list[str], env: dict[str, str], cwd: Path, *, nowhere: bool = True) -> Result:
    """Run the CLI in ``cwd``; with ``nowhere``, TMDB is where nothing listens (a case that is
    wrongly accepted fails fast instead of harvesting for real)."""
    before = _tree(cwd)
    if nowhere:
        env = {"TMDB_API_URL": NOWHERE, "TMDB_EXPORTS_URL": NOWHERE, "TMDB_MAX_ATTEMPTS": "1"} | env
    outcome: list[Result] = []
    worker = threading.Thread(
        target=lambda: outcome.append(CliRunner().invoke(main, args, env=env)), daemon=True
    )
    worker.start()
    worker.join(CASE_SECONDS)
    assert outcome, f"`{' '.join(args)}` was accepted: it ran for {CASE_SECONDS} s"
    changed = {path for path, mtime in _tree(cwd).items() if before.get(path) != mtime}
    assert not changed, f"`{' '.join(args)}` created or changed {sorted(changed)}"
    return outcome[0]


def _one_clear_error(result: Result, *names: str) -> None:
    shown = result.output
    assert result.exit_code == 2, (result.exit_code, shown)
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in shown
    assert SECRET not in shown
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.stderr
    assert any(name and name in result.stderr for name in names), (names, result.stderr)


def test_the_checks_fail_on_what_they_look_for(tmp_path: Path, isolated: None) -> None:
    """The battery's own checks see an accepted value, a second error line and a file left
    behind (a pass above means something)."""
    ok = _invoke(["config"], {}, tmp_path)
    with pytest.raises(AssertionError):
        _one_clear_error(ok, "config")
    (tmp_path / "store").mkdir()
    writes = ["export", "--type=movie", "--format=jsonl", "--out", "x.jsonl", "--store", "store"]
    with pytest.raises(AssertionError, match="created or changed"):
        _invoke(writes, {}, tmp_path)
