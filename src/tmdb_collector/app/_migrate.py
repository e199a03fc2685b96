"""The migration use case (``tmdb-collector migrate``), and the index rebuilt from segments
(``tmdb-collector rebuild-index``): a store of one object per record version
moved, in place, to segments (store/_migrate.py says how). Holds the store's run lease, so no
``mirror`` or ``harvest`` writes meanwhile, and refuses while collector functions are at work."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tmdb_collector.app._lease import compaction_lease, run_lease
from tmdb_collector.app._roll_call import at_work
from tmdb_collector.app._wiring import Wiring
from tmdb_collector.errors import InputError
from tmdb_collector.kinds import Kind
from tmdb_collector.store import (
    KindMigration,
    ObjectStore,
    RebuildReport,
    SegmentRecordStore,
    StoreBusyError,
    StoreError,
    finish_migration,
    kinds_migrated,
    migrate_kind,
    old_layout_objects,
    open_record_store,
    plan_kind,
    rebuild_index,
    store_layout,
)

__all__ = ["MigrationReport", "migrate_store", "rebuild_store_index"]


@dataclass
class MigrationReport:
    """What ``migrate`` found and did."""

    store: str
    layout_before: str  # "objects", "segments" or "empty"
    dry_run: bool
    kinds: list[KindMigration] = field(default_factory=list)
    #: Kinds still in the old layout after this run (a run given --types).
    left: list[Kind] = field(default_factory=list)
    #: True once the store is marked as segments.
    finished: bool = False
    deleted: int = 0


async def migrate_store(
    wiring: Wiring,
    kinds: Iterable[Kind] = tuple(Kind),
    *,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> MigrationReport:
    """Migrate ``kinds`` of the store (all by default); once every kind is, mark the store as
    segments and delete the old objects. ``dry_run``: what it would do, nothing written."""
    say = progress or (lambda _: None)
    objects = await wiring.existing_objects()
    report = MigrationReport(objects.url, await store_layout(objects), dry_run)
    if dry_run:
        if report.layout_before == "objects":
            for kind in kinds:
                report.kinds.append(await plan_kind(objects, kind))
        return report
    if report.layout_before == "empty":
        return report
    instances, _ = await at_work(objects)
    if instances:
        raise StoreBusyError(
            f"{instances} collector function(s) are at work on {objects.url}: disable the "
            "collector's event source and the harvester's schedule, wait for them to finish, "
            "then migrate"
        )
    async with run_lease(objects, "migrate"):
        if report.layout_before == "objects":
            already = await kinds_migrated(objects)
            for kind in kinds:
                if kind in already:
                    say(f"{kind}: migrated already")
                    continue

                def chunk(done: int, total: int, kind: Kind = kind) -> None:
                    say(f"{kind}: {done}/{total} segments written and verified")

                report.kinds.append(await migrate_kind(objects, kind, on_chunk=chunk))
            migrated = await kinds_migrated(objects)
            report.left = [kind for kind in Kind if kind not in migrated]
            if report.left:
                return report
        old = await old_layout_objects(objects)
        if not (report.layout_before == "segments" and not old):

            def deleted(count: int, total: int) -> None:
                say(f"old layout: {count}/{total} objects deleted")

            report.deleted = await finish_migration(objects, on_deleted=deleted)
        report.finished = True
        await _fold_migrated(objects, say)
    return report


async def _fold_migrated(objects: ObjectStore, say: Callable[[str], None]) -> None:
    """Each kind's migrated version-map fragments (one per migrated segment) folded into its
    snapshot, so that readers do not read them one by one until the compactor's next due
    compaction (which counts index fragments, of which a migration writes none)."""
    records = await open_record_store(objects)
    if not isinstance(records, SegmentRecordStore):
        return
    try:
        async with compaction_lease(objects, "migrate"):
            for kind in Kind:
                if await records.versions.fragment_names(kind):
                    await records.versions.compact(
                        kind, records.retention_versions, index_fragments=[]
                    )
                    say(f"{kind}: version map folded into its snapshot")
    except StoreError as error:  # the migration is done and its data intact: only slower reads
        say(
            f"version maps not folded ({error}); they read correctly, one fragment at a time: "
            "run `tmdb-collector migrate` again to fold them"
        )


async def rebuild_store_index(
    wiring: Wiring, *, progress: Callable[[str], None] | None = None
) -> RebuildReport:
    """Rebuild a store of segments' index and version map from its segments (``tmdb-collector
    rebuild-index``), holding the run lease and the compaction lease."""
    say = progress or (lambda _: None)
    objects = await wiring.existing_objects()
    layout = await store_layout(objects)
    if layout != "segments":
        raise InputError(
            f"{objects.url} is not in segments ({layout}): only a store of segments can be "
            "rebuilt from its own objects; `tmdb-collector migrate` moves a store to segments"
        )

    def segment(done: int, total: int) -> None:
        if done == total or done % 100 == 0:
            say(f"{done}/{total} segments read")

    async with run_lease(objects, "rebuild-index"), compaction_lease(objects, "rebuild-index"):
        return await rebuild_index(objects, on_segment=segment)
