"""Faults the fake TMDB can send: rate limiting, transient errors, broken connections.

Random faults (``FakeSettings.error_rate``) imitate the 502/503/504s and resets that real TMDB
sends now and then even to polite clients; scripted faults (``FaultScript``) let a test demand
exactly one of them on its next request.
"""

from __future__ import annotations

import socket
import struct
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from aiohttp import web

from tmdb_collector.tmdbapi import JSON_CONTENT_TYPE, ErrorAnswer, JSONObject, json_response

__all__ = [
    "RANDOM_FAULTS",
    "TMDB_RATE_LIMIT",
    "Fault",
    "FaultScript",
    "RateLimiter",
    "UnknownFaultError",
    "rate_limited",
    "send_fault",
]

#: TMDB's documented limit, quoted in its 429 message.
TMDB_RATE_LIMIT = 40


class UnknownFaultError(ValueError):
    """A fault name the fake does not know."""


class Fault(StrEnum):
    RATE_LIMITED = "429"
    RATE_LIMITED_RETRY_AFTER = "429-retry-after"
    INTERNAL_ERROR = "500"
    BAD_GATEWAY = "502"
    SERVICE_UNAVAILABLE = "503"
    GATEWAY_TIMEOUT = "504"
    RESET = "reset"
    TRUNCATE = "truncate"
    MALFORMED_JSON = "malformed-json"

    @classmethod
    def parse(cls, value: Fault | str | int) -> Fault:
        """Accept a Fault, its name (``"reset"``) or an HTTP status (``503``)."""
        try:
            return cls(str(value))
        except ValueError:
            known = ", ".join(fault.value for fault in cls)
            raise UnknownFaultError(f"unknown fault {value!r}; faults are: {known}") from None


#: What ``error_rate`` draws from: the transient failures seen from the real API.
RANDOM_FAULTS: tuple[Fault, ...] = (
    Fault.INTERNAL_ERROR,
    Fault.BAD_GATEWAY,
    Fault.SERVICE_UNAVAILABLE,
    Fault.GATEWAY_TIMEOUT,
    Fault.RESET,
    Fault.TRUNCATE,
)

_SERVER_ERRORS: dict[Fault, ErrorAnswer] = {
    Fault.INTERNAL_ERROR: ErrorAnswer(
        500, 11, "Internal error: Something went wrong, contact TMDB."
    ),
    Fault.BAD_GATEWAY: ErrorAnswer(502, 43, "Couldn't connect to the backend server."),
    Fault.SERVICE_UNAVAILABLE: ErrorAnswer(
        503, 9, "Service offline: This service is temporarily offline, try again later."
    ),
    Fault.GATEWAY_TIMEOUT: ErrorAnswer(
        504, 24, "Your request to the backend server timed out. Try again."
    ),
}


@dataclass(slots=True)
class _ScriptedFault:
    fault: Fault
    remaining: int
    path_prefix: str

    def to_json(self) -> JSONObject:
        return {"fault": self.fault.value, "remaining": self.remaining, "path": self.path_prefix}


class FaultScript:
    """Faults queued by tests, consumed first come first served by matching requests."""

    def __init__(self) -> None:
        self._queue: list[_ScriptedFault] = []

    def add(self, fault: Fault, count: int, path_prefix: str) -> None:
        if count < 1:
            raise ValueError(f"a fault is injected at least once, got count={count}")
        self._queue.append(_ScriptedFault(fault, count, path_prefix))

    def take(self, path: str) -> Fault | None:
        """The fault the request to ``path`` must suffer, if one is queued for it."""
        for entry in self._queue:
            if path.startswith(entry.path_prefix):
                entry.remaining -= 1
                if entry.remaining == 0:
                    self._queue.remove(entry)
                return entry.fault
        return None

    def pending(self) -> list[JSONObject]:
        return [entry.to_json() for entry in self._queue]

    def clear(self) -> None:
        self._queue.clear()


class RateLimiter:
    """Admits at most ``limit`` requests in any sliding second, like TMDB's CDN.

    Only admitted requests count: a client hammering through 429s is not punished further.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._admitted: deque[float] = deque()

    @property
    def in_window(self) -> int:
        """Requests admitted in the last second (as of the last ``admit``)."""
        return len(self._admitted)

    def admit(self, limit: int | None) -> bool:
        now = self._clock()
        while self._admitted and self._admitted[0] <= now - 1.0:
            self._admitted.popleft()
        if limit is not None and len(self._admitted) >= limit:
            return False
        self._admitted.append(now)
        return True


def rate_limited(count: int, limit: int | None, retry_after: bool) -> web.Response:
    """TMDB's 429 with the actual count and limit in its message; the documented body has no
    ``success`` key. ``Retry-After`` is optional: today's CDN sends none, older answers did."""
    limit = TMDB_RATE_LIMIT if limit is None else limit
    message = f"Your request count ({count}) is over the allowed limit of ({limit})."
    headers = {"Retry-After": "1"} if retry_after else {}
    return json_response({"status_code": 25, "status_message": message}, 429, headers)


async def send_fault(
    request: web.Request,
    fault: Fault,
    real_body: Callable[[], Awaitable[bytes]],
    limit: int = TMDB_RATE_LIMIT,
) -> web.StreamResponse:
    """Answer ``request`` with ``fault`` instead of the real answer, or by spoiling its body."""
    if fault in (Fault.RATE_LIMITED, Fault.RATE_LIMITED_RETRY_AFTER):
        return rate_limited(limit + 1, limit, fault is Fault.RATE_LIMITED_RETRY_AFTER)
    if fault in _SERVER_ERRORS:
        return _SERVER_ERRORS[fault].response()
    if fault is Fault.RESET:
        _reset_connection(request)
        # Nothing reaches the client; aiohttp drops this answer on the closed transport.
        return web.Response(status=499)
    body = await real_body()
    if fault is Fault.MALFORMED_JSON:
        # A 200 whose JSON stops half-way, with an honest Content-Length: only parsing fails.
        half = body[: len(body) // 2]
        return web.Response(body=half, headers={"Content-Type": JSON_CONTENT_TYPE})
    return await _truncated(request, body)


async def _truncated(request: web.Request, body: bytes) -> web.StreamResponse:
    """Headers promising the whole body, then half of it, then the connection dies."""
    response = web.StreamResponse(
        status=200, headers={"Content-Type": JSON_CONTENT_TYPE, "Content-Length": str(len(body))}
    )
    await response.prepare(request)
    await response.write(body[: len(body) // 2])
    if request.transport is not None:
        # close(), not abort(): the half body already written must reach the client first.
        request.transport.close()
    return response


def _reset_connection(request: web.Request) -> None:
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # Linger 0: close() sends a TCP RST instead of a FIN, as a dropped connection does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
