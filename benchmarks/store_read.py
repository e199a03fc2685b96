"""A store's files, bytes, exports and point reads in both record layouts (issue 20), one run.

The same synthetic records (every kind but seasons and episodes, every sub-resource appended,
STORE_READ_PER_KIND of each) are written in batches of WORK_BATCH_SIZE (200) — as the
collector writes a message's records — into a store of each layout: one object per record
version (stores of earlier releases, ``RecordStore``) and segments (new stores). On local disk
it prints the files and the bytes allocated against the records' bytes, the store's bytes
against each record's JSON gzipped at level 6, the export of each kind (``export_to_file``,
JSON lines) in records/s, and point reads by id (``read``) p50/p99; the export and the point
reads again on moto's S3.

Targets (issue 20): files <= records / 50 + a constant; allocated <= 1.2 x bytes; bytes <= 0.5 x
the gzipped JSON; export >= 20,000 records/s locally; point reads no worse than 2 x the old
layout's locally.

    python3 dev.py bench store_read
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.segment_size import synthetic
from tmdb_collector.config import WORK_BATCH_SIZE
from tmdb_collector.kinds import EXPORT_KINDS, Kind, RecordKey
from tmdb_collector.store import (
    ObjectStore,
    RecordStore,
    RecordWrite,
    SegmentRecordStore,
    export_to_file,
    open_object_store,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from moto_server import create_bucket, moto_environ, running_moto

PER_KIND = int(os.environ.get("STORE_READ_PER_KIND", "400"))
#: Records per write_batch: a message's worth, as the collector writes (WORK_BATCH_SIZE).
BATCH = WORK_BATCH_SIZE.default
#: Point reads of movies drawn with replacement: the p99 is the 12th slowest, not the 3rd (at
#: 300 it moved between 1.4 and 2.3 × the old layout's from run to run).
POINT_READS = 1200
BUCKET = "tmdb-store-read"


def documents() -> list[tuple[RecordKey, dict[str, Any]]]:
    return synthetic(PER_KIND, seed=17)


async def fill(records: RecordStore, docs: list[tuple[RecordKey, dict[str, Any]]]) -> None:
    writes = [RecordWrite(key, doc, 1_796_000_000_000, key.api_path) for key, doc in docs]
    by_kind: dict[Kind, list[RecordWrite]] = {}
    for write in writes:
        by_kind.setdefault(write.key.kind, []).append(write)
    for kind_writes in by_kind.values():
        for start in range(0, len(kind_writes), BATCH):
            await records.write_batch(kind_writes[start : start + BATCH])


def disk(root: Path) -> tuple[int, int, int]:
    """(files, bytes, bytes allocated) under ``root``."""
    files = size = allocated = 0
    for path in root.rglob("*"):
        if path.is_file():
            stat = path.stat()
            files += 1
            size += stat.st_size
            allocated += stat.st_blocks * 512
    return files, size, allocated


async def exports(records: RecordStore) -> dict[Kind, float]:
    """Each exported kind's export to JSON lines (``export_to_file``), in records/s."""
    rates = {}
    with tempfile.TemporaryDirectory() as directory:
        for kind in EXPORT_KINDS:
            out = Path(directory) / f"{kind.value}.jsonl"
            started = time.perf_counter()
            result = await export_to_file(records, kind, "jsonl", out)
            rates[kind] = result.written / (time.perf_counter() - started)
    return rates


def shown(rates: dict[Kind, float]) -> str:
    return ", ".join(f"{kind.value} {rate:,.0f}" for kind, rate in rates.items())


async def reads(
    records: RecordStore, keys: list[RecordKey]
) -> tuple[dict[Kind, float], float, float]:
    """Exports of every kind (records/s), point reads p50 and p99 (ms)."""
    rates = await exports(records)
    await records.read(keys[0])  # a first read fills what a reader keeps (the version map)
    times = []
    for key in keys:
        began = time.perf_counter()
        stored = await records.read(key)
        times.append((time.perf_counter() - began) * 1000)
        assert stored is not None
    times.sort()
    return rates, statistics.median(times), times[int(len(times) * 0.99) - 1]


def layouts(objects: ObjectStore) -> dict[str, RecordStore]:
    return {"objects": RecordStore(objects), "segments": SegmentRecordStore(objects)}


async def run(work: Path, endpoint: str) -> None:
    docs = documents()
    # The documents (25 MB of JSON as Python objects) stay alive for the whole run, which no
    # `export` or reader process has: frozen, the collector does not walk them again and again
    # (a collection during one small export took ~250 ms of it).
    gc.collect()
    gc.freeze()
    gzipped = sum(
        len(gzip.compress(json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode(), 6))
        for _, d in docs
    )
    movies = [key for key, _ in docs if key.kind is Kind.MOVIE]
    sample = random.Random(3).choices(movies, k=POINT_READS)
    print(
        f"{len(docs):,} records ({PER_KIND} per kind, all appends), {len(movies)} movies; "
        f"gzip-6 JSON {gzipped:,} bytes"
    )
    for layout in ("objects", "segments"):
        root = work / layout
        local = open_object_store(str(root))
        records = layouts(local)[layout]
        started = time.perf_counter()
        await fill(records, docs)
        fill_seconds = time.perf_counter() - started
        for kind in Kind:
            if isinstance(records, SegmentRecordStore):
                await records.compact(kind)
        files, size, allocated = disk(root)
        rates, p50, p99 = await reads(layouts(local)[layout], sample)
        print(
            f"\n{layout} (local disk): written in {fill_seconds:.1f} s; {files:,} files "
            f"(records / {len(docs) / files:.1f}), {size:,} bytes = {size / gzipped:.3f} x "
            f"gzip-6 JSON, allocated {allocated / size:.2f} x the bytes; point read p50 "
            f"{p50:.2f} ms, p99 {p99:.2f} ms\n  export, records/s: {shown(rates)}"
        )
        s3 = open_object_store(f"s3://{BUCKET}/{layout}", environ=moto_environ(endpoint))
        records = layouts(s3)[layout]
        await fill(records, docs)
        for kind in Kind:
            if isinstance(records, SegmentRecordStore):
                await records.compact(kind)
        rates, p50, p99 = await reads(layouts(s3)[layout], sample)
        print(
            f"{layout} (S3 on moto): point read p50 {p50:.2f} ms, p99 {p99:.2f} ms\n"
            f"  export, records/s: {shown(rates)}"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        with running_moto(work / "moto.log") as endpoint:
            create_bucket(endpoint, BUCKET)
            asyncio.run(run(work, endpoint))


if __name__ == "__main__":
    main()
