"""The harvest against a synthetic fake TMDB: a first run, the next day, fallbacks, the guards."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from harvest.conftest import COUNTS, DAY0, World, at, by_reason
from tmdb_collector.harvest import HarvestState
from tmdb_collector.kinds import ADULT_EXPORT_NAMES, CHANGES_KINDS, EXPORT_KINDS, EXPORT_NAMES, Kind
from tmdb_collector.queue import Reason, pack_items

NO_REFRESH = {"refresh_per_run": 0}


async def first_mirror(world: World) -> None:
    """Harvest day 0 and collect everything it planned."""
    await world.harvest(settings=NO_REFRESH)
    world.calendar.now_ms += 3_600_000
    await world.collect(world.drain())


async def test_a_first_harvest_plans_every_exported_id_as_new(world: World) -> None:
    report = await world.harvest(settings=NO_REFRESH)
    items = world.drain()

    for kind in EXPORT_KINDS:
        exported = world.export_ids(EXPORT_NAMES[kind])
        planned = by_reason(items, kind)
        assert set(planned) == {Reason.NEW}, kind
        assert sorted(planned[Reason.NEW]) == sorted(set(exported)), kind
    assert report.items_enqueued == len(items) == sum(p.total for p in report.plan.kinds)
    assert not report.plan.errors
    for plan in report.plan.kinds:
        assert plan.export_day == DAY0
        assert plan.stored == 0
        if plan.kind in CHANGES_KINDS:
            assert "first harvest: every record is new" in plan.notes
    marks = await HarvestState(world.objects).watermarks()
    assert {kind: mark.through for kind, mark in marks.items()} == dict.fromkeys(
        CHANGES_KINDS, DAY0
    )
    assert all(item.enqueued_at_ms == at(DAY0) and item.attempt == 0 for item in items)


async def test_new_records_come_most_popular_first_and_kinds_interleave(world: World) -> None:
    await world.harvest(settings={**NO_REFRESH, "batch_size": 10})
    items = world.drain()
    lines = world.export_lines(EXPORT_NAMES[Kind.MOVIE])
    popularity = {line["id"]: line["popularity"] for line in lines}
    position = {line["id"]: number for number, line in enumerate(lines)}
    movies = [int(item.key) for item in items if item.kind is Kind.MOVIE]
    # Most popular first; equal popularity in export order. (float32: 4 decimals survive.)
    assert movies == sorted(movies, key=lambda id_: (-popularity[id_], position[id_]))
    # Interleaved: the first tenth of the queue already holds people and series.
    first_tenth = {item.kind for item in items[: len(items) // 10]}
    assert {Kind.MOVIE, Kind.TV, Kind.PERSON} <= first_tenth


async def test_work_in_flight_is_not_planned_twice(world: World) -> None:
    first = await world.harvest(settings=NO_REFRESH)
    again = await world.harvest(settings=NO_REFRESH)
    assert again.items_enqueued == 0
    assert {p.kind: p.in_flight for p in again.plan.kinds} == {
        p.kind: p.total for p in first.plan.kinds
    }

    # Half collected and stored; the other half still queued.
    items = world.drain()
    half = len(items) // 2
    world.queue.send(list(pack_items(items[half:])))
    world.calendar.now_ms += 60_000
    await world.collect(items[:half])
    third = await world.harvest(settings=NO_REFRESH)
    assert third.items_enqueued == 0
    assert sum(p.stored for p in third.plan.kinds) + sum(
        p.in_flight for p in third.plan.kinds
    ) == len(items)

    # Ledgers older than the expiry are planned again (lost work is not waited for for ever).
    world.calendar.now_ms += 3 * 3_600_000
    fourth = await world.harvest(settings={**NO_REFRESH, "in_flight_expiry_hours": 2})
    assert fourth.items_enqueued == len(items) - half
    assert {item.reason for item in world.drain()} - {Reason.NEW} == set()


async def test_a_queue_that_lost_its_work_does_not_hold_the_plan(world: World) -> None:
    """Failure 2 of issue 12: the queue file deleted (or drained by hand) while the ledger
    still lists its work: the next harvest plans again what is not stored, and says so."""
    first = await world.harvest(settings=NO_REFRESH)
    items = world.drain()  # the work is gone from the queue, none of it collected
    assert len(items) == first.items_enqueued
    again = await world.harvest(settings=NO_REFRESH)
    assert again.items_enqueued == first.items_enqueued
    assert all(p.in_flight == 0 for p in again.plan.kinds)
    notes = {p.kind: p.notes for p in again.plan.kinds}
    for plan in first.plan.kinds:
        lost = (
            f"the queue holds no work, but {plan.total:,} of the {plan.total:,} items the "
            "in-flight ledger listed are not in the store"
        )
        assert any(note.startswith(lost) for note in notes[plan.kind]), notes[plan.kind]


async def test_a_harvest_after_a_complete_mirror_says_nothing_of_the_ledger(
    world: World,
) -> None:
    """Every item the ledger lists is in the store and the queue is empty: that is normal."""
    await first_mirror(world)
    again = await world.harvest(settings=NO_REFRESH)
    notes = [note for p in again.plan.kinds for note in p.notes]
    assert not any("in-flight ledger" in note for note in notes), notes
    assert all(p.in_flight == 0 for p in again.plan.kinds)


async def test_the_next_day_plans_new_changed_and_deleted(world: World) -> None:
    await first_mirror(world)
    before = {kind: set(world.export_ids(EXPORT_NAMES[kind])) for kind in EXPORT_KINDS}
    world.next_day()
    report = await world.harvest(settings=NO_REFRESH)
    items = world.drain()

    for kind in EXPORT_KINDS:
        after = set(world.export_ids(EXPORT_NAMES[kind]))
        planned = by_reason(items, kind)
        assert set(planned.get(Reason.NEW, [])) == after - before[kind], kind
        assert set(planned.get(Reason.DELETED, [])) == before[kind] - after, kind
        assert before[kind] - after, f"the fake deleted no {kind}: the test proves nothing"
        if kind in CHANGES_KINDS:
            feed = await world.changed_ids(kind, DAY0, world.today)
            changed = set(planned.get(Reason.CHANGED, []))
            assert changed, kind
            # Every changed id is in the feed; every feed id the store holds (and that is not
            # deleted) is planned as changed.
            assert changed <= set(feed)
            stored_and_kept = (set(feed) & before[kind]) & after
            assert stored_and_kept <= changed
        else:
            assert Reason.CHANGED not in planned
    plans = {plan.kind: plan for plan in report.plan.kinds}
    assert plans[Kind.MOVIE].changes_from == DAY0
    assert plans[Kind.MOVIE].changes_through == world.today

    # Collected, the store agrees with the day's exports: deletions became tombstones.
    world.calendar.now_ms += 3_600_000
    await world.collect(items)
    after_collect = await world.harvest(settings=NO_REFRESH)
    # The watermark's day is read again (changes made after the last harvest that day count),
    # so only its changes come back: nothing new, nothing deleted.
    assert {item.reason for item in world.drain()} <= {Reason.CHANGED}
    for plan in after_collect.plan.kinds:
        assert plan.stored == len(set(world.export_ids(EXPORT_NAMES[plan.kind]))), plan.kind


async def test_yesterdays_export_is_used_until_todays_is_published(world: World) -> None:
    await first_mirror(world)
    world.next_day()
    world.fake.settings = dataclasses.replace(world.fake.settings, publish_today=False)
    report = await world.harvest(settings=NO_REFRESH)
    for plan in report.plan.kinds:
        assert plan.export_day == DAY0, plan.kind
        assert any("not published (yet)" in note for note in plan.notes), plan.notes
        # Yesterday's export is what the store was built from: nothing new or deleted.
        assert plan.count(Reason.NEW) == plan.count(Reason.DELETED) == 0
    assert not report.plan.errors


async def test_a_changes_gap_too_long_reconciles_every_stored_record(world: World) -> None:
    await first_mirror(world)
    for _ in range(3):
        world.next_day()
    report = await world.harvest(settings={**NO_REFRESH, "max_changes_gap_days": 2})
    plans = {plan.kind: plan for plan in report.plan.kinds}
    for kind in CHANGES_KINDS:
        plan = plans[kind]
        assert any("full reconciliation" in note for note in plan.notes), plan.notes
        assert plan.count(Reason.CHANGED) == 0
        assert plan.count(Reason.RECONCILE) == plan.stored - plan.count(Reason.DELETED)
        assert plan.changes_from is None
    assert plans[Kind.COLLECTION].count(Reason.RECONCILE) == 0
    marks = await HarvestState(world.objects).watermarks()
    assert all(marks[kind].through == world.today for kind in CHANGES_KINDS)


async def test_the_mass_deletion_guard_refuses_then_yields_to_force(world: World) -> None:
    await first_mirror(world)
    world.next_day()
    lines = world.export_lines(EXPORT_NAMES[Kind.MOVIE])
    kept = lines[: len(lines) // 2]  # a truncated export: half the movies "gone"
    world.serve_export(EXPORT_NAMES[Kind.MOVIE], kept)

    refused = await world.harvest(settings=NO_REFRESH, dry_run=True)
    movie = next(plan for plan in refused.plan.kinds if plan.kind is Kind.MOVIE)
    assert movie.count(Reason.DELETED) == 0
    assert movie.deletions_refused > movie.stored * 0.05
    [error] = refused.plan.errors
    assert "DELETE_MAX_SHARE" in error
    assert "--force-deletions" in error
    assert world.drain() == []  # a dry run enqueues nothing

    forced = await world.harvest(settings=NO_REFRESH, force_deletions=True)
    movie = next(plan for plan in forced.plan.kinds if plan.kind is Kind.MOVIE)
    assert movie.deletions_refused == 0
    assert movie.count(Reason.DELETED) > movie.stored * 0.05
    assert any("forced past DELETE_MAX_SHARE" in note for note in movie.notes)
    assert not forced.plan.errors
    deleted = by_reason(world.drain(), Kind.MOVIE)[Reason.DELETED]
    assert not set(deleted) & {line["id"] for line in kept}


async def test_the_adult_policy_decides_which_exports_count(world: World) -> None:
    excluded = await world.harvest(settings=NO_REFRESH, dry_run=True)
    included = await world.harvest(settings={**NO_REFRESH, "adult": "include"})
    items = world.drain()
    assert world.export_ids("adult_movie"), "the fake has no adult movie: the test proves nothing"
    for kind, name in ADULT_EXPORT_NAMES.items():
        adult_ids = set(world.export_ids(name))
        planned = set(by_reason(items, kind)[Reason.NEW])
        assert adult_ids <= planned
        plain = next(p for p in excluded.plan.kinds if p.kind is kind)
        both = next(p for p in included.plan.kinds if p.kind is kind)
        assert both.count(Reason.NEW) == plain.count(Reason.NEW) + len(adult_ids)

    # Stored under include, adult records are kept (not deleted) when the policy turns to
    # exclude: their absence from the main export says nothing.
    world.calendar.now_ms += 3_600_000
    await world.collect(items)
    world.next_day()
    report = await world.harvest(settings=NO_REFRESH, dry_run=True)
    movie = next(p for p in report.plan.kinds if p.kind is Kind.MOVIE)
    assert movie.adult_kept >= len(set(world.export_ids("adult_movie", DAY0))) - 1
    assert movie.count(Reason.DELETED) <= 2
    assert not report.plan.errors


async def test_duplicate_ids_in_an_export_are_planned_once(world: World) -> None:
    lines = world.export_lines(EXPORT_NAMES[Kind.KEYWORD])
    world.serve_export(EXPORT_NAMES[Kind.KEYWORD], [*lines, *lines[:5]])
    report = await world.harvest(settings=NO_REFRESH)
    keywords = by_reason(world.drain(), Kind.KEYWORD)[Reason.NEW]
    assert sorted(keywords) == sorted({line["id"] for line in lines})
    plan = next(p for p in report.plan.kinds if p.kind is Kind.KEYWORD)
    assert plan.export_duplicates == 5
    assert any("5 duplicate ids" in note for note in plan.notes)


async def test_refresh_takes_the_records_confirmed_longest_ago(world: World) -> None:
    await world.harvest(settings=NO_REFRESH, day=DAY0)
    items = [item for item in world.drain() if item.kind is Kind.COLLECTION]
    world.calendar.now_ms += 3_600_000
    await world.collect(items[:10])  # confirmed first
    world.calendar.now_ms += 3_600_000
    await world.collect(items[10:])
    world.calendar.now_ms += 2 * 86_400_000  # both older than REFRESH_MIN_AGE_HOURS

    report = await world.harvest(
        settings={"kinds": (Kind.COLLECTION,), "refresh_per_run": 10}, day=DAY0
    )
    refreshed = by_reason(world.drain(), Kind.COLLECTION)[Reason.REFRESH]
    assert sorted(refreshed) == sorted(int(item.key) for item in items[:10])
    assert report.plan.kinds[0].count(Reason.REFRESH) == 10

    # Too fresh to refresh: nothing.
    world.calendar.now_ms = at(DAY0) + 3 * 3_600_000 + 1
    none = await world.harvest(settings={"kinds": (Kind.COLLECTION,)}, day=DAY0, dry_run=True)
    assert none.plan.kinds[0].count(Reason.REFRESH) == 0


async def test_media_types_limit_the_kinds(world: World) -> None:
    report = await world.harvest(settings={"kinds": (Kind.TV, Kind.NETWORK)})
    assert [plan.kind for plan in report.plan.kinds] == [Kind.TV, Kind.NETWORK]
    assert {item.kind for item in world.drain()} == {Kind.TV, Kind.NETWORK}


async def test_a_missing_export_is_an_error_for_that_kind_only(world: World) -> None:
    # TMDB keeps exports about 90 days: none for this day, nor for the 3 days before it.
    report = await world.harvest(settings=NO_REFRESH, day=DAY0 - timedelta(days=400))
    assert len(report.plan.errors) == len(EXPORT_KINDS)
    assert all("no " in error and "export found" in error for error in report.plan.errors)
    assert report.items_enqueued == 0


def test_counts_are_small_enough_for_the_guard() -> None:
    # One deletion a day per kind must stay under DELETE_MAX_SHARE in every test above.
    assert min(COUNTS.values()) * 0.05 > 1
