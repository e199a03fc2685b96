"""One kind's harvest plan: what to fetch and why, decided from the store's index, the in-flight
ledger, the day's export and the changes feed (docs/harvest.md, "Planning").

Pure apart from the data handed in: the Harvester does the I/O. Ids live in bitmaps and
``array('q')``, so a kind of 4.5 M ids plans in ~100 MB.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

# pyarrow ships no type information (no py.typed): its objects are Any to mypy.
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from tmdb_collector.harvest._ids import IdList, SeenIds, ids_by_score, iter_ids
from tmdb_collector.harvest._settings import HarvestSettings
from tmdb_collector.harvest._state import IN_FLIGHT_SCHEMA
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import Reason
from tmdb_collector.tmdb import ExportEntry

__all__ = ["REASON_ORDER", "KindPlan", "KindPlanner"]

#: The order a kind's work is enqueued in: what TMDB says changed first, a first mirror's new
#: records by popularity next, then deletions to confirm, then the background refreshes.
REASON_ORDER: tuple[Reason, ...] = (
    Reason.CHANGED,
    Reason.NEW,
    Reason.DELETED,
    Reason.RECONCILE,
    Reason.REFRESH,
)

_HOUR_MS = 3_600_000
_INT32_MAX = 2**31 - 1


@dataclass(slots=True)
class KindPlan:
    """What one kind's harvest decided. ``work`` maps each reason to its ids, in enqueue order;
    ``carried`` is the in-flight ledger of earlier runs still awaiting their collector."""

    kind: Kind
    stored: int = 0
    export_day: date | None = None
    export_lines: int = 0
    export_ids: int = 0
    export_duplicates: int = 0
    export_malformed: int = 0
    in_flight: int = 0
    deletions_refused: int = 0
    adult_kept: int = 0
    adult_changes_skipped: int = 0
    changes_from: date | None = None
    changes_through: date | None = None
    changes_seen: int = 0
    #: The changes watermark to save once the work is enqueued (None: leave it as it is).
    watermark: date | None = None
    work: dict[Reason, pa.Array] = field(default_factory=dict)
    carried: pa.Table = field(default_factory=IN_FLIGHT_SCHEMA.empty_table)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def count(self, reason: Reason) -> int:
        ids = self.work.get(reason)
        return 0 if ids is None else len(ids)

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.work.values())

    def sequence(self) -> Iterator[tuple[Reason, pa.Array]]:
        for reason in REASON_ORDER:
            ids = self.work.get(reason)
            if ids is not None and len(ids):
                yield reason, ids

    def summary(self) -> dict[str, object]:
        """The plan as JSON-ready facts (for the run report and ``--json``)."""
        return {
            "kind": self.kind.value,
            "stored": self.stored,
            "export_day": None if self.export_day is None else self.export_day.isoformat(),
            "export_ids": self.export_ids,
            "export_duplicates": self.export_duplicates,
            "export_malformed": self.export_malformed,
            "changes_from": _iso(self.changes_from),
            "changes_through": _iso(self.changes_through),
            "changes_seen": self.changes_seen,
            "in_flight": self.in_flight,
            "deletions_refused": self.deletions_refused,
            "adult_kept": self.adult_kept,
            "work": {reason.value: self.count(reason) for reason in REASON_ORDER},
            "notes": list(self.notes),
            "errors": list(self.errors),
        }


class KindPlanner:
    """Builds one kind's plan in steps: ``stored`` and ``in_flight`` first, then ``export``
    batches, then ``finish`` (changes, deletions, reconciliation, refresh).

    ``stored`` is the kind's index (``RecordIndex.table(kind, columns=["deleted", "adult"])``);
    ``ledger`` the in-flight ledger (IN_FLIGHT_SCHEMA).
    """

    def __init__(
        self, kind: Kind, settings: HarvestSettings, *, now_ms: int, force_deletions: bool = False
    ) -> None:
        self.plan = KindPlan(kind)
        self._settings = settings
        self._now_ms = now_ms
        self._force = force_deletions
        self._live = SeenIds()
        self._in_flight = SeenIds()
        self._exported = SeenIds()
        self._planned = SeenIds()
        self._live_ids = pa.array([], type=pa.int64())
        self._live_checked = pa.array([], type=pa.int64())
        self._live_adult = pa.array([], type=pa.bool_())
        # 32-bit while every id fits (TMDB's are in the millions): half the memory of a
        # 4 M-id kind's new ids. A larger id widens the array once.
        self._new_ids = array("i")
        self._new_scores = array("f")
        self._export_read = False

    # --- inputs ------------------------------------------------------------------------------

    def stored(self, table: pa.Table, ledger: pa.Table) -> None:
        """The kind's index rows and in-flight ledger."""
        live = table.filter(pc.invert(table.column("deleted")))
        self._live_ids = live.column("id").combine_chunks()
        self._live_checked = pc.cast(live.column("checked_at"), pa.int64()).combine_chunks()
        self._live_adult = pc.fill_null(live.column("adult"), False).combine_chunks()
        for id_ in iter_ids(self._live_ids):
            self._live.add(id_)
        self.plan.stored = len(self._live)
        carried = self._still_in_flight(table, ledger)
        for id_ in iter_ids(carried.column("id")):
            self._in_flight.add(id_)
        self.plan.carried = carried
        self.plan.in_flight = len(self._in_flight)

    def _still_in_flight(self, table: pa.Table, ledger: pa.Table) -> pa.Table:
        """Ledger entries neither confirmed by a collector since (the index row's checked_at is
        newer) nor expired (lost, or dead-lettered and given up on)."""
        if ledger.num_rows == 0:
            return IN_FLIGHT_SCHEMA.empty_table()
        checked = pa.table(
            {"id": table.column("id"), "checked": pc.cast(table.column("checked_at"), pa.int64())}
        )
        joined = ledger.join(checked, keys="id", join_type="left outer")
        planned = pc.cast(joined.column("planned_at"), pa.int64())
        done = pc.fill_null(pc.greater_equal(joined.column("checked"), planned), False)
        expiry_ms = int(self._settings.in_flight_expiry_hours * _HOUR_MS)
        expired = pc.less(planned, self._now_ms - expiry_ms)
        keep = pc.invert(pc.or_(done, expired))
        kept = joined.filter(keep).select(IN_FLIGHT_SCHEMA.names)
        return kept.cast(IN_FLIGHT_SCHEMA).combine_chunks()

    def export_read(self, day: date, lines: int, duplicates: int, malformed: int) -> None:
        """The export was read whole (every batch given to ``export``)."""
        self._export_read = True
        self.plan.export_day = day
        self.plan.export_lines = lines
        self.plan.export_ids = len(self._exported)
        self.plan.export_duplicates = duplicates
        self.plan.export_malformed = malformed

    def export(self, batch: Iterable[ExportEntry]) -> None:
        """Entries of the export (the adult one too, under ADULT=include)."""
        exported, live, in_flight = self._exported, self._live, self._in_flight
        ids, scores = self._new_ids, self._new_scores
        for entry in batch:
            id_ = entry.id
            if not exported.add(id_) or id_ in live or id_ in in_flight:
                continue
            if id_ > _INT32_MAX and ids.typecode == "i":
                ids = self._new_ids = array("q", ids)
            ids.append(id_)
            score = entry.fields.get("popularity")
            scores.append(score if type(score) is float or type(score) is int else 0.0)

    # --- deciding ----------------------------------------------------------------------------

    def finish(self, *, changes: Mapping[int, bool | None] | None, reconcile: bool) -> KindPlan:
        """Decide: new (by popularity), deletions (with the mass-deletion guard), changes,
        reconciliation (every stored record, when ``reconcile``) and refreshes."""
        plan = self.plan
        # New ids are not marked planned: "exported, not stored, not in flight" says it.
        plan.work[Reason.NEW] = ids_by_score(self._new_ids, self._new_scores)
        self._new_ids, self._new_scores = array("i"), array("f")
        if self._export_read:
            plan.work[Reason.DELETED] = self._deletions()
        if changes is not None:
            plan.work[Reason.CHANGED] = self._changes(changes)
        if reconcile:
            plan.work[Reason.RECONCILE] = self._everything_stored()
        plan.work[Reason.REFRESH] = self._stalest()
        self._release()
        return plan

    def _release(self) -> None:
        """Drop what only deciding needed: a real-scale harvest holds every kind's plan at once
        until it is enqueued, not every kind's index."""
        empty = pa.array([], type=pa.int64())
        self._live_ids, self._live_checked = empty, empty
        self._live_adult = pa.array([], type=pa.bool_())
        self._live, self._in_flight, self._exported, self._planned = (
            SeenIds(),
            SeenIds(),
            SeenIds(),
            SeenIds(),
        )

    def _deletions(self) -> pa.Array:
        """Stored ids the export lacks, unless too recently confirmed to judge (fetched after
        the export was made), kept adult records (ADULT=exclude), or in flight."""
        plan = self.plan
        assert plan.export_day is not None  # noqa: S101 (set by export_read)
        export_made_ms = (
            int(datetime.combine(plan.export_day, datetime.min.time(), UTC).timestamp()) * 1000
        )
        keep_adult = self._settings.adult == "exclude"
        missing = IdList()
        ids = self._live_ids.to_pylist()
        checked = self._live_checked.to_pylist()
        adult = self._live_adult.to_pylist()
        exported, in_flight = self._exported, self._in_flight
        for id_, checked_ms, is_adult in zip(ids, checked, adult, strict=True):
            if id_ in exported or id_ in in_flight or checked_ms >= export_made_ms:
                continue
            if keep_adult and is_adult:
                plan.adult_kept += 1  # only in the adult export, which ADULT=exclude skips
                continue
            missing.add(id_)
        if len(missing) and len(missing) > self._settings.max_delete_share * plan.stored:
            share = len(missing) / max(plan.stored, 1)
            if not self._force:
                plan.deletions_refused = len(missing)
                plan.errors.append(
                    f"refusing to delete {len(missing):,} of {plan.stored:,} stored "
                    f"{plan.kind} records ({share:.1%}, more than DELETE_MAX_SHARE="
                    f"{self._settings.max_delete_share:g}): the {plan.export_day} export may be "
                    "truncated. Check it, then rerun with --force-deletions to delete them"
                )
                return pa.array([], type=pa.int64())
            plan.notes.append(
                f"deleting {len(missing):,} records ({share:.1%}): forced past DELETE_MAX_SHARE"
            )
        for id_ in iter_ids(missing.arrow()):
            self._planned.add(id_)
        return missing.arrow()

    def _changes(self, changes: Mapping[int, bool | None]) -> pa.Array:
        plan = self.plan
        plan.changes_seen = len(changes)
        skip_adult = self._settings.adult == "exclude"
        changed = IdList()
        exported, live = self._exported, self._live
        for id_, adult in changes.items():
            if id_ in self._planned or id_ in self._in_flight:
                continue
            if id_ in exported and id_ not in live:
                continue  # new: planned as such
            if skip_adult and adult is True and id_ not in self._live:
                plan.adult_changes_skipped += 1
                continue
            changed.add(id_)
            self._planned.add(id_)
        return changed.arrow()

    def _everything_stored(self) -> pa.Array:
        everything = IdList()
        for id_ in iter_ids(self._live_ids):
            if id_ not in self._planned and id_ not in self._in_flight:
                everything.add(id_)
                self._planned.add(id_)
        return everything.arrow()

    def _stalest(self) -> pa.Array:
        """Up to REFRESH_PER_RUN stored records confirmed longest ago (and not within
        REFRESH_MIN_AGE_HOURS), oldest first."""
        wanted = self._settings.refresh_per_run
        stalest = IdList()
        if wanted == 0 or len(self._live_ids) == 0:
            return stalest.arrow()
        cutoff = self._now_ms - int(self._settings.refresh_min_age_hours * _HOUR_MS)
        order = pc.sort_indices(self._live_checked)
        ids = pc.take(self._live_ids, order)
        checked = pc.take(self._live_checked, order)
        for start in range(0, len(ids), 4096):
            for id_, checked_ms in zip(
                ids.slice(start, 4096).to_pylist(),
                checked.slice(start, 4096).to_pylist(),
                strict=True,
            ):
                if checked_ms >= cutoff or len(stalest) >= wanted:
                    return stalest.arrow()
                if id_ not in self._planned and id_ not in self._in_flight:
                    stalest.add(id_)
                    self._planned.add(id_)
        return stalest.arrow()

    def planned_ledger(self, planned_at_ms: int, rows: int = 1_000_000) -> Iterator[pa.Table]:
        """The ledger to save once the plan is enqueued — what was carried plus everything
        planned — in tables of at most ``rows`` rows (memory stays bounded)."""
        at = pa.scalar(planned_at_ms, pa.timestamp("ms", tz="UTC"))
        yield self.plan.carried.cast(IN_FLIGHT_SCHEMA)
        for _, ids in self.plan.sequence():
            for start in range(0, len(ids), rows):
                chunk = ids.slice(start, rows).cast(pa.int64())
                times = pa.repeat(at, len(chunk))
                yield pa.Table.from_arrays([chunk, times], schema=IN_FLIGHT_SCHEMA)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
