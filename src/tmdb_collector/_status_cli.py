"""``tmdb-collector status``: the queue, the dead letters, the store and the last harvest at a
glance (``--json`` for scripts and alarms)."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from tmdb_collector._harvest_cli import default_queue, queue_option
from tmdb_collector._mirror import PROGRESS_KEY
from tmdb_collector._store_cli import store_option
from tmdb_collector.harvest import HarvestState, HarvestStateError
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import (
    MalformedMessageError,
    QueueError,
    WorkQueue,
    decode_batch,
    open_work_queue,
    sqlite_path,
)
from tmdb_collector.store import ObjectStore, RecordIndex, StoreError, open_object_store

__all__ = ["gather_status", "status"]

#: Dead letters shown with their error.
_DEAD_SHOWN = 10


@click.command()
@store_option
@queue_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
def status(*, location: str, queue_spec: str | None, as_json: bool) -> None:
    """Show the work queue (waiting, in flight, dead letters with their last errors), records
    and tombstones per kind, and the last harvest with its watermarks."""
    try:
        report = asyncio.run(gather_status(location, queue_spec or default_queue(location)))
    except (StoreError, QueueError, HarvestStateError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(report, indent=1))
    else:
        _print(report, Console() if sys.stdout.isatty() else Console(width=200))


async def gather_status(location: str, queue_spec: str) -> dict[str, Any]:
    """Everything ``status`` shows, as JSON-ready data."""
    objects = open_object_store(location)
    state = HarvestState(objects)
    return {
        "store": objects.url,
        "queue": await asyncio.to_thread(_queue_status, queue_spec),
        "kinds": await _kinds(objects),
        "last_harvest": await state.last_run(),
        "mirror": await _mirror_progress(objects),
        "watermarks": {
            kind.value: {"through": mark.through.isoformat()}
            for kind, mark in (await state.watermarks()).items()
        },
    }


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


def _print(report: dict[str, Any], console: Console) -> None:
    queue = report["queue"]
    console.print(f"store: {report['store']}")
    if not queue["exists"]:
        console.print(f"queue: {queue['spec']} (none yet: run `tmdb-collector harvest`)")
    else:
        console.print(
            f"queue: {queue['spec']}: {queue['waiting']:,} waiting, {queue['in_flight']:,} in "
            f"flight, {queue['delayed']:,} delayed; dead letters: {queue['dead']:,}"
        )
        for letter in queue["dead_letters"]:
            console.print(
                f"  dead: {letter['items']} items from {letter.get('first')}: {letter['error']}"
            )
    table = Table(title="records")
    for column in ("kind", "records", "tombstones"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind, counts in report["kinds"].items():
        table.add_row(kind, f"{counts['records']:,}", f"{counts['tombstones']:,}")
    console.print(table if report["kinds"] else "records: none yet")
    last = report["last_harvest"]
    if last is None:
        console.print("last harvest: none")
    else:
        errors = [error for kind in last.get("kinds", []) for error in kind.get("errors", [])]
        console.print(
            f"last harvest: {last.get('started_at')} for {last.get('day')}: "
            f"{last.get('items_enqueued', 0):,} items enqueued"
            + (f", {len(errors)} errors" if errors else "")
        )
        for error in errors:
            console.print(f"  error: {error}")
    _print_mirror(report.get("mirror"), console)
    for kind, mark in report["watermarks"].items():
        console.print(f"changes watermark {kind}: read through {mark['through']}")


def _print_mirror(mirror: dict[str, Any] | None, console: Console) -> None:
    if mirror is None:
        console.print("mirror: no run yet")
        return
    done = sum(mirror.get("items_done", {}).values())
    planned = sum(mirror.get("items_planned", {}).values())
    state = "finished" if mirror.get("finished") else f"running ({mirror.get('phase')})"
    line = (
        f"mirror: {state}, started {mirror.get('started_at')}, last update "
        f"{mirror.get('updated_at')}: {done:,}"
        + (f" / {planned:,}" if planned else "")
        + f" items, {mirror.get('items_per_second', 0):,.1f}/s, {mirror.get('retried', 0)} "
        f"retried, {mirror.get('dead', 0)} dead, {mirror.get('rate_limited', 0)} × 429"
    )
    eta = mirror.get("eta_seconds")
    if eta is not None:
        line += f"; about {eta // 3600} h {eta % 3600 // 60} min left"
    console.print(line)
    for error in mirror.get("errors", []):
        console.print(f"  error: {error}")
    drift = mirror.get("schema_drift") or {}
    if drift:
        console.print("schema drift seen (kept losslessly; a schema update would type it):")
        for path, records in drift.items():
            console.print(f"  {path}: {records:,} records")
