"""The store's lease: one run at a time plans and collects into a store (docs/storage.md,
"One run at a time").

A run that harvests (``mirror``, ``harvest``) holds the lease for its whole length. A second
run is refused with a ``StoreBusyError`` naming the holder, instead of joining as an extra
consumer: two harvests of one store plan the same work twice, and an extra consumer is what
``--no-harvest`` collectors on a shared queue are for, not a second ``mirror``.

How it is kept, on object stores whose one atomic step is a create-only write:

- **Generations.** The lease is a series of objects ``state/lease/<generation>.json``; the
  highest generation is the lease, and its body says who holds it (holder id, command, host,
  pid), since when, when it was renewed and when it expires.
- **Acquire.** Read the highest generation *g*. It is free when it is released, expired
  (``expires_at`` past), or held by a process of this machine that is gone (same host, boot and
  pid namespace; its pid no longer runs: ``tmdb_collector._processes``) — a SIGKILLed run on this
  machine is not waited out. Held: refuse. Free: create *g* + 1 create-only. Of any number of
  takers exactly one creates it; the others read it, find it held, and are refused. The winner
  lists again: a taker that read a stale listing could create a generation that a later
  winner's clean-up had removed, so one that finds a higher generation than its own deletes its
  object and starts over. Then the winner deletes the generations below its own.
- **Renew**, every ttl/3 while the run lasts: a higher generation means another run took the
  lease over (this one was silent past its expiry), so the run is stopped with
  ``StoreLeaseLostError``; otherwise the holder puts its own object again with new times. Only
  the holder ever writes its generation, so the put races nobody.
- **Release**, on every exit: the holder puts its object again marked released, so the next run
  takes over at once.

Why not one object, deleted when expired and created anew? Deleting and creating are two steps:
a second taker can delete the first one's new lease between them, and S3 has no conditional
delete. A new name that only one create can win is a single step.

Times are the holder's wall clock (epoch seconds): machines sharing a store must agree on the
time to well within the ttl, as NTP keeps them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final, Protocol, Self

from tmdb_collector._processes import LocalProcess, is_gone, this_process
from tmdb_collector.store._errors import StoreBusyError, StoreError, StoreLeaseLostError
from tmdb_collector.store._objects import ObjectStore
from tmdb_collector.store._state_keys import STORE_LEASE_PREFIX

__all__ = [
    "LEASE_PREFIX",
    "LEASE_TTL_SECONDS",
    "LeaseClock",
    "LeaseHolder",
    "StoreLease",
]

_log = logging.getLogger("tmdb_collector.store.lease")

#: Where the lease's generations live.
LEASE_PREFIX: Final = STORE_LEASE_PREFIX
#: How long a lease lasts without renewal. Long enough that a busy event loop (a harvest
#: planning millions of ids) renews in time; short enough that a run whose machine died is
#: taken over soon. A dead process of the same machine is taken over at once, whatever the ttl.
LEASE_TTL_SECONDS: Final = 120.0
_GENERATION = re.compile(r"([0-9]{12})\.json")
#: Acquire rounds before giving up when other runs keep taking the lease in between.
_ATTEMPTS = 5


class LeaseClock(Protocol):
    """Time as the lease sees it, injectable so that nothing sleeps in tests."""

    def now(self) -> float:
        """Wall-clock seconds since the epoch (written into the lease: other machines read it)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class _SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0))


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    """Who holds (or last held) a store's lease: the body of a lease object."""

    #: Random per lease: tells two runs of one process apart.
    holder_id: str
    #: The use case holding it: "mirror", "harvest".
    command: str
    process: LocalProcess
    started_at: float
    renewed_at: float
    expires_at: float
    released: bool = False

    def is_free(self, now: float) -> bool:
        """Whether another run may take the lease over now."""
        return self.released or self.expires_at <= now or is_gone(self.process)

    def describe(self) -> str:
        """`mirror` (pid 4242 on host-a), for messages."""
        return f"`{self.command}` (pid {self.process.pid} on {self.process.host})"

    def encode(self) -> bytes:
        return json.dumps(asdict(self), indent=1).encode()

    @classmethod
    def decode(cls, data: bytes) -> LeaseHolder | None:
        """The holder in a lease object, or None for bytes that are not one."""
        try:
            body: dict[str, Any] = json.loads(data)
            # Fields a later version may add are left out, not refused: its lease still holds.
            process = LocalProcess(**_known(LocalProcess, body.pop("process")))
            holder = cls(process=process, **_known(cls, body))
        except (ValueError, TypeError, AttributeError, KeyError):
            return None
        numbers = (holder.started_at, holder.renewed_at, holder.expires_at, holder.process.pid)
        if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
            return None
        return holder


