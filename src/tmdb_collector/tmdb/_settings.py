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
    api_url: str = DEFAULT_API_URL
    exports_url: str = DEFAULT_EXPORTS_URL
    rate_limit: float = RATE_LIMIT_REQUESTS.default
    concurrency: int = COLLECTOR_CONCURRENCY.default
    timeout: float = TMDB_REQUEST_TIMEOUT.default
    #: Tries of a transiently failing request (RetryPolicy.max_attempts when none is given).
    max_attempts: int = TMDB_MAX_ATTEMPTS.default
    user_agent: str = f"tmdb-collector/{__version__}"

    def __post_init__(self) -> None:
        TMDB_API_URL.validate(self.api_url)
        TMDB_EXPORTS_URL.validate(self.exports_url)
        RATE_LIMIT_REQUESTS.validate(self.rate_limit)
        COLLECTOR_CONCURRENCY.validate(self.concurrency)
        TMDB_REQUEST_TIMEOUT.validate(self.timeout)
        TMDB_MAX_ATTEMPTS.validate(self.max_attempts)

    def require_credential(self) -> Credential:
        """The credential, or a ConfigurationError saying how to provide one."""
        if self.credential is None:
            raise ConfigurationError(
                f"{TMDB_API_KEY.name} is not set: set it to your TMDB v4 API read access token "
                "(preferred) or v3 API key, from https://www.themoviedb.org/settings/api"
            )
        return self.credential
