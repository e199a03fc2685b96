"""The ``/3/`` API as an aiohttp handler over an APISource."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

from aiohttp import web

from tmdb_collector.tmdbapi._appends import details_answer, parse_appends, sub_resource_answer
from tmdb_collector.tmdbapi._credentials import check_credentials
from tmdb_collector.tmdbapi._feeds import ChangesWindow, parse_page
from tmdb_collector.tmdbapi._responses import ErrorAnswer, answer_errors, json_response
from tmdb_collector.tmdbapi._routes import (
    PAGED_SUB_RESOURCES,
    ChangesRoute,
    ConfigurationRoute,
    parse_api_path,
)
from tmdb_collector.tmdbapi._source import APISource

__all__ = ["APIHandler", "listening", "make_api_app", "utc_today"]


def utc_today() -> date:
    """TMDB's today: changes windows and export files go by UTC dates."""
    return datetime.now(UTC).date()


def _any_credential() -> str | None:
    return None


class APIHandler:
    """Answers ``/3/...`` requests from ``source`` as api.themoviedb.org does: credentials,
    routes, append_to_response, paging, changes windows and TMDB's error answers (raised as
    ErrorAnswer: serve it behind ``answer_errors``).

    ``api_key`` gives the one credential accepted, or None to accept any non-empty one; it is
    asked on every request, so a server may change it while running. ``today`` gives the date
    a changes window without dates ends on.
    """

    def __init__(
        self,
        source: APISource,
        *,
        api_key: Callable[[], str | None] = _any_credential,
        today: Callable[[], date] = utc_today,
    ) -> None:
        self.source = source
        self._api_key = api_key
        self._today = today

    def route(self) -> web.RouteDef:
        """Every method of every ``/3/`` path, for ``app.add_routes``."""
        return web.route("*", "/3/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.method not in ("GET", "HEAD"):
            # Only reads are served; any other method names no resource here.
            raise ErrorAnswer.not_found()
        check_credentials(request, self._api_key())
        route = parse_api_path(request.path)
        query = request.query
        if isinstance(route, ConfigurationRoute):
            return json_response(self.source.configuration())
        if isinstance(route, ChangesRoute):
            page = parse_page(query.get("page"))
            window = ChangesWindow.parse(
                query.get("start_date"), query.get("end_date"), self._today()
            )
            return json_response(self.source.changes(route.kind, window, page))
        if route.sub is None:
            appends = parse_appends(query.get("append_to_response"))
            return json_response(await details_answer(self.source, route.key, appends))
        page = parse_page(query.get("page")) if route.sub in PAGED_SUB_RESOURCES else 1
        return json_response(sub_resource_answer(self.source, route.key, route.sub, page))


def make_api_app(
    source: APISource,
    *,
    api_key: str | None = None,
    today: Callable[[], date] = utc_today,
) -> web.Application:
    """An aiohttp application serving ``/3/`` from ``source``, every error (an unknown path
    too) in TMDB's envelope. ``api_key``: the one credential accepted; None accepts any."""
    app = web.Application(middlewares=[web.middleware(answer_errors)])
    app.add_routes([APIHandler(source, api_key=lambda: api_key, today=today).route()])
    return app


@asynccontextmanager
async def listening(
    app: web.Application,
    host: str,
    port: int,
    *,
    shutdown_timeout: float,
    refused: Callable[[str], Exception],
) -> AsyncIterator[str]:
    """Serve ``app`` at ``host``:``port`` (0: a free port) on the running event loop until the
    block ends, without aiohttp's access log (its line holds the query string, credential and
    all) or its signal handlers; the block gets the URL it listens at. A host or port it cannot
    listen on raises ``refused(reason)``."""
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=shutdown_timeout
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as error:
            raise refused(f"cannot listen on {host}:{port}: {error}") from error
        shown = f"[{host}]" if ":" in host else host
        yield f"http://{shown}:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
