"""From resolved settings to the pieces a use case runs on: the client's, the harvester's and
the collector's settings, the object store and the work queue. Every surface (the CLI, the
Lambda handlers, a server) wires through here, so a setting means the same everywhere."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from tmdb_collector.config import (
    ADULT,
    APPENDS,
    AWS_SETTINGS,
    CHANGES_MAX_GAP_DAYS,
    COLLECTOR_CONCURRENCY,
    CONFIRM_DELETIONS,
    DELETE_MAX_SHARE,
    EPISODE_DETAILS,
    IN_FLIGHT_EXPIRY_HOURS,
    ITEMS_IN_FLIGHT,
    MEDIA_TYPES,
    MESSAGES_IN_FLIGHT,
    RATE_LIMIT_REQUESTS,
    REFRESH_MIN_AGE_HOURS,
    REFRESH_PER_RUN,
    RETRY_DELAY_SECONDS,
    TMDB_API_KEY,
    TMDB_API_URL,
    TMDB_EXPORTS_URL,
    TMDB_MAX_ATTEMPTS,
    TMDB_QUEUE,
    TMDB_REQUEST_TIMEOUT,
    TMDB_STORE,
    VISIBILITY_TIMEOUT,
    WORK_BATCH_SIZE,
    Config,
)
from tmdb_collector.queue import WorkQueue, open_work_queue, sqlite_path
from tmdb_collector.store import ObjectStore, open_object_store

if TYPE_CHECKING:
    from tmdb_collector.collect import CollectorSettings
    from tmdb_collector.harvest import HarvestSettings
    from tmdb_collector.tmdb import ClientSettings

_log = logging.getLogger("tmdb_collector.app")

__all__ = [
    "QUEUE_RECORD_KEY",
    "apply_aws_environment",
    "client_settings",
    "collector_settings",
    "default_queue",
    "harvest_settings",
    "open_queue",
    "open_store",
    "queue_spec",
    "store_queue_spec",
]


def client_settings(config: Config) -> ClientSettings:
    """How the TMDB client reaches TMDB (TMDB_API_KEY stays unchecked until an API call needs
    it: exports need no credential)."""
    # Imported here, as in the two below: a command that only reads the store wires through
    # this module too, and should not load the TMDB client, aiohttp and the collector.
    from tmdb_collector.tmdb import ClientSettings, Credential  # noqa: PLC0415

    secret = config[TMDB_API_KEY]
    return ClientSettings(
        credential=None if secret is None else Credential(secret.reveal()),
        api_url=config[TMDB_API_URL],
        exports_url=config[TMDB_EXPORTS_URL],
        rate_limit=config[RATE_LIMIT_REQUESTS],
        concurrency=config[COLLECTOR_CONCURRENCY],
        timeout=config[TMDB_REQUEST_TIMEOUT],
        max_attempts=config[TMDB_MAX_ATTEMPTS],
    )


def harvest_settings(config: Config) -> HarvestSettings:
    """What the harvester plans and how cautiously."""
    from tmdb_collector.harvest import HarvestSettings  # noqa: PLC0415

    return HarvestSettings(
        kinds=config[MEDIA_TYPES],
        adult=config[ADULT],
        max_delete_share=config[DELETE_MAX_SHARE],
        confirm_deletions=config[CONFIRM_DELETIONS],
        max_changes_gap_days=config[CHANGES_MAX_GAP_DAYS],
        refresh_per_run=config[REFRESH_PER_RUN],
        refresh_min_age_hours=config[REFRESH_MIN_AGE_HOURS],
        in_flight_expiry_hours=config[IN_FLIGHT_EXPIRY_HOURS],
        batch_size=config[WORK_BATCH_SIZE],
    )


def collector_settings(config: Config) -> CollectorSettings:
    """How the collector fetches (APPENDS_*, EPISODE_DETAILS) and how much at once."""
    from tmdb_collector.collect import CollectorSettings  # noqa: PLC0415

    return CollectorSettings(
        appends=MappingProxyType({kind: config[setting] for kind, setting in APPENDS.items()}),
        episode_details=config[EPISODE_DETAILS],
        messages_in_flight=config[MESSAGES_IN_FLIGHT],
        items_in_flight=config[ITEMS_IN_FLIGHT],
        visibility_timeout=config[VISIBILITY_TIMEOUT],
        retry_delay_seconds=config[RETRY_DELAY_SECONDS],
    )


def default_queue(store_location: str) -> str:
    """The embedded queue beside a local store (or in the working directory for S3 or memory)."""
    if "://" in store_location and not store_location.startswith("file://"):
        return "sqlite:tmdb-queue.sqlite3"
    root = store_location.removeprefix("file://")
    return f"sqlite:{Path(root) / 'queue' / 'work.sqlite3'}"


def queue_spec(config: Config, recorded: str | None = None) -> str:
    """TMDB_QUEUE; else the queue recorded with the store; else TMDB_STORE's default queue."""
    return config[TMDB_QUEUE] or recorded or default_queue(config[TMDB_STORE])


#: The work queue a store's harvests send to, so that every run finds the same one (an S3
#: store's default queue file is relative to where the command runs).
QUEUE_RECORD_KEY = "state/queue.json"


async def store_queue_spec(config: Config, objects: ObjectStore, *, record: bool) -> str:
    """The queue this run uses with this store: TMDB_QUEUE, else the one recorded with the
    store, else the default. With ``record`` (a run that sends work), the choice is recorded —
    an SQLite file by its absolute path — and a change of queue is said: work queued in the old
    one is not seen here, and the harvester plans again what the new one does not hold."""
    recorded = await _recorded_queue(objects)
    spec = queue_spec(config, recorded)
    if not record:
        return spec
    spec = _absolute(spec)
    if recorded is not None and recorded != spec:
        _log.warning(
            "this store's work queue was %s; this run uses %s: work still queued there is not "
            "seen by this run (the harvester plans again what is not stored)",
            recorded,
            spec,
        )
    if recorded != spec:
        body = {"spec": spec, "recorded_at": datetime.now(UTC).isoformat()}
        await objects.put(QUEUE_RECORD_KEY, json.dumps(body, indent=1).encode())
    return spec


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


def open_store(config: Config) -> ObjectStore:
    """The object store TMDB_STORE names (AWS settings from the configuration included)."""
    return open_object_store(config[TMDB_STORE], environ=config.environ(AWS_SETTINGS))


def open_queue(config: Config, spec: str | None = None) -> WorkQueue:
    """The work queue ``spec`` (default: ``queue_spec(config)``), its messages hidden for
    VISIBILITY_TIMEOUT once received (a queue URL takes it from the queue's own attributes)."""
    spec = spec or queue_spec(config)
    if spec.startswith(("http://", "https://")):
        return open_work_queue(spec)
    return open_work_queue(spec, visibility_timeout=config[VISIBILITY_TIMEOUT])


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
