"""How the collector fetches and how much it works on at once. The settings' defaults and checks
are those of ``tmdb_collector.config``; ``tmdb_collector.app`` builds this from the resolved
configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from tmdb_collector.config import (
    APPEND_KINDS,
    APPENDS,
    EPISODE_DETAILS,
    ITEMS_IN_FLIGHT,
    MESSAGES_IN_FLIGHT,
    RETRY_DELAY_SECONDS,
    VISIBILITY_TIMEOUT,
)
from tmdb_collector.errors import ConfigurationError
from tmdb_collector.kinds import Kind

__all__ = ["APPEND_KINDS", "CollectorSettings", "default_appends"]


def default_appends() -> Mapping[Kind, tuple[str, ...]]:
    """Every sub-resource TMDB offers, per kind: a lossless copy wants them all."""
    return MappingProxyType({kind: setting.default for kind, setting in APPENDS.items()})


@dataclass(frozen=True, slots=True)
class CollectorSettings:
    """The collector's knobs (docs/collector.md, "Settings"; docs/configuration.md)."""

    #: append_to_response items per kind; a kind left out gets none.
    appends: Mapping[Kind, tuple[str, ...]] = field(default_factory=default_appends)
    #: Fetch each episode on its own (with the TV_EPISODE appends) instead of storing the
    #: episode object its season lists: one more request per episode.
    episode_details: bool = EPISODE_DETAILS.default
    #: Queue messages worked on at once.
    messages_in_flight: int = MESSAGES_IN_FLIGHT.default
    #: Work items (records) fetched at once, over all messages; the client's pacer still
    #: decides how many requests actually go out together.
    items_in_flight: int = ITEMS_IN_FLIGHT.default
    #: Seconds a received message stays hidden; extended while it is being worked on.
    visibility_timeout: int = VISIBILITY_TIMEOUT.default
    #: Seconds before failed items put back on the queue are delivered again.
    retry_delay_seconds: int = RETRY_DELAY_SECONDS.default

    def __post_init__(self) -> None:
        for kind, items in self.appends.items():
            setting = APPENDS.get(kind)
            if setting is None:
                raise ConfigurationError(
                    f"{kind} takes no appends: seasons arrive as season/N blocks of their series"
                )
            setting.validate(items)
        EPISODE_DETAILS.validate(self.episode_details)
        MESSAGES_IN_FLIGHT.validate(self.messages_in_flight)
        ITEMS_IN_FLIGHT.validate(self.items_in_flight)
        VISIBILITY_TIMEOUT.validate(self.visibility_timeout)
        RETRY_DELAY_SECONDS.validate(self.retry_delay_seconds)

    def appends_for(self, kind: Kind) -> tuple[str, ...]:
        return self.appends.get(kind, ())
