"""``serve``: TMDB's ``/3/`` API and its daily export files, answered from the mirror.

Routes, credentials, ``append_to_response``, paging, changes windows and error envelopes are
the shared TMDB HTTP layer's (``tmdbapi``: the fake TMDB answers through the same pieces); only
the data source differs. Records come from the store through ``DocumentCache``; ``find``,
``search``, the changes feeds and the exports from the index (``IndexView``).

What the mirror adds to TMDB's answers, in headers: ``ETag`` (a digest of the content hashes
an answer is made of) with ``If-None-Match`` → 304, ``Cache-Control``, gzip when the client
accepts it, and for a deleted record ``X-Mirror-Deleted-At`` / ``X-Mirror-Deleted-Reason``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from aiohttp import web
from aiohttp.typedefs import Handler

from tmdb_collector.errors import InputError
from tmdb_collector.kinds import JSONObject, Kind, RecordKey, dump_json
from tmdb_collector.serve._documents import DEFAULT_CACHE_BYTES, DocumentCache, Pieces
from tmdb_collector.serve._lookup import FIND_KINDS, SEARCH_KINDS, IndexView
from tmdb_collector.store import EXTERNAL_SOURCES, TMDB_CONFIGURATION_KEY, RecordStore
from tmdb_collector.tmdbapi import (
    JSON_CONTENT_TYPE,
    KIND_OF_EXPORT,
    MAX_PAGE,
    ChangesRoute,
    ChangesWindow,
    ErrorAnswer,
    ExportFile,
    RecordRoute,
    answer_errors,
    append_plan,
    check_credentials,
    listening,
    page_of,
    parse_api_path,
    parse_appends,
    parse_page,
    send_export,
    sub_resource_answer,
    utc_today,
)

__all__ = ["LISTENING_PREFIX", "MirrorServer", "ServeStartError"]

#: What ``serve`` prints once it accepts requests, before the URL (as ``fake-tmdb`` does).
LISTENING_PREFIX = "listening on "
#: How long clients may keep an answer: a record changes at most once per mirror run.
RECORD_MAX_AGE = 3600
#: Lists (search, find, changes) follow the index, which changes with every batch written.
LIST_MAX_AGE = 300
_log = logging.getLogger("tmdb_collector.serve")
_access = logging.getLogger("tmdb_collector.serve.access")
_SHUTDOWN_TIMEOUT = 5.0
#: Answers smaller than this go uncompressed: gzip would save less than it costs.
_GZIP_FROM = 1024


class ServeStartError(InputError):
    """The server could not listen where it was asked to (the port is taken, the address is
    not this machine's): choose another --host or --port."""


@dataclass(frozen=True, slots=True)
class _Answer:
    """A JSON answer and what makes it cacheable."""

    body: bytes
    etag: str | None
    max_age: int
    headers: dict[str, str] = field(default_factory=dict)


class MirrorServer:
    """Serves the mirror in ``records``' store. ``access_key``: the one credential accepted
    (api_key or Bearer), None for none needed. ``today`` gives the date a changes window without
    dates ends on, and the last export date published."""

    def __init__(
        self,
        records: RecordStore,
        *,
        access_key: str | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        check_seconds: float = 2.0,
        today: Callable[[], date] = utc_today,
    ) -> None:
        # How old what it read of the store may be: the version maps and the index.
        records.read_check_seconds = check_seconds
        self.documents = DocumentCache(records, cache_bytes)
        # Compressed answers take about a tenth of their JSON: a quarter of the budget more.
        self._gzipped = _Gzipped(cache_bytes // 4)
        self.index = IndexView(records, check_seconds=check_seconds)
        self._records = records
        self._access_key = access_key
        self._today = today
        self.url: str | None = None

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._log_access, web.middleware(answer_errors)])
        app.router.add_get("/health", self._health)
        app.router.add_get("/p/exports/{file_name}", self._export)
        app.router.add_route("*", "/3/{tail:.*}", self._api)
        return app

    @asynccontextmanager
    async def run(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[MirrorServer]:
        """Serve on the running event loop until the block ends; port 0 picks a free one."""
        try:
            async with listening(
                self.make_app(),
                host,
                port,
                shutdown_timeout=_SHUTDOWN_TIMEOUT,
                refused=ServeStartError,
            ) as url:
                self.url = url
                yield self
        finally:
            # After the requests under way have been answered: some may read the index.
            self.url = None
            self.index.close()

    # --- the routes -----------------------------------------------------------------------

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "store": self._records.objects.url})

    async def _api(self, request: web.Request) -> web.StreamResponse:
        if request.method not in ("GET", "HEAD"):
            raise ErrorAnswer.not_found()
        if self._access_key is not None:
            check_credentials(request, self._access_key)
        tail = request.match_info["tail"]
        parts = tail.split("/")
        if parts[0] == "find" and len(parts) == 2:
            answer = await self._find(parts[1], request)
        elif parts[0] == "search" and len(parts) == 2:
            answer = await self._search(parts[1], request)
        else:
            route = parse_api_path(request.path)
            if isinstance(route, ChangesRoute):
                answer = await self._changes(route.kind, request)
            elif isinstance(route, RecordRoute):
                answer = await self._record(route, request)
            else:
                answer = await self._configuration()
        return _respond(request, answer, self._gzipped)

    async def _configuration(self) -> _Answer:
        """TMDB's configuration, as the harvester last kept it (once a day)."""
        kept = await self._records.objects.get(TMDB_CONFIGURATION_KEY)
        if kept is None:
            raise _not_mirrored(
                "TMDB's configuration is not in this mirror yet: the next harvest keeps it"
            )
        try:
            configuration = json.loads(kept)["configuration"]
        except (ValueError, TypeError, KeyError):
            raise _not_mirrored(
                "the kept configuration is damaged: the next harvest replaces it"
            ) from None
        return _Answer(dump_json(configuration), _etag(kept), RECORD_MAX_AGE)

    async def _record(self, route: RecordRoute, request: web.Request) -> _Answer:
        key = route.key
        current = await self.documents.current(key)
        if current is None:
            raise ErrorAnswer.not_found()
        if current.deleted:
            return await self._deleted(key, request)
        pieces = await self.documents.pieces(key, current)
        if pieces is None:  # deleted between the two reads
            raise ErrorAnswer.not_found()
        if route.sub is not None:
            return self._sub_resource(pieces, route.sub, request)
        plan = append_plan(key, parse_appends(request.query.get("append_to_response")))
        members = [pieces.base] if pieces.base else []
        hashes = [pieces.content_hash]
        for planned in plan:
            if planned.sub is not None:
                block = pieces.block_bytes(planned.sub)
                if block is not None:
                    members.append(_member(planned.item, block))
                continue
            season = await self._season(planned.key)
            if season is not None:
                members.append(
                    b'"' + planned.item.encode() + b'":{' + season.base_without_id + b"}"
                )
                hashes.append(season.content_hash)
        etag = _etag(*hashes, ",".join(p.item for p in plan).encode())
        return _Answer(b"{" + b",".join(members) + b"}", etag, RECORD_MAX_AGE)

    async def _season(self, key: RecordKey) -> Pieces | None:
        current = await self.documents.current(key)
        if current is None or current.deleted:
            return None
        return await self.documents.pieces(key, current)

    def _sub_resource(self, pieces: Pieces, sub: str, request: web.Request) -> _Answer:
        if sub not in pieces.present:
            kind = pieces.key.kind
            if sub in pieces.requested:
                raise _not_mirrored(f"TMDB sent no {sub} for {kind} {pieces.key}")
            setting = f"APPENDS_{kind.value.upper()}"
            if kind is Kind.TV_SEASON:
                setting = f"SEASON_DETAILS=true and {setting}"
            elif kind is Kind.TV_EPISODE:
                setting = f"EPISODE_DETAILS=true and {setting}"
            raise _not_mirrored(
                f"{sub} of {kind} {pieces.key} is not in this mirror: mirror with {setting} "
                f"including {sub}"
            )
        page = parse_page(request.query.get("page"))
        answer = sub_resource_answer(_PiecesSource(pieces), pieces.key, sub, page)
        return _Answer(
            dump_json(answer),
            _etag(pieces.content_hash, sub.encode(), str(page).encode()),
            RECORD_MAX_AGE,
        )

    async def _deleted(self, key: RecordKey, request: web.Request) -> _Answer:
        history = await self._records.history(key)
        tombstone = history[-1]
        headers = {
            "X-Mirror-Deleted-At": _iso(tombstone.at_ms),
            "X-Mirror-Deleted-Reason": tombstone.reason or "",
        }
        if request.query.get("include_deleted") != "true":
            raise ErrorAnswer(404, 34, ErrorAnswer.not_found().message, headers)
        live = [version for version in history if not version.deleted]
        if not live:
            raise ErrorAnswer(404, 34, ErrorAnswer.not_found().message, headers)
        stored = await self._records.read_version(key, live[-1].number)
        if stored is None:
            raise ErrorAnswer(404, 34, ErrorAnswer.not_found().message, headers)
        pieces = Pieces.of(stored)
        return _Answer(
            b"{" + pieces.base + b"}",
            _etag(tombstone.content_hash, b"deleted"),
            LIST_MAX_AGE,
            headers,
        )

    async def _find(self, external_id: str, request: web.Request) -> _Answer:
        source = request.query.get("external_source", "")
        if source not in EXTERNAL_SOURCES:
            raise ErrorAnswer(
                400,
                47,
                f"The input is not valid: external_source must be one of "
                f"{', '.join(EXTERNAL_SOURCES)}.",
            )
        found = await self.index.find(source, external_id)
        answer: JSONObject = {}
        for kind, name in FIND_KINDS.items():
            answer[name] = [
                summary
                for key in found[kind]
                if (summary := await self._summary(key, media_type=True)) is not None
            ]
        return _Answer(dump_json(answer), None, LIST_MAX_AGE)

    async def _search(self, path: str, request: web.Request) -> _Answer:
        kind = SEARCH_KINDS.get(path)
        if kind is None:
            raise ErrorAnswer.not_found()
        page = parse_page(request.query.get("page"))
        query = request.query.get("query", "")
        include_adult = request.query.get("include_adult") == "true"
        found = await self.index.search(kind, query, include_adult=include_adult, page=page)
        results = [
            summary for key in found.keys if (summary := await self._summary(key)) is not None
        ]
        answer = {
            "page": page,
            "results": results,
            "total_pages": min(MAX_PAGE, -(-found.total // 20)) if found.total else 1,
            "total_results": found.total,
        }
        return _Answer(dump_json(answer), None, LIST_MAX_AGE)

    async def _summary(self, key: RecordKey, *, media_type: bool = False) -> JSONObject | None:
        current = await self.documents.current(key)
        if current is None or current.deleted:
            return None
        pieces = await self.documents.pieces(key, current)
        if pieces is None:
            return None
        return summary_of(pieces, media_type=media_type)

    async def _changes(self, kind: Kind, request: web.Request) -> _Answer:
        page = parse_page(request.query.get("page"))
        window = ChangesWindow.parse(
            request.query.get("start_date"), request.query.get("end_date"), self._today()
        )
        entries = await self.index.changes(kind, window)
        return _Answer(dump_json(page_of(entries, page)), None, LIST_MAX_AGE)

    async def _export(self, request: web.Request) -> web.StreamResponse:
        export = ExportFile.parse(request.match_info["file_name"])
        if export is None or export.published_on > self._today():
            raise web.HTTPNotFound()
        kind, adult = KIND_OF_EXPORT[export.name]
        lines = await self.index.export_lines(kind, adult)
        return await send_export(request, lines)

    # --- every request --------------------------------------------------------------------

    @web.middleware
    async def _log_access(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        finally:
            # The query without its credential: api_key never reaches a log.
            query = "&".join(
                f"{name}={value}" for name, value in request.query.items() if name != "api_key"
            )
            _access.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "query": query,
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                    "remote": request.remote,
                },
            )


class _PiecesSource:
    """One record's pieces as the shared layer's RecordSource."""

    def __init__(self, pieces: Pieces) -> None:
        self._pieces = pieces

    def base(self, key: RecordKey) -> JSONObject | None:
        return self._pieces.details() if key == self._pieces.key else None

    def block(self, key: RecordKey, name: str) -> JSONObject | None:
        return self._pieces.block(name) if key == self._pieces.key else None


def _member(name: str, value: bytes) -> bytes:
    return dump_json(name) + b":" + value


def _etag(*parts: bytes) -> str:
    digest = hashlib.blake2b(b"\x00".join(parts), digest_size=16).hexdigest()
    return f'"{digest}"'


class _Gzipped:
    """Answers compressed with gzip, by ETag, least recently used dropped beyond
    ``max_bytes``: compressing a movie with its blocks costs more than putting it together."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0

    def body(self, answer: _Answer) -> bytes:
        if answer.etag is None:
            return _gzip(answer.body)
        body = self._bodies.get(answer.etag)
        if body is not None:
            self._bodies.move_to_end(answer.etag)
            return body
        body = _gzip(answer.body)
        self._bodies[answer.etag] = body
        self._bytes += len(body)
        while self._bytes > self._max_bytes:
            _, dropped = self._bodies.popitem(last=False)
            self._bytes -= len(dropped)
        return body


def _gzip(data: bytes) -> bytes:
    compressor = zlib.compressobj(level=6, wbits=31)  # wbits 31: a gzip header and trailer
    return compressor.compress(data) + compressor.flush()


def _respond(request: web.Request, answer: _Answer, gzipped: _Gzipped) -> web.StreamResponse:
    headers = {
        **answer.headers,
        "Cache-Control": f"public, max-age={answer.max_age}",
        "Vary": "Accept-Encoding",
    }
    if answer.etag is not None:
        headers["ETag"] = answer.etag
        wanted = request.headers.get("If-None-Match", "")
        if answer.etag in (tag.strip() for tag in wanted.split(",")) or wanted.strip() == "*":
            return web.Response(status=304, headers=headers)
    body = answer.body
    if len(body) > _GZIP_FROM and "gzip" in request.headers.get("Accept-Encoding", ""):
        body = gzipped.body(answer)
        headers["Content-Encoding"] = "gzip"
    return web.Response(body=body, headers={"Content-Type": JSON_CONTENT_TYPE, **headers})


def _not_mirrored(hint: str) -> ErrorAnswer:
    return ErrorAnswer(404, 34, f"{ErrorAnswer.not_found().message} ({hint})")


def _iso(at_ms: int) -> str:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=at_ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


#: The fields of a search or find result, per kind, as TMDB lists them (its OpenAPI document).
_SUMMARY_FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.MOVIE: (
        "adult",
        "backdrop_path",
        "genre_ids",
        "id",
        "original_language",
        "original_title",
        "overview",
        "popularity",
        "poster_path",
        "release_date",
        "title",
        "video",
        "vote_average",
        "vote_count",
    ),
    Kind.TV: (
        "adult",
        "backdrop_path",
        "genre_ids",
        "id",
        "origin_country",
        "original_language",
        "original_name",
        "overview",
        "popularity",
        "poster_path",
        "first_air_date",
        "name",
        "vote_average",
        "vote_count",
    ),
    Kind.PERSON: (
        "adult",
        "gender",
        "id",
        "known_for_department",
        "name",
        "original_name",
        "popularity",
        "profile_path",
        "known_for",
    ),
    Kind.COLLECTION: (
        "adult",
        "backdrop_path",
        "id",
        "name",
        "original_language",
        "original_name",
        "overview",
        "poster_path",
    ),
    Kind.COMPANY: ("id", "logo_path", "name", "origin_country"),
    Kind.KEYWORD: ("id", "name"),
    Kind.TV_SEASON: (
        "air_date",
        "episode_count",
        "id",
        "name",
        "overview",
        "poster_path",
        "season_number",
        "show_id",
        "vote_average",
    ),
    Kind.TV_EPISODE: (
        "air_date",
        "episode_number",
        "id",
        "name",
        "overview",
        "production_code",
        "runtime",
        "season_number",
        "show_id",
        "still_path",
        "vote_average",
        "vote_count",
    ),
}
#: What a result's media_type says, per kind (find's results carry one).
_MEDIA_TYPES = {
    Kind.MOVIE: "movie",
    Kind.TV: "tv",
    Kind.PERSON: "person",
    Kind.TV_SEASON: "tv_season",
    Kind.TV_EPISODE: "tv_episode",
}


def summary_of(pieces: Pieces, *, media_type: bool = False) -> JSONObject:
    """A search or find result for a record: its details' fields of the kind's result shape
    (derived ones — genre_ids, show_id, episode_count, known_for — from what is stored);
    fields the record lacks are left out rather than made up."""
    kind = pieces.key.kind
    details = pieces.details()
    derived: JSONObject = {"show_id": pieces.key.id}
    genres = details.get("genres")
    if isinstance(genres, list):
        derived["genre_ids"] = [g["id"] for g in genres if isinstance(g, dict) and "id" in g]
    episodes = details.get("episodes")
    if isinstance(episodes, list):
        derived["episode_count"] = len(episodes)
    if kind is Kind.PERSON:
        derived["original_name"] = details.get("name")
        known_for = _known_for(pieces)
        if known_for is not None:
            derived["known_for"] = known_for
    if kind is Kind.COLLECTION:
        derived["original_name"] = details.get("name")
    summary: JSONObject = {}
    for name in _SUMMARY_FIELDS[kind]:
        if name in details:
            summary[name] = details[name]
        elif name in derived and (kind in (Kind.TV_SEASON, Kind.TV_EPISODE) or name != "show_id"):
            summary[name] = derived[name]
    if media_type:
        summary["media_type"] = _MEDIA_TYPES[kind]
    return summary


def _known_for(pieces: Pieces) -> list[JSONObject] | None:
    """A person's three most popular credits as a cast member, from their stored
    combined_credits (TMDB's known_for); None when not stored."""
    credits = pieces.block("combined_credits")
    if credits is None or not isinstance(credits.get("cast"), list):
        return None
    cast = [item for item in credits["cast"] if isinstance(item, dict)]
    cast.sort(key=lambda item: -float(item.get("popularity") or 0))
    return cast[:3]
