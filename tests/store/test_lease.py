"""The store's lease on every backend: one holder at a time, who holds it and until when, take-over
of an expired lease or of one a dead process of this machine held, no double winner, renewal,
release, and a run stopped when another takes its lease over. Time is injected: nothing sleeps."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from tmdb_collector._processes import LocalProcess, this_process
from tmdb_collector.errors import Action, action_for
from tmdb_collector.store import (
    LEASE_PREFIX,
    LeaseHolder,
    ObjectStore,
    StoreBusyError,
    StoreError,
    StoreLease,
    StoreLeaseLostError,
    open_object_store,
)

from .conftest import StoreCase

TTL = 60.0
START = 1_790_000_000.0


class ManualClock:
    """Wall-clock seconds that move only when a test says so; each sleep waits for a tick."""

    def __init__(self, now: float = START) -> None:
        self.seconds = now
        self.slept: list[float] = []
        self._ticks: asyncio.Queue[None] = asyncio.Queue()

    def now(self) -> float:
        return self.seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await self._ticks.get()

    def advance(self, seconds: float) -> None:
        self.seconds += seconds

    def wake(self) -> None:
        """Let one sleep end."""
        self._ticks.put_nowait(None)

    async def tick(self) -> None:
        """Let one sleep end, and the sleeper run until it sleeps again."""
        slept = len(self.slept)
        self.wake()
        await self.until_asleep(slept + 1)

    async def until_asleep(self, count: int = 1) -> None:
        """Until the sleeper has slept ``count`` times (a renewal is a few store requests, on
        S3 real ones: this waits for them, not for time to pass)."""
        for _ in range(3000):
            if len(self.slept) >= count:
                return
            await asyncio.sleep(0.001)
        raise AssertionError(f"the lease's keeper slept {len(self.slept)} times, not {count}")


def lease(objects: ObjectStore, clock: ManualClock, command: str = "mirror") -> StoreLease:
    return StoreLease(objects, command, ttl=TTL, clock=clock)


async def lease_objects(objects: ObjectStore) -> dict[str, LeaseHolder | None]:
    found = {}
    async for info in objects.list(LEASE_PREFIX):
        data = await objects.get(info.key)
        assert data is not None
        found[info.key.rpartition("/")[2]] = LeaseHolder.decode(data)
    return found


async def plant(objects: ObjectStore, generation: int, holder: LeaseHolder) -> None:
    """A lease object as another run would have left it."""
    assert await objects.create(f"{LEASE_PREFIX}/{generation:012d}.json", holder.encode())


def holder_of(process: LocalProcess, *, at: float = START, command: str = "harvest") -> LeaseHolder:
    return LeaseHolder("other-run", command, process, at, at, at + TTL)


def exited_pid() -> int:
    """The pid of a child process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    assert child.wait(timeout=60) == 0
    return child.pid


# --- one holder, and who it is ------------------------------------------------------------------


async def test_a_second_run_is_refused_with_who_holds_the_lease(store_case: StoreCase) -> None:
    clock = ManualClock()
    first = lease(store_case.store, clock)
    held = await first.acquire()
    clock.advance(5)

    with pytest.raises(StoreBusyError) as refused:
        await lease(store_case.store, clock, "harvest").acquire()

    message = str(refused.value)
    me = this_process()
    assert f"`mirror` (pid {me.pid} on {me.host})" in message
    assert "since 2026-09-21T14:13:20+00:00" in message  # START, in UTC
    assert store_case.store.url in message
    assert "wait until that run ends" in message.lower()
    assert "that process still runs on this machine" in message
    assert action_for(refused.value) is Action.RETRY
    assert isinstance(refused.value, StoreError)
    assert first.holder == held
    assert list(await lease_objects(store_case.store)) == ["000000000001.json"]


async def test_a_holder_on_another_machine_is_named_with_its_expiry(
    store_case: StoreCase,
) -> None:
    elsewhere = LocalProcess("worker-7", "worker-7/boot/pid:[1]", 4242, "99")
    await plant(store_case.store, 1, holder_of(elsewhere))
    clock = ManualClock(START + TTL - 1)

    with pytest.raises(StoreBusyError) as refused:
        await lease(store_case.store, clock).acquire()

    message = str(refused.value)
    assert "`harvest` (pid 4242 on worker-7)" in message
    assert "the lease expires at 2026-09-21T14:14:20+00:00" in message


