"""SyntheticCatalog: a deterministic TMDB of any size, generated on demand.

Same (counts, seed, day) → byte-identical records, blocks, changes and export lines in every
process. Only the per-day sets of created/changed/deleted ids are held in memory; each record is
rebuilt from its id and version when asked for, so a catalog the size of TMDB costs a few MB.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping

from tmdb_collector.fake.synthetic._cards import World
from tmdb_collector.fake.synthetic._days import DayRates, Timeline
from tmdb_collector.fake.synthetic._export import EXPORT_FORMAT, ExportSpec, stream_export
from tmdb_collector.fake.synthetic._light import derive_seed, id_hash, is_adult
from tmdb_collector.fake.synthetic._records import record_base, record_block
from tmdb_collector.kinds import (
    ADULT_EXPORT_NAMES,
    CHANGES_KINDS,
    EXPORT_KINDS,
    EXPORT_NAMES,
    Kind,
    RecordKey,
)
from tmdb_collector.tmdbapi import ChangedEntry, JSONObject

__all__ = ["REAL_COUNTS", "DayRates", "SyntheticCatalog", "parse_counts"]

#: Roughly TMDB's size in 2026 (API-NOTES.md export sizes; collections estimated from the
#: 0.16 MB gzip export at ~25 bytes a compressed line). Cross-references of a kind the catalog
#: has no records of draw from these spaces, so a movie-only catalog still has full credits.
REAL_COUNTS: dict[Kind, int] = {
    Kind.MOVIE: 1_240_000,
    Kind.TV: 230_000,
    Kind.PERSON: 4_500_000,
    Kind.COLLECTION: 7_000,
    Kind.COMPANY: 250_000,
    Kind.NETWORK: 5_000,
    Kind.KEYWORD: 80_000,
}

_EXPORTS: dict[str, ExportSpec] = {
    **{name: ExportSpec(kind, adult=False) for kind, name in EXPORT_NAMES.items()},
    **{name: ExportSpec(kind, adult=True) for kind, name in ADULT_EXPORT_NAMES.items()},
}

# N in ASCII digits, "_" only between them (1_000), as int() reads it.
_COUNT_ITEM = re.compile(r"\s*([a-z_]+)\s*=\s*([0-9]+(?:_[0-9]+)*)\s*")


def parse_counts(text: str) -> dict[Kind, int]:
    """Parse ``movie=1000,tv=200,person=5000`` (any subset of the seven export kinds; the others
    get 0). Raise ValueError naming the bad item."""
    counts = dict.fromkeys(EXPORT_KINDS, 0)
    seen: set[Kind] = set()
    known = ", ".join(k.value for k in EXPORT_KINDS)
    for item in text.split(","):
        if not item.strip():
            if text.strip():
                raise ValueError(f"empty item in counts {text!r}; write e.g. movie=1000,tv=200")
            continue
        match = _COUNT_ITEM.fullmatch(item)
        if match is None:
            raise ValueError(f"bad counts item {item.strip()!r}: write KIND=N, e.g. movie=1000")
        name, number = match.groups()
        try:
            kind = Kind(name)
        except ValueError:
            raise ValueError(f"unknown kind {name!r} in counts; use one of: {known}") from None
        if kind not in EXPORT_KINDS:
            raise ValueError(f"{name!r} records live inside series; use one of: {known}")
        if kind in seen:
            raise ValueError(f"{name} is given twice in counts {text!r}")
        seen.add(kind)
        counts[kind] = int(number)
    return counts


class SyntheticCatalog:
    """A Catalog (see ``_catalog.py``) of ``counts`` records per kind, ids 1..N at day 0."""

    def __init__(
        self, counts: Mapping[Kind, int], *, seed: int = 0, rates: DayRates | None = None
    ) -> None:
        for kind, count in counts.items():
            if Kind(kind) not in EXPORT_KINDS:
                raise ValueError(f"counts are per export kind, not {kind}")
            if count < 0:
                raise ValueError(f"{kind} count must be >= 0, got {count}")
        self._seed = seed
        self._rates = rates or DayRates()
        self._timeline = Timeline(counts, seed, self._rates)
        self._salts = {kind: derive_seed(seed, "kind", kind.value) for kind in Kind}
        self._spaces = {kind: counts.get(kind, 0) or REAL_COUNTS[kind] for kind in EXPORT_KINDS}
        self._counts = {Kind(kind): count for kind, count in counts.items()}

    def __repr__(self) -> str:
        counts = ",".join(f"{kind}={count}" for kind, count in self._counts.items())
        return f"SyntheticCatalog({counts}, seed={self._seed}, day={self.day})"

    @property
    def day(self) -> int:
        return self._timeline.last_day

    def advance(self, days: int) -> None:
        if days < 1:
            raise ValueError(f"advance takes a number of days >= 1, got {days}")
        for _ in range(days):
            self._timeline.extend()

    def _world(self) -> World:
        return World(self._seed, self._salts, self._spaces, self._timeline, self.day)

    def base(self, key: RecordKey) -> JSONObject | None:
        return record_base(self._world(), key)

    def block(self, key: RecordKey, name: str) -> JSONObject | None:
        return record_block(self._world(), key, name)

    def changed(self, kind: Kind, day: int) -> list[ChangedEntry]:
        if kind not in CHANGES_KINDS:
            raise ValueError(f"TMDB has no changes feed for {kind}; only for movie, tv and person")
        sets = self._timeline.kind_day(kind, day)
        if sets is None:
            return []
        ids = sorted({*sets.changed, *sets.new_ids})
        # The real feed is in no particular order.
        random.Random(derive_seed(self._seed, "changed-order", kind.value, day)).shuffle(ids)
        return [self._changed_entry(kind, record_id) for record_id in ids]

    def _changed_entry(self, kind: Kind, record_id: int) -> ChangedEntry:
        h = id_hash(self._salts[kind], record_id)
        adult = is_adult(h)
        softcore = adult and (h >> 20) % 2 == 0
        # The real tv feed sends "adult": null for some series.
        if kind is Kind.TV and (h >> 36) % 10 == 0:
            return ChangedEntry(record_id, None, softcore)
        return ChangedEntry(record_id, adult, softcore)

    def export_lines(self, export_name: str, day: int) -> Iterator[bytes]:
        spec = self._export_spec(export_name, day)
        day = max(day, 0)
        return stream_export(spec, self._timeline, self._seed, self._salts[spec.kind], day)

    def export_identity(self, export_name: str, day: int) -> str:
        """What decides the export's lines: the generator's format, counts, seed, daily rates,
        export name and day (the timeline's history up to ``day`` follows from the others)."""
        self._export_spec(export_name, day)
        counts = ",".join(f"{kind}={self._counts.get(kind, 0)}" for kind in EXPORT_KINDS)
        return (
            f"synthetic export v{EXPORT_FORMAT} counts={counts} seed={self._seed} "
            f"rates={self._rates!r} {export_name} day={max(day, 0)}"
        )

    def _export_spec(self, export_name: str, day: int) -> ExportSpec:
        spec = _EXPORTS.get(export_name)
        if spec is None:
            known = ", ".join(sorted(_EXPORTS))
            raise ValueError(f"unknown export {export_name!r}; one of: {known}")
        if day > self.day:
            raise ValueError(f"the export of day {day} is not published yet (today is {self.day})")
        return spec
