"""The TMDB credential, which never shows itself: not in reprs, logs, errors or URLs we print."""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping

from tmdb_collector.config import is_credential_text

__all__ = ["Credential", "redact_query"]

_BEARER_PARTS = 3
_API_KEY_PARAM = re.compile(r"(?i)(api_key=)[^&#\s]*")


class Credential:
    """A v4 read access token (sent as ``Authorization: Bearer``) or a v3 API key (``api_key``).

    A v3 key sent as Bearer is rejected by TMDB (401), so the form decides where it goes.
    """

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        # Header-safe characters only (config's rule): whitespace would allow header injection.
        if not is_credential_text(secret):
            # Never echo the value: it may be a real key with a stray character.
            raise ValueError("a TMDB credential is printable ASCII without spaces")
        self._secret = secret

    @property
    def is_read_access_token(self) -> bool:
        """True for a v4 token: a JWT, three dot-separated parts, the first starting ``eyJ``."""
        parts = self._secret.split(".")
        return self._secret.startswith("eyJ") and len(parts) == _BEARER_PARTS and all(parts)

    def headers(self) -> dict[str, str]:
        """Request headers that carry the credential (empty for a v3 key)."""
        if self.is_read_access_token:
            return {"Authorization": f"Bearer {self._secret}"}
        return {}

    def query(self) -> dict[str, str]:
        """Query parameters that carry the credential (empty for a v4 token)."""
        if self.is_read_access_token:
            return {}
        return {"api_key": self._secret}

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of the secret (and any api_key value) masked."""
        return _API_KEY_PARAM.sub(r"\1***", text.replace(self._secret, "***"))

    def __repr__(self) -> str:
        form = "v4 read access token" if self.is_read_access_token else "v3 API key"
        return f"Credential(<{form}, redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Credential):
            return NotImplemented
        return hmac.compare_digest(self._secret, other._secret)

    def __hash__(self) -> int:
        return hash((Credential, self._secret))

    def __reduce__(self) -> str | tuple[object, ...]:
        # Pickles (e.g. to a worker process) would carry the secret in clear: refuse.
        raise TypeError("a Credential cannot be pickled; read it from the environment instead")


def redact_query(params: Mapping[str, object]) -> dict[str, object]:
    """A copy of query parameters safe to log: no ``api_key``."""
    return {k: ("***" if k.lower() == "api_key" else v) for k, v in params.items()}
