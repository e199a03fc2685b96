"""A small local implementation of the AWS Lambda Runtime API, the HTTP interface a function's
runtime (here awslambdaric, the runtime interface client) polls for invocations:
https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html

    GET  /2018-06-01/runtime/invocation/next             long-polls until an event is queued
    POST /2018-06-01/runtime/invocation/{id}/response    the handler's result
    POST /2018-06-01/runtime/invocation/{id}/error       the handler raised
    POST /2018-06-01/runtime/init/error                  the handler could not be loaded

``with RuntimeAPI().serving() as api``, then point a runtime at ``api.address`` (its
``AWS_LAMBDA_RUNTIME_API``) and call ``api.invoke(event)`` from synchronous code: it queues the
event, and returns the Invocation the runtime posted back (``api.submit(event)``: a future of
it). The server runs on 127.0.0.1 (a free
port) in a thread with its own event loop; it stops when the block ends, or by itself after
``lifetime`` seconds, so a stuck test cannot leave it behind.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["InitError", "Invocation", "RuntimeAPI"]

_PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:tmdb-collector-collect"


@dataclass(frozen=True)
class Invocation:
    """What the runtime posted back for one event: its result (``outcome == "response"``) or
    the error it reported (``"error"``; ``body`` is then Lambda's error document, with
    ``errorType``, ``errorMessage`` and ``stackTrace``). ``headers`` are the request's, with
    lower-case names; ``deadline_ms`` and ``posted_ms`` are epoch milliseconds."""

    request_id: str
    outcome: str
    body: Any
    headers: dict[str, str]
    deadline_ms: int
    posted_ms: int

    @property
    def error_type(self) -> str | None:
        """The error's type, as the runtime named it (header, else the error document)."""
        if self.outcome != "error":
            return None
        named = self.headers.get("lambda-runtime-function-error-type")
        if named:
            return named
        return str(self.body.get("errorType")) if isinstance(self.body, dict) else None

    @property
    def timed_out(self) -> bool:
        """Posted after its deadline: Lambda would have stopped the function and dropped it."""
        return self.posted_ms > self.deadline_ms


class InitError(RuntimeError):
    """The runtime reported that it could not initialise (e.g. the handler does not import)."""

    def __init__(self, document: Any) -> None:
        super().__init__(f"the runtime failed to initialise: {document}")
        self.document = document


@dataclass
class _Pending:
    event: bytes
    deadline_seconds: float
    answer: Future[Invocation]
    deadline_ms: int = 0  # set when the runtime receives it
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))


