"""``Refreshing``: a value read once by many waiting readers, kept while its state is the
same, read again (and the old one handed back) when the state changed."""

from __future__ import annotations

import asyncio

from tmdb_collector.store import Refreshing


async def test_one_load_for_many_readers_and_again_only_when_the_state_changes() -> None:
    state = {"now": 1}
    loads: list[int] = []
    replaced: list[str] = []
    cache: Refreshing[str, int, str] = Refreshing(lambda: 0.0)  # checked at every call

    async def current() -> int:
        await asyncio.sleep(0)
        return state["now"]

    async def load(seen: int) -> str:
        loads.append(seen)
        await asyncio.sleep(0.01)
        return f"value {seen}"

    values = await asyncio.gather(*(cache.get("k", current, load) for _ in range(5)))
    assert values == ["value 1"] * 5
    assert loads == [1]
    assert await cache.get("k", current, load, replaced=replaced.append) == "value 1"
    assert loads == [1]  # the same state: not read again
    state["now"] = 2
    assert await cache.get("k", current, load, replaced=replaced.append) == "value 2"
    assert (loads, replaced) == ([1, 2], ["value 1"])
    cache.forget("k")
    assert await cache.get("k", current, load) == "value 2"
    assert loads == [1, 2, 2]
    assert list(cache.values()) == ["value 2"]


async def test_a_fresh_value_is_not_even_checked() -> None:
    checks = 0
    cache: Refreshing[str, int, int] = Refreshing(lambda: 60.0)

    async def current() -> int:
        nonlocal checks
        checks += 1
        return 0

    async def load(_: int) -> int:
        return 7

    assert [await cache.get("k", current, load) for _ in range(3)] == [7, 7, 7]
    assert checks == 1
