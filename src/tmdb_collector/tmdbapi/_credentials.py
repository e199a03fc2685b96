"""TMDB's credentials: a v3 API key as ``api_key=``, or a v4 read access token as Bearer."""

from __future__ import annotations

import hmac
import re

from aiohttp import web

from tmdb_collector.tmdbapi._responses import ErrorAnswer

__all__ = ["check_credentials"]

# A v4 read access token is a JWT: three base64url parts, the first a JSON header ("eyJ" = '{"').
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def check_credentials(request: web.Request, api_key: str | None) -> None:
    """Raise ErrorAnswer 401/7 unless ``request`` carries an accepted credential: ``api_key``
    itself, or any non-empty one when ``api_key`` is None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        token = token.strip()
        # A v3 key sent as Bearer is rejected: the header takes only a v4 token (a JWT).
        accepted = _JWT.fullmatch(token) is not None and _accepts(token, api_key)
    else:
        accepted = _accepts(request.query.get("api_key", ""), api_key)
    if not accepted:
        raise ErrorAnswer.invalid_api_key()


def _accepts(credential: str, expected: str | None) -> bool:
    if not credential:
        return False
    return expected is None or hmac.compare_digest(credential.encode(), expected.encode())
