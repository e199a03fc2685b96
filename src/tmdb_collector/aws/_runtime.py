"""What a Lambda container sets up once and keeps between invocations: the settings, the TMDB
credential (from the environment, Secrets Manager or SSM Parameter Store), logging as JSON, the
store, and the metrics hook writing CloudWatch EMF."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import math
from collections.abc import Coroutine, Iterator
from dataclasses import replace
from typing import Any, Protocol, TypeVar

from tmdb_collector import app
from tmdb_collector.config import (
    AWS_SETTINGS,
    COLLECTOR_CONCURRENCY,
    LOG_LEVEL,
    METRICS_BY_KIND,
    METRICS_NAMESPACE,
    RATE_LIMIT_REQUESTS,
    TMDB_API_KEY,
    TMDB_API_KEY_PARAMETER,
    TMDB_API_KEY_SECRET,
    Config,
    load_config,
)
from tmdb_collector.errors import ConfigurationError, UpstreamRejectedError
from tmdb_collector.observe import EMFSink, Metrics, configure_logging
from tmdb_collector.queue import WorkQueue, open_work_queue
from tmdb_collector.store import ObjectStore
from tmdb_collector.tmdb import AuthenticationError, ClientSettings, Credential, TMDBClient

__all__ = [
    "LambdaContext",
    "Runtime",
    "deadline_seconds",
    "forgetting_a_rejected_credential",
    "reset_runtime",
    "runtime",
]

_T = TypeVar("_T")

_log = logging.getLogger("tmdb_collector.aws")
#: TMDB's CDN allows about 20 connections per IP; the collectors share that budget too.
_TOTAL_IN_FLIGHT = 20


class LambdaContext(Protocol):
    """The part of Lambda's context object the handlers use."""

    function_name: str
    aws_request_id: str

    def get_remaining_time_in_millis(self) -> int: ...


class Runtime:
    """One container's wiring, built on its first invocation and kept while the container is
    warm: the settings, the credential, the store, and — made on first use — an event loop with
    the TMDB client open on it and the work queue's client. A warm invocation reuses them: no
    new connections to TMDB, no new boto3 client, and the pacer keeps its rhythm between
    invocations."""

    def __init__(
        self,
        config: Config,
        client_settings: ClientSettings,
        objects: ObjectStore,
        queue_spec: str,
        *,
        namespace: str,
        by_kind: bool = True,
    ) -> None:
        self.config = config
        self.client_settings = client_settings
        self.objects = objects
        self.queue_spec = queue_spec
        self.namespace = namespace
        self.by_kind = by_kind
        #: Collector functions that may run at once (COLLECTOR_CONCURRENCY).
        self.instances = config[COLLECTOR_CONCURRENCY]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: TMDBClient | None = None
        self._queue: WorkQueue | None = None
        self._visibility_checked = False

    def metrics(self, function: str) -> Metrics:
        """A fresh hook for one invocation: its EMF document is flushed at its end."""
        kept = ("kind",) if self.by_kind else ()
        return Metrics(EMFSink(self.namespace, dimensions={"function": function}, kept=kept))

    def run(self, work: Coroutine[Any, Any, _T]) -> _T:
        """Run ``work`` on the container's event loop (kept between invocations)."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop.run_until_complete(work)

    async def client(self) -> TMDBClient:
        """The container's TMDB client, opened on its loop at first use."""
        if self._client is None:
            client = TMDBClient(self.client_settings)
            await client.__aenter__()
            self._client = client
        return self._client

    def queue(self) -> WorkQueue:
        """The container's work queue (its boto3 client made once)."""
        if self._queue is None:
            self._queue = open_work_queue(self.queue_spec)
        return self._queue

    def check_visibility(self, context: LambdaContext | None) -> None:
        """Warn once per container when the work queue's visibility timeout is shorter than
        this invocation may run: the messages of a batch not started yet keep the visibility
        the poller received them with, so they would come back to another instance while this
        one still holds them, and be collected twice."""
        if self._visibility_checked or context is None:
            return
        self._visibility_checked = True
        seconds = context.get_remaining_time_in_millis() / 1000
        visibility = self.queue().visibility_timeout
        if visibility < seconds:
            _log.warning(
                "the work queue's visibility timeout (%d s) is shorter than this invocation may "
                "run (%.0f s): messages of a batch not started yet come back to another instance "
                "while this one holds them, and are collected twice; set the queue's "
                "VisibilityTimeout to at least the function's timeout (AWS advises 6 times it)",
                visibility,
                seconds,
                extra={"visibility_timeout": visibility, "remaining_seconds": round(seconds)},
            )

    def close(self) -> None:
        """Close what the container opened (tests; Lambda simply ends the process)."""
        if self._client is not None:
            self.run(self._client.__aexit__(None, None, None))
            self._client = None
        if self._queue is not None:
            self._queue.close()
            self._queue = None
        if self._loop is not None:
            self._loop.close()
            self._loop = None


