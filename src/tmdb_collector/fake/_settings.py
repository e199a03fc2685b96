"""``FakeSettings``: credentials, publication and fault knobs of the fake TMDB, changeable live."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tmdb_collector.tmdbapi import JSONObject

__all__ = ["FakeSettings", "SettingsError"]


class SettingsError(ValueError):
    """A setting with a value the fake cannot honour (negative rate, probability above 1, ...)."""


@dataclass(slots=True)
class FakeSettings:
    """How the fake behaves. Mutable on purpose: tests and the admin endpoint change faults while
    the server runs, and every request reads the current values.

    - ``api_key``: the only credential accepted (as ``api_key`` or Bearer); None accepts any
      non-empty credential (a Bearer token must still look like a JWT).
    - ``rate_limit``: /3/ requests admitted per sliding second; beyond that 429. None: no limit.
    - ``retry_after``: send ``Retry-After: 1`` with 429s (today's CDN sends none).
    - ``latency_ms`` / ``latency_jitter_ms``: delay of each admitted /3/ request; the jitter is
      uniform ± ``latency_jitter_ms``, or ± half the latency when None.
    - ``error_rate``: share of admitted /3/ requests that fail with a random transient fault.
    - ``seed``: seeds the fault and jitter randomness, so runs are reproducible (read when the
      server is created, and when ``/_fake/settings`` changes it).
    - ``publish_today``: whether today's export files exist yet (False: 404 until tomorrow).
    """

    api_key: str | None = None
    rate_limit: int | None = None
    retry_after: bool = False
    latency_ms: float = 0.0
    latency_jitter_ms: float | None = None
    error_rate: float = 0.0
    seed: int | None = None
    publish_today: bool = True

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if self.api_key is not None and not self.api_key:
            raise SettingsError("api_key must be None (accept any) or a non-empty string")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise SettingsError(f"rate_limit must be at least 1 request/s, got {self.rate_limit}")
        latencies = (self.latency_ms, self.latency_jitter_ms or 0.0)
        # NaN passes "< 0", and an infinite latency holds every request for ever.
        if not all(0 <= latency < math.inf for latency in latencies):
            raise SettingsError("latency_ms and latency_jitter_ms must be finite and >= 0")
        if not 0.0 <= self.error_rate <= 1.0:
            raise SettingsError(f"error_rate is a share between 0 and 1, got {self.error_rate}")

    def update(self, changes: Mapping[str, Any]) -> None:
        """Apply ``changes`` (field name → value, e.g. decoded from JSON) all or nothing."""
        candidate = dataclasses.replace(self)
        for name, value in changes.items():
            setattr(candidate, name, _checked(name, value))
        candidate.validate()
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(candidate, field.name))

    def to_json(self) -> JSONObject:
        """The settings as JSON, with the key itself left out: never echo a credential."""
        values = dataclasses.asdict(self)
        values["api_key"] = None if self.api_key is None else "(set)"
        return values


_TYPES: dict[str, tuple[type, ...]] = {
    "api_key": (str,),
    "rate_limit": (int,),
    "retry_after": (bool,),
    "latency_ms": (int, float),
    "latency_jitter_ms": (int, float),
    "error_rate": (int, float),
    "seed": (int,),
    "publish_today": (bool,),
}
_NULLABLE = frozenset({"api_key", "rate_limit", "latency_jitter_ms", "seed"})


def _checked(name: str, value: object) -> object:
    if name not in _TYPES:
        known = ", ".join(_TYPES)
        raise SettingsError(f"unknown setting {name!r}; settings are: {known}")
    if value is None and name in _NULLABLE:
        return None
    # bool is an int in Python, but true is no rate limit.
    wrong_bool = isinstance(value, bool) and bool not in _TYPES[name]
    if wrong_bool or not isinstance(value, _TYPES[name]):
        raise SettingsError(f"setting {name!r} cannot be {value!r}")
    if float in _TYPES[name] and isinstance(value, int | float):
        return float(value)
    return value
