"""What the harvester plans and how cautiously. The settings' defaults and checks are those of
``tmdb_collector.config``; ``tmdb_collector.app`` builds this from the resolved configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tmdb_collector.config import (
    ADULT,
    CHANGES_MAX_GAP_DAYS,
    CONFIRM_DELETIONS,
    DELETE_MAX_SHARE,
    HARVEST_TODAY,
    IN_FLIGHT_EXPIRY_HOURS,
    MAX_BATCH_SIZE,
    MEDIA_TYPES,
    REFRESH_MIN_AGE_HOURS,
    REFRESH_PER_RUN,
    WORK_BATCH_SIZE,
    AdultPolicy,
    check_fields,
    setting_field,
)
from tmdb_collector.kinds import Kind

__all__ = ["MAX_BATCH_SIZE", "AdultPolicy", "HarvestSettings"]


@dataclass(frozen=True, slots=True)
class HarvestSettings:
    """The harvest's knobs (docs/harvest.md, "Settings"; docs/configuration.md).

    ``refresh_per_run`` is per kind: the stalest records of each kind are refetched, as that is
    the only way to see changes to kinds without a changes feed (and to seasons and episodes).
    """

    kinds: tuple[Kind, ...] = setting_field(MEDIA_TYPES)
    adult: AdultPolicy = setting_field(ADULT)
    max_delete_share: float = setting_field(DELETE_MAX_SHARE)
    confirm_deletions: bool = setting_field(CONFIRM_DELETIONS)
    max_changes_gap_days: int = setting_field(CHANGES_MAX_GAP_DAYS)
    refresh_per_run: int = setting_field(REFRESH_PER_RUN)
    refresh_min_age_hours: float = setting_field(REFRESH_MIN_AGE_HOURS)
    in_flight_expiry_hours: float = setting_field(IN_FLIGHT_EXPIRY_HOURS)
    batch_size: int = setting_field(WORK_BATCH_SIZE)
    #: The day taken for today (HARVEST_TODAY, tests and rehearsals); None: the clock's.
    today: date | None = setting_field(HARVEST_TODAY)

    def __post_init__(self) -> None:
        check_fields(self)
