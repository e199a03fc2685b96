"""The compaction use case: fold each kind's index fragments into its snapshot, one compaction
of a store at a time."""

from __future__ import annotations

from collections.abc import Iterable

from tmdb_collector.kinds import Kind
from tmdb_collector.store import CompactionResult, ObjectStore, RecordIndex, StoreLease

__all__ = ["COMPACT_LEASE_PREFIX", "compact_index"]

#: A lease of its own, apart from the runs' (compaction is safe beside writers, not beside
#: another compaction of the same kind: both would fold the same fragments).
COMPACT_LEASE_PREFIX = "state/leases/compact"


async def compact_index(
    objects: ObjectStore, kinds: Iterable[Kind | str] = tuple(Kind)
) -> dict[Kind, CompactionResult]:
    """Compact ``kinds`` holding the compaction lease (a second compaction of the store fails
    at once with StoreBusyError naming the first)."""
    index = RecordIndex(objects)
    results = {}
    async with StoreLease(objects, "compact", prefix=COMPACT_LEASE_PREFIX):
        for kind in kinds:
            results[Kind(kind)] = await index.compact(kind)
    return results
