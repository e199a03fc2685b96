"""The collector at TMDB's limit: mirror a synthetic catalog of every kind, paced at 40/s.

The fake TMDB runs in its own process at ``--rate-limit 40 --latency-ms 100`` (sliding
one-second window, 429 beyond it, no Retry-After) with CATALOG. ``run_mirror`` — the library's
``mirror`` — harvests it into an SQLite queue in a temporary directory and collects every record
with every sub-resource appended (series with their seasons and episodes) into a local store
there, through one TMDBClient paced at 40/s.

Prints the requests/s of the collect phase (from the collector's start to its last message) and
its ratio to 40, the 429s the fake sent, requests per work item per kind (with the figure the
season trick predicts for the catalog's series), and wall time over the ideal (requests / 40).

Targets (issue 6): ratio >= 0.97; 0 429s; <= 1.02 requests per movie and per person.
"""

from __future__ import annotations

import asyncio
import json
import math
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tmdb_collector.app import MirrorProgress, MirrorReport, run_mirror
from tmdb_collector.collect import CollectorProgress, CollectorSettings
from tmdb_collector.collect._plan import first_request, follow_up_requests, requested_seasons
from tmdb_collector.fake import start_fake_process
from tmdb_collector.fake.synthetic import SyntheticCatalog, parse_counts
from tmdb_collector.harvest import Harvester, HarvestSettings
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.queue import SQLiteWorkQueue
from tmdb_collector.store import RecordIndex, open_object_store
from tmdb_collector.tmdb import ClientSettings, ClientStats, Credential, TMDBClient

RATE = 40
LATENCY_MS = 100
SEED = 1
CATALOG = "movie=1200,tv=150,person=1200,collection=150,company=150,network=75,keyword=150"


@dataclass(slots=True)
class MirrorRun:
    """One ``run_mirror`` against the fake, with the moments the phases changed."""

    report: MirrorReport
    stats: ClientStats
    seconds: float  # the whole run_mirror call
    collect_seconds: float  # the collector's start to the last message (before compaction)
    collect_cpu: float  # process CPU from the harvest's end to the last message (harvest_apart)
    cpu: float  # process CPU seconds of the whole run_mirror call
    fake_rate_limited: int
    phases: dict[str, float] = field(default_factory=dict)
    series_ids: list[int] = field(default_factory=list)  # the series stored, for the prediction

    @property
    def collect(self) -> CollectorProgress:
        assert self.report.collect is not None  # run_mirror always collects
        return self.report.collect


def fake_stats(url: str) -> dict[str, object]:
    # Our own fake's admin API on 127.0.0.1, never a user-given URL.
    with urllib.request.urlopen(f"{url}/_fake/stats", timeout=30) as answer:  # noqa: S310
        stats: dict[str, object] = json.load(answer)
    return stats


def fake_args(catalog: str, *, rate_limit: int | None, latency_ms: int) -> list[str]:
    args = ["--synthetic", catalog, "--seed", str(SEED), "--no-retry-after"]
    if rate_limit is not None:
        args += ["--rate-limit", str(rate_limit)]
    return [*args, "--latency-ms", str(latency_ms)]


async def mirror(url: str, root: Path, rate: float, *, harvest_apart: bool = False) -> MirrorRun:
    """Mirror the fake at ``url`` into ``root``/store with the queue in ``root``.

    With ``harvest_apart`` the harvest runs first on its own (``Harvester``, what run_mirror
    calls), then ``run_mirror(harvest=False)``: so the collect phase's CPU can be told apart.
    """
    settings = ClientSettings(
        credential=Credential("benchmark-key"),
        api_url=url,
        exports_url=url,
        rate_limit=rate,
        concurrency=20,
    )
    objects = open_object_store(str(root / "store"))
    queue = SQLiteWorkQueue(root / "queue.sqlite3")
    harvest_settings = HarvestSettings(refresh_per_run=0)
    limited_before = _rate_limited(url)
    marks: dict[str, tuple[float, float]] = {}  # phase -> (monotonic, process CPU) first seen
    collector_start_ms: list[int] = []

    def on_progress(progress: MirrorProgress) -> None:
        marks.setdefault(progress.phase, (time.monotonic(), time.process_time()))
        if progress.collect is not None and not collector_start_ms:
            collector_start_ms.append(progress.collect.started_at_ms)

    try:
        started, cpu = time.monotonic(), time.process_time()
        started_epoch = time.time()
        async with TMDBClient(settings) as client:
            if harvest_apart:
                await Harvester(client, objects, queue, harvest_settings).run()
            harvested = (time.monotonic(), time.process_time())
            report = await run_mirror(
                client=client,
                objects=objects,
                queue=queue,
                harvest_settings=harvest_settings,
                collector_settings=CollectorSettings(),
                harvest=not harvest_apart,
                on_progress=on_progress,
            )
            stats = client.stats
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
        series = await RecordIndex(objects).table(Kind.TV, columns=["id"])
    finally:
        queue.close()
    # The collector's progress carries its start (epoch ms); it starts right after the harvest.
    collect_start = started + (collector_start_ms[0] / 1000 - started_epoch)
    compact_at, compact_cpu = marks["compact"]
    return MirrorRun(
        report=report,
        stats=stats,
        seconds=seconds,
        collect_seconds=compact_at - collect_start,
        collect_cpu=compact_cpu - harvested[1] if harvest_apart else math.nan,
        cpu=cpu,
        fake_rate_limited=_rate_limited(url) - limited_before,
        phases={phase: at - started for phase, (at, _) in marks.items()},
        series_ids=series.column("id").to_pylist(),
    )