class StoreLease:
    """The lease of one store for one run (see the module's docstring for the design).

    ``async with StoreLease(objects, "mirror"):`` acquires it (or raises ``StoreBusyError``),
    renews it in the background every ttl/3, and releases it on exit, also on an error. If
    another run takes it over, the block is cancelled and ``StoreLeaseLostError`` raised.
    ``acquire``, ``renew`` and ``release`` are public for callers (and tests) that drive it
    themselves.
    """

    def __init__(
        self,
        objects: ObjectStore,
        command: str,
        *,
        ttl: float = LEASE_TTL_SECONDS,
        clock: LeaseClock | None = None,
        prefix: str = LEASE_PREFIX,
    ) -> None:
        """``prefix``: where the lease's objects live; the store's run lease by default, another
        prefix for a lease of its own (e.g. one compaction of the index at a time)."""
        if ttl <= 0:
            raise ValueError(f"a lease's ttl must be positive, not {ttl}")
        self._objects = objects
        self._command = command
        self._prefix = prefix
        self._ttl = ttl
        self._clock: LeaseClock = clock or _SystemClock()
        self._holder_id = secrets.token_hex(8)
        self._held: tuple[int, LeaseHolder] | None = None
        self._task: asyncio.Task[Any] | None = None
        self._cancelling = 0
        self._keeper: asyncio.Task[None] | None = None
        self._lost: StoreLeaseLostError | None = None

    def __repr__(self) -> str:
        return f"StoreLease({self._objects.url!r}, {self._command!r})"

    @property
    def holder(self) -> LeaseHolder | None:
        """This run's lease while it holds it, else None."""
        return None if self._held is None else self._held[1]

    @property
    def generation(self) -> int | None:
        return None if self._held is None else self._held[0]

    async def current(self) -> LeaseHolder | None:
        """Who holds (or last held) the lease, as its highest generation says; None when there
        is none or it is unreadable. Whether it is still held: ``is_free``."""
        generations = await self._generations()
        if not generations:
            return None
        data = await self._objects.get(_key(generations[-1], self._prefix))
        return None if data is None else LeaseHolder.decode(data)

    # --- acquire, renew, release -------------------------------------------------------------

    async def acquire(self) -> LeaseHolder:
        """Take the lease, or raise ``StoreBusyError`` naming the run that holds it."""
        if self._held is not None:
            raise RuntimeError(f"{self!r} is already held")
        for _ in range(_ATTEMPTS):
            generations = await self._generations()
            top = generations[-1] if generations else 0
            if top:
                data = await self._objects.get(_key(top, self._prefix))
                if data is None:  # removed by a winner's clean-up meanwhile: look again
                    continue
                current = LeaseHolder.decode(data)
                if current is None:
                    _log.warning(
                        "the store's lease %s is unreadable; taking it over",
                        _key(top, self._prefix),
                    )
                elif not current.is_free(self._clock.now()):
                    raise self._busy(current)
            mine = self._new_holder()
            if not await self._objects.create(_key(top + 1, self._prefix), mine.encode()):
                continue  # another run took it first: read who
            if max(await self._generations()) != top + 1:
                await self._objects.delete(_key(top + 1, self._prefix))
                continue
            self._held = (top + 1, mine)
            await self._clean_up(top + 1, generations)
            return mine
        raise StoreError(
            f"could not take the lease of {self._objects.url}: other runs took it over "
            f"{_ATTEMPTS} times in a row while this one tried. Try again"
        )

    async def renew(self) -> LeaseHolder:
        """Extend the lease by the ttl from now; ``StoreLeaseLostError`` when another run took
        it over meanwhile."""
        generation, holder = self._holding()
        newer = [g for g in await self._generations() if g > generation]
        if newer:
            data = await self._objects.get(_key(max(newer), self._prefix))
            taker = None if data is None else LeaseHolder.decode(data)
            self._held = None
            raise self._taken_over(holder, taker)
        now = self._clock.now()
        renewed = replace(holder, renewed_at=now, expires_at=now + self._ttl)
        await self._objects.put(_key(generation, self._prefix), renewed.encode())
        self._held = (generation, renewed)
        return renewed

    async def release(self) -> None:
        """Give the lease up now (nothing when not held)."""
        if self._held is None:
            return
        generation, holder = self._held
        self._held = None
        now = self._clock.now()
        released = replace(holder, renewed_at=now, expires_at=now, released=True)
        await self._objects.put(_key(generation, self._prefix), released.encode())

    # --- holding it for a block --------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.acquire()
        self._task = asyncio.current_task()
        self._cancelling = 0 if self._task is None else self._task.cancelling()
        self._lost = None
        self._keeper = asyncio.create_task(self._keep())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        keeper, self._keeper = self._keeper, None
        if keeper is not None and not keeper.done():
            keeper.cancel()
            await asyncio.wait({keeper})
        lost = self._lost
        if lost is None:
            try:
                await self.release()
            except StoreError as error:
                # Not worth failing a run over: the lease expires, or, on this machine, ends
                # with this process.
                _log.warning("could not release the store's lease: %s", error)
            return
        if (
            exc_type is asyncio.CancelledError
            and self._task is not None
            and self._task.uncancel() <= self._cancelling
        ):
            raise lost from exc  # the cancellation was ours: say why
        if exc_type is None:
            raise lost

    async def _keep(self) -> None:
        interval = self._ttl / 3
        while True:
            await self._clock.sleep(interval)
            try:
                await self.renew()
            except StoreLeaseLostError as error:
                self._lost = error
                if self._task is not None:
                    self._task.cancel()
                return
            except StoreError as error:
                # Try again next round; if the store stays away past the expiry, another run
                # may take over, and the next renewal that gets through says so.
                _log.warning("could not renew the store's lease: %s", error)

    # --- internals ---------------------------------------------------------------------------

    async def _generations(self) -> list[int]:
        found = []
        async for info in self._objects.list(self._prefix):
            name = info.key.rpartition("/")[2]
            matched = _GENERATION.fullmatch(name)
            if matched and info.key == _key(int(matched[1]), self._prefix):
                found.append(int(matched[1]))
        return sorted(found)

    async def _clean_up(self, mine: int, generations: list[int]) -> None:
        for old in generations:
            if old < mine:
                try:
                    await self._objects.delete(_key(old, self._prefix))
                except StoreError as error:  # left for the next winner
                    _log.warning("could not delete an old lease object: %s", error)

    def _new_holder(self) -> LeaseHolder:
        now = self._clock.now()
        return LeaseHolder(
            holder_id=self._holder_id,
            command=self._command,
            process=this_process(),
            started_at=now,
            renewed_at=now,
            expires_at=now + self._ttl,
        )

    def _holding(self) -> tuple[int, LeaseHolder]:
        if self._held is None:
            raise RuntimeError(f"{self!r} is not held")
        return self._held

    def _busy(self, holder: LeaseHolder) -> StoreBusyError:
        here = this_process()
        where = (
            "that process still runs on this machine"
            if holder.process.machine == here.machine
            else f"if that process is gone (its machine stopped), the lease expires at "
            f"{_time(holder.expires_at)} and a new run takes over then"
        )
        return StoreBusyError(
            f"the store {self._objects.url} is in use: {holder.describe()} has held its lease "
            f"since {_time(holder.started_at)} (renewed {_time(holder.renewed_at)}), and two "
            f"runs on one store would only do the same work twice. Wait until that run ends, "
            f"then run again; {where}"
        )

    def _taken_over(self, mine: LeaseHolder, taker: LeaseHolder | None) -> StoreLeaseLostError:
        who = "another run" if taker is None else taker.describe()
        return StoreLeaseLostError(
            f"this run lost the lease of the store {self._objects.url}: {who} took it over "
            f"after this run had not renewed it since {_time(mine.renewed_at)} (it expired at "
            f"{_time(mine.expires_at)}). Stopping, so that two runs never work on one store; "
            f"queued work stays queued"
        )


def _known(kind: type[Any], body: dict[str, Any]) -> dict[str, Any]:
    names = {field.name for field in fields(kind)}
    return {name: value for name, value in body.items() if name in names}


def _key(generation: int, prefix: str) -> str:
    return f"{prefix}/{generation:012d}.json"


def _time(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="seconds")
