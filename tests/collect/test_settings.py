"""CollectorSettings from the environment, and the errors for values it cannot use."""

from __future__ import annotations

import pytest

from tmdb_collector.app import Wiring
from tmdb_collector.collect import CollectorSettings
from tmdb_collector.config import load_config
from tmdb_collector.errors import ConfigurationError
from tmdb_collector.kinds import SUB_RESOURCES, Kind


def _from_env(environ: dict[str, str]) -> CollectorSettings:
    return Wiring(load_config(environ=environ)).collector_settings()


def test_defaults_append_every_sub_resource() -> None:
    settings = _from_env({})
    assert settings.appends_for(Kind.MOVIE) == SUB_RESOURCES[Kind.MOVIE]
    assert settings.appends_for(Kind.TV) == SUB_RESOURCES[Kind.TV]
    assert settings.appends_for(Kind.TV_EPISODE) == SUB_RESOURCES[Kind.TV_EPISODE]
    # Used with SEASON_DETAILS, which is off: seasons come as season/N blocks by default.
    assert settings.appends_for(Kind.TV_SEASON) == SUB_RESOURCES[Kind.TV_SEASON]
    assert settings.season_details is False
    assert settings.episode_details is False
    assert settings.messages_in_flight == 4
    assert settings.visibility_timeout == 300


def test_the_environment_overrides() -> None:
    settings = _from_env(
        {
            "APPENDS_MOVIE": "credits, images",
            "APPENDS_PERSON": "",
            "EPISODE_DETAILS": "true",
            "MESSAGES_IN_FLIGHT": "8",
            "VISIBILITY_TIMEOUT": "60",
        }
    )
    assert settings.appends_for(Kind.MOVIE) == ("credits", "images")
    assert settings.appends_for(Kind.PERSON) == ()
    assert settings.appends_for(Kind.TV) == SUB_RESOURCES[Kind.TV]
    assert settings.episode_details is True
    assert settings.messages_in_flight == 8
    assert settings.visibility_timeout == 60


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"APPENDS_MOVIE": "credits,cast"}, "APPENDS_MOVIE must be .*'cast' is not a sub-resource"),
        ({"APPENDS_TV": "season/1"}, "the collector adds season/N itself"),
        ({"APPENDS_MOVIE": "credits,credits"}, "twice"),
        ({"EPISODE_DETAILS": "maybe"}, "EPISODE_DETAILS must be true or false"),
        ({"SEASON_DETAILS": "2"}, "SEASON_DETAILS must be true or false"),
        ({"APPENDS_TV_SEASON": "keywords"}, "'keywords' is not a sub-resource of tv_season"),
        ({"MESSAGES_IN_FLIGHT": "0"}, "MESSAGES_IN_FLIGHT must be an integer from 1"),
        ({"MESSAGES_IN_FLIGHT": "four"}, "MESSAGES_IN_FLIGHT must be an integer"),
        ({"VISIBILITY_TIMEOUT": "50000"}, "VISIBILITY_TIMEOUT must be an integer from 1 to"),
        ({"RETRY_DELAY_SECONDS": "-1"}, "RETRY_DELAY_SECONDS"),
    ],
)
def test_bad_values_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        _from_env(environ)
