"""The one compaction path: fold each kind's index fragments into its snapshot (and, in a store
of segments, its version map's), holding the compaction lease — for ``compact``, the compactor
function and ``mirror``'s last step alike."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from tmdb_collector.app._lease import compaction_lease
from tmdb_collector.kinds import Kind
from tmdb_collector.observe import Metrics
from tmdb_collector.store import (
    COMPACTION_LEASE_PREFIX,
    CompactionResult,
    ObjectStore,
    RecordIndex,
    SegmentRecordStore,
    StoreBusyError,
    open_record_store,
)

__all__ = ["COMPACT_LEASE_PREFIX", "compact_index"]

_log = logging.getLogger("tmdb_collector.compact")

#: The compaction lease's prefix (named in store's state keys).
COMPACT_LEASE_PREFIX = COMPACTION_LEASE_PREFIX


async def compact_index(
    objects: ObjectStore,
    kinds: Iterable[Kind | str] = tuple(Kind),
    *,
    command: str = "compact",
    skip_if_busy: bool = False,
    metrics: Metrics | None = None,
) -> dict[Kind, CompactionResult]:
    """Compact ``kinds`` holding the compaction lease. Another compaction of the store under
    way: StoreBusyError naming it — or, with ``skip_if_busy`` (``mirror``'s last step, whose
    fragments the other compaction folds now or next time), nothing is done and {} returned.
    ``metrics`` counts each kind's folded fragments as soon as that kind is done."""
    index = RecordIndex(objects)
    records = await open_record_store(objects)
    results = {}
    try:
        async with compaction_lease(objects, command):
            for kind in kinds:
                if isinstance(records, SegmentRecordStore):
                    # The version map and the change log too, over one listing.
                    done = results[Kind(kind)] = await records.compact(Kind(kind))
                else:
                    done = results[Kind(kind)] = await index.compact(kind)
                if metrics is not None:
                    metrics.count("compact.fragments_merged", done.fragments_merged, kind=kind)
    except StoreBusyError as busy:
        if not skip_if_busy:
            raise
        _log.info("index not compacted by this run: %s", busy)
        return {}
    return results
