"""The TMDB client against the fake TMDB at TMDB's own limit: how close to it, at what cost.

The fake runs in its own process at ``--rate-limit 40 --latency-ms 100`` (sliding one-second
window, 429 beyond it, no Retry-After — today's CDN behaviour). The client, paced at 40/s with
20 requests in flight, fetches records for at least 20 s, twice: plain details (a few KB each) and
details with every sub-resource appended (tens to hundreds of KB). Prints achieved requests/s, the
ratio to 40, the 429s the fake sent, the client's CPU ms per request and per 100 KB, and peak RSS.

The pace is measured over the steady state: completions from the first to the last, so neither
the first request's latency nor the requests still in flight at the deadline distort it. A third
run lifts the fake's limit and latency to show the client's own CPU per request without pacing,
and a last line measures what one idle wake-up of an asyncio loop costs on this machine: a
paced client sleeps between requests, and on a virtual machine each wake-up is expensive.

Targets (issue 2): ratio >= 0.97 with zero 429s; <= 1 ms CPU per request.
Duration per run: BENCH_DURATION seconds (default 25).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import resource
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tmdb_collector.fake import start_fake_process
from tmdb_collector.kinds import SUB_RESOURCES, Kind, RecordKey
from tmdb_collector.tmdb import ClientSettings, Credential, NotFound, Pacer, TMDBClient

RATE = 40
LATENCY_MS = 100
CATALOG = "movie=3000,tv=600,person=3000,collection=100,company=200,network=50,keyword=200"


@dataclass(frozen=True)
class PaceRun:
    label: str
    requests: int
    steady_seconds: float  # from the first completion to the last
    rate_limited: int
    cpu_seconds: float
    received_bytes: int

    def report(self) -> str:
        per_second = (self.requests - 1) / self.steady_seconds
        return (
            f"{self.label:<13} {self.requests:>6} requests, {per_second:6.2f}/s in the steady "
            f"state, ratio {per_second / RATE:.3f}, 429s from fake "
            f"{self.rate_limited}, client CPU "
            f"{1000 * self.cpu_seconds / self.requests:.3f} ms/request"
            f" ({100_000 * 1000 * self.cpu_seconds / max(self.received_bytes, 1):.3f} ms/100 KB,"
            f" {self.received_bytes / self.requests / 1000:.1f} KB/request)"
        )


def _keys() -> Iterator[RecordKey]:
    kinds = (Kind.MOVIE, Kind.PERSON, Kind.TV)
    for n in itertools.count(1):
        for kind in kinds:
            yield RecordKey(kind, (n % 500) + 1)


def _fake_admin(url: str, endpoint: str, change: dict[str, object] | None = None) -> Any:
    data = None if change is None else json.dumps(change).encode()
    # Our own fake's admin API on 127.0.0.1, never a user-given URL.
    request = urllib.request.Request(f"{url}/_fake/{endpoint}", data=data)  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310
        return json.load(response)


def _fake_stats(url: str) -> dict[str, object]:
    stats: dict[str, object] = _fake_admin(url, "stats")
    return stats


def _rate_limited(stats: dict[str, object]) -> int:
    by_status = stats.get("by_status", {})
    assert isinstance(by_status, dict)
    return int(by_status.get("429", 0))


async def _run(url: str, label: str, appends: bool, seconds: float, rate: float = RATE) -> PaceRun:
    settings = ClientSettings(
        credential=Credential("benchmark-key"), api_url=url, exports_url=url, rate_limit=rate
    )
    pacer = Pacer(settings.rate_limit, settings.concurrency)
    keys = _keys()
    before = _rate_limited(_fake_stats(url))
    completions: list[float] = []
    async with TMDBClient(settings, pacer=pacer) as tmdb:
        deadline = time.monotonic() + seconds

        async def worker() -> None:
            while time.monotonic() < deadline:
                key = next(keys)
                wanted = SUB_RESOURCES[key.kind] if appends else ()
                result = await tmdb.details(key, wanted)
                assert not isinstance(result, NotFound), key
                completions.append(time.monotonic())

        cpu = time.process_time()
        await asyncio.gather(*(worker() for _ in range(settings.concurrency)))
        cpu = time.process_time() - cpu
        stats = tmdb.stats
    rate_limited = _rate_limited(_fake_stats(url)) - before
    steady = completions[-1] - completions[0]
    return PaceRun(label, stats.requests, steady, rate_limited, cpu, stats.bytes_received)


async def _idle_wake_up_cpu(rate: float = RATE, seconds: float = 3.0) -> float:
    """CPU seconds one wake-up of an otherwise idle asyncio loop costs at ``rate`` per second."""
    cpu = time.process_time()
    wake_ups = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(1 / rate)
        wake_ups += 1
    return (time.process_time() - cpu) / wake_ups


def main() -> None:
    seconds = float(os.environ.get("BENCH_DURATION", "25"))
    args = ["--synthetic", CATALOG, "--seed", "1", "--rate-limit", str(RATE)]
    args += ["--latency-ms", str(LATENCY_MS), "--no-retry-after"]
    print(f"fake TMDB: {' '.join(args)}; client: rate {RATE}/s, 20 in flight, {seconds:.0f} s/run")
    with start_fake_process(args) as url:
        for label, appends in (("details", False), ("all appends", True)):
            print(asyncio.run(_run(url, label, appends, seconds)).report(), flush=True)
        _fake_admin(url, "settings", {"rate_limit": None, "latency_ms": 0})
        unpaced = asyncio.run(_run(url, "unpaced", False, min(seconds, 10), rate=100_000))
        print(f"{unpaced.report()}  <- fake limit and latency lifted: the client's own cost")
    wake_up = asyncio.run(_idle_wake_up_cpu())
    print(f"one idle asyncio wake-up at {RATE}/s costs {1000 * wake_up:.3f} ms CPU on this machine")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"client peak RSS {peak_mb:.0f} MB")
