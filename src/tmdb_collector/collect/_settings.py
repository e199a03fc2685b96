"""How the collector fetches and how much it works on at once. The settings' defaults and checks
are those of ``tmdb_collector.config``; ``tmdb_collector.app`` builds this from the resolved
configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tmdb_collector.config import (
    APPEND_KINDS,
    APPENDS,
    EPISODE_DETAILS,
    ITEMS_IN_FLIGHT,
    MESSAGES_IN_FLIGHT,
    RETRY_DELAY_SECONDS,
    SEASON_DETAILS,
    VISIBILITY_TIMEOUT,
    check_fields,
    setting_field,
    settings_field,
)
from tmdb_collector.kinds import Kind

__all__ = ["APPEND_KINDS", "CollectorSettings", "default_appends"]


def default_appends() -> Mapping[Kind, tuple[str, ...]]:
    """Every sub-resource TMDB offers, per kind: a lossless copy wants them all."""
    return MappingProxyType({kind: setting.default for kind, setting in APPENDS.items()})


@dataclass(frozen=True, slots=True)
class CollectorSettings:
    """The collector's knobs (docs/collector.md, "Settings"; docs/configuration.md)."""

    #: append_to_response items per kind; a kind left out gets none.
    appends: Mapping[Kind, tuple[str, ...]] = settings_field(APPENDS)
    #: Fetch each season on its own (with the TV_SEASON appends) instead of storing the
    #: season/N block of its series: one more request per season.
    season_details: bool = setting_field(SEASON_DETAILS)
    #: Fetch each episode on its own (with the TV_EPISODE appends) instead of storing the
    #: episode object its season lists: one more request per episode.
    episode_details: bool = setting_field(EPISODE_DETAILS)
    #: Queue messages worked on at once.
    messages_in_flight: int = setting_field(MESSAGES_IN_FLIGHT)
    #: Work items (records) fetched at once, over all messages; the client's pacer still
    #: decides how many requests actually go out together.
    items_in_flight: int = setting_field(ITEMS_IN_FLIGHT)
    #: Seconds a received message stays hidden; extended while it is being worked on.
    visibility_timeout: int = setting_field(VISIBILITY_TIMEOUT)
    #: Seconds before failed items put back on the queue are delivered again.
    retry_delay_seconds: int = setting_field(RETRY_DELAY_SECONDS)

    def __post_init__(self) -> None:
        check_fields(self)

    def appends_for(self, kind: Kind) -> tuple[str, ...]:
        return self.appends.get(kind, ())
