"""One run at a time per store: the use cases that plan and collect hold the store's lease
(``tmdb_collector.store.StoreLease``; docs/reliability.md, "Concurrent runs")."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar, cast

from tmdb_collector.store import ObjectStore, StoreLease

__all__ = ["holding_store_lease"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def holding_store_lease(
    command: str,
) -> Callable[[Callable[_P, Awaitable[_R]]], Callable[_P, Awaitable[_R]]]:
    """Run the decorated use case holding the lease of the store it is given as ``objects=``:
    a second run on the same store fails at once with ``StoreBusyError`` naming the first."""

    def decorate(use_case: Callable[_P, Awaitable[_R]]) -> Callable[_P, Awaitable[_R]]:
        @functools.wraps(use_case)
        async def holding(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            # The use cases take keyword arguments only, the store always as objects=.
            objects = cast("ObjectStore", kwargs["objects"])
            async with StoreLease(objects, command):
                return await use_case(*args, **kwargs)

        return holding

    return decorate
