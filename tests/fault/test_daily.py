"""A later day going wrong: a truncated export must not look like mass deletion, and a changes
feed failing part-way must not move the watermark past what was read."""

from __future__ import annotations

import gzip
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from fault._background import CHANGES_DAYS_AGO, watermarks
from fault._harness import (
    FakeProcess,
    Setup,
    assert_no_traceback,
    export_file,
    quote,
    read_store,
    status,
    today,
)
from fault.conftest import BackgroundRuns, FaultTable
from tmdb_collector.kinds import Kind

pytestmark = pytest.mark.fault


def export_ids(data: bytes) -> set[str]:
    return {str(json.loads(line)["id"]) for line in gzip.decompress(data).splitlines() if line}


def day_two(fake: FakeProcess, setup: Setup) -> tuple[set[str], set[str], bytes, str]:
    """A clean first day, then day 2: (movies stored on day 1, movies in day 2's export, that
    export, the file name it is served under — tomorrow's: records checked on an export's own
    day are never deletion candidates, and every record here was fetched today, so the runs
    harvest for tomorrow, with HARVEST_TODAY saying it is tomorrow: a harvest refuses a day to
    come)."""
    first = setup.mirror()
    assert first.code == 0, first.describe()
    before = read_store(setup.store).live(Kind.MOVIE)
    fake.advance(1)
    full = fake.export_bytes("movie", today())
    name = export_file("movie", today() + timedelta(days=1))
    fake.admin("PUT", f"exports/{name}", full)
    truth = export_ids(full)
    assert before - truth, "the day deleted no movie: nothing to tell apart"
    return before, truth, full, name


def check_day_two(setup: Setup, before: set[str], truth: set[str]) -> int:
    """Exactly the movies TMDB deleted are tombstoned, every other one is live; records lost."""
    final = read_store(setup.store)
    assert final.tombstones(Kind.MOVIE) == before - truth
    assert final.live(Kind.MOVIE) == truth, truth ^ final.live(Kind.MOVIE)
    return len((before & truth) - final.live(Kind.MOVIE))


def test_a_cut_export_download(fake: FakeProcess, tmp_path: Path, fault_table: FaultTable) -> None:
    row = fault_table.row(10.0, "truncated export download", "")
    setup = Setup(fake.url, str(tmp_path / "data"), tmp_path)
    before, truth, full, name = day_two(fake, setup)
    # The first two requests for the file (the existence probe, then the download) stop
    # half-way: headers promising the whole file, half of it, then the connection closes.
    fake.inject("truncate", 2, f"/p/exports/{name}")
    tomorrow = (today() + timedelta(days=1)).isoformat()
    run = setup.mirror("--date", tomorrow, HARVEST_TODAY=tomorrow)
    assert run.code == 0, run.describe()
    [read] = [
        json.loads(line)
        for line in run.stderr.splitlines()
        if f"export /p/exports/{name} read" in line
    ]
    assert read["restarts"] >= 1, read
    lost = check_day_two(setup, before, truth)
    row.injected = (
        f"day 2's movie export download cut half-way ({len(full):,} bytes promised, the "
        "connection closed after half; the existence probe too)"
    )
    row.done(
        f"the download restarts ({read['restarts']}×) and reads all {read['entries']} ids; "
        f"`mirror` exit 0; exactly the {len(before - truth)} movie TMDB deleted is tombstoned",
        lost=lost,
    )


