"""The status use case: the queue, the dead letters, the store and the last harvest and mirror
run, as JSON-ready data (``status``, ``status --json``; later an operations command and alarms)."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

from tmdb_collector.app._mirror import PROGRESS_KEY
from tmdb_collector.app._roll_call import at_work
from tmdb_collector.harvest import HarvestState
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import (
    MalformedMessageError,
    WorkQueue,
    decode_batch,
    open_work_queue,
    sqlite_path,
)
from tmdb_collector.store import ObjectStore, RecordIndex, StoreLease

__all__ = ["gather_status"]

#: Dead letters shown with their error.
_DEAD_SHOWN = 10


async def gather_status(objects: ObjectStore, queue_spec: str) -> dict[str, Any]:
    """Everything ``status`` shows, as JSON-ready data."""
    state = HarvestState(objects)
    collectors, held = await at_work(objects)
    return {
        "store": objects.url,
        "lease": await _lease(objects),
        # Collector functions on Lambda at work now (their roll call), and the messages they hold.
        "collectors_at_work": {"instances": collectors, "messages": held},
        "queue": await asyncio.to_thread(_queue_status, queue_spec),
        "kinds": await _kinds(objects),
        "last_harvest": await state.last_run(),
        "mirror": await _mirror_progress(objects),
        "watermarks": {
            kind.value: {"through": mark.through.isoformat()}
            for kind, mark in (await state.watermarks()).items()
        },
    }


async def _lease(objects: ObjectStore) -> dict[str, Any] | None:
    """The run holding the store (its lease), or None when no run holds it now."""
    holder = await StoreLease(objects, "status").current()
    if holder is None or holder.is_free(time.time()):
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
            letters.append({"items": 0, "kinds": [], "error": f"unreadable message: {error}"})
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
