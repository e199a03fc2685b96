"""A tiny scripted TMDB: each path answers from a queue of canned replies, then a default."""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Reply = Callable[[web.Request], Awaitable["web.StreamResponse | None"]]


def tmdb_json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    async def reply(request: web.Request) -> web.StreamResponse:
        return web.json_response(payload, status=status, headers=headers)

    return reply


def tmdb_error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> Reply:
    return tmdb_json(
        {"success": False, "status_code": code, "status_message": message}, status, headers
    )


def reset() -> Reply:
    async def reply(request: web.Request) -> None:
        assert request.transport is not None
        request.transport.abort()  # the client sees the connection die with no answer

    return reply


def raw(body: bytes, status: int = 200) -> Reply:
    async def reply(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, status=status, content_type="application/json")

    return reply


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class ScriptedTMDB:
    """Routes every GET; ``script[path]`` replies are used first, then ``default(request)``."""

    default: Callable[[web.Request], web.StreamResponse] = field(
        default=lambda request: web.json_response({"id": 1, "path": request.path})
    )
    script: defaultdict[str, deque[Reply]] = field(default_factory=lambda: defaultdict(deque))
    seen: list[Seen] = field(default_factory=list)

    def queue(self, path: str, *replies: Reply) -> None:
        self.script[path].extend(replies)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(Seen(request.path, dict(request.query), dict(request.headers)))
        if self.script[request.path]:
            answer = await self.script[request.path].popleft()(request)
            if answer is None:  # the connection was dropped on purpose
                return web.Response(status=499)
            return answer
        return self.default(request)

    def hits(self, path: str) -> int:
        return sum(1 for s in self.seen if s.path == path)


async def truncated_body(request: web.Request) -> web.StreamResponse | None:
    """Headers promising a whole body, half of it, then the connection closes."""
    body = json.dumps({"id": 550, "title": "x" * 2000}).encode()
    response = web.StreamResponse(headers={"Content-Length": str(len(body))})
    response.content_type = "application/json"
    await response.prepare(request)
    await response.write(body[: len(body) // 2])
    assert request.transport is not None
    request.transport.close()
    return response
