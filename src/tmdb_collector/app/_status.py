"""The status use case: the queue, the dead letters, the store and the last harvest and mirror
run, as JSON-ready data (``status``, ``status --json``; later an operations command and alarms)."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

from tmdb_collector.app._costs import request_costs
from tmdb_collector.app._mirror import PROGRESS_KEY
from tmdb_collector.app._roll_call import at_work
from tmdb_collector.collect import CollectorSettings
from tmdb_collector.harvest import HarvestState
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import (
    MalformedMessageError,
    WorkQueue,
    decode_batch,
    open_work_queue,
    sqlite_path,
)
from tmdb_collector.store import LeaseHolder, ObjectStore, RecordIndex, StoreLease, store_layout

__all__ = ["gather_status"]

#: Dead letters shown with their error.
_DEAD_SHOWN = 10


async def gather_status(
    objects: ObjectStore, queue_spec: str, collector: CollectorSettings | None = None
) -> dict[str, Any]:
    """Everything ``status`` shows, as JSON-ready data; with ``collector``, what its depth
    costs in requests per work item."""
    state = HarvestState(objects)
    collectors, held = await at_work(objects)
    # The lease first, the progress right after: a run saves its last progress before it
    # releases its lease, so a "running" progress read after a free lease is a run that died.
    holder = await _live_holder(objects)
    mirror = _judged(await _mirror_progress(objects), holder)
    return {
        "store": objects.url,
        # How the records are kept: "objects" (one object per record version), "segments"
        # (docs/storage.md, "Segments") or "empty".
        "layout": await store_layout(objects),
        "lease": _lease(holder),
        # Collector functions on Lambda at work now (their roll call), and the messages they hold.
        "collectors_at_work": {"instances": collectors, "messages": held},
        "queue": await asyncio.to_thread(_queue_status, queue_spec),
        "kinds": await _kinds(objects),
        "last_harvest": await state.last_run(),
        "mirror": mirror,
        "watermarks": {
            kind.value: {"through": mark.through.isoformat()}
            for kind, mark in (await state.watermarks()).items()
        },
        "depth": None if collector is None else (await request_costs(objects, collector)).summary(),
    }


async def _live_holder(objects: ObjectStore) -> LeaseHolder | None:
    """The run holding the store now (its lease), or None: released, expired, or held by a
    process of this machine that is gone."""
    holder = await StoreLease(objects, "status").current()
    if holder is None or holder.is_free(time.time()):
        return None
    return holder


def _lease(holder: LeaseHolder | None) -> dict[str, Any] | None:
    if holder is None:
        return None
    return {
        "command": holder.command,
        "host": holder.process.host,
        "pid": holder.process.pid,
        "since": _iso(holder.started_at),
        "renewed_at": _iso(holder.renewed_at),
        "expires_at": _iso(holder.expires_at),
    }


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="seconds")


async def _mirror_progress(objects: ObjectStore) -> dict[str, Any] | None:
    """The last (or current) mirror run's progress, as it saved it."""
    data = await objects.get(PROGRESS_KEY)
    if data is None:
        return None
    try:
        progress: dict[str, Any] = json.loads(data)
    except ValueError:
        return None
    return progress


#: A run's outcome when its progress says "running" but no live run of ``mirror`` holds the
#: store: it was killed (SIGKILL, out of memory) or its machine stopped, and could not say so.
_ENDED_UNFINISHED = "ended without finishing (killed or crashed)"


def _judged(progress: dict[str, Any] | None, holder: LeaseHolder | None) -> dict[str, Any] | None:
    """The progress, with the outcome the facts support: "running" only while a live ``mirror``
    holds the store's lease (on another machine: until that lease expires)."""
    if progress is None or progress.get("finished"):
        return progress
    if progress.get("outcome", "running") != "running":
        return progress
    if holder is not None and holder.command == "mirror":
        return progress
    return {**progress, "outcome": _ENDED_UNFINISHED, "eta_seconds": None}


def _queue_status(spec: str) -> dict[str, Any]:
    path = sqlite_path(spec)
    if path is not None and not path.exists():
        # Opening would create it: a status must not leave a queue file behind.
        return {"spec": spec, "exists": False}
    queue = open_work_queue(spec)
    try:
        return _describe(spec, queue)
    finally:
        queue.close()


def _describe(spec: str, queue: WorkQueue) -> dict[str, Any]:
    counts, dead = queue.counts(), queue.dead_counts()
    letters = []
    for message in queue.peek_dead(_DEAD_SHOWN):
        try:
            batch = decode_batch(message.body)
        except MalformedMessageError as error:
            # Kept as it was by the collector: no item can be read from it.
            letters.append(
                {"items": 0, "kinds": [], "first": None, "unreadable": True, "error": str(error)}
            )
            continue
        letters.append(
            {
                "items": len(batch.items),
                "kinds": sorted({item.kind.value for item in batch.items}),
                "first": f"{batch.items[0].kind}/{batch.items[0].key}" if batch.items else None,
                "error": batch.error or f"no error recorded (received {message.receive_count}×)",
            }
        )
    return {
        "spec": spec,
        "exists": True,
        "waiting": counts.visible,
        "in_flight": counts.in_flight,
        "delayed": counts.delayed,
        "dead": dead.visible + dead.in_flight + dead.delayed,
        "max_receives": queue.max_receives,
        "dead_letters": letters,
    }


async def _kinds(objects: ObjectStore) -> dict[str, dict[str, int]]:
    index = RecordIndex(objects)
    result = {}
    for kind in Kind:
        table = await index.table(kind, columns=["deleted"])
        if table.num_rows == 0:
            continue
        deleted = sum(1 for flag in table.column("deleted").to_pylist() if flag)
        result[kind.value] = {"records": table.num_rows - deleted, "tombstones": deleted}
    return result
