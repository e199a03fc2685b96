"""Values a reader keeps and follows as the store changes: a kind's version map, a kind's
index. Each is checked at most every few seconds against a cheap state of what it was read
from (a listing and a HEAD), and read again only when that state changed; one check at a time
per key, whatever the number of readers waiting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Refreshing"]

K = TypeVar("K", bound=Hashable)
S = TypeVar("S")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class _Kept(Generic[S, V]):
    checked: float  # monotonic seconds
    state: S
    value: V


class Refreshing(Generic[K, S, V]):
    """Values by key, each checked against its state when older than ``max_age()`` seconds
    (asked at every call, so it may change while running)."""

    def __init__(self, max_age: Callable[[], float]) -> None:
        self._max_age = max_age
        self._kept: dict[K, _Kept[S, V]] = {}
        self._locks: dict[K, asyncio.Lock] = {}

    async def get(
        self,
        key: K,
        state: Callable[[], Awaitable[S]],
        load: Callable[[S], Awaitable[V]],
        *,
        replaced: Callable[[V], None] | None = None,
    ) -> V:
        """The value of ``key``: kept, or ``load``-ed for the ``state`` now when what it was
        read from changed (``replaced`` is given the value it replaces)."""
        kept = self._fresh(key)
        if kept is not None:
            return kept.value
        async with self._locks.setdefault(key, asyncio.Lock()):
            kept = self._fresh(key)
            if kept is not None:
                return kept.value  # another reader checked it while this one waited
            old = self._kept.get(key)
            now = await state()
            if old is not None and old.state == now:
                value = old.value
            else:
                value = await load(now)
                if old is not None and replaced is not None:
                    replaced(old.value)
            self._kept[key] = _Kept(time.monotonic(), now, value)
            return value

    def forget(self, key: K | None = None) -> None:
        """Read ``key`` (every key: None) again at its next ``get``."""
        if key is None:
            self._kept.clear()
        else:
            self._kept.pop(key, None)

    def values(self) -> Iterator[V]:
        return (kept.value for kept in self._kept.values())

    def _fresh(self, key: K) -> _Kept[S, V] | None:
        kept = self._kept.get(key)
        if kept is not None and time.monotonic() - kept.checked < self._max_age():
            return kept
        return None
