"""Streaming a day's id exports at TMDB's real scale, as the harvester does.

The fake TMDB runs in its own process with a synthetic catalog of TMDB's size (REAL_COUNTS:
4.5 M people, 1.24 M movies, ...) and an export cache in a temporary directory, which is warmed
first (``POST /_fake/exports/warm``: every export file of the day generated once, as TMDB's CDN
holds them ready). Then each of the day's ten exports streams through
``TMDBClient.stream_export(...).batches()``, one after the other, while this process (standing in
for the harvester) does nothing else with the entries. Prints per export: lines, seconds, lines/s,
this process's CPU seconds and its peak RSS so far; then the totals, and for comparison the
movie export downloaded from a fake without a cache, which generates it while sending it.

Targets (the harvester's budget): >= 400 k lines/s through ``batches()``; all exports of a day
planned in <= 60 s with <= 300 MB peak RSS in the harvester's process.
BENCH_EXPORT_CACHE=DIR keeps the cache in DIR instead, so that a second run skips generating.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from typing import Any

from tmdb_collector.fake import start_fake_process
from tmdb_collector.fake.synthetic import REAL_COUNTS
from tmdb_collector.tmdb import ClientSettings, Credential, TMDBClient
from tmdb_collector.tmdbapi import EXPORTS_LARGEST_FIRST

CATALOG = ",".join(f"{kind.value}={count}" for kind, count in REAL_COUNTS.items())
SEED = 1


@dataclass(frozen=True)
class Streamed:
    name: str
    lines: int
    entries: int
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float

    def report(self) -> str:
        return (
            f"{self.name:<19} {self.lines:>10,} lines {self.seconds:7.2f} s "
            f"{self.lines / self.seconds:>10,.0f} lines/s   CPU {self.cpu_seconds:6.2f} s   "
            f"peak RSS {self.peak_rss_mb:4.0f} MB"
        )


def _admin(url: str, endpoint: str, method: str = "GET") -> Any:
    # Our own fake's admin API on 127.0.0.1, never a user-given URL.
    request = urllib.request.Request(f"{url}/_fake/{endpoint}", method=method)  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310
        return json.load(response)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def _stream(url: str, names: tuple[str, ...], day: date) -> list[Streamed]:
    settings = ClientSettings(credential=Credential("benchmark-key"), api_url=url, exports_url=url)
    results = []
    async with TMDBClient(settings) as tmdb:
        for name in names:
            file = await tmdb.find_export(name, on=day, max_days_back=0)
            cpu, started = time.process_time(), time.perf_counter()
            entries = 0
            async with tmdb.stream_export(file) as stream:
                async for batch in stream.batches():
                    entries += len(batch)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            lines = stream.report.lines
            results.append(Streamed(name, lines, entries, seconds, cpu, _peak_rss_mb()))
            print(results[-1].report(), flush=True)
    return results


def main() -> None:
    with ExitStack() as stack:
        cache = os.environ.get("BENCH_EXPORT_CACHE") or stack.enter_context(
            tempfile.TemporaryDirectory(prefix="export-cache-")
        )
        args = ["--synthetic", CATALOG, "--seed", str(SEED), "--export-cache", cache]
        print(f"fake TMDB: --synthetic {CATALOG} --seed {SEED}, export cache in {cache}")
        with start_fake_process(args, timeout=60) as url:
            started = time.perf_counter()
            warmed = _admin(url, "exports/warm", method="POST")
            seconds = time.perf_counter() - started
            megabytes = sum(warmed["files"].values()) / 1e6
            print(
                f"warm-up: {len(warmed['files'])} export files of {warmed['day']}, "
                f"{megabytes:.1f} MB of gzip, in {seconds:.1f} s (generated now unless cached "
                "by an earlier run)",
                flush=True,
            )
            day = date.fromisoformat(warmed["day"])
            results = asyncio.run(_stream(url, EXPORTS_LARGEST_FIRST, day))
    lines = sum(result.lines for result in results)
    seconds = sum(result.seconds for result in results)
    cpu = sum(result.cpu_seconds for result in results)
    print(
        f"{'all exports':<19} {lines:>10,} lines {seconds:7.2f} s {lines / seconds:>10,.0f} "
        f"lines/s   CPU {cpu:6.2f} s   peak RSS {_peak_rss_mb():4.0f} MB",
        flush=True,
    )
    with start_fake_process(["--synthetic", CATALOG, "--seed", str(SEED)], timeout=60) as url:
        day = date.fromisoformat(_admin(url, "stats")["today"])
        print("without an export cache (the fake generates the file while sending it):")
        asyncio.run(_stream(url, ("movie",), day))