def test_a_truncated_export_file_is_no_mass_deletion(
    fake: FakeProcess, tmp_path: Path, fault_table: FaultTable
) -> None:
    row = fault_table.row(10.1, "truncated export file", "")
    setup = Setup(fake.url, str(tmp_path / "data"), tmp_path)
    before, truth, full, name = day_two(fake, setup)
    lines = gzip.decompress(full).splitlines(keepends=True)
    fake.admin("PUT", f"exports/{name}", gzip.compress(b"".join(lines[: len(lines) // 2])))
    tomorrow = (today() + timedelta(days=1)).isoformat()
    # Without a fetch to confirm each deletion, only the guard stands between a short export
    # and tombstones.
    harmed = setup.mirror("--date", tomorrow, CONFIRM_DELETIONS="false", HARVEST_TODAY=tomorrow)
    assert_no_traceback(harmed)
    after = read_store(setup.store)
    wrongly = after.tombstones(Kind.MOVIE) - (before - truth)
    assert not wrongly, f"{len(wrongly)} live movies tombstoned: {sorted(wrongly)[:5]}"
    assert before & truth <= after.live(Kind.MOVIE)
    harvest = {kind["kind"]: kind for kind in status(setup)["last_harvest"]["kinds"]}
    [error] = harvest["movie"]["errors"]
    assert "refusing to delete" in error

    fake.admin("PUT", f"exports/{name}", full)  # the whole file again
    healed = setup.mirror("--date", tomorrow, CONFIRM_DELETIONS="false", HARVEST_TODAY=tomorrow)
    assert healed.code == 0, healed.describe()
    lost = check_day_two(setup, before, truth)
    row.injected = (
        f"day 2's movie export a valid gzip of only its first {len(lines) // 2} of "
        f"{len(lines)} lines, with CONFIRM_DELETIONS=false (no fetch confirms a deletion)"
    )
    row.done(
        f"`mirror` exit {harmed.code}, no live movie tombstoned; the harvest says "
        f"{quote(error, 100)}; "
        f"with the whole export the next run tombstones exactly the {len(before - truth)} "
        "movie TMDB deleted",
        lost=lost,
    )


@pytest.mark.slow
def test_a_changes_feed_failing_part_way(
    background: BackgroundRuns, fault_table: FaultTable
) -> None:
    row = fault_table.row(11.0, "changes feed failing part-way", "")
    assert background.changes_feed is not None, "the background scenario was not started"
    seen = background.changes_feed.result(timeout=300)
    assert seen.first.code == 0, seen.first.describe()
    assert seen.marks_before["movie"] == seen.start.isoformat()
    row.injected = (
        f"the last run {CHANGES_DAYS_AGO} days ago: 16 days of changes to read, in two windows; "
        f"8 × 503 (every attempt) on the second one, "
        f"`/3/movie/changes?start_date={_md(seen.second_window)}…`"
    )
    assert_no_traceback(seen.failed)
    assert seen.faults_left == [], "the second window was never asked for"
    # Nothing of the feed counts unless all of it was read: the first window was, in vain.
    marks = seen.marks_after_failure
    assert marks["movie"] == seen.start.isoformat(), marks
    assert marks["tv"] == marks["person"] == today().isoformat(), marks
    [error] = seen.harvest_errors
    assert "watermark kept" in error
    seen.final.check()
    assert seen.marks_after_recovery["movie"] == today().isoformat()
    row.done(
        f"`mirror` exit {seen.failed.code}; the movie watermark stays at {_md(seen.start)} (tv "
        f"and person advance); the harvest says {quote(error, 90)}; the next `mirror` reads "
        "both windows: store = clean mirror",
        lost=seen.final.lost,
        recovery=f"the failing run took {seen.failed.seconds:.0f} s (8 attempts' backoff)",
    )


def _md(day: date) -> str:
    """A date relative to today, for the table (its absolute value changes every run)."""
    delta = (today() - day).days
    return "today" if delta == 0 else f"today−{delta}"


def test_a_failed_run_moves_no_watermark(
    fake: FakeProcess, tmp_path: Path, fault_table: FaultTable
) -> None:
    """Once, `mirror --date 2099-01-01` (a typo'd year) failed on its missing export but moved
    the watermarks to 2099: the changes feeds were never read again. Now a day to come is refused
    before anything is written, and a run that fails part-way keeps every watermark."""
    row = fault_table.row(11.1, "a failed run moves no watermark", "")
    setup = Setup(fake.url, str(tmp_path / "data"), tmp_path)
    first = setup.mirror()
    assert first.code == 0, first.describe()
    before = watermarks(Path(setup.store))
    typo = setup.mirror("--date", "2099-01-01")
    assert_no_traceback(typo)
    assert typo.code == 2, typo.describe()
    [line] = [line for line in typo.stderr.splitlines() if line.startswith("Error")]
    assert "--date 2099-01-01 is after today" in line
    name = export_file("movie", today())
    # Every download of the day's movie export ends early: the run stops before it enqueues.
    fake.inject("truncate", 20, f"/p/exports/{name}")
    broken = setup.mirror(TMDB_MAX_ATTEMPTS="2")
    assert_no_traceback(broken)
    assert broken.code != 0, broken.describe()
    assert watermarks(Path(setup.store)) == before
    fake.admin("DELETE", "inject")
    healed_on = today()
    healed = setup.mirror()
    assert healed.code == 0, healed.describe()
    # Read again through today (the day the run saw: a run at midnight may see the next).
    after = watermarks(Path(setup.store))
    assert after.keys() == before.keys()
    assert set(after.values()) <= {healed_on.isoformat(), today().isoformat()}, after
    row.injected = (
        "after a clean mirror: `mirror --date 2099-01-01` (a typo'd year), then a run whose "
        "movie export download ends early on every attempt (TMDB_MAX_ATTEMPTS=2)"
    )
    row.done(
        f"the first refused, exit 2, before anything is written: {quote(line, 90)}; the second "
        f"exit {broken.code}; the watermarks unchanged after both; the next `mirror` exit 0",
        lost=0,
    )
