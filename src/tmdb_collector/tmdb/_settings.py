"""How the client reaches TMDB, read once from the environment."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from tmdb_collector import __version__
from tmdb_collector._env import env_integer, env_number
from tmdb_collector.tmdb._credential import Credential
from tmdb_collector.tmdb._errors import ConfigurationError

__all__ = ["ClientSettings"]

DEFAULT_API_URL = "https://api.themoviedb.org"
DEFAULT_EXPORTS_URL = "https://files.tmdb.org"


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
    rate_limit: float = 40.0
    concurrency: int = 20
    timeout: float = 30.0
    user_agent: str = f"tmdb-collector/{__version__}"

    def __post_init__(self) -> None:
        _check_url("TMDB_API_URL", self.api_url)
        _check_url("TMDB_EXPORTS_URL", self.exports_url)
        if not (math.isfinite(self.rate_limit) and self.rate_limit > 0):
            raise ConfigurationError(
                f"RATE_LIMIT_REQUESTS must be a positive number of requests per second, "
                f"got {self.rate_limit!r}"
            )
        if self.concurrency < 1:
            raise ConfigurationError(
                f"COLLECTOR_CONCURRENCY must be a positive integer, got {self.concurrency!r}"
            )
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise ConfigurationError(
                f"TMDB_REQUEST_TIMEOUT must be a positive number of seconds, got {self.timeout!r}"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> ClientSettings:
        """Read ``TMDB_API_KEY``, ``TMDB_API_URL``, ``TMDB_EXPORTS_URL``,
        ``RATE_LIMIT_REQUESTS``, ``COLLECTOR_CONCURRENCY`` and ``TMDB_REQUEST_TIMEOUT``."""
        return cls(
            credential=_credential(environ.get("TMDB_API_KEY", "")),
            api_url=environ.get("TMDB_API_URL", "").strip() or DEFAULT_API_URL,
            exports_url=environ.get("TMDB_EXPORTS_URL", "").strip() or DEFAULT_EXPORTS_URL,
            rate_limit=env_number(environ, "RATE_LIMIT_REQUESTS", 40.0, ConfigurationError),
            concurrency=env_integer(environ, "COLLECTOR_CONCURRENCY", 20, ConfigurationError),
            timeout=env_number(environ, "TMDB_REQUEST_TIMEOUT", 30.0, ConfigurationError),
        )

    def require_credential(self) -> Credential:
        """The credential, or a ConfigurationError saying how to provide one."""
        if self.credential is None:
            raise ConfigurationError(
                "TMDB_API_KEY is not set: set it to your TMDB v4 API read access token "
                "(preferred) or v3 API key, from https://www.themoviedb.org/settings/api"
            )
        return self.credential


def _credential(raw: str) -> Credential | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return Credential(raw)
    except ValueError:
        raise ConfigurationError(
            "TMDB_API_KEY is malformed (it holds spaces or non-ASCII characters): "
            "paste the v4 read access token or v3 API key exactly as TMDB shows it"
        ) from None


def _check_url(name: str, url: str) -> None:
    if (
        not url.startswith(("http://", "https://"))
        or "?" in url
        or "#" in url
        or not _has_host(url)
    ):
        raise ConfigurationError(
            f"{name} must be an http(s) base URL without query, e.g. https://api.themoviedb.org; "
            f"got {url!r}"
        )


def _has_host(url: str) -> bool:
    # Caught here, a typo is one clear error; caught by aiohttp, it is retried as if transient.
    try:
        parts = urlsplit(url)
        return bool(parts.hostname) and (parts.port is None or parts.port > 0)
    except ValueError:  # a bad port or an unclosed IPv6 bracket
        return False
