"""One configuration: defaults < a TOML file < the environment < options, as ``config --json``
shows it; unknown keys and bad values are clear errors; the credential never shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tmdb_collector.app import Wiring
from tmdb_collector.cli import main
from tmdb_collector.config import (
    APPENDS,
    COLLECTOR_CONCURRENCY,
    DEFAULT_FILE,
    DELETE_MAX_SHARE,
    FAKE_TMDB_API_KEY,
    MEDIA_TYPES,
    RATE_LIMIT_REQUESTS,
    REFRESH_PER_RUN,
    SETTINGS,
    TMDB_API_KEY,
    TMDB_REQUEST_TIMEOUT,
    TMDB_STORE,
    VISIBILITY_TIMEOUT,
    OptionValue,
    Secret,
    load_config,
)
from tmdb_collector.errors import ConfigurationError
from tmdb_collector.kinds import Kind

SECRET = "a-very-secret-v3-key-0123456789"  # noqa: S105 (a test credential)
BY_NAME = {setting.name: setting for setting in SETTINGS}

FILE = """
rate_limit_requests = 12.5          # top level
[tmdb]
tmdb_api_key = "{secret}"
tmdb_request_timeout = 9
[harvester]
media_types = ["tv", "movie"]
refresh_per_run = 7
[collector]
visibility_timeout = 120
appends_movie = "credits,images"
episode_details = true
[storage]
tmdb_store = "/from/the/file"
tmdb_queue = "sqlite:/from/the/file.db"
"""


def _config_json(
    args: list[str], env: dict[str, str]
) -> tuple[int, dict[str, dict[str, object]], str]:
    result = CliRunner().invoke(main, [*args], env=env, catch_exceptions=False)
    data = json.loads(result.stdout) if result.exit_code == 0 else {}
    return result.exit_code, data, result.output


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting (or ./tmdb-collector.toml) from the machine running the tests leaks in."""
    monkeypatch.chdir(tmp_path)
    for setting in SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)


@pytest.mark.usefixtures("isolated")
def test_config_json_shows_values_and_sources_in_priority_order(tmp_path: Path) -> None:
    config_file = tmp_path / "settings.toml"
    config_file.write_text(FILE.format(secret=SECRET))
    env = {"TMDB_REQUEST_TIMEOUT": "11", "REFRESH_PER_RUN": "8", "TMDB_STORE": "/from/env"}
    args = ["--config", str(config_file), "config", "--json"]
    code, shown, output = _config_json(args, env)
    assert code == 0, output
    assert shown["RATE_LIMIT_REQUESTS"] == {"value": 12.5, "source": "file"}
    assert shown["TMDB_REQUEST_TIMEOUT"] == {"value": 11.0, "source": "env"}  # env > file
    assert shown["REFRESH_PER_RUN"] == {"value": 8, "source": "env"}
    assert shown["MEDIA_TYPES"] == {"value": "movie,tv", "source": "file"}
    assert shown["VISIBILITY_TIMEOUT"] == {"value": 120, "source": "file"}
    assert shown["APPENDS_MOVIE"] == {"value": "credits,images", "source": "file"}
    assert shown["EPISODE_DETAILS"] == {"value": True, "source": "file"}
    assert shown["TMDB_STORE"] == {"value": "/from/env", "source": "env"}
    assert shown["TMDB_QUEUE"] == {"value": "sqlite:/from/the/file.db", "source": "file"}
    assert shown["ADULT"] == {"value": "exclude", "source": "default"}
    assert shown["TMDB_COLLECTOR_CONFIG"] == {"value": str(config_file), "source": "option"}
    assert shown["TMDB_API_KEY"] == {"value": "set", "source": "file"}
    assert set(shown) == {setting.name for setting in SETTINGS}
    assert SECRET not in output


