"""Segments (issue 20): bytes, and the CPU of writing, point-reading and scanning them.

Over a synthetic catalog (every kind, every sub-resource appended, series with all their
seasons) and over the real captures in shared/tmdb/fixtures, records are encoded as the
collector encodes them and grouped by kind in batches of 100 (a queue message's items). For
each, it prints:

- the bytes of today's layout (one zstd frame per record, the kind's dictionary), of the same
  records as segments (store/_segment.py: blocks of 32 records or 2 MiB), and the sum of each
  record's JSON gzipped at level 6 — what a JSON-per-record mirror keeps. Target (issue 20):
  segments ≤ 0.5 × the gzipped JSON;
- CPU per record to build the segments; a point read (decompress one block, take one record)
  p50 and p99; a sequential scan of every segment in records/s.

No I/O: the store's requests are measured by s3_requests once segments are wired in.
"""

from __future__ import annotations

import gzip
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import zstandard

from benchmarks.schema_codec import fixture_documents
from tmdb_collector.fake import with_every_block
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS, Kind, RecordKey
from tmdb_collector.schema import RecordCodec
from tmdb_collector.store._segment import build_segment, record_in_block, scan_segment

BATCH = 100
SYNTHETIC_PER_KIND = 300


def synthetic(
    per_kind: int = SYNTHETIC_PER_KIND, seed: int = 5
) -> list[tuple[RecordKey, dict[str, Any]]]:
    """``per_kind`` records of each exported kind, every sub-resource appended."""
    catalog = SyntheticCatalog(dict.fromkeys(EXPORT_KINDS, per_kind), seed=seed)
    out = []
    for kind in EXPORT_KINDS:
        for record_id in range(1, per_kind + 1):
            key = RecordKey(kind, record_id)
            document = with_every_block(catalog, key)
            if document is not None:
                out.append((key, document))
    return out


def measure(name: str, documents: Iterable[tuple[RecordKey, dict[str, Any]]]) -> None:
    codec = RecordCodec()
    by_kind: dict[Kind, list[bytes]] = defaultdict(list)
    today = gzipped = alone_best = count = 0
    best = zstandard.ZstdCompressor(level=19)
    for key, document in documents:
        encoded = codec.encode(key, document, fetched_at_ms=1_796_000_000_000, path="/3/x")
        today += len(encoded.data)
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        gzipped += len(gzip.compress(text, 6))
        alone_best += len(best.compress(text))
        by_kind[key.kind].append(codec.decompress(encoded.data))
        count += 1
    segments: list[tuple[bytes, list[Any]]] = []
    started = time.process_time()
    for kind, raws in by_kind.items():
        for start in range(0, len(raws), BATCH):
            segments.append(build_segment(kind, raws[start : start + BATCH], codec))
    build_cpu = time.process_time() - started
    stored = sum(len(data) for data, _ in segments)
    reads = []
    for data, entries in segments:
        for entry in entries[:: max(1, len(entries) // 10)]:
            frame = data[entry.offset : entry.offset + entry.length]
            began = time.perf_counter()
            record_in_block(frame, entry.ordinal, codec)
            reads.append(time.perf_counter() - began)
    began = time.perf_counter()
    scanned = sum(len(scan_segment(data, codec).records) for data, _ in segments)
    scan_seconds = time.perf_counter() - began
    assert scanned == count
    reads.sort()
    kinds = ", ".join(f"{kind.value} {len(raws)}" for kind, raws in by_kind.items())
    print(f"{name}: {count:,} records ({kinds}) in {len(segments)} segments")
    print(f"  gzip-6 JSON per record  {gzipped:>12,} bytes")
    print(f"  today, a frame a record {today:>12,} bytes = {today / gzipped:.3f} x gzip-6 JSON")
    print(
        f"  zstd -19, JSON alone    {alone_best:>12,} bytes = {alone_best / gzipped:.3f} x "
        "gzip-6 JSON (a record compressed without others beside it)"
    )
    print(
        f"  segments                {stored:>12,} bytes = {stored / gzipped:.3f} x gzip-6 JSON "
        "(target <= 0.5)"
    )
    print(
        f"  build {build_cpu / count * 1e3:.3f} ms CPU per record; point read p50 "
        f"{statistics.median(reads) * 1e3:.2f} ms, p99 {reads[int(len(reads) * 0.99)] * 1e3:.2f} "
        f"ms ({len(reads)} reads, in memory); scan {scanned / scan_seconds:,.0f} records/s"
    )


def main() -> None:
    measure("synthetic catalog", synthetic())
    measure("real captures (shared/tmdb/fixtures)", fixture_documents())


if __name__ == "__main__":
    main()
