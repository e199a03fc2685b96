"""How the client reaches TMDB. The settings' defaults and checks are those of
``tmdb_collector.config``; ``tmdb_collector.app`` builds this from the resolved configuration."""

from __future__ import annotations

from dataclasses import dataclass

from tmdb_collector import __version__
from tmdb_collector.config import (
    COLLECTOR_CONCURRENCY,
    RATE_LIMIT_REQUESTS,
    TMDB_API_KEY,
    TMDB_API_URL,
    TMDB_EXPORTS_URL,
    TMDB_MAX_ATTEMPTS,
    TMDB_REQUEST_TIMEOUT,
    check_fields,
    setting_field,
)
from tmdb_collector.tmdb._credential import Credential
from tmdb_collector.tmdb._errors import ConfigurationError

__all__ = ["ClientSettings"]

DEFAULT_API_URL = TMDB_API_URL.default
DEFAULT_EXPORTS_URL = TMDB_EXPORTS_URL.default


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """Where TMDB is and how hard to press it.

    ``rate_limit`` is request starts per second (TMDB documents "somewhere in the 40 range");
    ``concurrency`` caps requests in flight (TMDB's CDN allows about 20 connections per IP).
    The credential is optional here because exports need none; API calls refuse without it.
    """

    credential: Credential | None = None
    api_url: str = setting_field(TMDB_API_URL)
    exports_url: str = setting_field(TMDB_EXPORTS_URL)
    #: This process's pace: on Lambda, an instance's share (the wiring computes it).
    rate_limit: float = setting_field(RATE_LIMIT_REQUESTS)
    concurrency: int = setting_field(COLLECTOR_CONCURRENCY)
    timeout: float = setting_field(TMDB_REQUEST_TIMEOUT)
    #: Tries of a transiently failing request (RetryPolicy.max_attempts when none is given).
    max_attempts: int = setting_field(TMDB_MAX_ATTEMPTS)
    user_agent: str = f"tmdb-collector/{__version__}"

    def __post_init__(self) -> None:
        check_fields(self)

    def require_credential(self) -> Credential:
        """The credential, or a ConfigurationError saying how to provide one."""
        if self.credential is None:
            raise ConfigurationError(
                f"{TMDB_API_KEY.name} is not set: set it to your TMDB v4 API read access token "
                "(preferred) or v3 API key, from https://www.themoviedb.org/settings/api"
            )
        return self.credential