def _rate_limited(url: str) -> int:
    return int(str(fake_stats(url)["rate_limited"]))


def predicted_series_requests(catalog: str, keys: list[int] | None = None) -> tuple[float, int]:
    """Requests per series the season trick predicts for the catalog (the same generator, in
    this process): 1, plus one per further 20 listed seasons not in the first request.
    Returns (mean, series counted)."""
    counts = parse_counts(catalog)
    synthetic = SyntheticCatalog(counts, seed=SEED)
    appends = CollectorSettings().appends[Kind.TV]
    first = requested_seasons(first_request(RecordKey(Kind.TV, 1), appends))
    total = series = 0
    for series_id in keys or range(1, counts.get(Kind.TV, 0) + 1):
        base = synthetic.base(RecordKey(Kind.TV, series_id))
        if base is None:
            continue
        listed = [entry["season_number"] for entry in base.get("seasons", [])]  # type: ignore[union-attr]
        total += 1 + len(follow_up_requests(listed, first))
        series += 1
    return (total / series if series else math.nan), series


def per_kind_lines(progress: CollectorProgress) -> list[str]:
    lines = []
    for kind, items in sorted(progress.items.items(), key=lambda entry: entry[0].value):
        requests = progress.item_requests.get(kind, 0)
        lines.append(
            f"  {kind.value:<11} {items:>6} items {requests:>6} requests "
            f"{requests / items:6.3f} per item"
        )
    stored = {
        kind.value: sum(outcomes.values())
        for kind, outcomes in sorted(progress.records.items(), key=lambda e: e[0].value)
    }
    lines.append(f"  records written per kind: {stored}")
    return lines


def main() -> None:
    args = fake_args(CATALOG, rate_limit=RATE, latency_ms=LATENCY_MS)
    print(f"fake TMDB: {' '.join(args)}; client: rate {RATE}/s, 20 in flight", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="collect-pace-") as tmp,
        start_fake_process(args) as url,
    ):
        run = asyncio.run(mirror(url, Path(tmp), RATE))
    progress = run.collect
    rate = progress.requests / run.collect_seconds
    print(
        f"collect phase: {progress.requests:,} requests in {run.collect_seconds:.1f} s = "
        f"{rate:.2f}/s, ratio to {RATE} {rate / RATE:.3f} (target >= 0.97)"
    )
    print(
        f"429s: from the fake {run.fake_rate_limited} (target 0), seen by the client "
        f"{run.stats.rate_limited}; client retries {run.stats.retries}; items retried "
        f"{progress.items_retried}, dead {progress.items_dead}"
    )
    print("requests per work item (target <= 1.02 for movie and person):")
    for line in per_kind_lines(progress):
        print(line)
    tv_items = progress.items.get(Kind.TV, 0)
    if tv_items:
        predicted, counted = predicted_series_requests(CATALOG, run.series_ids)
        measured = progress.item_requests.get(Kind.TV, 0) / tv_items
        print(
            f"  series: measured {measured:.3f} requests each, the season trick predicts "
            f"{predicted:.3f} over the {counted} series stored (1 + one per further 20 "
            "seasons beyond seasons 0-2)"
        )
    ideal = run.stats.requests / RATE
    print(
        f"wall: mirror {run.seconds:.1f} s for {run.stats.requests:,} requests in all "
        f"(harvest included), ideal {ideal:.1f} s: {run.seconds / ideal:.3f} x ideal; "
        f"collect phase {run.collect_seconds:.1f} s / {progress.requests / RATE:.1f} s = "
        f"{run.collect_seconds / (progress.requests / RATE):.3f} x ideal"
    )
    phases = ", ".join(f"{phase} at {at:.1f} s" for phase, at in run.phases.items())
    print(f"phases (first report): {phases}; client CPU {run.cpu:.1f} s in all")