@functools.cache
def runtime() -> Runtime:
    """The container's runtime, built once (a warm container reuses it: the credential is read
    from Secrets Manager or SSM once, not per invocation)."""
    config = load_config()
    level = getattr(logging, config[LOG_LEVEL].upper(), logging.INFO)
    configure_logging(level, json_lines=True)
    app.apply_aws_environment(config)
    client = app.client_settings(config)
    if client.credential is None:
        client = replace(client, credential=_credential_from_aws(config))
    # N collectors run at once (the event source's MaximumConcurrency = COLLECTOR_CONCURRENCY):
    # each takes a fixed share of TMDB's rate and connections, so together they stay under it
    # without any shared state (docs/aws.md, "One pace across instances").
    instances = config[COLLECTOR_CONCURRENCY]
    client = replace(
        client,
        rate_limit=config[RATE_LIMIT_REQUESTS] / instances,
        concurrency=max(2, math.ceil(_TOTAL_IN_FLIGHT / instances)),
    )
    objects = app.open_store(config)
    spec = app.queue_spec(config)
    return Runtime(
        config,
        client,
        objects,
        spec,
        namespace=config[METRICS_NAMESPACE],
        by_kind=config[METRICS_BY_KIND],
    )


@contextlib.contextmanager
def forgetting_a_rejected_credential() -> Iterator[None]:
    """A handler's body: when TMDB rejects the credential, the container forgets its runtime
    (the credential read from Secrets Manager or SSM with it), so the next invocation reads it
    again — fixing the secret then needs no new containers. Each later invocation still makes
    one request before it fails (no storm: the event source backs off on errors)."""
    try:
        yield
    except AuthenticationError:
        _log.error(
            "TMDB rejected the credential: this container reads it again at its next invocation"
        )
        reset_runtime()
        raise


def reset_runtime() -> None:
    """Close the container's runtime and forget it: the next invocation builds a new one
    (tests, and a changed environment)."""
    if runtime.cache_info().currsize:
        runtime().close()
    runtime.cache_clear()


def _credential_from_aws(config: Config) -> Credential | None:
    """TMDB_API_KEY_SECRET (Secrets Manager) or TMDB_API_KEY_PARAMETER (SSM SecureString).
    The value never reaches a log, an error or a metric: errors name the secret, not its text."""
    secret, parameter = config[TMDB_API_KEY_SECRET], config[TMDB_API_KEY_PARAMETER]
    if secret is None and parameter is None:
        return None
    import boto3  # noqa: PLC0415 (only a function reading a secret pays for it)
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    environ = config.environ(AWS_SETTINGS)
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    try:
        if secret is not None:
            answer = boto3.client("secretsmanager", region_name=region).get_secret_value(
                SecretId=secret
            )
            text = _secret_text(answer.get("SecretString") or "")
            where = f"the secret {secret} (TMDB_API_KEY_SECRET)"
        else:
            assert parameter is not None  # noqa: S101 - one of the two is set, checked above
            answer = boto3.client("ssm", region_name=region).get_parameter(
                Name=parameter, WithDecryption=True
            )
            text = str(answer["Parameter"]["Value"]).strip()
            where = f"the parameter {parameter} (TMDB_API_KEY_PARAMETER)"
    except (BotoCoreError, ClientError) as error:
        code = getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
        name = secret or parameter
        raise UpstreamRejectedError(
            f"cannot read the TMDB credential from {name}: {code}; check that it exists and "
            "that the function's role may read it"
        ) from None
    try:
        return Credential(text)
    except ValueError:
        raise ConfigurationError(
            f"{where} does not hold a TMDB credential (a v4 read access token or v3 API key, "
            f'as plain text or as JSON {{"{TMDB_API_KEY.name}": "..."}})'
        ) from None


def _secret_text(value: str) -> str:
    """A secret stored as plain text, or as JSON with the credential under TMDB_API_KEY."""
    value = value.strip()
    if value.startswith("{"):
        try:
            document: Any = json.loads(value)
        except ValueError:
            return value
        if isinstance(document, dict):
            for name in (TMDB_API_KEY.name, TMDB_API_KEY.key, "api_key"):
                if isinstance(document.get(name), str):
                    return str(document[name]).strip()
    return value


def deadline_seconds(context: LambdaContext | None, *, default: float = 840.0) -> float:
    """Seconds to keep starting work: the invocation's remaining time less a margin for
    finishing what is under way (a fifth of it, between 5 and 30 s)."""
    if context is None:
        return default
    remaining = context.get_remaining_time_in_millis() / 1000
    return max(1.0, remaining - max(5.0, min(30.0, remaining * 0.2)))
