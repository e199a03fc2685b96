"""One wiring for every surface: from the resolved settings to the objects a use case runs on —
the object store, the work queue, the TMDB client's settings with the credential and the pace,
the harvester's and the collector's settings. The CLI, the Lambda functions and a server all
ask a ``Wiring``; none derives these itself, so a setting means the same everywhere.

What only a surface knows it says once, as the ``Surface`` it wires: a process (the CLI) has
TMDB's rate to itself; a collector function shares it with the other instances; the harvester
function has it alone, or a reserve beside collectors at work (docs/aws.md, "One pace across
instances").
"""

from __future__ import annotations

import asyncio
import enum
import functools
import json
import logging
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from tmdb_collector.app._roll_call import at_work
from tmdb_collector.config import (
    AWS_SETTINGS,
    COLLECTOR_CONCURRENCY,
    COLLECTOR_INSTANCES,
    HARVESTER_RATE,
    MAX_RECEIVES,
    RATE_LIMIT_REQUESTS,
    SEGMENT_GRACE_SECONDS,
    SEGMENT_LIVE_FRACTION,
    TMDB_QUEUE,
    TMDB_STORE,
    VISIBILITY_TIMEOUT,
    Config,
    Setting,
)
from tmdb_collector.errors import ConfigurationError, TMDBCollectorError
from tmdb_collector.queue import WorkQueue, check_queue_spec, open_work_queue, sqlite_path
from tmdb_collector.store import (
    MEMORY_URL,
    QUEUE_RECORD_KEY,
    ObjectStore,
    RecordIndex,
    RecordStore,
    StoreConfigurationError,
    StoreNotFoundError,
    check_store_location,
    open_object_store,
    open_record_store,
)

if TYPE_CHECKING:
    from tmdb_collector.app._compact import SegmentGC
    from tmdb_collector.collect import CollectorSettings
    from tmdb_collector.harvest import HarvestSettings
    from tmdb_collector.tmdb import ClientSettings, Credential

_log = logging.getLogger("tmdb_collector.app")

__all__ = [
    "QUEUE_RECORD_KEY",
    "Pace",
    "Surface",
    "Wiring",
    "apply_aws_environment",
]

#: The fewest requests in flight an instance keeps: one alone waits out every round trip.
_MIN_IN_FLIGHT = 2


class Surface(enum.Enum):
    """Who runs the use cases, which decides the pace."""

    #: The CLI or a server: one process, TMDB's rate to itself (harvest, then collect).
    PROCESS = "process"
    #: The harvester function: the full rate alone, HARVESTER_RATE beside collectors at work.
    HARVESTER_FUNCTION = "harvester function"
    #: A collector function: one of COLLECTOR_INSTANCES sharing what the harvester leaves.
    COLLECTOR_FUNCTION = "collector function"
    #: The compactor function: no TMDB client.
    COMPACTOR_FUNCTION = "compactor function"

    @property
    def is_function(self) -> bool:
        return self is not Surface.PROCESS


@dataclass(frozen=True, slots=True)
class Pace:
    """How hard this process presses TMDB: ``rate`` request starts per second and ``in_flight``
    requests at once, as one of ``instances`` that share ``shared_rate`` (1: alone)."""

    rate: float
    in_flight: int
    shared_rate: float
    instances: int = 1

    @property
    def shared(self) -> bool:
        return self.instances > 1


