"""What a store of segments costs its writers (issue 20), and why the real captures stay large.

1. Write CPU: SEGMENT_WRITE_PER_KIND synthetic records of each exported kind (every
   sub-resource appended) written by ``SegmentRecordStore.write_batch`` in batches of 100 to
   local disk: process CPU per record (conversion, hashing, the segment, the index fragment).
2. The writer's view (``CurrentView``) of SEGMENT_WRITE_VIEW_ROWS records, one version each:
   bytes a record in its columns, and the time to find a batch's 100 keys among them; the
   compaction's retention pass (each record's newest versions) over the same table.
3. The real captures in ../shared/tmdb/fixtures, one record each: its serialized Record and
   its JSON compressed alone, against its JSON gzipped at level 6.

    python3 dev.py bench segment_write
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import random
import statistics
import tempfile
import time

import pyarrow as pa  # type: ignore[import-untyped]
import zstandard

from benchmarks.schema_codec import fixture_documents
from benchmarks.segment_size import synthetic
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.schema import RecordCodec
from tmdb_collector.store import (
    RecordWrite,
    SegmentRecordStore,
    open_object_store,
    use_segments,
)
from tmdb_collector.store._versions import VERSION_SCHEMA, CurrentView, _newest

PER_KIND = int(os.environ.get("SEGMENT_WRITE_PER_KIND", "300"))
VIEW_ROWS = int(os.environ.get("SEGMENT_WRITE_VIEW_ROWS", "1000000"))
BATCH = 100


async def write_cpu() -> None:
    docs = synthetic(PER_KIND, seed=5)
    with tempfile.TemporaryDirectory() as directory:
        objects = open_object_store(directory)
        await use_segments(objects)
        records = SegmentRecordStore(objects)
        by_kind: dict[Kind, list[RecordWrite]] = {}
        for key, doc in docs:
            write = RecordWrite(key, doc, 1_796_000_000_000, key.api_path)
            by_kind.setdefault(key.kind, []).append(write)
        started = time.process_time()
        for writes in by_kind.values():
            for start in range(0, len(writes), BATCH):
                await records.write_batch(writes[start : start + BATCH])
        cpu = (time.process_time() - started) / len(docs) * 1000
    print(f"write: {len(docs):,} records in batches of {BATCH}, CPU {cpu:.2f} ms/record")


def view() -> None:
    n = VIEW_ROWS
    ids = pa.array(range(n), pa.int64())
    at = pa.array([1_796_000_000_000] * n, pa.int64()).cast(pa.timestamp("ms", tz="UTC"))
    segments = [
        f"segments/person/2026-12-07/{i // 100:013d}-abcdefabcdef-000001.seg" for i in range(n)
    ]
    table = pa.table(
        {
            "id": ids,
            "season_number": pa.nulls(n, pa.int64()),
            "episode_number": pa.nulls(n, pa.int64()),
            "fetched_at": at,
            "content_hash": pa.array([i.to_bytes(32, "big") for i in range(n)], pa.binary(32)),
            "deleted": pa.array([False] * n),
            "segment": pa.array(segments),
            "offset": ids,
            "length": ids,
            "ordinal": pa.array([i % 48 for i in range(n)], pa.int32()),
            "stored_bytes": ids,
            "written_at": at,
        },
        schema=VERSION_SCHEMA,
    )
    del segments
    current = CurrentView(Kind.PERSON, table)
    size = current.nbytes / n
    rng = random.Random(7)
    times = []
    for _ in range(50):
        keys = [RecordKey(Kind.PERSON, rng.randrange(n)) for _ in range(100)]
        began = time.perf_counter()
        found = current.lookup(keys)
        times.append((time.perf_counter() - began) * 1000)
        assert len(found) == len(keys)
    print(
        f"view: {n:,} records, {size:.1f} bytes a record; a batch's 100 keys found in "
        f"{statistics.median(times):.2f} ms (median of 50)"
    )
    began = time.perf_counter()
    kept = _newest(table, 10)
    print(
        f"compaction's retention pass (each record's newest 10 of {n:,} versions): "
        f"{time.perf_counter() - began:.3f} s, {kept.num_rows:,} kept"
    )


def captures() -> None:
    codec = RecordCodec()
    totals = [0, 0, 0, 0]
    print("real captures, each compressed alone, ÷ its JSON gzipped at level 6:")
    for key, document in fixture_documents():
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        raw = codec.encode(key, document, fetched_at_ms=1, path="/x", compress=False).data
        sizes = [
            len(gzip.compress(text, 6)),
            len(zstandard.ZstdCompressor(level=6).compress(raw)),
            len(zstandard.ZstdCompressor(level=19).compress(raw)),
            len(zstandard.ZstdCompressor(level=19).compress(text)),
        ]
        totals = [t + s for t, s in zip(totals, sizes, strict=True)]
        print(f"  {key.kind} {key}: {_ratios(sizes)}")
    print(f"  all: {_ratios(totals)}")


def _ratios(sizes: list[int]) -> str:
    gzipped, record6, record19, json19 = sizes
    return (
        f"gzip-6 {gzipped:,} bytes; Record zstd 6 {record6 / gzipped:.3f}, Record zstd 19 "
        f"{record19 / gzipped:.3f}, JSON zstd 19 {json19 / gzipped:.3f}"
    )


def main() -> None:
    asyncio.run(write_cpu())
    view()
    captures()


if __name__ == "__main__":
    main()
