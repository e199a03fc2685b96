"""The only thing that talks to TMDB: paced, retried, and silent about the credential."""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Self

import aiohttp
from aiohttp.http_exceptions import HttpProcessingError

from tmdb_collector.kinds import MAX_APPENDS, Kind, RecordKey
from tmdb_collector.tmdb._changes import ChangedId, iter_changes
from tmdb_collector.tmdb._clock import Clock, SystemClock
from tmdb_collector.tmdb._credential import Credential, redact_query
from tmdb_collector.tmdb._errors import (
    AuthenticationError,
    NotFound,
    RetriesExhaustedError,
    TMDBAPIError,
    TMDBError,
    TMDBUnreachableError,
)
from tmdb_collector.tmdb._exports import ExportFile, ExportReader, ExportStream
from tmdb_collector.tmdb._pacer import Pacer, RequestStart
from tmdb_collector.tmdb._retry import RetryPolicy, parse_retry_after
from tmdb_collector.tmdb._settings import ClientSettings
from tmdb_collector.tmdb._stats import ClientStats
from tmdb_collector.tmdb._types import JSONObject, QueryParams

__all__ = ["TMDBClient"]

_log = logging.getLogger("tmdb_collector.tmdb")

_NOT_FOUND_CODES = (34, 6)  # 34: no such resource; 6: invalid id (e.g. /3/movie/0)
_SERVER_ERRORS = (500, 502, 503, 504)
_PATH = re.compile(r"/3/[A-Za-z0-9_\-/]+")
_ERROR_TEXT = 200
_NOT_OPEN = "the TMDBClient is not open: use it as `async with TMDBClient(settings) as tmdb:`"


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    retry_after: str | None
    body: bytes
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class _Failure:
    """A request that got no complete answer. ``cause`` is an exception class name only."""

    cause: str
    truncated: bool


@dataclass(frozen=True, slots=True)
class _Retry:
    cause: str
    rate_limited: bool = False
    retry_after: float | None = None