@pytest.mark.usefixtures("isolated")
def test_options_beat_the_environment_and_the_file(tmp_path: Path) -> None:
    config_file = tmp_path / "settings.toml"
    config_file.write_text(FILE.format(secret=SECRET))
    config = load_config(
        environ={"TMDB_STORE": "/from/env", "MEDIA_TYPES": "person"},
        file=config_file,
        options={
            TMDB_STORE.name: OptionValue("/from/option", "--store"),
            MEDIA_TYPES.name: OptionValue(None, "--types"),  # not given: the env's value
        },
    )
    assert config[TMDB_STORE] == "/from/option"
    assert config.resolved(TMDB_STORE).source == "option"
    assert config[MEDIA_TYPES] == (Kind.PERSON,)
    assert config.resolved(MEDIA_TYPES).source == "env"
    assert Wiring(config).harvest_settings().kinds == (Kind.PERSON,)
    collector = Wiring(config).collector_settings()
    assert collector.visibility_timeout == 120
    assert collector.appends_for(Kind.MOVIE) == ("credits", "images")
    assert collector.appends_for(Kind.TV) == APPENDS[Kind.TV].default


@pytest.mark.usefixtures("isolated")
def test_the_file_is_found_by_variable_then_in_the_working_directory(tmp_path: Path) -> None:
    named = tmp_path / "named.toml"
    named.write_text("visibility_timeout = 61\n")
    (tmp_path / DEFAULT_FILE).write_text("visibility_timeout = 62\n")
    by_variable = load_config(environ={"TMDB_COLLECTOR_CONFIG": str(named)}, cwd=tmp_path)
    assert by_variable[VISIBILITY_TIMEOUT] == 61
    assert load_config(environ={}, cwd=tmp_path)[VISIBILITY_TIMEOUT] == 62
    assert load_config(environ={}, cwd=tmp_path / "..")[VISIBILITY_TIMEOUT] == 300
    explicit = load_config(
        environ={"TMDB_COLLECTOR_CONFIG": str(named)}, file=tmp_path / DEFAULT_FILE
    )
    assert explicit[VISIBILITY_TIMEOUT] == 62


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "visibilty_timeout = 5",
            r"unknown setting 'visibilty_timeout'.*did you mean visibility_timeout",
        ),
        ("[collector]\nfoo = 1", r"unknown setting '\[collector\] foo'"),
        ("[colector]\nvisibility_timeout = 5", r"unknown table \[colector\]; tables are \[tmdb\]"),
        ("VISIBILITY_TIMEOUT = 5", r"keys are lower case: visibility_timeout"),
        (
            "visibility_timeout = 0",
            r"VISIBILITY_TIMEOUT must be an integer from 1 to 43200, got 0 "
            r"\(from .*settings.toml, visibility_timeout\)",
        ),
        (
            '[collector]\nvisibility_timeout = "soon"',
            r"VISIBILITY_TIMEOUT must be an integer.*\[collector\] visibility_timeout",
        ),
        ('adult = "maybe"', r"ADULT must be exclude or include, got 'maybe'"),
        (
            'media_types = ["movie", "season"]',
            r"MEDIA_TYPES must be a comma-separated list of movie, tv.*unknown media type season",
        ),
        ("episode_details = 3", r"EPISODE_DETAILS must be true or false"),
        ('tmdb_api_url = "api.themoviedb.org"', r"TMDB_API_URL must be an http\(s\) base URL"),
        ('tmdb_collector_config = "x.toml"', r"cannot be set in a configuration file"),
        ("refresh_per_run = 1\n[harvester]\nrefresh_per_run = 2", r"refresh_per_run is set twice"),
        ("[tmdb.extra]\nx = 1", r"is a table; tables do not nest"),
        ("visibility_timeout = ", r"is not valid TOML"),
    ],
)
def test_bad_files_are_clear_errors_naming_key_file_and_allowed_values(
    tmp_path: Path, text: str, message: str
) -> None:
    config_file = tmp_path / "settings.toml"
    config_file.write_text(text + "\n")
    with pytest.raises(ConfigurationError, match=message) as raised:
        load_config(environ={}, file=config_file)
    assert str(config_file) in str(raised.value)


@pytest.mark.usefixtures("isolated")
def test_the_cli_says_it_in_one_line_with_exit_status_2(tmp_path: Path) -> None:
    config_file = tmp_path / "settings.toml"
    config_file.write_text("[collector]\nvisibility_timeout = -5\n")
    for command in (
        ["config"],
        ["status", "--json"],
        ["mirror"],
        ["query", "--type=movie", "--id=1"],
    ):
        result = CliRunner().invoke(main, ["--config", str(config_file), *command])
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1, result.stderr
        assert "VISIBILITY_TIMEOUT must be an integer from 1 to 43200" in result.stderr
        assert str(config_file) in result.stderr
    missing = CliRunner().invoke(main, ["--config", str(tmp_path / "nope.toml"), "config"])
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr


