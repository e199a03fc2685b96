"""``FakeTMDB``: an HTTP server that answers like api.themoviedb.org and files.tmdb.org.

It serves a Catalog (fixture or synthetic data) with the real API's semantics from API-NOTES.md.
``/3/...`` is ``tmdbapi``'s API handler over the catalog (credentials, append_to_response, changes
windows, paging limits, error envelopes); this module adds what only the fake does: rate limiting,
transient faults, latency, counters, the daily exports (``/p/exports/...``, the other host) and an
admin API for tests and benchmarks (``/_fake/...``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os
import random
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.typedefs import Handler

from tmdb_collector.errors import TMDBCollectorError
from tmdb_collector.fake._catalog import CacheableExports, Catalog
from tmdb_collector.fake._export_cache import ExportCache, ExportCacheError
from tmdb_collector.fake._faults import (
    RANDOM_FAULTS,
    TMDB_RATE_LIMIT,
    Fault,
    FaultScript,
    RateLimiter,
    UnknownFaultError,
    rate_limited,
    send_fault,
)
from tmdb_collector.fake._settings import FakeSettings, SettingsError
from tmdb_collector.fake._source import CatalogSource
from tmdb_collector.fake._stats import RequestStats, endpoint_kind
from tmdb_collector.kinds import dump_json
from tmdb_collector.tmdbapi import (
    EXPORTS_LARGEST_FIRST,
    APIHandler,
    ErrorAnswer,
    ExportFile,
    JSONObject,
    answer_errors,
    gzip_lines,
    json_response,
    listening,
    send_export,
    utc_today,
)

__all__ = ["MAX_ADVANCE_DAYS", "FakeStartError", "FakeTMDB"]

_T = TypeVar("_T")

#: The most days one advance may take: advancing runs on the event loop, so a huge count
#: would stall every request (a real-scale catalog takes about 80 ms a day).
MAX_ADVANCE_DAYS = 366
# Tests upload whole export files to /_fake/exports/ (aiohttp's default limit is 1 MiB).
_MAX_UPLOAD = 256 * 1024 * 1024
# How long stopping waits for requests in flight (a long export stream is cut after that).
_SHUTDOWN_TIMEOUT = 2.0


class FakeStartError(TMDBCollectorError, RuntimeError):
    """The fake server could not start (port taken, bad host) or is not running."""


class AdminError(ValueError):
    """A malformed request to the ``/_fake/`` admin API."""


@dataclass
class _Thread:
    """The fake running on its own event loop in a background thread."""

    ready: threading.Event = field(default_factory=threading.Event)
    stop: asyncio.Event | None = None
    loop: asyncio.AbstractEventLoop | None = None
    error: BaseException | None = None


class FakeTMDB:
    """The fake TMDB server over ``catalog``.

    Start it on the running loop with ``async with FakeTMDB(catalog).run() as fake``, or on a
    background thread with ``with FakeTMDB(catalog).run_in_thread() as fake``; ``fake.url`` is
    then its base URL (``http://127.0.0.1:PORT``). ``today`` gives the UTC date that is the
    catalog's current day; ``clock`` drives the rate limiter.

    ``export_cache``: a directory where each export file of a ``CacheableExports`` catalog (the
    synthetic one) is generated once and then served from, as a CDN serves static files;
    ``warm_exports`` fills it ahead. None (the default): every download generates its file.
    """

    def __init__(
        self,
        catalog: Catalog,
        settings: FakeSettings | None = None,
        *,
        today: Callable[[], date] = utc_today,
        clock: Callable[[], float] = time.monotonic,
        export_cache: str | os.PathLike[str] | None = None,
    ) -> None:
        self._source = CatalogSource(catalog, today)
        self._export_cache = None if export_cache is None else ExportCache(export_cache)
        self.settings = settings if settings is not None else FakeSettings()
        self._today = today
        # The key is read on every request: tests change or replace ``settings`` while it runs.
        self._api = APIHandler(self._source, api_key=lambda: self.settings.api_key, today=today)
        self._rng = random.Random(self.settings.seed)
        self._limiter = RateLimiter(clock)
        self._script = FaultScript()
        self._stats = RequestStats()
        self._export_files: dict[str, bytes] = {}
        self._url: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"FakeTMDB({self.catalog!r}, url={self._url!r})"

    # -- public API ---------------------------------------------------------------------------

    @property
    def catalog(self) -> Catalog:
        """The catalog served."""
        return self._source.catalog

    @property
    def url(self) -> str:
        """The base URL while running: ``/3/...`` and ``/p/exports/...`` live under it."""
        if self._url is None:
            raise FakeStartError("the fake TMDB is not running; use run() or run_in_thread()")
        return self._url

    def today(self) -> date:
        """The UTC date of the catalog's current day."""
        return self._today()

    def inject(self, fault: Fault | str | int, count: int = 1, path_prefix: str = "/3/") -> None:
        """Make the next ``count`` requests whose path (with its query string) starts with
        ``path_prefix`` suffer ``fault`` (e.g. ``503``, ``"429-retry-after"``, ``"reset"``,
        ``"truncate"``)."""
        parsed = Fault.parse(fault)
        self._on_loop(lambda: self._script.add(parsed, count, path_prefix))

    def clear_faults(self) -> None:
        """Drop every injected fault not yet sent."""
        self._on_loop(self._script.clear)

    def set_export_file(self, file_name: str, content: bytes) -> None:
        """Serve exactly ``content`` as ``/p/exports/<file_name>`` (malformed lines, duplicates,
        broken gzip...), whatever the date and catalog say."""
        self._on_loop(lambda: self._export_files.__setitem__(file_name, bytes(content)))

    def clear_export_file(self, file_name: str) -> None:
        self._on_loop(lambda: self._export_files.pop(file_name, None))

    async def warm_exports(self, day: date | None = None) -> dict[str, int]:
        """Generate every export file of ``day`` (default: today) into the export cache now,
        so that downloads are served from disk from then on; each file name with its size in
        bytes. Await it on the server's loop (in ``run()``); from other code,
        ``POST /_fake/exports/warm?day=YYYY-MM-DD`` does the same."""
        cache, catalog = self._cacheable()
        today = self._today()
        day = day or today
        if not ExportFile("movie", day).is_published(today, self.settings.publish_today):
            raise ExportCacheError(f"the exports of {day} are not published (today is {today})")
        catalog_day = self._source.day_of(day, today)
        paths = [
            cache.path(name, catalog.export_identity(name, catalog_day))
            for name in EXPORTS_LARGEST_FIRST
        ]
        builds = [
            cache.start(path, functools.partial(self.catalog.export_lines, name, catalog_day))
            for name, path in zip(EXPORTS_LARGEST_FIRST, paths, strict=True)
            if not path.is_file()
        ]
        await asyncio.shield(asyncio.gather(*builds))
        return {
            ExportFile(name, day).file_name: path.stat().st_size
            for name, path in zip(EXPORTS_LARGEST_FIRST, paths, strict=True)
        }

    def advance(self, days: int = 1) -> int:
        """Move the catalog ``days`` forward; return the new day."""
        _check_advance(days, ValueError)
        return self._on_loop(lambda: self._source.advance(days))

    def stats(self) -> JSONObject:
        """Counters since start or the last reset, plus the current day and today's date."""
        return self._on_loop(self._stats_json)

    def reset_stats(self) -> None:
        self._on_loop(self._reset_stats)

    def make_app(self) -> web.Application:
        """The aiohttp application, for embedding the fake in another aiohttp server."""
        app = web.Application(middlewares=[self._middleware], client_max_size=_MAX_UPLOAD)
        app.add_routes([self._api.route()])
        app.router.add_get("/p/exports/{file_name}", self._export)
        app.router.add_get("/_fake/stats", self._admin_stats)
        app.router.add_post("/_fake/reset-stats", self._admin_reset_stats)
        app.router.add_post("/_fake/advance", self._admin_advance)
        app.router.add_get("/_fake/settings", self._admin_settings)
        app.router.add_post("/_fake/settings", self._admin_change_settings)
        app.router.add_get("/_fake/inject", self._admin_faults)
        app.router.add_post("/_fake/inject", self._admin_inject)
        app.router.add_delete("/_fake/inject", self._admin_clear_faults)
        app.router.add_post("/_fake/exports/warm", self._admin_warm_exports)
        app.router.add_put("/_fake/exports/{file_name}", self._admin_set_export)
        app.router.add_delete("/_fake/exports/{file_name}", self._admin_clear_export)
        return app

    @asynccontextmanager
    async def run(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[FakeTMDB]:
        """Serve on the running event loop until the block ends. Port 0 picks a free port."""
        if self._url is not None:
            raise FakeStartError(f"this fake TMDB is already running at {self._url}")
        async with listening(
            self.make_app(), host, port, shutdown_timeout=_SHUTDOWN_TIMEOUT, refused=FakeStartError
        ) as url:
            self._url = url
            self._loop = asyncio.get_running_loop()
            try:
                yield self
            finally:
                self._url = None
                self._loop = None
                if self._export_cache is not None:
                    # Before the server waits for its requests: some wait for the cache.
                    self._export_cache.stop()

    @contextmanager
    def run_in_thread(
        self, host: str = "127.0.0.1", port: int = 0, timeout: float = 10.0
    ) -> Iterator[FakeTMDB]:
        """Serve from a background thread with its own event loop, for synchronous callers."""
        state = _Thread()
        thread = threading.Thread(
            target=self._serve_thread, args=(host, port, state), name="fake-tmdb", daemon=True
        )
        thread.start()
        if not state.ready.wait(timeout):
            raise FakeStartError(f"the fake TMDB did not start within {timeout} s")
        if state.error is not None:
            thread.join(timeout)
            raise FakeStartError(f"the fake TMDB failed to start: {state.error}") from state.error
        try:
            yield self
        finally:
            if state.loop is not None and state.stop is not None:
                state.loop.call_soon_threadsafe(state.stop.set)
            thread.join(timeout)

    # -- running ------------------------------------------------------------------------------

    def _serve_thread(self, host: str, port: int, state: _Thread) -> None:
        async def serve() -> None:
            state.stop = asyncio.Event()
            async with self.run(host, port):
                state.loop = asyncio.get_running_loop()
                state.ready.set()
                await state.stop.wait()

        try:
            asyncio.run(serve())
        except Exception as error:  # reported to the starting thread, which raises it
            state.error = error
        finally:
            state.ready.set()

    def _on_loop(self, action: Callable[[], _T]) -> _T:
        """Run ``action`` on the server's event loop: the catalog and counters are used from
        that loop only, while a test may call from another thread (``run_in_thread``)."""
        loop = self._loop
        if loop is None or _running_loop() is loop:
            return action()
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(action())
            except Exception as error:  # handed to the calling thread
                future.set_exception(error)

        loop.call_soon_threadsafe(run)
        return future.result(timeout=30)

    # -- the request pipeline -----------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_fake/"):
            # Admin requests are neither counted, limited nor faulted.
            return await _answer_errors(request, handler)
        self._stats.count_request(endpoint_kind(request.path))
        # The query string counts too, so a test can aim at one page or window of a feed
        # (`/3/movie/changes?start_date=...`); a prefix without `?` matches as before.
        fault = self._script.take(request.path_qs)
        if fault is None and request.path.startswith("/3/"):
            limit = self.settings.rate_limit
            if not self._limiter.admit(limit):
                count = self._limiter.in_window + 1
                return self._counted(rate_limited(count, limit, self.settings.retry_after))
            await self._delay()
            fault = self._random_fault()
        if fault is None:
            return self._counted(await _answer_errors(request, handler))
        self._stats.count_fault(fault.value)
        limit = self.settings.rate_limit or TMDB_RATE_LIMIT
        response = await send_fault(
            request, fault, lambda: self._real_body(request, handler), limit
        )
        # A reset sends no status at all.
        return response if fault is Fault.RESET else self._counted(response)

    async def _real_body(self, request: web.Request, handler: Handler) -> bytes:
        """The body the request would have had, for the faults that spoil it."""
        if request.path.startswith("/p/exports/"):
            # A spoiled export is rendered whole: faults are for tests, with small exports.
            try:
                source = await self._export_source(request.match_info.get("file_name", ""))
            except ErrorAnswer as error:
                return dump_json(error.to_json())
            if isinstance(source, Path):
                return await asyncio.to_thread(source.read_bytes)
            return source if isinstance(source, bytes) else gzip_lines(source)
        answer = await _answer_errors(request, handler)
        if isinstance(answer, web.Response) and isinstance(answer.body, bytes):
            return answer.body
        return b""

    def _counted(self, response: web.StreamResponse) -> web.StreamResponse:
        self._stats.count_status(response.status)
        return response

    async def _delay(self) -> None:
        latency = self.settings.latency_ms
        if latency <= 0:
            return
        jitter = self.settings.latency_jitter_ms
        spread = latency / 2 if jitter is None else jitter
        await asyncio.sleep(max(0.0, latency + self._rng.uniform(-spread, spread)) / 1000)

    def _random_fault(self) -> Fault | None:
        rate = self.settings.error_rate
        if rate > 0 and self._rng.random() < rate:
            return self._rng.choice(RANDOM_FAULTS)
        return None

    # -- exports ------------------------------------------------------------------------------

    async def _export(self, request: web.Request) -> web.StreamResponse:
        # files.tmdb.org: no credentials, no rate limit (it is a different host).
        probe = request.method == "HEAD" or "Range" in request.headers
        source = await self._export_source(request.match_info["file_name"], probe=probe)
        return await send_export(request, source)

    async def _export_source(
        self, file_name: str, *, probe: bool = False
    ) -> bytes | Path | Iterator[bytes]:
        """A test's exact bytes for the file, else the cached file, else the catalog's lines;
        404 if unpublished. A ``probe`` (HEAD, Range) does not wait for the file to be cached:
        it starts the generation and is answered from the start of the lines, as without cache.
        """
        override = self._export_files.get(file_name)
        if override is not None:
            return override
        export = ExportFile.parse(file_name)
        today = self._today()
        if export is None or not export.is_published(today, self.settings.publish_today):
            raise ErrorAnswer.not_found()
        day = self._source.day_of(export.published_on, today)
        lines = functools.partial(self.catalog.export_lines, export.name, day)
        cache, catalog = self._export_cache, self.catalog
        if cache is None or not isinstance(catalog, CacheableExports):
            return lines()
        path = cache.path(export.name, catalog.export_identity(export.name, day))
        if probe and not path.is_file():
            cache.start(path, lines)
            return lines()
        return await cache.file(path, lines)

    def _cacheable(self) -> tuple[ExportCache, CacheableExports]:
        if self._export_cache is None:
            raise ExportCacheError(
                "this fake TMDB has no export cache: create it with export_cache=DIR "
                "(fake-tmdb --export-cache DIR)"
            )
        if not isinstance(self.catalog, CacheableExports):
            raise ExportCacheError(
                f"the exports of {self.catalog!r} are not cached (only a catalog with "
                "export_identity, such as SyntheticCatalog, has them cached)"
            )
        return self._export_cache, self.catalog

    # -- /_fake/ admin ------------------------------------------------------------------------

    def _stats_json(self) -> JSONObject:
        return {
            **self._stats.to_json(),
            "day": self.catalog.day,
            "today": self._today().isoformat(),
        }

    def _reset_stats(self) -> None:
        self._stats = RequestStats()

    async def _admin_stats(self, request: web.Request) -> web.StreamResponse:
        return json_response(self._stats_json())

    async def _admin_reset_stats(self, request: web.Request) -> web.StreamResponse:
        self._reset_stats()
        return json_response(self._stats_json())

    async def _admin_advance(self, request: web.Request) -> web.StreamResponse:
        days = _int_parameter(request, "days", default=1)
        _check_advance(days, AdminError)
        self._source.advance(days)
        return json_response({"day": self.catalog.day, "today": self._today().isoformat()})

    async def _admin_settings(self, request: web.Request) -> web.StreamResponse:
        return json_response(self.settings.to_json())

    async def _admin_change_settings(self, request: web.Request) -> web.StreamResponse:
        changes = await _json_object(request)
        self.settings.update(changes)
        if "seed" in changes:
            self._rng.seed(self.settings.seed)
        return json_response(self.settings.to_json())

    async def _admin_faults(self, request: web.Request) -> web.StreamResponse:
        return json_response({"pending": self._script.pending()})

    async def _admin_inject(self, request: web.Request) -> web.StreamResponse:
        body = await _json_object(request)
        count = body.get("count", 1)
        path_prefix = body.get("path_prefix", "/3/")
        # bool is an int in Python, but true is no count.
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise AdminError(f"count must be a positive integer, got {count!r}")
        if not isinstance(path_prefix, str):
            raise AdminError('inject takes {"fault": F, "count": N, "path_prefix": "/3/"}')
        self._script.add(Fault.parse(body.get("fault", "")), count, path_prefix)
        return json_response({"pending": self._script.pending()})

    async def _admin_clear_faults(self, request: web.Request) -> web.StreamResponse:
        self._script.clear()
        return json_response({"pending": self._script.pending()})

    async def _admin_warm_exports(self, request: web.Request) -> web.StreamResponse:
        text = request.query.get("day")
        try:
            day = None if text is None else date.fromisoformat(text)
        except ValueError:
            raise AdminError(f"day must be a date as YYYY-MM-DD, got {text!r}") from None
        started = time.perf_counter()
        files = await self.warm_exports(day)
        return json_response(
            {
                "day": (day or self._today()).isoformat(),
                "files": files,
                "seconds": round(time.perf_counter() - started, 3),
            }
        )

    async def _admin_set_export(self, request: web.Request) -> web.StreamResponse:
        self._export_files[request.match_info["file_name"]] = await request.read()
        return json_response({"export_files": sorted(self._export_files)})

    async def _admin_clear_export(self, request: web.Request) -> web.StreamResponse:
        self._export_files.pop(request.match_info["file_name"], None)
        return json_response({"export_files": sorted(self._export_files)})


async def _answer_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Run ``handler``, rendering typed errors as the JSON answers TMDB (or the admin API) sends."""

    async def admin_errors(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except (AdminError, ExportCacheError, SettingsError, UnknownFaultError) as error:
            return json_response({"errors": [str(error)]}, 400)
        except web.HTTPException as error:
            if request.path.startswith("/_fake/") and error.status == 405:
                return json_response({"errors": [f"{request.method} is not allowed here"]}, 405)
            raise  # TMDB's 404 envelope, from answer_errors

    return await answer_errors(request, admin_errors)


def _check_advance(days: int, error: type[ValueError]) -> None:
    if not 1 <= days <= MAX_ADVANCE_DAYS:
        raise error(f"days must be between 1 and {MAX_ADVANCE_DAYS}, got {days}")


def _int_parameter(request: web.Request, name: str, default: int) -> int:
    text = request.query.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise AdminError(f"{name} must be an integer, got {text!r}") from None


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as error:
        raise AdminError(f"the body must be a JSON object: {error}") from error
    if not isinstance(body, dict):
        raise AdminError("the body must be a JSON object")
    return body


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
