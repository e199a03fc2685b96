"""The roll call of collector instances at work on a store: each batch (a Lambda invocation)
puts an object ``state/collectors/<expiry>-<messages>-<id>.json`` when it starts and deletes it
when it ends, where ``messages`` is how many of the queue's messages its batch holds in flight
(all of them until the invocation ends: the poller deletes them after it). Listing the
unexpired ones says how many instances are at work, and how many messages they hold.

It costs one PUT and one DELETE per invocation (an invocation stores hundreds of records) and
a LIST per second per instance only at the very end of a run, when the count is used
(app._collect_batch). An instance that dies leaves its object behind until the expiry written
in its name (its invocation's deadline and a minute): until then it is counted, which only
slows the others.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time

from tmdb_collector.store import ROLL_CALL_PREFIX, ObjectStore, StoreError

__all__ = ["ROLL_PREFIX", "RollCall", "at_work"]

_log = logging.getLogger("tmdb_collector.collect")

ROLL_PREFIX = ROLL_CALL_PREFIX
_NAME = re.compile(r"(\d{13})-(\d+)-[0-9a-f]+\.json$")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


async def _entries(objects: ObjectStore) -> list[tuple[str, int, int]]:
    """Every roll-call entry: its key, its expiry (epoch ms) and the messages it holds."""
    found = []
    async for info in objects.list(ROLL_PREFIX):
        match = _NAME.search(info.key)
        if match is not None:
            found.append((info.key, int(match.group(1)), int(match.group(2))))
    return found


async def at_work(objects: ObjectStore) -> tuple[int, int]:
    """The instances on the roll call (unexpired entries) and the messages they hold."""
    now = _now_ms()
    unexpired = [held for _, expires, held in await _entries(objects) if expires >= now]
    return len(unexpired), sum(unexpired)


class RollCall:
    """One batch's entry in the roll call."""

    def __init__(
        self, objects: ObjectStore, seconds: float, held: int, *, now_ms: int | None = None
    ) -> None:
        now = _now_ms() if now_ms is None else now_ms
        self._objects = objects
        #: A margin past the deadline: the batch finishes what it stores after it.
        expires = now + int((seconds + 60) * 1000)
        self.key = f"{ROLL_PREFIX}{expires:013d}-{max(0, held)}-{secrets.token_hex(6)}.json"
        self._expires = expires
        self.present = False

    async def enter(self) -> None:
        """Put this batch's object. A failure is logged: the batch then does not read the roll
        call, and paces by the messages in flight alone."""
        body = json.dumps({"expires_at_ms": self._expires}).encode()
        try:
            await self._objects.put(self.key, body)
        except StoreError as error:
            _log.warning("cannot enter the collectors' roll call: %s", error)
        else:
            self.present = True

    async def leave(self) -> None:
        if not self.present:
            return
        try:
            await self._objects.delete(self.key)
        except StoreError as error:
            # Counted until its expiry: the others pace a little slower meanwhile.
            _log.warning("cannot leave the collectors' roll call: %s", error)
        self.present = False

    async def others(self) -> tuple[int, int]:
        """The other instances at work (unexpired entries but this one's) and the messages
        they hold. Expired entries (instances that died) are removed."""
        now = _now_ms()
        entries = [entry for entry in await _entries(self._objects) if entry[0] != self.key]
        expired = [key for key, expires, _ in entries if expires < now]
        held = [messages for _, expires, messages in entries if expires >= now]
        for key in expired:
            try:
                await self._objects.delete(key)
            except StoreError:
                break  # someone else's clean-up, or a store refusing: the next count tries
        return len(held), sum(held)
