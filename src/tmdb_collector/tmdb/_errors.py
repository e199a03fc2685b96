"""Typed errors of the TMDB client, and the NotFound result.

No message, ``args`` or attribute of these ever holds the credential or a URL that carries it:
errors name the request by its path (``/3/movie/550``) and the cause by status or exception class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tmdb_collector import errors
from tmdb_collector.errors import ConfigurationError

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ExportNotFoundError",
    "NotFound",
    "RetriesExhaustedError",
    "TMDBAPIError",
    "TMDBError",
    "TMDBUnreachableError",
    "TransientError",
    "UnsupportedKindError",
]


class TMDBError(errors.TMDBCollectorError):
    """Base of every error the TMDB client raises (a missing or malformed setting raises the
    root's ``ConfigurationError``)."""


class UnsupportedKindError(TMDBError, errors.InputError):
    """The kind has no such feed or export (e.g. a changes feed for collections)."""


class AuthenticationError(TMDBError, errors.UpstreamRejectedError):
    """TMDB rejected the credential (401). The client refuses further requests after one."""

    def __init__(self, path: str, status_code: int | None) -> None:
        code = f", code {status_code}" if status_code is not None else ""
        super().__init__(
            f"TMDB rejected the credential (401{code}) on {path}: check TMDB_API_KEY — "
            "a v4 read access token or a v3 API key"
        )
        self.path = path
        self.status_code = status_code


class TMDBAPIError(TMDBError):
    """TMDB answered with an error that retrying will not fix (a 4xx other than 401/404/429)."""

    action = errors.Action.FIX

    def __init__(
        self,
        path: str,
        http_status: int,
        status_code: int | None,
        status_message: str,
    ) -> None:
        code = f", code {status_code}" if status_code is not None else ""
        super().__init__(f"TMDB refused {path} (HTTP {http_status}{code}): {status_message}")
        self.path = path
        self.http_status = http_status
        self.status_code = status_code
        self.status_message = status_message


class TransientError(TMDBError, errors.TransientError):
    """A failure that may pass (5xx, timeout, reset, truncated body). ``url`` and ``setting``
    name the host asked and the setting that chose it (``TMDB_API_URL``)."""

    def __init__(
        self, path: str, cause: str, attempts: int, url: str = "", setting: str = ""
    ) -> None:
        where = f" at {url}" if url else ""
        check = f"; if it keeps failing, check {setting} ({url})" if setting else ""
        super().__init__(
            f"TMDB request {path}{where} failed after {attempts} attempt(s), last cause: "
            f"{cause}; TMDB or the network may be having trouble, try again later{check}"
        )
        self.path = path
        self.cause = cause
        self.attempts = attempts


class RetriesExhaustedError(TransientError):
    """Every allowed attempt failed transiently (see ``RetryPolicy``)."""


class TMDBUnreachableError(TMDBError, errors.TransientError):
    """Every request of the run has failed the same transient way since its start, for longer
    than ``RetryPolicy.unreachable_after``: TMDB is not where the settings say, or not reachable.
    The run stops (its work stays queued) instead of retrying for ever. Not a ``TransientError``
    of one request: no item can succeed, so a collector stops rather than retrying items."""

    def __init__(self, url: str, setting: str, cause: str, seconds: float) -> None:
        super().__init__(
            f"TMDB at {url} ({setting}) has not answered one request in {seconds:.0f} s, last "
            f"cause: {cause}; check {setting} and the network — the run stops, its work stays "
            "queued for the next run"
        )
        self.url = url
        self.setting = setting
        self.cause = cause


class ExportNotFoundError(TMDBError):
    """No daily export was published on any of the dates tried."""

    def __init__(self, name: str, tried: Sequence[date]) -> None:
        dates = ", ".join(d.isoformat() for d in tried)
        super().__init__(
            f"no {name} export found for {dates}: TMDB publishes exports around 07:00-08:00 UTC "
            "and deletes them after about 3 months; check TMDB_EXPORTS_URL or pick another date"
        )
        self.name = name
        self.tried = tuple(tried)


@dataclass(frozen=True, slots=True)
class NotFound:
    """TMDB says the record does not exist (404 with code 34, or code 6 for an invalid id).

    Returned, not raised: for a harvest it is a deletion signal, not a failure.
    """

    path: str
    status_code: int
