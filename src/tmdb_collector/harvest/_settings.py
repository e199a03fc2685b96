"""What the harvester plans and how cautiously. The settings' defaults and checks are those of
``tmdb_collector.config``; ``tmdb_collector.app`` builds this from the resolved configuration."""

from __future__ import annotations

from dataclasses import dataclass

from tmdb_collector.config import (
    ADULT,
    CHANGES_MAX_GAP_DAYS,
    CONFIRM_DELETIONS,
    DELETE_MAX_SHARE,
    IN_FLIGHT_EXPIRY_HOURS,
    MAX_BATCH_SIZE,
    MEDIA_TYPES,
    REFRESH_MIN_AGE_HOURS,
    REFRESH_PER_RUN,
    WORK_BATCH_SIZE,
    AdultPolicy,
)
from tmdb_collector.kinds import Kind

__all__ = ["MAX_BATCH_SIZE", "AdultPolicy", "HarvestSettings"]


@dataclass(frozen=True, slots=True)
class HarvestSettings:
    """The harvest's knobs (docs/harvest.md, "Settings"; docs/configuration.md).

    ``refresh_per_run`` is per kind: the stalest records of each kind are refetched, as that is
    the only way to see changes to kinds without a changes feed (and to seasons and episodes).
    """

    kinds: tuple[Kind, ...] = MEDIA_TYPES.default
    adult: AdultPolicy = ADULT.default
    max_delete_share: float = DELETE_MAX_SHARE.default
    confirm_deletions: bool = CONFIRM_DELETIONS.default
    max_changes_gap_days: int = CHANGES_MAX_GAP_DAYS.default
    refresh_per_run: int = REFRESH_PER_RUN.default
    refresh_min_age_hours: float = REFRESH_MIN_AGE_HOURS.default
    in_flight_expiry_hours: float = IN_FLIGHT_EXPIRY_HOURS.default
    batch_size: int = WORK_BATCH_SIZE.default

    def __post_init__(self) -> None:
        MEDIA_TYPES.validate(self.kinds)
        ADULT.validate(self.adult)
        DELETE_MAX_SHARE.validate(self.max_delete_share)
        CONFIRM_DELETIONS.validate(self.confirm_deletions)
        CHANGES_MAX_GAP_DAYS.validate(self.max_changes_gap_days)
        REFRESH_PER_RUN.validate(self.refresh_per_run)
        REFRESH_MIN_AGE_HOURS.validate(self.refresh_min_age_hours)
        IN_FLIGHT_EXPIRY_HOURS.validate(self.in_flight_expiry_hours)
        WORK_BATCH_SIZE.validate(self.batch_size)