# --- take-over ----------------------------------------------------------------------------------


async def test_an_expired_lease_is_taken_over_and_its_holder_learns_it(
    store_case: StoreCase,
) -> None:
    clock = ManualClock()
    first = lease(store_case.store, clock)
    await first.acquire()
    clock.advance(TTL)  # not renewed for a whole ttl (a frozen process, a lost network)

    second = lease(store_case.store, clock, "harvest")
    await second.acquire()

    assert second.generation == 2
    with pytest.raises(StoreLeaseLostError, match=r"`harvest` \(pid \d+ on .*\) took it over"):
        await first.renew()
    assert first.holder is None
    await first.release()  # nothing: not held any more
    # The old generation is gone, the new one is the lease.
    objects = await lease_objects(store_case.store)
    assert list(objects) == ["000000000002.json"]
    assert objects["000000000002.json"] == second.holder


async def test_a_lease_of_a_dead_process_of_this_machine_is_taken_over_at_once(
    store_case: StoreCase,
) -> None:
    dead = replace(this_process(), pid=exited_pid(), started="")
    await plant(store_case.store, 1, holder_of(dead))

    taken = await lease(store_case.store, ManualClock()).acquire()  # long before its expiry

    assert taken.process == this_process()


async def test_a_lease_of_a_process_elsewhere_is_not_taken_over_before_it_expires(
    store_case: StoreCase,
) -> None:
    # The same pid that is gone here may run there: only the expiry can tell.
    elsewhere = replace(this_process(), machine="other/boot/ns", pid=exited_pid())
    await plant(store_case.store, 1, holder_of(elsewhere))

    with pytest.raises(StoreBusyError):
        await lease(store_case.store, ManualClock(START + TTL - 1)).acquire()
    assert (await lease(store_case.store, ManualClock(START + TTL)).acquire()).command == "mirror"


async def test_a_run_killed_on_this_machine_leaves_a_lease_the_next_one_takes(
    tmp_path: Path,
) -> None:
    store = open_object_store(str(tmp_path / "data"))
    code = textwrap.dedent(
        """
        import asyncio, os, sys
        from tmdb_collector.store import StoreLease, open_object_store
        asyncio.run(StoreLease(open_object_store(sys.argv[1]), "mirror").acquire())
        os._exit(0)  # dies holding the lease
        """
    )
    command = [sys.executable, "-c", code, str(tmp_path / "data")]
    await asyncio.to_thread(subprocess.run, command, check=True, timeout=60)
    (left,) = (await lease_objects(store)).values()
    assert left is not None
    assert not left.released
    assert left.process.pid != this_process().pid

    taken = await StoreLease(store, "mirror").acquire()

    assert taken.process.pid == this_process().pid


@pytest.mark.parametrize("planted", [False, True], ids=["empty store", "expired lease"])
async def test_of_concurrent_takers_exactly_one_wins(store_case: StoreCase, planted: bool) -> None:
    if planted:
        elsewhere = replace(this_process(), machine="other/boot/ns")
        await plant(store_case.store, 1, holder_of(elsewhere, at=START - 2 * TTL))
    clock = ManualClock()
    takers = [lease(store_case.store, clock, f"run-{n}") for n in range(8)]

    outcomes = await asyncio.gather(*(t.acquire() for t in takers), return_exceptions=True)

    winners = [o for o in outcomes if isinstance(o, LeaseHolder)]
    assert len(winners) == 1, outcomes
    losers = [o for o in outcomes if not isinstance(o, LeaseHolder)]
    assert all(isinstance(o, StoreBusyError) for o in losers), losers
    assert all(f"`{winners[0].command}`" in str(o) for o in losers)
    assert list((await lease_objects(store_case.store)).values()) == winners


# --- renewal and release ------------------------------------------------------------------------


async def test_renewal_extends_the_lease(store_case: StoreCase) -> None:
    clock = ManualClock()
    holding = lease(store_case.store, clock)
    await holding.acquire()
    clock.advance(TTL - 1)

    renewed = await holding.renew()

    assert (renewed.started_at, renewed.renewed_at) == (START, START + TTL - 1)
    assert renewed.expires_at == START + 2 * TTL - 1
    assert list((await lease_objects(store_case.store)).values()) == [renewed]
    clock.advance(TTL - 1)  # past the first expiry, within the renewed one
    with pytest.raises(StoreBusyError):
        await lease(store_case.store, clock).acquire()


