"""The harvester at TMDB's real scale: plan and enqueue everything, against a store of 1 M ids.

The fake TMDB runs in its own process with a synthetic catalog of TMDB's real size (1.24 M
movies, 230 k series, 4.5 M people, 250 k companies, 80 k keywords, 7 k collections, 5 k
networks: REAL_COUNTS), one day advanced so the changes feeds have a day to report, its exports
generated once into a cache (real TMDB serves them as static files) before timing starts. The
store already holds 1,000,000 records (600 k movies, 100 k series, 300 k people: index rows only,
which is all the harvester reads; 1,000 of the movie ids are ones TMDB no longer lists), and the
changes watermarks say yesterday.

Then ``tmdb-collector harvest`` runs as a child process (the user's command, nothing else in
it) into the embedded SQLite queue; its wall time, CPU time and peak RSS are measured from
outside. Targets (issue 5): peak RSS <= 300 MB, <= 60 s to plan and enqueue everything.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tmdb_collector.fake import start_fake_process
from tmdb_collector.fake.synthetic import REAL_COUNTS
from tmdb_collector.harvest import HarvestState, Watermark
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import SQLiteWorkQueue
from tmdb_collector.store import INDEX_SCHEMA, open_object_store
from tmdb_collector.store._index import snapshot_key

#: Records already stored per kind: a million in all.
STORED = {Kind.MOVIE: 600_000, Kind.TV: 100_000, Kind.PERSON: 300_000}
#: Stored movie ids beyond the export (deleted at TMDB since): well under the 5 % guard.
GONE = 1_000
#: Runs the CLI and reports its own peak RSS at exit. Not getrusage(RUSAGE_CHILDREN): Linux
#: carries ru_maxrss across fork and exec, so a child would report this (bigger) process's peak.
_LAUNCHER = """
import atexit, sys
def report():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    print(f"peak-rss-kb {peak}", file=sys.stderr)
atexit.register(report)
from tmdb_collector.cli import main
sys.argv[0] = "tmdb-collector"
main()
"""


def main() -> None:
    counts = ",".join(f"{kind.value}={count}" for kind, count in REAL_COUNTS.items())
    with tempfile.TemporaryDirectory(prefix="harvest-scale-") as tmp:
        root = Path(tmp)
        args = ["--synthetic", counts, "--day", "1", "--export-cache", str(root / "exports")]
        with start_fake_process(args, timeout=120) as url:
            started = time.monotonic()
            files = _post_json(f"{url}/_fake/exports/warm")
            print(
                f"fake: {len(files.get('files', files))} export files generated into its cache "
                f"in {time.monotonic() - started:.1f} s (not timed below)",
                flush=True,
            )
            store = root / "store"
            started = time.monotonic()
            asyncio.run(_fill_store(store))
            stored = sum(STORED.values()) + GONE
            print(f"store: {stored:,} index rows written in {time.monotonic() - started:.1f} s")
            _harvest(url, store, root / "queue.sqlite3")


def _post_json(url: str) -> dict[str, object]:
    # Our own fake's admin API on 127.0.0.1, never a user-given URL.
    request = urllib.request.Request(url, data=b"", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
        answer: dict[str, object] = json.load(response)
    return answer


async def _fill_store(path: Path) -> None:
    objects = open_object_store(str(path))
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    for kind, count in STORED.items():
        ids = list(range(1, count + 1))
        if kind is Kind.MOVIE:
            ids += range(REAL_COUNTS[kind] + 1_000_000, REAL_COUNTS[kind] + 1_000_000 + GONE)
        await objects.put(snapshot_key(kind), _snapshot(ids, two_days_ago))
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    marks = {kind: Watermark(yesterday, int(two_days_ago.timestamp() * 1000)) for kind in STORED}
    await HarvestState(objects).save_watermarks(marks)


def _snapshot(ids: list[int], checked: datetime) -> bytes:
    n = len(ids)
    columns = {
        "id": pa.array(ids, pa.int64()),
        "content_hash": pa.repeat(pa.scalar("0" * 64), n),
        "stored_bytes": pa.repeat(pa.scalar(700, pa.int64()), n),
        "updated_at": pa.repeat(pa.scalar(checked, pa.timestamp("ms", tz="UTC")), n),
        "checked_at": pa.repeat(pa.scalar(checked, pa.timestamp("ms", tz="UTC")), n),
        "deleted": pa.repeat(pa.scalar(False), n),
    }
    arrays = [columns.get(f.name, pa.nulls(n, f.type)) for f in INDEX_SCHEMA]
    table = pa.Table.from_arrays(arrays, schema=INDEX_SCHEMA)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _harvest(url: str, store: Path, queue_path: Path) -> None:
    env = {
        **os.environ,
        "TMDB_API_KEY": "benchmark",
        "TMDB_API_URL": url,
        "TMDB_EXPORTS_URL": url,
        "RATE_LIMIT_REQUESTS": "40",
    }
    command = [sys.executable, "-c", _LAUNCHER, "harvest", "--store", str(store)]
    command += ["--queue", f"sqlite:{queue_path}", "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-4000:])
        raise SystemExit(f"harvest exited with status {done.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_kb = next(
        int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("peak-rss-kb")
    )
    report = json.loads(done.stdout)
    print(
        f"{'kind':<11}{'export ids':>12}{'stored':>10}"
        + "".join(
            f"{reason:>11}" for reason in ("changed", "new", "deleted", "reconcile", "refresh")
        )
    )
    for kind in report["kinds"]:
        work = kind["work"]
        print(
            f"{kind['kind']:<11}{kind['export_ids']:>12,}{kind['stored']:>10,}"
            + "".join(
                f"{work[r]:>11,}" for r in ("changed", "new", "deleted", "reconcile", "refresh")
            )
        )
    queue = SQLiteWorkQueue(queue_path)
    try:
        depth = queue.counts().visible
    finally:
        queue.close()
    lines = sum(kind["export_ids"] + kind["export_duplicates"] for kind in report["kinds"])
    print(
        f"harvest: {report['items_enqueued']:,} items in {report['messages_sent']:,} messages "
        f"({depth:,} on the queue) from {lines:,} export lines; wall {wall:.1f} s "
        f"(target <= 60), CPU {cpu:.1f} s, peak RSS {peak_kb / 1024:.0f} MB "
        f"(target <= 300)"
    )
