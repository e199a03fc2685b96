"""The harvester: decides what to fetch from TMDB's daily exports and changes feeds, and puts
that work on the queue (docs/harvest.md)."""

from tmdb_collector.harvest._harvester import (
    FutureDayError,
    Harvester,
    HarvestPlan,
    HarvestReport,
    check_harvest_day,
    harvest_clock,
)
from tmdb_collector.harvest._plan import REASON_ORDER, KindPlan, KindPlanner
from tmdb_collector.harvest._settings import MAX_BATCH_SIZE, AdultPolicy, HarvestSettings
from tmdb_collector.harvest._state import HarvestState, HarvestStateError, Watermark

__all__ = [
    "MAX_BATCH_SIZE",
    "REASON_ORDER",
    "AdultPolicy",
    "FutureDayError",
    "HarvestPlan",
    "HarvestReport",
    "HarvestSettings",
    "HarvestState",
    "HarvestStateError",
    "Harvester",
    "KindPlan",
    "KindPlanner",
    "Watermark",
    "check_harvest_day",
    "harvest_clock",
]
