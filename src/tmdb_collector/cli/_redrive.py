"""``tmdb-collector redrive``: put dead-lettered work back on the queue."""

from __future__ import annotations

import asyncio

import click

from tmdb_collector import app
from tmdb_collector.cli._options import (
    Integer,
    queue_option,
    stack_option,
    store_option,
    wiring,
)

__all__ = ["max_option", "move_dead_letters", "redrive"]


max_option = click.option(
    "--max",
    "max_messages",
    # A bound, or a number past the queues' own limit (2**62) is a ValueError traceback; no
    # dead-letter queue holds a billion messages.
    type=Integer(min=1, max=1_000_000_000),
    default=None,
    help="Move at most N messages (default: all).",
)


@click.command()
@store_option
@queue_option
@stack_option
@max_option
def redrive(
    *, location: str | None, queue_spec: str | None, stack: str | None, max_messages: int | None
) -> None:
    """Move the dead-letter queue's messages back to the work queue, oldest first, as new
    messages: the next `mirror` (or collector) tries their items again.

    Look at their errors first (`tmdb-collector status`) and fix the cause: work that failed
    for a reason still there only comes back. At least once: a message is sent before it is
    removed from the dead-letter queue.
    """
    move_dead_letters(wiring(location=location, queue_spec=queue_spec, stack=stack), max_messages)


def move_dead_letters(wired: app.Wiring, max_messages: int | None) -> None:
    """Redrive the dead letters of the queue ``wired`` names (``redrive``, ``aws redrive``)."""
    asyncio.run(wired.existing_objects())  # a typo'd --store is no store, not an empty one
    spec = asyncio.run(wired.store_queue_spec(record=False))
    queue = wired.open_queue(spec)
    try:
        moved = queue.redrive(max_messages)
        left = queue.dead_counts()
    finally:
        queue.close()
    waiting = left.visible + left.in_flight + left.delayed
    noun = "message" if moved == 1 else "messages"
    click.echo(f"{moved} {noun} moved back to {spec}; {waiting} left in its dead-letter queue")