class RuntimeAPI:
    """The Runtime API of one function instance. ``deadline_seconds``: the default time each
    invocation has (Lambda's function timeout), counted from when the runtime receives it."""

    def __init__(self, *, deadline_seconds: float = 300.0, lifetime: float = 120.0) -> None:
        self.deadline_seconds = deadline_seconds
        self.lifetime = lifetime
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: asyncio.Queue[_Pending] | None = None
        self._running: dict[str, _Pending] = {}
        self._init_error: InitError | None = None
        self._port: int | None = None

    @property
    def address(self) -> str:
        """host:port, the value of AWS_LAMBDA_RUNTIME_API."""
        if self._port is None:
            raise RuntimeError("the Runtime API is not serving; use serving()")
        return f"127.0.0.1:{self._port}"

    def submit(self, event: Any, *, deadline_seconds: float | None = None) -> Future[Invocation]:
        """Queue ``event`` for the runtime's next /next; the future holds what it posts back."""
        loop, events = self._loop, self._events
        if loop is None or events is None:
            raise RuntimeError("the Runtime API is not serving; use serving()")
        seconds = self.deadline_seconds if deadline_seconds is None else deadline_seconds
        pending = _Pending(json.dumps(event).encode(), seconds, Future())
        if self._init_error is not None:
            pending.answer.set_exception(self._init_error)
        else:
            loop.call_soon_threadsafe(events.put_nowait, pending)
        return pending.answer

    def invoke(
        self, event: Any, *, deadline_seconds: float | None = None, timeout: float = 60.0
    ) -> Invocation:
        """Queue ``event`` and wait for what the runtime posts back."""
        return self.submit(event, deadline_seconds=deadline_seconds).result(timeout)

    @contextmanager
    def serving(self, timeout: float = 10.0) -> Iterator[RuntimeAPI]:
        ready = threading.Event()
        stop: list[asyncio.Event] = []
        thread = threading.Thread(
            target=asyncio.run, args=(self._serve(ready, stop),), name="runtime-api", daemon=True
        )
        thread.start()
        if not ready.wait(timeout) or self._loop is None:
            raise RuntimeError(f"the Runtime API did not start within {timeout} s")
        try:
            yield self
        finally:
            self._loop.call_soon_threadsafe(stop[0].set)
            thread.join(timeout)

    # -- the server ---------------------------------------------------------------------------

    async def _serve(self, ready: threading.Event, stop: list[asyncio.Event]) -> None:
        app = web.Application()
        app.router.add_get(f"{_PREFIX}/invocation/next", self._next)
        app.router.add_post(f"{_PREFIX}/invocation/{{id}}/response", self._response)
        app.router.add_post(f"{_PREFIX}/invocation/{{id}}/error", self._error)
        app.router.add_post(f"{_PREFIX}/init/error", self._init_failed)
        # A runtime waiting on /next is cut off at the end: nothing to wait for on shutdown.
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            self._port = runner.addresses[0][1]
            self._events = asyncio.Queue()
            self._loop = asyncio.get_running_loop()
            stop.append(asyncio.Event())
            ready.set()
            with suppress(TimeoutError):
                await asyncio.wait_for(stop[0].wait(), self.lifetime)
        finally:
            ready.set()
            self._loop = None
            self._fail_waiting(None)
            await runner.cleanup()

    async def _next(self, request: web.Request) -> web.Response:
        assert self._events is not None
        pending = await self._events.get()
        self._running[pending.request_id] = pending
        pending.deadline_ms = deadline_ms = _now_ms() + int(pending.deadline_seconds * 1000)
        # awslambdaric's native client requires the request id, deadline, invocation id and
        # content type; the others are what Lambda sends too.
        headers = {
            "Lambda-Runtime-Aws-Request-Id": pending.request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invocation-Id": pending.request_id,
            "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
            "Lambda-Runtime-Trace-Id": f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}",
            "Content-Type": "application/json",
        }
        return web.Response(body=pending.event, headers=headers)

    async def _response(self, request: web.Request) -> web.Response:
        return await self._finish(request, "response")

    async def _error(self, request: web.Request) -> web.Response:
        return await self._finish(request, "error")

    async def _finish(self, request: web.Request, outcome: str) -> web.Response:
        pending = self._running.pop(request.match_info["id"], None)
        if pending is None:
            return _rejected(400, "InvalidRequestID", "no invocation is running with this id")
        body = await request.read()
        try:
            document = json.loads(body) if body else None
        except ValueError:
            document = body.decode(errors="replace")
        headers = {name.lower(): value for name, value in request.headers.items()}
        invocation = Invocation(
            pending.request_id, outcome, document, headers, pending.deadline_ms, _now_ms()
        )
        if not pending.answer.done():
            pending.answer.set_result(invocation)
        return web.json_response({"status": "OK"}, status=202)

    async def _init_failed(self, request: web.Request) -> web.Response:
        self._init_error = InitError(await request.json())
        self._fail_waiting(self._init_error)
        return web.json_response({"status": "OK"}, status=202)

    def _fail_waiting(self, error: InitError | None) -> None:
        """Fail every invocation queued or running with ``error`` (cancel them if None)."""
        waiting = list(self._running.values())
        self._running.clear()
        while self._events is not None and not self._events.empty():
            waiting.append(self._events.get_nowait())
        for pending in waiting:
            if error is None:
                pending.answer.cancel()
            elif not pending.answer.done():
                pending.answer.set_exception(error)


def _rejected(status: int, error_type: str, message: str) -> web.Response:
    return web.json_response({"errorType": error_type, "errorMessage": message}, status=status)


def _now_ms() -> int:
    return int(time.time() * 1000)
