"""KindPlanner on hand-made inputs: the rules of docs/harvest.md one by one."""

from __future__ import annotations

from array import array
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa

from tmdb_collector.harvest import HarvestSettings, KindPlanner
from tmdb_collector.harvest._ids import ids_by_score
from tmdb_collector.harvest._state import IN_FLIGHT_SCHEMA
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import Reason
from tmdb_collector.store import INDEX_SCHEMA
from tmdb_collector.tmdb import ExportEntry

DAY = date(2026, 9, 2)
NOW = int(datetime(2026, 9, 2, 10, tzinfo=UTC).timestamp() * 1000)
HOUR = 3_600_000


def index(rows: list[dict[str, Any]]) -> pa.Table:
    """Index rows with only what the planner reads: id, checked_at (ms), deleted, adult."""
    columns = {
        "id": [row["id"] for row in rows],
        "season_number": [None] * len(rows),
        "episode_number": [None] * len(rows),
        "checked_at": [row.get("checked", NOW - 48 * HOUR) for row in rows],
        "deleted": [row.get("deleted", False) for row in rows],
        "adult": [row.get("adult") for row in rows],
    }
    schema = pa.schema([INDEX_SCHEMA.field(name) for name in columns])
    return pa.Table.from_pydict(columns, schema=schema)


def ledger(entries: dict[int, int]) -> pa.Table:
    return pa.Table.from_pydict(
        {"id": list(entries), "planned_at": list(entries.values())}, schema=IN_FLIGHT_SCHEMA
    )


def entries(*pairs: tuple[int, float]) -> list[ExportEntry]:
    return [ExportEntry(id_, {"id": id_, "popularity": score}) for id_, score in pairs]


def plan(
    stored: list[dict[str, Any]],
    exported: list[ExportEntry] | None,
    *,
    in_flight: dict[int, int] | None = None,
    changes: dict[int, bool | None] | None = None,
    reconcile: bool = False,
    force: bool = False,
    **settings: Any,
) -> dict[Reason, list[int]]:
    planner = KindPlanner(
        Kind.MOVIE, HarvestSettings(**settings), now_ms=NOW, force_deletions=force
    )
    planner.stored(index(stored), ledger(in_flight or {}))
    if exported is not None:
        planner.export(exported)
        planner.export_read(DAY, len(exported), 0, 0)
    result = planner.finish(changes=changes, reconcile=reconcile)
    return {reason: ids.to_pylist() for reason, ids in result.sequence()}


def test_new_by_popularity_deleted_and_nothing_for_the_rest() -> None:
    work = plan(
        [{"id": 1}, {"id": 2}, {"id": 3}],
        entries((1, 5.0), (4, 1.0), (5, 9.5), (6, 1.0), (4, 3.0)),
        refresh_per_run=0,
        max_delete_share=1.0,
    )
    assert work == {Reason.NEW: [5, 4, 6], Reason.DELETED: [2, 3]}


def test_records_confirmed_after_the_export_was_made_are_not_judged() -> None:
    midnight = int(datetime(2026, 9, 2, tzinfo=UTC).timestamp() * 1000)
    work = plan(
        [{"id": 1, "checked": midnight - 1}, {"id": 2, "checked": midnight}],
        entries(),
        refresh_per_run=0,
        max_delete_share=1.0,
    )
    assert work == {Reason.DELETED: [1]}


def test_in_flight_until_confirmed_or_expired() -> None:
    planned = NOW - 2 * HOUR
    work = plan(
        [{"id": 1, "checked": planned + 1}, {"id": 2, "checked": planned - 1}],
        entries((1, 1.0), (2, 1.0), (3, 1.0), (4, 1.0), (5, 1.0)),
        in_flight={1: planned, 2: planned, 3: planned, 4: NOW - 400 * HOUR},
        refresh_per_run=10,
        refresh_min_age_hours=0,
    )
    # 1 confirmed since (refreshable again), 2 and 3 in flight, 4 expired (new again), 5 new.
    assert work == {Reason.NEW: [4, 5], Reason.REFRESH: [1]}


def test_changes_skip_new_planned_in_flight_and_unstored_adult() -> None:
    work = plan(
        [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 9, "adult": True}],
        entries((1, 1.0), (2, 1.0), (3, 1.0), (4, 1.0)),
        in_flight={3: NOW - HOUR},
        changes={1: False, 3: None, 4: False, 7: True, 8: None, 9: True},
        refresh_per_run=0,
    )
    # 4 is new, 3 in flight, 7 adult and not stored; 8 created after the export; 9 stored adult.
    assert work == {Reason.CHANGED: [1, 8, 9], Reason.NEW: [4]}


def test_the_guard_refuses_more_than_the_share_unless_forced() -> None:
    stored = [{"id": n} for n in range(1, 21)]
    kept = entries(*((n, 1.0) for n in range(1, 19)))  # 2 of 20 gone: 10 %
    refused = KindPlanner(Kind.MOVIE, HarvestSettings(refresh_per_run=0), now_ms=NOW)
    refused.stored(index(stored), ledger({}))
    refused.export(kept)
    refused.export_read(DAY, 18, 0, 0)
    result = refused.finish(changes=None, reconcile=False)
    assert result.count(Reason.DELETED) == 0
    assert result.deletions_refused == 2
    assert "10.0%" in result.errors[0]
    assert plan(stored, kept, force=True, refresh_per_run=0) == {Reason.DELETED: [19, 20]}
    assert plan(stored, kept, refresh_per_run=0, max_delete_share=0.1) == {Reason.DELETED: [19, 20]}


def test_reconcile_takes_every_live_record_not_otherwise_planned() -> None:
    work = plan(
        [{"id": 1}, {"id": 2}, {"id": 3, "deleted": True}],
        entries((1, 1.0), (2, 1.0)),
        changes={2: False},
        reconcile=True,
    )
    assert work == {Reason.CHANGED: [2], Reason.RECONCILE: [1]}


def test_refresh_oldest_first_and_never_too_fresh() -> None:
    stored = [
        {"id": 1, "checked": NOW - 30 * HOUR},
        {"id": 2, "checked": NOW - 90 * HOUR},
        {"id": 3, "checked": NOW - 60 * HOUR},
        {"id": 4, "checked": NOW - 2 * HOUR},
    ]
    exported = entries((1, 1.0), (2, 1.0), (3, 1.0), (4, 1.0))
    assert plan(stored, exported, refresh_per_run=2) == {Reason.REFRESH: [2, 3]}
    assert plan(stored, exported, refresh_per_run=10) == {Reason.REFRESH: [2, 3, 1]}


def test_no_export_plans_no_deletions() -> None:
    assert plan([{"id": 1}], None, refresh_per_run=0) == {}


def test_ids_beyond_32_bits_widen_the_new_ids() -> None:
    big = 2**31 + 5
    work = plan([], entries((7, 1.0), (big, 2.0), (2**40, 0.5)), refresh_per_run=0)
    assert work == {Reason.NEW: [big, 7, 2**40]}


def test_ids_by_score_is_stable_for_ties() -> None:
    ids = array("i", [5, 3, 9, 1])
    scores = array("f", [1.0, 2.0, 1.0, 2.0])
    assert ids_by_score(ids, scores).to_pylist() == [3, 1, 5, 9]
    assert ids_by_score(array("q"), array("f")).to_pylist() == []