@pytest.mark.usefixtures("isolated")
def test_a_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["config"], env={"MESSAGES_IN_FLIGHT": "four"})
    assert result.exit_code == 2
    assert "MESSAGES_IN_FLIGHT must be an integer from 1 to 1000, got 'four'" in result.stderr
    assert "environment variable MESSAGES_IN_FLIGHT" in result.stderr


@pytest.mark.usefixtures("isolated")
def test_the_credential_never_appears(tmp_path: Path) -> None:
    config_file = tmp_path / "settings.toml"
    config_file.write_text(f'[tmdb]\ntmdb_api_key = "{SECRET}"\n')
    for args in (["config"], ["config", "--json"]):
        result = CliRunner().invoke(main, ["--config", str(config_file), *args])
        assert result.exit_code == 0
        assert SECRET not in result.output
    bad = "two words " + SECRET
    result = CliRunner().invoke(main, ["config"], env={"TMDB_API_KEY": bad})
    assert result.exit_code == 2
    assert "TMDB_API_KEY must be" in result.stderr
    assert SECRET not in result.output
    config = load_config(environ={"TMDB_API_KEY": SECRET})
    assert config[TMDB_API_KEY] == Secret(SECRET)
    assert SECRET not in repr(config)
    assert SECRET not in repr(config[TMDB_API_KEY])
    assert SECRET not in json.dumps(config.to_json())


def test_every_setting_has_help_a_default_that_passes_its_own_check_and_a_unique_name() -> None:
    names = [setting.name for setting in SETTINGS]
    assert len(names) == len(set(names))
    for setting in SETTINGS:
        assert setting.help, setting.name
        assert setting.name == setting.name.upper()
        if setting.default is not None:
            assert setting.validate(setting.default) == setting.default


@pytest.mark.parametrize("rate", ["1e9", "0.001", "0", "-5", "nan", "inf"])
def test_a_rate_that_would_look_like_a_hang_or_a_storm_is_refused(rate: str) -> None:
    with pytest.raises(ConfigurationError, match="RATE_LIMIT_REQUESTS must be a number of"):
        load_config(environ={"RATE_LIMIT_REQUESTS": rate})


@pytest.mark.parametrize(
    ("rate", "warning"),
    [("100", "above TMDB's limit of about 40 requests/s: expect 429s"), ("0.05", "years")],
)
def test_an_odd_but_usable_rate_is_accepted_with_a_warning_saying_what_it_means(
    rate: str, warning: str
) -> None:
    config = load_config(environ={"RATE_LIMIT_REQUESTS": rate})
    assert len(config.warnings) == 1
    assert warning in config.warnings[0]
    assert "environment variable RATE_LIMIT_REQUESTS" in config.warnings[0]
    assert load_config(environ={"RATE_LIMIT_REQUESTS": "35"}).warnings == []


@pytest.mark.usefixtures("isolated")
def test_the_cli_shows_the_warning(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["config", "--json"], env={"RATE_LIMIT_REQUESTS": "400"})
    assert result.exit_code == 0
    assert "RATE_LIMIT_REQUESTS=400 is above TMDB's limit" in result.stderr


@pytest.mark.usefixtures("isolated")
def test_verbose_is_the_log_level_option() -> None:
    code, shown, output = _config_json(["-v", "config", "--json"], {})
    assert code == 0, output
    assert shown["LOG_LEVEL"] == {"value": "debug", "source": "option"}


