"""What the collector costs when TMDB is no limit: records/s, CPU per record, peak RSS.

The fake TMDB runs in its own process (so its CPU is not counted here) with no rate limit and no
latency, serving collect_pace's catalog; ``run_mirror`` mirrors it into a temporary local store
through a client paced at 10,000/s. The harvest runs first on its own (``Harvester``, what
run_mirror calls) so that the collect phase's CPU — fetching, JSON decoding, conversion to
protobuf, compression and the local ``write_batch`` — is measured apart from it.

Then two one-kind catalogs (movies only, series only) give the CPU per movie and per series
record; a series' CPU covers its seasons and episodes too.

Prints records/s, CPU ms per work item (a top-level record), per stored record (seasons and
episodes included), and the process's peak RSS (VmHWM, reset before each run).
Targets (issue 6): <= 3 ms CPU per movie or series record; peak RSS <= 250 MB.
"""

from __future__ import annotations

import asyncio
import gc
import tempfile
from pathlib import Path

from benchmarks.collect_pace import CATALOG, MirrorRun, fake_args, mirror
from tmdb_collector.fake import start_fake_process
from tmdb_collector.kinds import Kind

CLIENT_RATE = 10_000
#: One-kind catalogs: the CPU of one movie, one series (with its seasons and episodes).
SINGLE_KIND = {Kind.MOVIE: "movie=600", Kind.TV: "tv=100"}


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def _status_mb(field: str) -> float:
    """VmHWM (peak RSS) or VmRSS of this process, in MB."""
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith(field + ":"))
    return kb / 1024


def _run(catalog: str) -> tuple[MirrorRun, float, float | None]:
    """The run, the peak RSS during it and the RSS it started from (None: VmHWM not reset,
    so the peak is the process's so far)."""
    args = fake_args(catalog, rate_limit=None, latency_ms=0)
    gc.collect()
    reset = _status_mb("VmRSS") if _reset_peak_rss() else None
    with (
        tempfile.TemporaryDirectory(prefix="collect-cost-") as tmp,
        start_fake_process(args) as url,
    ):
        run = asyncio.run(mirror(url, Path(tmp), CLIENT_RATE, harvest_apart=True))
    return run, _status_mb("VmHWM"), reset


def _report(label: str, run: MirrorRun, peak_mb: float, reset: float | None) -> None:
    progress = run.collect
    items = sum(progress.items.values())
    records = sum(sum(outcomes.values()) for outcomes in progress.records.values())
    cpu_ms = 1000 * run.collect_cpu
    print(
        f"{label}: {items:,} items, {records:,} records stored (seasons and episodes included) "
        f"with {progress.requests:,} requests in {run.collect_seconds:.1f} s: "
        f"{items / run.collect_seconds:.1f} items/s, {records / run.collect_seconds:.1f} "
        f"records/s"
    )
    received = run.stats.bytes_received / max(progress.requests, 1) / 1000
    print(
        f"  collect CPU {run.collect_cpu:.1f} s: {cpu_ms / items:.2f} ms per work item, "
        f"{cpu_ms / records:.2f} ms per stored record, {cpu_ms / progress.requests:.2f} ms "
        f"per request ({received:.1f} KB received per request); whole mirror "
        f"{run.cpu:.1f} s CPU in {run.seconds:.1f} s"
    )
    print(
        f"  peak RSS {peak_mb:.0f} MB"
        + (
            " (VmHWM could not be reset: the process's peak so far)"
            if reset is None
            else f" (reset at the start, when the process held {reset:.0f} MB)"
        )
        + f"; 429s {run.fake_rate_limited}, items failed {progress.items_failed}"
    )


def main() -> None:
    print(
        f"fake TMDB: no rate limit, no latency, its own process; client rate {CLIENT_RATE}/s, "
        "20 in flight; targets: <= 3 ms CPU per movie or series record, peak RSS <= 250 MB",
        flush=True,
    )
    _report(f"all kinds ({CATALOG})", *_run(CATALOG))
    for kind, catalog in SINGLE_KIND.items():
        run, peak_mb, reset = _run(catalog)
        _report(f"{kind.value} only ({catalog})", run, peak_mb, reset)
        items = run.collect.items.get(kind, 0)
        per_item = 1000 * run.collect_cpu / items
        print(f"  => {per_item:.2f} ms CPU per {kind.value} work item (target <= 3)")
