"""How the collector fetches and how much it works on at once, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from tmdb_collector._env import env_flag, env_integer
from tmdb_collector.kinds import SUB_RESOURCES, Kind

__all__ = ["APPEND_KINDS", "CollectorSettings", "CollectorSettingsError", "default_appends"]

# SQS's limits, which the SQLite queue keeps too: leases up to 12 h, delays up to 15 min.
_MAX_VISIBILITY_TIMEOUT = 43_200
_MAX_DELAY_SECONDS = 900

#: Kinds whose appends are configurable: the seven exported kinds, and episodes (fetched on
#: their own with EPISODE_DETAILS). Seasons come as ``season/N`` blocks of their series, and an
#: appended block cannot carry appends of its own.
APPEND_KINDS: tuple[Kind, ...] = (
    Kind.MOVIE,
    Kind.TV,
    Kind.PERSON,
    Kind.COLLECTION,
    Kind.COMPANY,
    Kind.NETWORK,
    Kind.KEYWORD,
    Kind.TV_EPISODE,
)


class CollectorSettingsError(ValueError):
    """A collector setting that cannot be used; the message names the variable and the fix."""


def default_appends() -> Mapping[Kind, tuple[str, ...]]:
    """Every sub-resource TMDB offers, per kind: a lossless copy wants them all."""
    return MappingProxyType({kind: SUB_RESOURCES[kind] for kind in APPEND_KINDS})


@dataclass(frozen=True, slots=True)
class CollectorSettings:
    """The collector's knobs (docs/collector.md, "Settings")."""

    #: append_to_response items per kind; a kind left out gets none.
    appends: Mapping[Kind, tuple[str, ...]] = field(default_factory=default_appends)
    #: Fetch each episode on its own (with the TV_EPISODE appends) instead of storing the
    #: episode object its season lists: one more request per episode.
    episode_details: bool = False
    #: Queue messages worked on at once.
    messages_in_flight: int = 4
    #: Work items (records) fetched at once, over all messages; the client's pacer still
    #: decides how many requests actually go out together.
    items_in_flight: int = 32
    #: Seconds a received message stays hidden; extended while it is being worked on.
    visibility_timeout: int = 300
    #: Seconds before failed items put back on the queue are delivered again.
    retry_delay_seconds: int = 60

    def __post_init__(self) -> None:
        for kind, items in self.appends.items():
            _check_appends(kind, items)
        _in_range("MESSAGES_IN_FLIGHT", self.messages_in_flight, 1, 1000)
        _in_range("ITEMS_IN_FLIGHT", self.items_in_flight, 1, 10_000)
        _in_range("VISIBILITY_TIMEOUT", self.visibility_timeout, 1, _MAX_VISIBILITY_TIMEOUT)
        _in_range("RETRY_DELAY_SECONDS", self.retry_delay_seconds, 0, _MAX_DELAY_SECONDS)
        if type(self.episode_details) is not bool:
            raise CollectorSettingsError(
                f"EPISODE_DETAILS must be true or false, got {self.episode_details!r}"
            )

    def appends_for(self, kind: Kind) -> tuple[str, ...]:
        return self.appends.get(kind, ())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> CollectorSettings:
        """Read APPENDS_<KIND> (e.g. APPENDS_MOVIE=credits,images; empty: none; unset: all),
        EPISODE_DETAILS, MESSAGES_IN_FLIGHT, ITEMS_IN_FLIGHT, VISIBILITY_TIMEOUT and
        RETRY_DELAY_SECONDS."""
        defaults = cls()
        appends = dict(defaults.appends)
        for kind in APPEND_KINDS:
            text = environ.get(f"APPENDS_{kind.value.upper()}")
            if text is not None:
                appends[kind] = tuple(item.strip() for item in text.split(",") if item.strip())
        return cls(
            appends=MappingProxyType(appends),
            episode_details=env_flag(
                environ, "EPISODE_DETAILS", defaults.episode_details, CollectorSettingsError
            ),
            messages_in_flight=env_integer(
                environ, "MESSAGES_IN_FLIGHT", defaults.messages_in_flight, CollectorSettingsError
            ),
            items_in_flight=env_integer(
                environ, "ITEMS_IN_FLIGHT", defaults.items_in_flight, CollectorSettingsError
            ),
            visibility_timeout=env_integer(
                environ, "VISIBILITY_TIMEOUT", defaults.visibility_timeout, CollectorSettingsError
            ),
            retry_delay_seconds=env_integer(
                environ, "RETRY_DELAY_SECONDS", defaults.retry_delay_seconds, CollectorSettingsError
            ),
        )


def _check_appends(kind: Kind, items: tuple[str, ...]) -> None:
    variable = f"APPENDS_{Kind(kind).value.upper()}"
    if kind not in APPEND_KINDS:
        raise CollectorSettingsError(
            f"{kind} takes no appends: seasons arrive as season/N blocks of their series"
        )
    if not isinstance(items, tuple):
        raise CollectorSettingsError(f"{variable}: appends are a tuple of names, got {items!r}")
    known = SUB_RESOURCES[kind]
    for item in items:
        if item not in known:
            # season/N is the collector's own business: it adds exactly the seasons that fit.
            hint = " (the collector adds season/N itself)" if item.startswith("season/") else ""
            choices = ", ".join(known) or "none"
            raise CollectorSettingsError(
                f"{variable}: {item!r} is not a sub-resource of {kind}{hint}; choose from: "
                f"{choices}"
            )
    if len(set(items)) != len(items):
        raise CollectorSettingsError(f"{variable} names an append twice: {','.join(items)}")


def _in_range(name: str, value: int, low: int, high: int) -> None:
    if type(value) is not int or not low <= value <= high:
        raise CollectorSettingsError(
            f"{name} must be an integer from {low} to {high}, got {value!r}"
        )
