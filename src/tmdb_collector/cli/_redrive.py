"""``tmdb-collector redrive``: put dead-lettered work back on the queue."""

from __future__ import annotations

import asyncio

import click

from tmdb_collector.cli._options import queue_option, store_option, wiring

__all__ = ["redrive"]


@click.command()
@store_option
@queue_option
@click.option(
    "--max",
    "max_messages",
    type=click.IntRange(min=1),
    default=None,
    help="Move at most N messages (default: all).",
)
def redrive(*, location: str | None, queue_spec: str | None, max_messages: int | None) -> None:
    """Move the dead-letter queue's messages back to the work queue, oldest first, as new
    messages: the next `mirror` (or collector) tries their items again.

    Look at their errors first (`tmdb-collector status`) and fix the cause: work that failed
    for a reason still there only comes back. At least once: a message is sent before it is
    removed from the dead-letter queue.
    """
    wired = wiring(location=location, queue_spec=queue_spec)
    spec = asyncio.run(wired.store_queue_spec(record=False))
    queue = wired.open_queue(spec)
    try:
        moved = queue.redrive(max_messages)
        left = queue.dead_counts()
    finally:
        queue.close()
    waiting = left.visible + left.in_flight + left.delayed
    click.echo(f"{moved} messages moved back to {spec}; {waiting} left in its dead-letter queue")
