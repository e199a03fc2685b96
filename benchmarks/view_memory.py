"""What a kind's versions cost in memory (issue 20): a store of segments whose
person version map is a snapshot of VIEW_MEMORY_RECORDS records with VIEW_MEMORY_VERSIONS
versions each (random content hashes, segments of 200 records), then, in a process of its
own for each, the peak resident memory of:

- ``whole``: a writer's view (``CurrentView``, what a collector holds to decide writes
  without reading records) from the kind's version table read whole, then slimmed (how a
  first look was made until 2026-12-08, ``VersionMap.table_of``);
- ``parts``: the same view from the snapshot read part by part, each part slimmed as it comes
  (``VersionMap.current_view``: a writer's first look now, and a reader's current versions);
- ``reader``: a reader's map of the kind (``SortedVersions``, what ``history`` and ``serve``'s
  history keep to find a record's versions): every version, not only the current ones;
- ``compact``: the kind's version-map compaction (what the compactor function does), with
  VIEW_MEMORY_FRAGMENTS fragments of 200 new versions waiting (all but ``compact`` read them
  too).

    python3 dev.py bench view_memory
"""

from __future__ import annotations

import asyncio
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

import pyarrow as pa  # type: ignore[import-untyped]

from tmdb_collector.kinds import Kind
from tmdb_collector.store import open_object_store, use_segments
from tmdb_collector.store._segment import SegmentEntry
from tmdb_collector.store._versions import (
    VERSION_SCHEMA,
    CurrentView,
    SortedVersions,
    VersionMap,
    _parquet,
    version_fragment_key,
    versions_snapshot_key,
)

RECORDS = int(os.environ.get("VIEW_MEMORY_RECORDS", "1000000"))
#: Version-map fragments waiting for the compaction (200 versions each).
FRAGMENTS = int(os.environ.get("VIEW_MEMORY_FRAGMENTS", "50"))
VERSIONS = int(os.environ.get("VIEW_MEMORY_VERSIONS", "2"))


async def build(root: str) -> int:
    """The snapshot, in the order compaction writes it: by key, then fetched time."""
    rows = RECORDS * VERSIONS
    ids = pa.array([i // VERSIONS for i in range(rows)], pa.int64())
    fetched = pa.array([1_796_000_000_000 + i % VERSIONS for i in range(rows)], pa.int64())
    at = fetched.cast(pa.timestamp("ms", tz="UTC"))
    segments = pa.array(
        [f"segments/person/2026-12-07/{i // 200:013d}-abcdefabcdef-000001.seg" for i in range(rows)]
    )
    positions = pa.array([(i % 200) * 9_000 for i in range(rows)], pa.int64())
    table = pa.table(
        {
            "id": ids,
            "season_number": pa.nulls(rows, pa.int64()),
            "episode_number": pa.nulls(rows, pa.int64()),
            "fetched_at": at,
            "content_hash": pa.array([os.urandom(32) for _ in range(rows)], pa.binary(32)),
            "deleted": pa.array([False] * rows),
            "segment": segments,
            "offset": positions,
            "length": pa.array([9_000] * rows, pa.int64()),
            "ordinal": pa.array([i % 48 for i in range(rows)], pa.int32()),
            "stored_bytes": pa.array([3_000] * rows, pa.int64()),
            "written_at": at,
        },
        schema=VERSION_SCHEMA,
    )
    objects = open_object_store(root)
    await use_segments(objects)
    data = _parquet(table)
    await objects.put(versions_snapshot_key(Kind.PERSON), data)
    # A day's writes waiting for the compaction: FRAGMENTS fragments of 200 new fetches.
    versions = VersionMap(objects)
    rng = random.Random(5)
    for number in range(FRAGMENTS):
        entries = [
            SegmentEntry(
                Kind.PERSON,
                str(rng.randrange(RECORDS)),
                1_797_000_000_000 + number,
                os.urandom(32),
                False,
                ordinal * 9_000,
                9_000,
                ordinal % 48,
                3_000,
            )
            for ordinal in range(200)
        ]
        segment = f"segments/person/2026-12-08/{number:013d}-abcdefabcdef-000001.seg"
        fragment = version_fragment_key(Kind.PERSON, 1_797_000_000_000 + number, "bench", number)
        await versions.add(Kind.PERSON, segment, entries, fragment=fragment, written_at_ms=0)
    return len(data)


async def look(root: str, how: str) -> None:
    """In the child: build the view one way and print its figures."""
    versions = VersionMap(open_object_store(root))
    state = await versions.state(Kind.PERSON)
    baseline = _peak_mb()
    began = time.perf_counter()
    if how == "compact":
        count = await versions.compact(Kind.PERSON, 10)
        held = 0
    elif how == "reader":
        table = SortedVersions(Kind.PERSON, await versions.table_of(Kind.PERSON, state))
        count, held = table.table.num_rows, table.table.nbytes
    else:
        if how == "whole":
            view = CurrentView(Kind.PERSON, await versions.table_of(Kind.PERSON, state))
        else:
            view = await versions.current_view(Kind.PERSON, state)
        count, held = len(view), view.nbytes
    seconds = time.perf_counter() - began
    peak = _peak_mb()
    print(
        f"  {how:<6}: {count:,} rows; peak RSS {peak:,.0f} MB ({peak - baseline:,.0f} MB "
        f"over the {baseline:,.0f} MB before), {seconds:.1f} s; "
        f"holding {held / 1e6:,.0f} MB"
    )


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike getrusage's ru_maxrss, not carried
    over from the parent through fork and exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as root:
        size = asyncio.run(build(root))
        print(
            f"person version snapshot: {RECORDS:,} records x {VERSIONS} versions, "
            f"{size / 1e6:,.0f} MB"
        )
        for how in ("whole", "parts", "reader", "compact"):
            child = [sys.executable, "-m", "benchmarks.view_memory", "--look", root, how]
            subprocess.run(child, check=True)  # noqa: S603 - our own command


if __name__ == "__main__":
    if sys.argv[1:2] == ["--look"]:
        asyncio.run(look(sys.argv[2], sys.argv[3]))
    else:
        main()
