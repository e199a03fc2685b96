"""What the harvester plans and how cautiously, read once from the environment."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from tmdb_collector._env import env_flag, env_integer, env_number
from tmdb_collector.kinds import EXPORT_KINDS, Kind

__all__ = [
    "MAX_BATCH_SIZE",
    "AdultPolicy",
    "HarvestSettings",
    "HarvestSettingsError",
    "parse_kinds",
]

AdultPolicy = Literal["exclude", "include"]
#: Work items per message at most: 10,000 keys of up to 15 bytes fit in 256 KiB with room left.
MAX_BATCH_SIZE = 10_000


class HarvestSettingsError(ValueError):
    """A harvest setting that cannot be used; the message names the variable and the fix."""


@dataclass(frozen=True, slots=True)
class HarvestSettings:
    """The harvest's knobs (docs/harvest.md, "Settings").

    ``refresh_per_run`` is per kind: the stalest records of each kind are refetched, as that is
    the only way to see changes to kinds without a changes feed (and to seasons and episodes).
    """

    kinds: tuple[Kind, ...] = EXPORT_KINDS
    adult: AdultPolicy = "exclude"
    max_delete_share: float = 0.05
    confirm_deletions: bool = True
    max_changes_gap_days: int = 30
    refresh_per_run: int = 1000
    refresh_min_age_hours: float = 24.0
    in_flight_expiry_hours: float = 14 * 24.0
    batch_size: int = 100

    def __post_init__(self) -> None:
        if not self.kinds:
            raise HarvestSettingsError("MEDIA_TYPES names no kind; leave it unset for all seven")
        if self.adult not in ("exclude", "include"):
            raise HarvestSettingsError(f"ADULT must be exclude or include, got {self.adult!r}")
        if not (0.0 <= self.max_delete_share <= 1.0):
            raise HarvestSettingsError(
                f"DELETE_MAX_SHARE must be a share between 0 and 1 (0.05 = 5 %), "
                f"got {self.max_delete_share!r}"
            )
        _at_least("CHANGES_MAX_GAP_DAYS", self.max_changes_gap_days, 1)
        _at_least("REFRESH_PER_RUN", self.refresh_per_run, 0)
        _at_least("REFRESH_MIN_AGE_HOURS", self.refresh_min_age_hours, 0)
        _at_least("IN_FLIGHT_EXPIRY_HOURS", self.in_flight_expiry_hours, 1)
        _at_least("WORK_BATCH_SIZE", self.batch_size, 1)
        if self.batch_size > MAX_BATCH_SIZE:
            raise HarvestSettingsError(
                f"WORK_BATCH_SIZE must be at most {MAX_BATCH_SIZE:,} (a message holds 256 KiB), "
                f"got {self.batch_size}"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> HarvestSettings:
        """Read MEDIA_TYPES, ADULT, DELETE_MAX_SHARE, CONFIRM_DELETIONS, CHANGES_MAX_GAP_DAYS,
        REFRESH_PER_RUN, REFRESH_MIN_AGE_HOURS, IN_FLIGHT_EXPIRY_HOURS and WORK_BATCH_SIZE."""
        defaults = cls()
        adult = environ.get("ADULT", "").strip().lower() or defaults.adult
        if adult not in ("exclude", "include"):
            raise HarvestSettingsError(f"ADULT must be exclude or include, got {adult!r}")
        return cls(
            kinds=parse_kinds(environ.get("MEDIA_TYPES", "")) or defaults.kinds,
            adult=adult,  # type: ignore[arg-type]  # checked just above
            max_delete_share=env_number(
                environ, "DELETE_MAX_SHARE", defaults.max_delete_share, HarvestSettingsError
            ),
            confirm_deletions=env_flag(
                environ, "CONFIRM_DELETIONS", defaults.confirm_deletions, HarvestSettingsError
            ),
            max_changes_gap_days=env_integer(
                environ, "CHANGES_MAX_GAP_DAYS", defaults.max_changes_gap_days, HarvestSettingsError
            ),
            refresh_per_run=env_integer(
                environ, "REFRESH_PER_RUN", defaults.refresh_per_run, HarvestSettingsError
            ),
            refresh_min_age_hours=env_number(
                environ,
                "REFRESH_MIN_AGE_HOURS",
                defaults.refresh_min_age_hours,
                HarvestSettingsError,
            ),
            in_flight_expiry_hours=env_number(
                environ,
                "IN_FLIGHT_EXPIRY_HOURS",
                defaults.in_flight_expiry_hours,
                HarvestSettingsError,
            ),
            batch_size=env_integer(
                environ, "WORK_BATCH_SIZE", defaults.batch_size, HarvestSettingsError
            ),
        )


def parse_kinds(text: str) -> tuple[Kind, ...]:
    """``movie,tv`` → the kinds, in the canonical order; empty text → ()."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    known = {kind.value: kind for kind in EXPORT_KINDS}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise HarvestSettingsError(
            f"unknown media type {', '.join(unknown)}; use any of: {', '.join(known)} "
            "(seasons and episodes come with their series)"
        )
    wanted = set(names)
    return tuple(kind for kind in EXPORT_KINDS if kind.value in wanted)


def _at_least(name: str, value: float, minimum: float) -> None:
    if not (math.isfinite(value) and value >= minimum):
        raise HarvestSettingsError(f"{name} must be at least {minimum}, got {value!r}")
