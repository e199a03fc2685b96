"""What `mirror` shows while it runs and when it ends: a wait says what it waits for, and the
final table's title says what the verdict says."""

from __future__ import annotations

import re
import time

import pytest
from rich.console import Console

from tmdb_collector.app import MirrorProgress, MirrorReport
from tmdb_collector.cli._mirror import _print_summary
from tmdb_collector.cli._render import progress_line
from tmdb_collector.collect import CollectorProgress, QueueWait
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import QueueCounts


def collecting(waiting: QueueWait | None = None) -> CollectorProgress:
    progress = CollectorProgress(started_at_ms=int((time.time() - 60) * 1000), waiting=waiting)
    progress.items[Kind.MOVIE] = 120
    return progress


def test_a_run_waiting_for_a_message_held_elsewhere_says_so_and_until_when() -> None:
    now_ms = int(time.time() * 1000)
    wait = QueueWait(
        in_flight=1, delayed=0, visible=0, since_ms=now_ms - 10_000, back_by_ms=now_ms + 290_000
    )
    line = progress_line(MirrorProgress("collect", collecting(wait), QueueCounts(0, 1, 0), {}, 70))
    assert "1 message queued" in line
    assert re.search(
        r"waiting for 1 message another consumer holds \(if it stopped, back in ≤ 2(89|90) s\)",
        line,
    ), line


def test_a_wait_past_the_visibility_timeout_and_delayed_retries() -> None:
    now_ms = int(time.time() * 1000)
    wait = QueueWait(
        in_flight=2, delayed=3, visible=0, since_ms=now_ms - 400_000, back_by_ms=now_ms - 100_000
    )
    line = progress_line(MirrorProgress("collect", collecting(wait), None, {}, 400))
    assert line.endswith(
        "waiting for 2 messages another consumer holds (if it stopped, due back now) and "
        "3 messages delayed for a retry"
    ), line


def test_a_run_at_work_says_nothing_of_waiting() -> None:
    line = progress_line(MirrorProgress("collect", collecting(), QueueCounts(5, 2, 0), {}, 70))
    assert "waiting" not in line


@pytest.mark.parametrize(
    ("dead", "stopped", "title", "verdict"),
    [
        (3, False, "mirror — incomplete, 40 s", "mirror incomplete: 3 messages in the dead-letter"),
        (0, False, "mirror — done, 40 s", "mirror done in 40.0 s"),
        (0, True, "mirror — stopped, 40 s", "mirror stopped: run `tmdb-collector mirror` again"),
    ],
)
def test_the_final_table_says_what_the_verdict_says(
    dead: int, stopped: bool, title: str, verdict: str
) -> None:
    report = MirrorReport(None, collecting(), stopped, 40.0, dead_letters=dead)
    console = Console(record=True, width=200)
    _print_summary(report, console)
    text = console.export_text()
    assert title in text, text
    assert verdict in text, text
    if dead or stopped:
        assert "— done" not in text, text