class TMDBClient:
    """Async TMDB API and exports client. Use as ``async with TMDBClient(settings) as tmdb:``.

    Pass one ``Pacer`` to every client of a process: TMDB limits requests per IP. The clock and
    random generator are injectable so that tests neither sleep nor depend on luck.
    """

    def __init__(
        self,
        settings: ClientSettings | None = None,
        *,
        pacer: Pacer | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._settings = settings if settings is not None else ClientSettings()
        self._clock = clock or SystemClock()
        self._pacer = pacer or Pacer(
            self._settings.rate_limit, self._settings.concurrency, clock=self._clock
        )
        self._policy = retry or RetryPolicy(max_attempts=self._settings.max_attempts)
        # Jitter only needs to decorrelate workers, not to be unpredictable.
        self._rng = rng or random.Random()  # noqa: S311
        self._stats = ClientStats()
        self._session: aiohttp.ClientSession | None = None
        self._exports: ExportReader | None = None
        self._rejected: AuthenticationError | None = None  # the first 401, once one came
        # Until TMDB answers once, when the failures began; None after the first answer.
        self._unanswered_since: float | None = None
        self._answered = False
        self._unreachable: TMDBUnreachableError | None = None

    def __repr__(self) -> str:
        return f"TMDBClient(api_url={self._settings.api_url!r})"

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise TMDBError("this TMDBClient is already open; use one `async with` at a time")
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._settings.concurrency),
            headers={"User-Agent": self._settings.user_agent, "Accept-Encoding": "gzip"},
            timeout=aiohttp.ClientTimeout(total=self._settings.timeout),
        )
        self._exports = ExportReader(
            self._session,
            self._settings.exports_url,
            timeout=self._settings.timeout,
            policy=self._policy,
            clock=self._clock,
            rng=self._rng,
            stats=self._stats,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = None
        self._exports = None

    @property
    def stats(self) -> ClientStats:
        """A snapshot of this client's counters."""
        return dataclasses.replace(self._stats)

    @property
    def pacer(self) -> Pacer:
        return self._pacer

    @property
    def rate(self) -> float:
        """Request starts per second this client paces at now."""
        return self._pacer.rate

    def set_rate(self, rate: float) -> None:
        """Pace at ``rate`` from now on (a Lambda instance whose share grows at a run's end)."""
        self._pacer.set_rate(rate)

    async def get(self, path: str, params: QueryParams | None = None) -> JSONObject | NotFound:
        """GET an API path such as ``/3/movie/550``: its JSON object, or NotFound (404/34 or 6)."""
        credential = self._settings.require_credential()
        session = self._require_session()
        if not _PATH.fullmatch(path):
            raise ValueError(f"not a TMDB v3 path: {path!r} (expected e.g. /3/movie/550)")
        if len(str((params or {}).get("append_to_response", "")).split(",")) > MAX_APPENDS:
            raise ValueError(f"more than {MAX_APPENDS} append_to_response items: use details()")
        transient = rate_limited = 0
        while True:
            self._refuse_if_rejected(path)
            async with self._pacer.slot() as start:
                self._refuse_if_rejected(path)  # a 401 may have come while this one waited
                outcome = await self._send(session, credential, path, params)
            verdict = self._judge(path, outcome, start)
            if not isinstance(verdict, _Retry):
                return verdict
            if verdict.rate_limited:
                rate_limited += 1
                await self._after_rate_limit(path, verdict, start, rate_limited)
            else:
                transient += 1
                await self._after_transient(path, verdict, transient)

    async def details(
        self,
        key: RecordKey,
        appends: Sequence[str] = (),
        params: QueryParams | None = None,
    ) -> JSONObject | NotFound:
        """A record's details with its appended sub-resources (each a top-level key).

        TMDB refuses more than MAX_APPENDS items in one request, so longer lists are sent in
        several requests and their blocks merged into the first answer.
        """
        if params is not None and "append_to_response" in params:
            # It would be overwritten by, or sent unsplit beside, the appends.
            raise ValueError("pass append_to_response items as `appends`, not in `params`")
        items = _dedupe_appends(appends)
        chunks = [items[i : i + MAX_APPENDS] for i in range(0, len(items), MAX_APPENDS)]
        answer = await self.get(key.api_path, _with_appends(params, chunks[0] if chunks else []))
        for chunk in chunks[1:]:
            if isinstance(answer, NotFound):
                break
            more = await self.get(key.api_path, _with_appends(params, chunk))
            if isinstance(more, NotFound):  # deleted between the two requests
                return more
            # Unknown items are silently absent from TMDB's answer: copy what is there.
            answer.update({name: more[name] for name in chunk if name in more})
        return answer

    async def configuration(self) -> JSONObject:
        """``/3/configuration``: image base URLs and sizes."""
        answer = await self.get("/3/configuration")
        if isinstance(answer, NotFound):
            raise TMDBAPIError("/3/configuration", 404, answer.status_code, "not found")
        return answer

    def changes(self, kind: Kind | str, start: date, end: date) -> AsyncIterator[ChangedId]:
        """Ids of movies, series or people changed from ``start`` to ``end`` inclusive, each
        once, reading every page of every window of at most 14 days."""
        self._settings.require_credential()
        return iter_changes(self.get, kind, start, end)

    async def find_export(
        self, kind_or_name: Kind | str, on: date | None = None, max_days_back: int = 3
    ) -> ExportFile:
        """The newest export on or before ``on`` (default today, UTC), going back at most
        ``max_days_back`` days when a day's file is not published (yet, or any more)."""
        return await self._require_exports().find(kind_or_name, on, max_days_back)

    def export_file(self, kind_or_name: Kind | str, on: date) -> ExportFile:
        """The export of a given day, without asking whether it exists."""
        return self._require_exports().file(kind_or_name, on)

    def stream_export(self, file: ExportFile) -> ExportStream:
        """Entries of an export, streamed and deduplicated; ``.report`` counts what was skipped."""
        return self._require_exports().stream(file)

    def _require_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise TMDBError(_NOT_OPEN)
        return self._session

    def _require_exports(self) -> ExportReader:
        if self._exports is None:
            raise TMDBError(_NOT_OPEN)
        return self._exports

    def _refuse_if_rejected(self, path: str) -> None:
        # One 401 means every request will fail: stop now rather than let workers storm TMDB.
        if self._rejected is not None:
            raise AuthenticationError(path, self._rejected.status_code)
        if self._unreachable is not None:
            raise self._unreachable

    def _give_up_if_unreachable(self, cause: str) -> None:
        """Stop the run when nothing has answered since its first request failed, for longer
        than the policy allows (a wrong URL must not look like a hang)."""
        if self._answered:
            return
        now = self._clock.monotonic()
        if self._unanswered_since is None:
            self._unanswered_since = now
        waited = now - self._unanswered_since
        if waited >= self._policy.unreachable_after:
            self._unreachable = TMDBUnreachableError(
                self._settings.api_url, "TMDB_API_URL", cause, waited
            )
            _log.error("%s", self._unreachable, extra={"url": self._settings.api_url})
            raise self._unreachable

    @property
    def _where(self) -> tuple[str, str]:
        return self._settings.api_url, "TMDB_API_URL"

    async def _send(
        self,
        session: aiohttp.ClientSession,
        credential: Credential,
        path: str,
        params: QueryParams | None,
    ) -> _Answer | _Failure:
        # Exceptions become values here, outside any `except` the caller has: an aiohttp
        # exception carries the URL (with a v3 key) and must not ride along as __context__.
        self._stats.requests += 1
        query = {**(params or {}), **credential.query()}
        _log.debug("GET %s", path, extra={"path": path, "params": redact_query(params or {})})
        try:
            async with session.get(
                self._settings.api_url.rstrip("/") + path,
                params=query,
                headers=credential.headers(),
            ) as response:
                body = await response.read()
                self._stats.bytes_received += len(body)
                return _Answer(
                    response.status,
                    response.headers.get("Retry-After"),
                    body,
                    response.headers.get("Content-Type", ""),
                )
        except (aiohttp.ClientPayloadError, HttpProcessingError) as exc:
            return _Failure(type(exc).__name__, truncated=True)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return _Failure(type(exc).__name__, truncated=False)

    def _judge(
        self, path: str, outcome: _Answer | _Failure, start: RequestStart
    ) -> JSONObject | NotFound | _Retry:
        if isinstance(outcome, _Failure):
            if outcome.truncated:
                self._stats.truncated += 1
            else:
                self._stats.resets += 1
            return _Retry(outcome.cause)
        status = outcome.status
        _log.debug("GET %s -> %d", path, status, extra={"path": path, "status": status})
        if status == 429:
            self._stats.rate_limited += 1
            retry_after = parse_retry_after(outcome.retry_after)
            return _Retry("HTTP 429", rate_limited=True, retry_after=retry_after)
        if status in _SERVER_ERRORS:
            self._stats.server_errors += 1
            return _Retry(f"HTTP {status}")
        self._pacer.succeeded(start)
        if 200 <= status < 300:
            answer = self._decode(path, outcome.body, outcome.content_type)
            if not isinstance(answer, _Retry):
                self._answered = True
                self._stats.answered += 1
            return answer
        self._answered = True  # a 4xx in TMDB's words is an answer: TMDB is there
        if status != 401:
            self._stats.answered += 1
        return self._refusal(path, status, outcome.body)

    def _decode(self, path: str, body: bytes, content_type: str) -> JSONObject | _Retry:
        try:
            answer = json.loads(body)
        except ValueError:  # UnicodeDecodeError included: a body cut short mid-character
            self._stats.truncated += 1
            return _Retry(f"malformed JSON body ({content_type or 'no content type'})")
        except RecursionError:  # whole but nested too deeply for json: a retry gets the same
            answer = None
        if not isinstance(answer, dict):
            raise TMDBAPIError(path, 200, None, "the answer is not a JSON object")
        return answer

    def _refusal(self, path: str, status: int, body: bytes) -> NotFound:
        code, message = _error_details(body)
        # Redact before cutting: a cut could leave part of the key behind.
        message = self._settings.require_credential().redact(message)[:_ERROR_TEXT]
        if status == 404 and code in _NOT_FOUND_CODES:
            self._stats.not_found += 1
            return NotFound(path, code)
        if status == 401:
            self._rejected = AuthenticationError(path, code)
            _log.error(
                "TMDB rejected the credential",
                extra={"path": path, "status": status, "tmdb_code": code},
            )
            raise AuthenticationError(path, code)
        raise TMDBAPIError(path, status, code, message)

    async def _after_rate_limit(
        self, path: str, verdict: _Retry, start: RequestStart, count: int
    ) -> None:
        # Pause first: the other workers must slow down even when this request gives up.
        pause = self._pacer.rate_limited(start, verdict.retry_after, self._policy, self._rng)
        if count >= self._policy.rate_limit_attempts:
            raise RetriesExhaustedError(path, verdict.cause, count, *self._where)
        self._stats.retries += 1
        _log.warning(
            "TMDB answered 429 on %s: every request of the process waits %.1f s",
            path,
            pause,
            extra={"path": path, "status": 429, "attempt": count, "delay": pause},
        )

    async def _after_transient(self, path: str, verdict: _Retry, count: int) -> None:
        self._give_up_if_unreachable(verdict.cause)
        if count >= self._policy.max_attempts:
            raise RetriesExhaustedError(path, verdict.cause, count, *self._where)
        self._stats.retries += 1
        delay = self._policy.transient_delay(count, self._rng)
        _log.warning(
            "TMDB request %s failed (%s), retrying in %.1f s",
            path,
            verdict.cause,
            delay,
            extra={"path": path, "cause": verdict.cause, "attempt": count, "delay": delay},
        )
        await self._clock.sleep(delay)


def _error_details(body: bytes) -> tuple[int | None, str]:
    """TMDB's status_code and status_message, or the 422 ``{"errors": [...]}`` list, or the
    body's text when it is no TMDB envelope (a proxy's HTML page)."""
    text = body.decode("utf-8", "replace").strip() or "(empty body)"
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        return None, text
    if not isinstance(envelope, dict):
        return None, text
    code = envelope.get("status_code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    errors = envelope.get("errors")
    if isinstance(errors, list) and errors:
        return code, "; ".join(str(e) for e in errors)
    message = envelope.get("status_message")
    return code, str(message) if message is not None else text


def _dedupe_appends(appends: Sequence[str]) -> list[str]:
    if isinstance(appends, str):
        raise TypeError("appends is a sequence of names, e.g. ['credits'], not one string")
    for item in appends:
        # A comma would smuggle extra items past the MAX_APPENDS split.
        if not item or "," in item or not item.isascii():
            raise ValueError(f"not an append_to_response item: {item!r}")
    return list(dict.fromkeys(appends))


def _with_appends(params: QueryParams | None, chunk: Sequence[str]) -> QueryParams | None:
    if not chunk:
        return params
    return {**(params or {}), "append_to_response": ",".join(chunk)}