class Wiring:
    """The settings of one configuration as working objects. Cheap to build; the store and the
    credential are made on first use and kept (a warm Lambda container keeps its wiring)."""

    def __init__(
        self,
        config: Config,
        surface: Surface = Surface.PROCESS,
        *,
        objects: ObjectStore | None = None,
    ) -> None:
        """``objects``: a store already open, used instead of opening TMDB_STORE (a process
        that holds one; tests with a memory store)."""
        self.config = config
        self._writable_records: RecordStore | None = None
        self.surface = surface
        if objects is not None:
            self.__dict__["objects"] = objects  # the cached property's value

    def __repr__(self) -> str:
        return f"Wiring({self.config!r}, {self.surface.value})"

    def check_locations(self) -> None:
        """TMDB_STORE and TMDB_QUEUE in forms the store and the queue take, checked without
        opening, creating or reaching either (``config`` shows them: it must not show a value
        every other command refuses)."""
        queue = self.config[TMDB_QUEUE]
        checks: list[tuple[Setting[Any], str, Callable[[str], str]]] = [
            (TMDB_STORE, self.config[TMDB_STORE], check_store_location)
        ]
        if queue is not None:
            checks.append((TMDB_QUEUE, queue, check_queue_spec))
        for setting, value, check in checks:
            try:
                check(value)
            except TMDBCollectorError as error:
                origin = self.config.resolved(setting).origin
                raise ConfigurationError(f"{setting.name} (from {origin}): {error}") from None

    # --- the store ------------------------------------------------------------------------

    @functools.cached_property
    def objects(self) -> ObjectStore:
        """The object store TMDB_STORE names (AWS settings from the configuration included)."""
        return open_object_store(self.config[TMDB_STORE], environ=self.config.environ(AWS_SETTINGS))

    async def existing_objects(self) -> ObjectStore:
        """The store for a command that only reads it: never created. StoreNotFoundError when
        TMDB_STORE names none — a directory that does not exist, an S3 location holding no
        object, memory:// (new and empty in every process)."""
        if "objects" in self.__dict__:
            return self.objects
        location = self.config[TMDB_STORE]
        objects = open_object_store(
            location, environ=self.config.environ(AWS_SETTINGS), create=False
        )
        if not objects.url.startswith("file://"):
            async for _ in objects.list():
                break
            else:
                why = (
                    "memory:// is new and empty in every process"
                    if objects.url == MEMORY_URL
                    else "it holds no object"
                )
                raise StoreNotFoundError(
                    f"there is no store at {objects.url} ({why}): check --store (TMDB_STORE)"
                )
        self.__dict__["objects"] = objects
        return objects

    async def objects_or_nothing(self) -> ObjectStore:
        """The store if there is one, else an empty one in memory: a dry run plans from what is
        stored, and must not create a store to find that nothing is."""
        try:
            return await self.existing_objects()
        except StoreNotFoundError:
            self.__dict__["objects"] = open_object_store(MEMORY_URL)
            return self.objects

    def lasting_objects(self) -> ObjectStore:
        """The store a run that writes (``mirror``, ``harvest``) keeps its work in; memory://
        is refused: it would be gone when the command ends."""
        if self.objects.url == MEMORY_URL:
            raise StoreConfigurationError(
                "memory:// keeps nothing once this command ends: a mirror or harvest there "
                "would be lost; give --store a directory or s3://BUCKET/PREFIX"
            )
        return self.objects

    async def records(self) -> RecordStore:
        """The record store, for reading (``query``, ``history``, ``export``): it must exist."""
        return await open_record_store(await self.existing_objects())

    async def writable_records(self) -> RecordStore:
        """The record store the collector writes, kept while this wiring lives: a warm Lambda
        container's collector keeps its view of the current versions between invocations
        (in a store of segments it then reads only the fragments others wrote since)."""
        if self._writable_records is None:
            self._writable_records = await open_record_store(self.objects, writing=True)
        return self._writable_records

    async def index(self) -> RecordIndex:
        """The store's index, for queries: the store must exist."""
        return RecordIndex(await self.existing_objects())

    # --- the queue ------------------------------------------------------------------------

    def default_queue(self) -> str:
        """The embedded queue beside a local store, from the opened store's own location (so
        ``file://localhost/x`` and ``x`` mean the same directory); for S3 or memory a file in
        the working directory."""
        url = self.objects.url
        if not url.startswith("file://"):
            return "sqlite:tmdb-queue.sqlite3"
        root = Path(unquote(urlsplit(url).path))
        return f"sqlite:{root / 'queue' / 'work.sqlite3'}"

    def queue_spec(self, recorded: str | None = None) -> str:
        """TMDB_QUEUE; else the queue recorded with the store; else the default. A function
        has no default: its queue is the deployment's SQS queue, named by TMDB_QUEUE."""
        spec = self.config[TMDB_QUEUE] or recorded
        if spec is not None:
            return spec
        if self.surface.is_function:
            raise ConfigurationError(
                f"{TMDB_QUEUE.name} is not set: a Lambda function's work queue is the SQS "
                "queue (its URL, or sqs://NAME)"
            )
        return self.default_queue()

    async def store_queue_spec(self, *, record: bool) -> str:
        """The queue this run uses with this store: TMDB_QUEUE, else the one recorded with the
        store, else the default. With ``record`` (a run that sends work), the choice is
        recorded — an SQLite file by its absolute path — and a change of queue is said: work
        queued in the old one is not seen here, and the harvester plans again what the new one
        does not hold."""
        recorded = await _recorded_queue(self.objects)
        spec = check_queue_spec(self.queue_spec(recorded))  # before it is recorded
        if not record:
            return spec
        spec = _absolute(spec)
        if recorded is not None and recorded != spec:
            _log.warning(
                "this store's work queue was %s; this run uses %s: work still queued there is "
                "not seen by this run (the harvester plans again what is not stored)",
                recorded,
                spec,
            )
        if recorded != spec:
            body = {"spec": spec, "recorded_at": datetime.now(UTC).isoformat()}
            await self.objects.put(QUEUE_RECORD_KEY, json.dumps(body, indent=1).encode())
        return spec

    def open_queue(self, spec: str | None = None) -> WorkQueue:
        """The work queue ``spec`` (default: ``queue_spec()``), with VISIBILITY_TIMEOUT and
        MAX_RECEIVES (a queue URL keeps its own attributes)."""
        spec = spec or self.queue_spec()
        if spec.startswith(("http://", "https://")):
            return open_work_queue(spec)
        return open_work_queue(
            spec,
            visibility_timeout=self.config[VISIBILITY_TIMEOUT],
            max_receives=self.config[MAX_RECEIVES],
        )

    # --- TMDB -----------------------------------------------------------------------------

    @functools.cached_property
    def credential(self) -> Credential | None:
        """The TMDB credential by the one rule (app._credential), read once."""
        from tmdb_collector.app._credential import find_credential  # noqa: PLC0415

        return find_credential(self.config)

    def pace(self) -> Pace:
        """This surface's fixed pace (the harvester function's depends on the collectors at
        work: ``harvester_pace``)."""
        rate, in_flight = self.config[RATE_LIMIT_REQUESTS], self.config[COLLECTOR_CONCURRENCY]
        if self.surface is not Surface.COLLECTOR_FUNCTION:
            return Pace(rate, in_flight, rate)
        self._refuse_the_old_meaning()
        reserve = self.config[HARVESTER_RATE]
        if reserve >= rate:
            raise ConfigurationError(
                f"{HARVESTER_RATE.name}={reserve:g} leaves the collectors nothing of "
                f"{RATE_LIMIT_REQUESTS.name}={rate:g}: set it below that"
            )
        instances = self.config[COLLECTOR_INSTANCES]
        shared = rate - reserve
        return Pace(
            shared / instances,
            max(_MIN_IN_FLIGHT, math.ceil(in_flight / instances)),
            shared,
            instances,
        )

    async def harvester_pace(self, queue: WorkQueue | None) -> Pace:
        """The harvester function's pace: the full rate while no collector is at work and none
        can start (the roll call is empty, the queue holds nothing), else HARVESTER_RATE, which
        the collectors leave free. A redrive sent meanwhile by hand can still start collectors
        beside a harvest at the full rate: a few 429s, which pause it."""
        instances, _ = await at_work(self.objects)
        counts = None if queue is None else await asyncio.to_thread(queue.counts)
        if instances == 0 and (counts is None or counts.total == 0):
            return self.pace()
        reserve = min(self.config[HARVESTER_RATE], self.config[RATE_LIMIT_REQUESTS])
        _log.info(
            "collector functions are at work: the harvest paces at %s=%g requests/s",
            HARVESTER_RATE.name,
            reserve,
        )
        return Pace(reserve, _MIN_IN_FLIGHT, reserve)

    def client_settings(self, pace: Pace | None = None) -> ClientSettings:
        """How the TMDB client reaches TMDB, at ``pace`` (default: this surface's ``pace()``).
        The credential stays unchecked until an API call needs it (exports need none)."""
        from tmdb_collector.tmdb import ClientSettings  # noqa: PLC0415 (not for `query`)

        pace = pace or self.pace()
        return self.config.build(
            ClientSettings,
            credential=self.credential,
            rate_limit=pace.rate,
            concurrency=pace.in_flight,
        )

    def harvest_settings(self, **given: Any) -> HarvestSettings:
        """What the harvester plans and how cautiously (``given`` fields as they are)."""
        from tmdb_collector.harvest import HarvestSettings  # noqa: PLC0415

        return self.config.build(HarvestSettings, **given)

    def segment_gc(self) -> SegmentGC:
        """How ``compact`` collects a store of segments' garbage."""
        from tmdb_collector.app._compact import SegmentGC  # noqa: PLC0415

        return SegmentGC(self.config[SEGMENT_LIVE_FRACTION], self.config[SEGMENT_GRACE_SECONDS])

    def collector_settings(self) -> CollectorSettings:
        """How the collector fetches (APPENDS_*, EPISODE_DETAILS) and how much at once."""
        from tmdb_collector.collect import CollectorSettings  # noqa: PLC0415

        return self.config.build(CollectorSettings)

    def _refuse_the_old_meaning(self) -> None:
        """COLLECTOR_CONCURRENCY once counted the collector functions; a deployment that sets
        only it would now pace each instance at the whole rate."""
        if self.config.is_set(COLLECTOR_CONCURRENCY) and not self.config.is_set(
            COLLECTOR_INSTANCES
        ):
            raise ConfigurationError(
                f"{COLLECTOR_CONCURRENCY.name} is set but {COLLECTOR_INSTANCES.name} is not: "
                f"{COLLECTOR_CONCURRENCY.name} is the requests in flight over all instances; "
                f"the number of collector functions that run at once (the event source's "
                f"MaximumConcurrency) is now {COLLECTOR_INSTANCES.name}: set it (docs/aws.md)"
            )


async def _recorded_queue(objects: ObjectStore) -> str | None:
    data = await objects.get(QUEUE_RECORD_KEY)
    if data is None:
        return None
    try:
        spec = json.loads(data)["spec"]
    except (ValueError, KeyError, TypeError):
        _log.warning("%s in %s is unreadable: it is written again", QUEUE_RECORD_KEY, objects.url)
        return None
    return spec if isinstance(spec, str) and spec else None


def _absolute(spec: str) -> str:
    path = sqlite_path(spec)
    return spec if path is None else f"sqlite:{path.absolute()}"


def apply_aws_environment(config: Config) -> None:
    """Put the AWS settings a configuration file gave into this process's environment.

    The AWS SDKs (boto3 for SQS, the object store's S3 client) read their region, endpoint and
    credentials from the environment; this is how a file's ``[aws]`` table reaches them. Called
    once by a process's entry point (the CLI), never by library code; the environment itself
    already wins over the file, so only file values are copied.
    """
    for setting in AWS_SETTINGS:
        if setting not in config:
            continue
        resolved = config.resolved(setting)
        if resolved.source == "file" and isinstance(resolved.value, str):
            os.environ[setting.name] = resolved.value
