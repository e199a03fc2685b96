"""``serve`` under load (issue 21): ``/3/movie/{id}`` with a typical append set, from keep-alive
clients, on a mirror of SERVE_LOAD_RECORDS synthetic records (100,000 by default: movies,
people, companies and keywords, every sub-resource appended, as a default mirror stores them).

The server runs as the ``serve`` command in a process of its own (one core); the clients run
here (the other core), CONCURRENCY requests in flight over keep-alive connections, loopback
only. Two phases, each bounded in requests and time:

- **scan**: every request a movie not asked for before — what a media server's library scan
  does; each answer is made from the store (a ranged read, protobuf to JSON);
- **hot**: random movies among HOT_SET of them, already answered once — a client library's
  steady state; each answer is put together from the server's cache.

Target (issue 21): >= 2,000 requests/s, p99 < 50 ms.

    python3 dev.py bench serve_load
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from tmdb_collector.fake import with_every_block
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import RecordWrite, open_object_store, open_record_store

RECORDS = int(os.environ.get("SERVE_LOAD_RECORDS", "100000"))
#: Share of each kind in the mirror.
MIX = {Kind.MOVIE: 0.2, Kind.PERSON: 0.3, Kind.COMPANY: 0.2, Kind.KEYWORD: 0.3}
APPENDS = "credits,images,videos,external_ids,release_dates"
CONCURRENCY = 32
SCAN_REQUESTS = 4000
HOT_SET = 1000
HOT_SECONDS = 15.0
BATCH = 100


async def build(store: Path) -> int:
    counts = {kind: int(RECORDS * share) for kind, share in MIX.items()}
    catalog = SyntheticCatalog(counts, seed=21)
    records = await open_record_store(open_object_store(str(store)), writing=True)
    started = time.perf_counter()
    written = 0
    for kind, count in counts.items():
        batch: list[RecordWrite] = []
        for record_id in range(1, count + 1):
            key = RecordKey(kind, record_id)
            document = with_every_block(catalog, key)
            if document is None:
                continue
            batch.append(RecordWrite(key, document, 1_796_000_000_000, key.api_path))
            if len(batch) == BATCH:
                await records.write_batch(batch)
                written += len(batch)
                batch = []
        if batch:
            await records.write_batch(batch)
            written += len(batch)
    print(f"mirror: {written:,} records written in {time.perf_counter() - started:.0f} s")
    return counts[Kind.MOVIE]


async def phase(url: str, ids: list[int], seconds: float) -> tuple[int, float, list[float]]:
    latencies: list[float] = []
    queue = iter(ids)
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=CONCURRENCY, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for movie_id in queue:
                if time.perf_counter() > deadline:
                    return
                began = time.perf_counter()
                async with session.get(
                    f"{url}/3/movie/{movie_id}", params={"append_to_response": APPENDS}
                ) as response:
                    await response.read()
                    assert response.status == 200, response.status
                latencies.append(time.perf_counter() - began)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return len(latencies), elapsed, sorted(latencies)


def report(name: str, done: int, elapsed: float, latencies: list[float]) -> None:
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"{name}: {done:,} requests in {elapsed:.1f} s = {done / elapsed:,.0f} requests/s; "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (target >= 2,000 requests/s, p99 < 50 ms)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="serve-load-") as work:
        store = Path(work) / "store"
        movies = asyncio.run(build(store))
        with subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "tmdb_collector", "serve", "--store", str(store), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "LOG_LEVEL": "warning"},
        ) as server:
            try:
                assert server.stdout is not None
                url = server.stdout.readline().removeprefix("listening on ").strip()
                rng = random.Random(21)
                scan = rng.sample(range(1, movies + 1), min(SCAN_REQUESTS, movies))
                report("scan (each movie once)", *asyncio.run(phase(url, scan, 120.0)))
                hot = rng.sample(range(1, movies + 1), min(HOT_SET, movies))
                asyncio.run(phase(url, hot, 60.0))  # each answered once: in the cache
                requests = [rng.choice(hot) for _ in range(200_000)]
                report(
                    f"hot ({HOT_SET:,} movies, cached)",
                    *asyncio.run(phase(url, requests, HOT_SECONDS)),
                )
            finally:
                server.terminate()
                server.wait(30)


if __name__ == "__main__":
    main()
