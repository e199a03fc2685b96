"""Scenarios that mostly wait, run in a thread from the start of the session: their waiting
overlaps the other scenarios, and their test checks what they observed at the end.

They only observe (exit statuses, messages, watermarks, the store against a clean mirror); the
tests assert, so a failure reads as any other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fault._harness import (
    FakeProcess,
    Final,
    Run,
    Setup,
    clean_mirror,
    finish_and_compare,
    status,
    today,
)

#: The changes scenario: the last run was this many days ago, so the next reads 16 days of
#: changes, in two windows of at most 14 days.
CHANGES_DAYS_AGO = 15


@dataclass
class ChangesFeedFailure:
    """What the changes-feed scenario saw."""

    start: date
    second_window: date
    first: Run
    marks_before: dict[str, str]
    failed: Run
    faults_left: list[Any]
    marks_after_failure: dict[str, str]
    harvest_errors: list[str]
    final: Final
    marks_after_recovery: dict[str, str]


def watermarks(store: Path) -> dict[str, str]:
    body = json.loads((store / "state" / "harvest" / "watermarks.json").read_text())
    return {kind: mark["through"] for kind, mark in body["kinds"].items()}


def changes_feed_failing_part_way(where: Path) -> ChangesFeedFailure:
    """A mirror whose last run was 15 days ago; the second window of the movie changes feed
    fails on every attempt; then a run with TMDB healthy."""
    days = str(CHANGES_DAYS_AGO)
    clean = clean_mirror(where / "clean", "--day", days)
    with FakeProcess("--day", days) as fake:
        store = where / "data"
        setup = Setup(fake.url, str(store), where)
        # The export of 15 days ago (the catalog's day 0), the records as they are today.
        start = today() - timedelta(days=CHANGES_DAYS_AGO)
        first = setup.mirror("--date", start.isoformat())
        marks_before = watermarks(store) if first.code == 0 else {}
        second_window = today() - timedelta(days=1)
        # The client tries a request 8 times: 8 faults fail the window for good.
        fake.inject("503", 8, f"/3/movie/changes?start_date={second_window.isoformat()}")
        failed = setup.mirror()
        faults_left = fake.admin("GET", "inject")["pending"]
        marks_after_failure = watermarks(store)
        harvest = {kind["kind"]: kind for kind in status(setup)["last_harvest"]["kinds"]}
        final = finish_and_compare(setup, clean)
        return ChangesFeedFailure(
            start,
            second_window,
            first,
            marks_before,
            failed,
            faults_left,
            marks_after_failure,
            harvest["movie"]["errors"],
            final,
            watermarks(store),
        )