def test_aws_secrets_never_show_in_a_repr() -> None:
    secret = "aws-secret-value-123"  # noqa: S105 (a test value)
    config = load_config(environ={"AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "eu-west-1"})
    assert secret not in repr(list(config))
    assert "eu-west-1" in repr(list(config))
    assert config.to_json()["AWS_SECRET_ACCESS_KEY"]["value"] == "set"


def test_a_blank_string_in_the_file_is_refused_where_the_environment_leaves_it_unset(
    tmp_path: Path,
) -> None:
    """`key = ""` was written on purpose; an empty variable is what shells and templates leave
    behind. Where empty means nothing, the file's is an error, as --store '' is."""
    config_file = tmp_path / "settings.toml"
    for line, name in (
        ('[storage]\ntmdb_store = ""', "TMDB_STORE"),
        ('[aws]\naws_region = "  "', "AWS_REGION"),
        ('[tmdb]\ntmdb_api_key = ""', "TMDB_API_KEY"),
    ):
        config_file.write_text(line + "\n")
        with pytest.raises(ConfigurationError) as raised:
            load_config(environ={}, file=config_file)
        key = line.split("\n")[1].split(" =")[0]
        assert str(raised.value).startswith(f"{name} is empty in {config_file}, [")
        assert f"] {key}: remove the line to use the default" in str(raised.value)
    # The environment's empty string stays "unset", and empty appends stay "none".
    config_file.write_text('[collector]\nappends_movie = ""\n')
    config = load_config(environ={"TMDB_STORE": "", "AWS_REGION": " "}, file=config_file)
    assert config.resolved(TMDB_STORE).source == "default"
    assert config.to_json()["AWS_REGION"] == {"value": None, "source": "default"}
    assert config[APPENDS[Kind.MOVIE]] == ()


@pytest.mark.usefixtures("isolated")
def test_config_reports_every_bad_value_one_line_each(tmp_path: Path) -> None:
    config_file = tmp_path / "settings.toml"
    config_file.write_text(f'tmdb_api_url = "ftp://x"\ntmdb_api_key = "a b{SECRET}"\n')
    result = CliRunner().invoke(main, ["--config", str(config_file), "config"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("Error: TMDB_API_KEY must be a TMDB v4 read access token")
    assert lines[0].endswith(f"(from {config_file}, tmdb_api_key)")
    assert lines[1].startswith("TMDB_API_URL must be an http(s) base URL")
    assert lines[1].endswith(
        f"got 'ftp://x' (it must start with http:// or https://) (from {config_file}, tmdb_api_url)"
    )
    assert SECRET not in result.output


@pytest.mark.parametrize("name", ["TMDB_API_URL", "TMDB_EXPORTS_URL", "AWS_ENDPOINT_URL_SQS"])
def test_a_url_with_a_password_is_refused_without_echoing_it(name: str, tmp_path: Path) -> None:
    """aiohttp refused user info beside the Bearer header with a 68-line traceback."""
    url = f"http://someone:{SECRET}@127.0.0.1:8765"
    with pytest.raises(ConfigurationError) as raised:
        load_config(environ={name: url}, only=(BY_NAME[name],))
    assert f"{name} must be an http(s)" in str(raised.value)
    assert "got 'http://***@127.0.0.1:8765' (it holds a user name or password" in str(raised.value)
    assert SECRET not in str(raised.value)
    assert "someone" not in str(raised.value)
    config_file = tmp_path / "settings.toml"
    config_file.write_text(f'{name.lower()} = "{url}"\n')
    with pytest.raises(ConfigurationError) as raised:
        load_config(environ={}, file=config_file)
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("TMDB_API_URL", "https://api.themoviedb.org/3", "leave out /3"),
        ("TMDB_API_URL", "https://api.themoviedb.org/3/", "leave out /3"),
        ("TMDB_EXPORTS_URL", "https://files.tmdb.org/p/exports", "leave out /p/exports"),
        ("TMDB_API_URL", "https://api.themoviedb.\u043erg", "not ASCII"),  # a Cyrillic o
        ("TMDB_API_URL", "https://api.themoviedb.org/a b", "a space"),
        ("TMDB_API_URL", "http://127.0.0.1:0", "port 0"),
        ("AWS_ENDPOINT_URL", "nonsense", "http:// or https://"),
        ("AWS_REGION", "eu west 1", "an AWS region name"),
        ("AWS_DEFAULT_REGION", "eu_west_1", "an AWS region name"),
        ("METRICS_NAMESPACE", "AWS/Lambda", "not starting with : or AWS/"),
        ("TMDB_API_KEY_SECRET", "my secret", "a Secrets Manager secret name or ARN"),
        ("TMDB_API_KEY_PARAMETER", "/tmdb key", "an SSM parameter name or ARN"),
        ("REFRESH_MIN_AGE_HOURS", "1e308", "from 0 to 87600"),
        ("IN_FLIGHT_EXPIRY_HOURS", "1e20", "from 1 to 87600"),
    ],
)
def test_values_that_failed_later_or_did_the_wrong_thing_are_refused(
    name: str, value: str, why: str
) -> None:
    """Each was accepted, then was a traceback (a Rust panic for a region with spaces,
    botocore's ValueError for an endpoint, an OverflowError for 1e308 hours) or asked the
    wrong URL (/3/3/movie/550 is a 404: a deletion)."""
    with pytest.raises(ConfigurationError, match=re.escape(why)) as raised:
        load_config(environ={name: value}, only=(BY_NAME[name],))
    assert str(raised.value).startswith(f"{name} must be")


@pytest.mark.parametrize("name", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
def test_an_aws_credential_with_a_space_is_refused_unechoed(name: str) -> None:
    with pytest.raises(ConfigurationError, match=f"{name} must be printable ASCII") as raised:
        load_config(environ={name: f"{SECRET} x"}, only=(BY_NAME[name],))
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RATE_LIMIT_REQUESTS", "４０"),  # fullwidth digits: float() reads 40.0
        ("RATE_LIMIT_REQUESTS", "\u0664\u0660"),  # Arabic-Indic digits
        ("RATE_LIMIT_REQUESTS", "1_0"),
        ("COLLECTOR_CONCURRENCY", "１０"),
        ("COLLECTOR_CONCURRENCY", "1_0"),
        ("VISIBILITY_TIMEOUT", "3_00"),
    ],
)
def test_numbers_are_written_in_ascii_digits(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_config(environ={name: value}, only=(BY_NAME[name],))
    assert f"{name} must be" in str(raised.value)
    assert "write it in ASCII digits 0-9, without '_'" in str(raised.value)


def test_plain_numbers_still_parse() -> None:
    config = load_config(
        environ={
            "RATE_LIMIT_REQUESTS": " 1e1 ",
            "DELETE_MAX_SHARE": ".5",
            "TMDB_REQUEST_TIMEOUT": "+12.",
            "COLLECTOR_CONCURRENCY": "040",
            "REFRESH_PER_RUN": "-0",
        }
    )
    assert config[RATE_LIMIT_REQUESTS] == 10.0
    assert config[DELETE_MAX_SHARE] == 0.5
    assert config[TMDB_REQUEST_TIMEOUT] == 12.0
    assert config[COLLECTOR_CONCURRENCY] == 40
    assert config[REFRESH_PER_RUN] == 0


@pytest.mark.parametrize("raw", [",", " , ,", ["", " "]])
def test_appends_of_only_separators_name_nothing(raw: str | list[str], tmp_path: Path) -> None:
    setting = APPENDS[Kind.MOVIE]
    with pytest.raises(ConfigurationError) as raised:
        setting.parse(raw)
    assert "names nothing; leave it empty for no appends" in str(raised.value)
    assert setting.parse("") == ()
    assert setting.parse([]) == ()
    with pytest.raises(ConfigurationError, match="names no kind; leave it unset for all seven"):
        MEDIA_TYPES.parse(raw)


def test_messages_speak_the_users_words_not_pythons() -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_config(environ={"MESSAGES_IN_FLIGHT": "abc"})
    assert "invalid literal" not in str(raised.value)
    assert "MESSAGES_IN_FLIGHT must be an integer from 1 to 1000, got 'abc'" in str(raised.value)


def test_a_command_resolves_only_what_it_needs() -> None:
    """fake-tmdb (and so the demo) starts whatever the collector's settings say."""
    config = load_config(
        environ={"TMDB_API_URL": "ftp://wrong", "FAKE_TMDB_API_KEY": "k"}, only=(FAKE_TMDB_API_KEY,)
    )
    assert config[FAKE_TMDB_API_KEY] == Secret("k")
    assert TMDB_API_KEY not in config
    with pytest.raises(KeyError, match="TMDB_API_KEY was not resolved"):
        config[TMDB_API_KEY]
