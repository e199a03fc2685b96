"""The one lease idiom of the use cases (docs/reliability.md, "Concurrent runs"): a run that
plans and collects (``mirror``, ``harvest``) holds the store's run lease; a compaction (``mirror``'s
last step, ``compact``, the compactor function) holds the compaction lease. Both are
``store.StoreLease``: a second holder is refused at once with ``StoreBusyError`` naming the
first."""

from __future__ import annotations

from tmdb_collector.store import COMPACTION_LEASE_PREFIX, ObjectStore, StoreLease

__all__ = ["compaction_lease", "run_lease"]


def run_lease(objects: ObjectStore, command: str) -> StoreLease:
    """``async with run_lease(objects, "mirror"):`` one run that plans or collects per store."""
    return StoreLease(objects, command)


def compaction_lease(objects: ObjectStore, command: str) -> StoreLease:
    """``async with compaction_lease(objects, "compact"):`` one compaction per store. Apart
    from the run lease: compaction is safe beside writers, not beside another compaction of
    the same kind (both would fold the same fragments, and a snapshot could lose rows)."""
    return StoreLease(objects, command, prefix=COMPACTION_LEASE_PREFIX)
