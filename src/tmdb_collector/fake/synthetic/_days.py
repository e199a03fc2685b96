"""The synthetic catalog's history: which ids each day created, changed and deleted.

A day is drawn from a Random seeded by (catalog seed, kind, day), so computing it costs
O(changes), and the same (counts, seed) always yields the same history. Only these small per-day
sets are kept in memory; records themselves are regenerated on demand from (id, version), where
the version of a record is the last day it was created or changed.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

from tmdb_collector.fake.synthetic._light import derive_seed
from tmdb_collector.kinds import EXPORT_KINDS, Kind

__all__ = ["DayRates", "KindDay", "Timeline"]


@dataclass(frozen=True, slots=True)
class DayRates:
    """Daily churn per kind, as fractions of the kind's initial count.

    Every kind with at least ``floor_threshold`` records gets at least one new, one changed and
    one deleted record a day, so even a tiny test catalog shows all three.
    """

    new: float = 0.001
    changed: float = 0.005
    deleted: float = 0.0005
    floor_threshold: int = 20

    def __post_init__(self) -> None:
        for name in ("new", "changed", "deleted"):
            rate = getattr(self, name)
            if not 0 <= rate <= 0.5:
                raise ValueError(f"DayRates.{name} must be between 0 and 0.5, got {rate}")

    def per_day(self, rate: float, initial_count: int) -> int:
        floor = 1 if initial_count >= self.floor_threshold else 0
        return max(floor, round(rate * initial_count))


@dataclass(frozen=True, slots=True)
class KindDay:
    """What one day did to one kind."""

    first_new_id: int
    new_count: int
    changed: frozenset[int]
    deleted: frozenset[int]

    @property
    def new_ids(self) -> range:
        return range(self.first_new_id, self.first_new_id + self.new_count)


class Timeline:
    """The per-day sets of one catalog; grows by ``extend``. Owned by one SyntheticCatalog."""

    def __init__(self, counts: Mapping[Kind, int], seed: int, rates: DayRates) -> None:
        self._seed = seed
        self._rates = rates
        self._initial = {kind: counts.get(kind, 0) for kind in EXPORT_KINDS}
        self._days: list[dict[Kind, KindDay]] = []
        self._max_ids: dict[Kind, list[int]] = {k: [n] for k, n in self._initial.items()}
        # id -> ascending days on which it was created or changed (only ids that ever were).
        self._versions: dict[Kind, dict[int, list[int]]] = {k: {} for k in EXPORT_KINDS}
        self._deleted_on: dict[Kind, dict[int, int]] = {k: {} for k in EXPORT_KINDS}

    @property
    def last_day(self) -> int:
        return len(self._days)

    def extend(self) -> None:
        """Compute the next day."""
        day = len(self._days) + 1
        self._days.append({kind: self._draw(kind, day) for kind in EXPORT_KINDS})

    def _draw(self, kind: Kind, day: int) -> KindDay:
        rng = random.Random(derive_seed(self._seed, "day", kind.value, day))
        initial = self._initial[kind]
        previous_max = self._max_ids[kind][-1]
        n_new = self._rates.per_day(self._rates.new, initial)
        n_changed = self._rates.per_day(self._rates.changed, initial)
        n_deleted = self._rates.per_day(self._rates.deleted, initial)
        deleted_on = self._deleted_on[kind]
        wanted = n_changed + n_deleted
        # Oversample so that ids already deleted can be dropped without a second draw.
        draw = min(previous_max, 2 * wanted + 16)
        live = [i for i in rng.sample(range(1, previous_max + 1), draw) if i not in deleted_on]
        deleted = frozenset(live[:n_deleted])
        changed = frozenset(live[n_deleted:wanted])
        result = KindDay(previous_max + 1, n_new, changed, deleted)
        for record_id in deleted:
            deleted_on[record_id] = day
        versions = self._versions[kind]
        for record_id in (*changed, *result.new_ids):
            versions.setdefault(record_id, []).append(day)
        self._max_ids[kind].append(previous_max + n_new)
        return result

    def kind_day(self, kind: Kind, day: int) -> KindDay | None:
        """The sets of ``day`` (1..last_day); None for day 0 and earlier."""
        if day < 1 or day > len(self._days):
            return None
        return self._days[day - 1][kind]

    def max_id(self, kind: Kind, day: int) -> int:
        return self._max_ids[kind][min(max(day, 0), len(self._days))]

    def exists(self, kind: Kind, record_id: int, day: int) -> bool:
        if not 1 <= record_id <= self.max_id(kind, day):
            return False
        deleted = self._deleted_on[kind].get(record_id)
        return deleted is None or deleted > day

    def version(self, kind: Kind, record_id: int, day: int) -> int:
        """The last day <= ``day`` on which the record was created or changed, else 0."""
        days = self._versions[kind].get(record_id)
        if not days:
            return 0
        index = bisect_right(days, day)
        return days[index - 1] if index else 0

    def change_count(self, kind: Kind, record_id: int, day: int) -> int:
        """How many times the record was created or changed up to ``day``."""
        return bisect_right(self._versions[kind].get(record_id, ()), day)

    def versions_of(self, kind: Kind) -> Mapping[int, list[int]]:
        """Read-only view for the export loop, which looks versions up for millions of ids."""
        return self._versions[kind]

    def deletions_of(self, kind: Kind) -> Mapping[int, int]:
        return self._deleted_on[kind]
