"""How the commands show things: one console setup, the mirror's progress table and line, and
the small output helpers (UTF-8 to stdout whatever the locale)."""

from __future__ import annotations

import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from tmdb_collector.kinds import Kind

if TYPE_CHECKING:
    from tmdb_collector.app import MirrorProgress

__all__ = [
    "command_name",
    "progress_line",
    "render_progress",
    "stderr_is_terminal",
    "stdout_console",
    "stdout_is_terminal",
    "waiting_text",
    "write_bytes",
    "write_utf8",
]


def stdout_console() -> Console:
    """A console on stdout: a terminal's width there, whole lines in a pipe or file (not an
    80-column cut)."""
    return Console() if sys.stdout.isatty() else Console(width=200)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def write_utf8(text: str) -> None:
    # UTF-8 whatever the locale says: TMDB titles are in every script.
    write_bytes(text.encode("utf-8"))


def write_bytes(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def command_name() -> str:
    """How a user can type this program in a new shell: ``tmdb-collector`` when that is on PATH
    and is this program; otherwise the path of the script being run (``.venv/bin/tmdb-collector``
    relative to the working directory when it lies inside it)."""
    script = Path(sys.argv[0])
    on_path = shutil.which("tmdb-collector")
    if script.name != "tmdb-collector":
        # Run as `python -m tmdb_collector`: the module is what works.
        return f"{shlex.quote(sys.executable)} -m tmdb_collector"
    if on_path is not None and Path(on_path).resolve() == script.resolve():
        return "tmdb-collector"
    try:
        return shlex.quote(str(script.absolute().relative_to(Path.cwd())))
    except ValueError:
        return shlex.quote(str(script.absolute()))


def render_progress(progress: MirrorProgress) -> Table:
    """The progress table: per kind done / planned, then the run's rates and counters."""
    collect = progress.collect
    table = Table(title=f"mirror — {progress.phase}, {progress.seconds:,.0f} s")
    for column in ("kind", "done / planned", "created", "updated", "unchanged", "deleted"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind in Kind:
        done = 0 if collect is None else collect.items.get(kind, 0)
        planned = progress.planned.get(kind)
        written = {} if collect is None else collect.records.get(kind, {})
        if not done and not planned and not written:
            continue
        table.add_row(
            kind.value,
            f"{done:,} / {planned:,}" if planned is not None else f"{done:,}",
            *(f"{written.get(change, 0):,}" for change in ("created", "updated", "unchanged")),
            f"{written.get('deleted', 0):,}",
        )
    table.caption = progress_line(progress)
    return table


def progress_line(progress: MirrorProgress) -> str:
    collect, queue = progress.collect, progress.queue
    parts = [progress.phase]
    if collect is not None:
        seconds = max(time.time() - collect.started_at_ms / 1000, 1e-3)
        items = sum(collect.items.values())
        rate = items / seconds
        parts.append(
            f"{items:,} items ({rate:,.1f}/s), {collect.requests:,} requests "
            f"({collect.requests / seconds:,.1f}/s), {collect.rate_limited} × 429, "
            f"{collect.items_retried} retried, {collect.items_dead} dead"
        )
        if queue is not None and rate > 0:
            parts.append(f"{_messages(queue.visible + queue.in_flight + queue.delayed)} queued")
    waits = waiting_text(progress)
    if waits:
        parts.append(waits)
    if collect is not None and collect.errors:
        parts.append(f"last error: {collect.errors[-1]}")
    return "; ".join(parts)


def waiting_text(progress: MirrorProgress) -> str:
    """What a run with nothing left to work on waits for, and until when ("" while it works)."""
    wait = None if progress.collect is None else progress.collect.waiting
    if wait is None:
        return ""
    reasons = []
    if wait.in_flight:
        left = max(0, round(wait.back_by_ms / 1000 - time.time()))
        back = f"back in ≤ {left:,} s" if left else "due back now"
        reasons.append(
            f"{_messages(wait.in_flight)} another consumer holds (if it stopped, {back})"
        )
    if wait.delayed:
        reasons.append(f"{_messages(wait.delayed)} delayed for a retry")
    if not reasons:  # counted as visible, yet none delivered: the queue's counts lag
        reasons.append(f"{_messages(wait.visible)} the queue counts but has not delivered yet")
    return "waiting for " + " and ".join(reasons)


def _messages(count: int) -> str:
    return f"{count:,} message" + ("" if count == 1 else "s")
