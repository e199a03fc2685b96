"""The one compaction path: fold each kind's index fragments into its snapshot (and, in a store
of segments, its version map's), holding the compaction lease — for ``compact``, the compactor
function and ``mirror``'s last step alike."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass

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
    collect_garbage,
    open_record_store,
)

__all__ = ["COMPACT_LEASE_PREFIX", "CompactionDue", "SegmentGC", "compact_index"]

_log = logging.getLogger("tmdb_collector.compact")

#: The compaction lease's prefix (named in store's state keys).
COMPACT_LEASE_PREFIX = COMPACTION_LEASE_PREFIX


@dataclass(frozen=True, slots=True)
class CompactionDue:
    """When a kind's compaction is due (the compactor function's hourly schedule): once this
    many fragments wait, or the oldest has waited this long. Rewriting a kind's snapshots every
    hour would cost more than it saves; never compacting during a first mirror of days lets
    every reader of the index read a day's fragments one by one."""

    fragments: int = 500
    age_seconds: float = 23 * 3600.0

    def holds(self, waiting: int, oldest_ms: int | None, now_ms: int) -> bool:
        if oldest_ms is None:
            return False
        return waiting >= self.fragments or now_ms - oldest_ms >= self.age_seconds * 1000


@dataclass(frozen=True, slots=True)
class SegmentGC:
    """How ``compact`` collects a store of segments' garbage (SEGMENT_LIVE_FRACTION,
    SEGMENT_GRACE_SECONDS)."""

    live_fraction: float = 0.5
    grace_seconds: int = 3600


async def compact_index(
    objects: ObjectStore,
    kinds: Iterable[Kind | str] = tuple(Kind),
    *,
    command: str = "compact",
    skip_if_busy: bool = False,
    metrics: Metrics | None = None,
    gc: SegmentGC | None = None,
    due: CompactionDue | None = None,
) -> dict[Kind, CompactionResult]:
    """Compact ``kinds`` holding the compaction lease. Another compaction of the store under
    way: StoreBusyError naming it — or, with ``skip_if_busy`` (``mirror``'s last step, whose
    fragments the other compaction folds now or next time), nothing is done and {} returned.
    ``metrics`` counts each kind's folded fragments as soon as that kind is done. In a store of
    segments, ``gc`` also collects each kind's garbage after folding it (``compact`` and the
    compactor function; ``mirror``'s last step only folds). With ``due``, only the kinds whose
    compaction is due are compacted (the others are left out of the result)."""
    index = RecordIndex(objects)
    records = await open_record_store(objects)
    results = {}
    try:
        async with compaction_lease(objects, command):
            for kind in kinds:
                if due is not None:
                    waiting, oldest = await index.backlog(kind)
                    if not due.holds(waiting, oldest, time.time_ns() // 1_000_000):
                        _log.info(
                            "not due for compaction",
                            extra={"kind": str(kind), "fragments": waiting},
                        )
                        continue
                if isinstance(records, SegmentRecordStore):
                    # The version map and the change log too, over one listing.
                    done = results[Kind(kind)] = await records.compact(Kind(kind))
                    if gc is not None:
                        collected = await collect_garbage(
                            objects,
                            Kind(kind),
                            retention_versions=records.retention_versions,
                            live_fraction=gc.live_fraction,
                            grace_ms=gc.grace_seconds * 1000,
                            now_ms=time.time_ns() // 1_000_000,
                            writer=records.writer,
                        )
                        _log.info("segments collected", extra={"gc": asdict(collected)})
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