async def test_a_released_lease_is_taken_at_once(store_case: StoreCase) -> None:
    clock = ManualClock()
    first = lease(store_case.store, clock)
    await first.acquire()
    await first.release()

    (left,) = (await lease_objects(store_case.store)).values()
    assert left is not None
    assert left.released
    second = lease(store_case.store, clock, "harvest")
    await second.acquire()

    assert second.generation == 2
    with pytest.raises(RuntimeError, match="not held"):
        await first.renew()


async def test_a_lease_object_of_a_later_version_still_holds(store_case: StoreCase) -> None:
    body = json.loads(holder_of(replace(this_process(), machine="x/y/z")).encode())
    body["added_later"] = {"by": "a newer tmdb-collector"}
    body["process"]["cgroup"] = "/system.slice/tmdb.service"
    key = f"{LEASE_PREFIX}/000000000007.json"
    assert await store_case.store.create(key, json.dumps(body).encode())

    with pytest.raises(StoreBusyError, match="`harvest`"):
        await lease(store_case.store, ManualClock()).acquire()


# --- holding it for a run -----------------------------------------------------------------------


async def test_a_run_renews_every_third_of_the_ttl_and_releases_at_the_end(
    store_case: StoreCase,
) -> None:
    clock = ManualClock()
    holding = lease(store_case.store, clock)
    async with holding:
        await clock.until_asleep()
        clock.advance(TTL / 3)
        await clock.tick()
        renewed = holding.holder
        assert renewed is not None
        assert renewed.renewed_at == START + TTL / 3
    assert clock.slept[0] == TTL / 3
    assert holding.holder is None
    (left,) = (await lease_objects(store_case.store)).values()
    assert left is not None
    assert left.released


async def test_a_run_that_fails_releases_its_lease(store_case: StoreCase) -> None:
    clock = ManualClock()
    with pytest.raises(ZeroDivisionError):
        async with lease(store_case.store, clock):
            _ = 1 / 0

    assert (await lease(store_case.store, clock).acquire()).command == "mirror"


async def test_a_run_whose_lease_is_taken_over_is_stopped(store_case: StoreCase) -> None:
    clock = ManualClock()
    holding = lease(store_case.store, clock)
    forever = asyncio.Event()

    async def run() -> None:
        async with holding:
            await forever.wait()  # the run's work, which never ends by itself

    running = asyncio.create_task(run())
    await clock.until_asleep()
    clock.advance(TTL)  # this run missed its renewals
    taker = lease(store_case.store, clock, "harvest")
    await taker.acquire()

    clock.wake()

    with pytest.raises(StoreLeaseLostError, match=r"`harvest`.*took it over") as lost:
        await asyncio.wait_for(running, 30)
    assert "queued work stays queued" in str(lost.value)
    assert action_for(lost.value) is Action.RETRY
    # The taker's lease is untouched by the loser's exit.
    assert list((await lease_objects(store_case.store)).values()) == [taker.holder]


async def test_a_store_that_fails_a_renewal_does_not_stop_the_run(
    store_case: StoreCase, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock()
    holding = lease(store_case.store, clock)
    failing = _FailingPuts(store_case.store)
    holding._objects = failing  # the store goes away for a while after the acquire
    async with holding:
        await clock.until_asleep()
        failing.failing = True
        await clock.tick()
        assert "could not renew the store's lease" in caplog.text
        failing.failing = False
        clock.advance(1)
        await clock.tick()
        held = holding.holder
        assert held is not None
        assert held.renewed_at == START + 1


class _FailingPuts:
    """An object store whose puts fail while ``failing`` is set."""

    def __init__(self, objects: ObjectStore) -> None:
        self._objects = objects
        self.failing = False

    def __getattr__(self, name: str) -> object:
        return getattr(self._objects, name)

    async def put(self, key: str, data: bytes) -> None:
        if self.failing:
            raise StoreError(f"put {key!r} failed: the store is away")
        await self._objects.put(key, data)
