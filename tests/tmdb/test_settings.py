import pickle

import pytest

from tmdb_collector import __version__
from tmdb_collector.app import Wiring
from tmdb_collector.config import load_config
from tmdb_collector.tmdb import ClientSettings, ConfigurationError, Credential

from .conftest import V3_KEY, V4_TOKEN


def _from_env(environ: dict[str, str]) -> ClientSettings:
    return Wiring(load_config(environ=environ)).client_settings()


def test_defaults_from_an_empty_environment() -> None:
    settings = _from_env({})
    assert settings.credential is None
    assert settings.api_url == "https://api.themoviedb.org"
    assert settings.exports_url == "https://files.tmdb.org"
    assert settings.rate_limit == 40
    assert settings.concurrency == 20
    assert settings.timeout > 0
    assert settings.user_agent == f"tmdb-collector/{__version__}"


def test_every_variable_is_read() -> None:
    settings = _from_env(
        {
            "TMDB_API_KEY": f" {V3_KEY}\n",
            "TMDB_API_URL": "http://127.0.0.1:9",
            "TMDB_EXPORTS_URL": "http://127.0.0.1:10",
            "RATE_LIMIT_REQUESTS": "12.5",
            "COLLECTOR_CONCURRENCY": "4",
            "TMDB_REQUEST_TIMEOUT": "3",
        }
    )
    assert settings.credential == Credential(V3_KEY)
    assert (settings.api_url, settings.exports_url) == ("http://127.0.0.1:9", "http://127.0.0.1:10")
    assert (settings.rate_limit, settings.concurrency, settings.timeout) == (12.5, 4, 3.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RATE_LIMIT_REQUESTS", "fast"),
        ("RATE_LIMIT_REQUESTS", "0"),
        ("RATE_LIMIT_REQUESTS", "nan"),
        ("COLLECTOR_CONCURRENCY", "2.5"),
        ("COLLECTOR_CONCURRENCY", "0"),
        ("TMDB_REQUEST_TIMEOUT", "-1"),
        ("TMDB_API_URL", "api.themoviedb.org"),
        ("TMDB_EXPORTS_URL", "ftp://files.tmdb.org"),
        ("TMDB_API_URL", "https://"),  # no host: would only fail, and be retried, per request
        ("TMDB_API_URL", "http://127.0.0.1:port"),
        ("TMDB_EXPORTS_URL", "http://[::1"),
        ("TMDB_API_KEY", "two words"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        _from_env({name: value})


def test_missing_credential_is_a_configuration_error_naming_the_variable() -> None:
    settings = _from_env({})
    with pytest.raises(ConfigurationError, match="TMDB_API_KEY is not set"):
        settings.require_credential()


def test_a_jwt_goes_in_the_authorization_header() -> None:
    token = Credential(V4_TOKEN)
    assert token.is_read_access_token
    assert token.headers() == {"Authorization": f"Bearer {V4_TOKEN}"}
    assert token.query() == {}


@pytest.mark.parametrize("secret", [V3_KEY, "eyJonly.two", "eyJa..c", "abc.def.ghi"])
def test_anything_else_is_a_v3_key_in_the_query(secret: str) -> None:
    key = Credential(secret)
    assert not key.is_read_access_token
    assert key.headers() == {}
    assert key.query() == {"api_key": secret}


@pytest.mark.parametrize("secret", [V3_KEY, V4_TOKEN])
def test_the_credential_never_shows_itself(secret: str) -> None:
    credential = Credential(secret)
    settings = ClientSettings(credential=credential)
    for text in (repr(credential), str(credential), repr(settings), str(settings)):
        assert secret not in text
    assert "redacted" in repr(credential)
    assert credential.redact(f"GET /3/movie/1?api_key={secret}&x=1") == (
        "GET /3/movie/1?api_key=***&x=1"
    )
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(credential)


def test_a_malformed_credential_error_does_not_echo_it() -> None:
    with pytest.raises(ConfigurationError) as raised:
        _from_env({"TMDB_API_KEY": "secret with spaces"})
    assert "secret with spaces" not in str(raised.value)
