"""Writing records to the store, and reading one back by id: local directory and S3 (moto).

Writes BENCH_RECORDS synthetic movies (default 100 000; the S3 run uses BENCH_S3_RECORDS,
default 10 000, because moto is a single-threaded Python server) through
``RecordStore.write_batch`` in batches of 100 (a queue message's worth), then reads 500 random
ids back. The documents are synthetic base records (no appended blocks: this measures storage,
not conversion — see schema_codec for that), generated before the clock starts.

Prints records/s written, CPU ms per record, stored bytes per record (current + history), and
the latency of ``RecordStore.read`` (what ``query --id`` does): median and 95th percentile.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import ObjectStore, RecordStore, RecordWrite, open_object_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from moto_server import create_bucket, moto_environ, running_moto

BATCH = 100
READS = 500
BUCKET = "tmdb-benchmark"


def documents(count: int) -> list[tuple[RecordKey, dict[str, Any]]]:
    catalog = SyntheticCatalog({Kind.MOVIE: count}, seed=9)
    out = []
    for record_id in range(1, count + 1):
        key = RecordKey(Kind.MOVIE, record_id)
        document = catalog.base(key)
        assert document is not None
        out.append((key, document))
    return out


async def measure(label: str, objects: ObjectStore, docs: Sequence[tuple[RecordKey, Any]]) -> None:
    records = RecordStore(objects)
    cpu, started = time.process_time(), time.perf_counter()
    for start in range(0, len(docs), BATCH):
        batch = [
            RecordWrite(key, document, fetched_at_ms=1_763_942_400_000, path=key.api_path)
            for key, document in docs[start : start + BATCH]
        ]
        await records.write_batch(batch)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    stored = [info.size async for info in objects.list("records")]
    stored += [info.size async for info in objects.list("history")]
    latencies = []
    for key, _ in random.Random(1).sample(list(docs), min(READS, len(docs))):
        began = time.perf_counter()
        found = await records.read(key)
        latencies.append(time.perf_counter() - began)
        assert found is not None
    latencies.sort()
    print(
        f"{label:<6} {len(docs):>7} records in {seconds:6.1f} s = {len(docs) / seconds:7.0f}/s, "
        f"CPU {1000 * cpu / len(docs):.2f} ms/record, stored {sum(stored) / len(docs):,.0f} "
        f"bytes/record (current + history); read by id: median "
        f"{1000 * statistics.median(latencies):.2f} ms, p95 "
        f"{1000 * latencies[int(0.95 * len(latencies)) - 1]:.2f} ms",
        flush=True,
    )


def main() -> None:
    local_count = int(os.environ.get("BENCH_RECORDS", "100000"))
    s3_count = int(os.environ.get("BENCH_S3_RECORDS", "10000"))
    docs = documents(max(local_count, s3_count))
    print(f"{len(docs)} synthetic movie base records, batches of {BATCH}")
    with tempfile.TemporaryDirectory() as directory:
        local = open_object_store(str(Path(directory) / "store"))
        asyncio.run(measure("local", local, docs[:local_count]))
        with running_moto(Path(directory) / "moto.log") as endpoint:
            create_bucket(endpoint, BUCKET)
            s3 = open_object_store(f"s3://{BUCKET}/bench", environ=moto_environ(endpoint))
            asyncio.run(measure("s3", s3, docs[:s3_count]))
