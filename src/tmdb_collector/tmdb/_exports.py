"""TMDB's daily id exports: find the newest published file and stream its entries.

Exports live on a CDN (files.tmdb.org) with no rate limit and no authentication: they bypass the
API pacer and never see the credential. Files run to ~80 MB of gzip, so everything streams.
"""

from __future__ import annotations

import json
import logging
import random
import zlib
from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp.http_exceptions import HttpProcessingError

from tmdb_collector.kinds import ADULT_EXPORT_NAMES, EXPORT_NAMES, Kind
from tmdb_collector.tmdb._clock import Clock
from tmdb_collector.tmdb._errors import (
    ExportNotFoundError,
    RetriesExhaustedError,
    TMDBAPIError,
    UnsupportedKindError,
)
from tmdb_collector.tmdb._retry import RetryPolicy
from tmdb_collector.tmdb._seen import SeenIds
from tmdb_collector.tmdb._stats import ClientStats

__all__ = [
    "EXPORT_FILE_NAMES",
    "ExportEntry",
    "ExportFile",
    "ExportReader",
    "ExportReport",
    "ExportStream",
    "MalformedLine",
    "export_file_name",
    "export_name",
]

_log = logging.getLogger("tmdb_collector.tmdb")

#: Every export TMDB publishes: the main ones and the adult-only ones.
EXPORT_FILE_NAMES: frozenset[str] = frozenset(EXPORT_NAMES.values()) | frozenset(
    ADULT_EXPORT_NAMES.values()
)
#: A bucket answers 403 (not 404) for a key that does not exist when listing is denied.
_MISSING = (403, 404)
_TRANSIENT = (429, 500, 502, 503, 504)
_READ_CHUNK = 64 * 1024
_INFLATE_CHUNK = 1024 * 1024
_MAX_LINE = 1024 * 1024
_SAMPLES_KEPT = 10
_SAMPLE_TEXT = 200


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One daily export file: its export name (``movie``, ``adult_person`` ...), day and URL."""

    name: str
    date: date
    url: str


@dataclass(frozen=True, slots=True)
class ExportEntry:
    """One line of an export: its id and the whole decoded object (``id`` included)."""

    id: int
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MalformedLine:
    """A line of an export that was skipped: its number (from 1), why, and its start."""

    line: int
    reason: str
    text: str


@dataclass(slots=True)
class ExportReport:
    """What streaming one export met, filled in as the iteration goes."""

    lines: int = 0
    entries: int = 0
    duplicates: int = 0
    malformed: int = 0
    restarts: int = 0
    samples: list[MalformedLine] = field(default_factory=list)

    def note_malformed(self, line: int, reason: str, raw: bytes) -> None:
        self.malformed += 1
        if len(self.samples) < _SAMPLES_KEPT:
            text = raw[:_SAMPLE_TEXT].decode("utf-8", "replace")
            self.samples.append(MalformedLine(line, reason, text))


def export_name(kind_or_name: Kind | str) -> str:
    """The export name for a kind (``tv`` → ``tv_series``) or an export name itself."""
    if not isinstance(kind_or_name, Kind) and kind_or_name in EXPORT_FILE_NAMES:
        return kind_or_name
    try:
        return EXPORT_NAMES[Kind(kind_or_name)]
    except (ValueError, KeyError):
        known = ", ".join(sorted(EXPORT_FILE_NAMES))
        raise UnsupportedKindError(
            f"TMDB publishes no export for {kind_or_name!r}; exports: {known}"
        ) from None


def export_file_name(name: str, day: date) -> str:
    """``<name>_ids_MM_DD_YYYY.json.gz``, as TMDB names the export of ``day``."""
    return f"{export_name(name)}_ids_{day:%m_%d_%Y}.json.gz"


@dataclass(slots=True)
class _Attempt:
    """How one download attempt ended: ``failure`` is None when the file was read whole."""

    failure: str | None = None
    missing: bool = False


class ExportReader:
    """Finds and streams exports over a session the caller owns (the TMDBClient's)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        timeout: float,
        policy: RetryPolicy,
        clock: Clock,
        rng: random.Random,
        stats: ClientStats,
    ) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        # No total limit: a large file legitimately takes minutes; a stalled read does not.
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)
        self._policy = policy
        self._clock = clock
        self._rng = rng
        self._stats = stats

    def file(self, kind_or_name: Kind | str, day: date) -> ExportFile:
        name = export_name(kind_or_name)
        url = f"{self._base_url}/p/exports/{export_file_name(name, day)}"
        return ExportFile(name, day, url)

    async def find(
        self, kind_or_name: Kind | str, on: date | None = None, max_days_back: int = 3
    ) -> ExportFile:
        """The newest export published on or before ``on`` (default: today, UTC)."""
        day = on or datetime.now(UTC).date()
        tried = []
        for back in range(max(0, max_days_back) + 1):
            candidate = self.file(kind_or_name, day - timedelta(days=back))
            tried.append(candidate.date)
            if await self._exists(candidate):
                return candidate
            _log.info(
                "export %s not published, trying the day before",
                _path(candidate),
                extra={"path": _path(candidate)},
            )
        raise ExportNotFoundError(export_name(kind_or_name), tried)

    def stream(self, file: ExportFile) -> ExportStream:
        return ExportStream(file, self)

    async def _exists(self, file: ExportFile) -> bool:
        failures = 0
        while True:
            status, cause = await self._probe(file)
            if status in (200, 206):
                return True
            if status in _MISSING:
                return False
            if status is not None and status not in _TRANSIENT:
                raise TMDBAPIError(_path(file), status, None, "unexpected answer from exports host")
            failures += 1
            if failures >= self._policy.max_attempts:
                raise RetriesExhaustedError(_path(file), cause, failures)
            await self._back_off(file, cause, failures)

    async def _probe(self, file: ExportFile) -> tuple[int | None, str]:
        # A one-byte ranged GET rather than HEAD: CDNs and buckets answer both alike, and a
        # server that ignores Range only costs the start of a body we never read.
        self._stats.requests += 1
        try:
            async with self._session.get(
                file.url,
                timeout=self._timeout,
                headers={"Range": "bytes=0-0", "Accept-Encoding": "identity"},
                auto_decompress=False,
            ) as response:
                return response.status, f"HTTP {response.status}"
        except (aiohttp.ClientError, HttpProcessingError, TimeoutError) as exc:
            self._stats.resets += 1
            return None, type(exc).__name__

    async def _back_off(self, file: ExportFile, cause: str, failures: int) -> None:
        delay = self._policy.transient_delay(failures, self._rng)
        self._stats.retries += 1
        _log.warning(
            "export %s failed (%s), retrying in %.1f s",
            _path(file),
            cause,
            delay,
            extra={"path": _path(file), "cause": cause, "attempt": failures, "delay": delay},
        )
        await self._clock.sleep(delay)

    async def entries(
        self, file: ExportFile, report: ExportReport
    ) -> AsyncGenerator[ExportEntry, None]:
        """Every first occurrence of an id, in file order; an interrupted download restarts from
        the beginning and skips the lines already handled."""
        seen = SeenIds()
        failures = 0
        while True:
            attempt = _Attempt()
            async with aclosing(self._lines(file, attempt)) as lines:
                async for number, line in lines:
                    if number <= report.lines:  # handled before the download restarted
                        continue
                    report.lines = number
                    entry = _parse_line(number, line, seen, report)
                    if entry is not None:
                        yield entry
            if attempt.failure is None:
                _log_report(file, report)
                return
            if attempt.missing:
                raise ExportNotFoundError(file.name, [file.date])
            failures += 1
            if failures >= self._policy.max_attempts:
                raise RetriesExhaustedError(_path(file), attempt.failure, failures)
            report.restarts += 1
            await self._back_off(file, attempt.failure, failures)

    async def _lines(
        self, file: ExportFile, attempt: _Attempt
    ) -> AsyncGenerator[tuple[int, bytes | None], None]:
        # Failures are recorded, never raised: an aiohttp exception would carry the URL along.
        lines = _GzipLines()
        number = 0
        self._stats.requests += 1
        try:
            async with self._session.get(
                file.url,
                timeout=self._timeout,
                headers={"Accept-Encoding": "identity"},  # the file is gzip already
                auto_decompress=False,
            ) as response:
                if response.status != 200:
                    attempt.failure = f"HTTP {response.status}"
                    attempt.missing = response.status in _MISSING
                    return
                async for chunk in response.content.iter_chunked(_READ_CHUNK):
                    self._stats.bytes_received += len(chunk)
                    for line in lines.feed(chunk):
                        number += 1
                        yield number, line
            for line in lines.finish():
                number += 1
                yield number, line
        except (aiohttp.ClientError, HttpProcessingError, TimeoutError) as exc:
            self._stats.resets += 1
            attempt.failure = type(exc).__name__
        except _TruncatedGzipError as exc:
            self._stats.truncated += 1
            attempt.failure = str(exc)


class ExportStream:
    """Async iterator over an export's entries; ``report`` tells what iteration met so far.

    Use ``async with`` (or ``aclose()``) when stopping early, so the download is released.
    """

    def __init__(self, file: ExportFile, reader: ExportReader) -> None:
        self.file = file
        self.report = ExportReport()
        self._reader = reader
        self._entries: AsyncGenerator[ExportEntry, None] | None = None

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ExportEntry:
        if self._entries is None:
            self._entries = self._reader.entries(self.file, self.report)
        return await anext(self._entries)

    async def aclose(self) -> None:
        if self._entries is not None:
            await self._entries.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class _TruncatedGzipError(Exception):
    pass


class _GzipLines:
    """Incremental gunzip and line split, holding at most one inflate chunk and one line.

    A line longer than ``_MAX_LINE`` comes out as None (malformed) instead of growing memory.
    """

    def __init__(self) -> None:
        self._inflate = zlib.decompressobj(wbits=31)
        self._buffer = bytearray()
        self._overlong = False

    def feed(self, data: bytes) -> Iterator[bytes | None]:
        while data:
            try:
                text = self._inflate.decompress(data, _INFLATE_CHUNK)
            except zlib.error:
                raise _TruncatedGzipError("corrupt gzip data") from None
            data = self._inflate.unconsumed_tail
            if self._inflate.eof and self._inflate.unused_data:
                # gzip allows concatenated members; each needs a fresh decompressor.
                data = self._inflate.unused_data + data
                self._inflate = zlib.decompressobj(wbits=31)
            yield from self._split(text)

    def finish(self) -> Iterator[bytes | None]:
        if not self._inflate.eof:
            raise _TruncatedGzipError("truncated gzip data")
        if self._buffer or self._overlong:
            yield None if self._overlong else bytes(self._buffer)
        self._buffer.clear()

    def _split(self, text: bytes) -> Iterator[bytes | None]:
        start = 0
        while (end := text.find(b"\n", start)) >= 0:
            self._buffer += text[start:end]
            yield None if self._overlong else bytes(self._buffer)
            self._buffer.clear()
            self._overlong = False
            start = end + 1
        self._buffer += text[start:]
        if len(self._buffer) > _MAX_LINE:
            self._buffer.clear()
            self._overlong = True


def _parse_line(
    number: int, line: bytes | None, seen: SeenIds, report: ExportReport
) -> ExportEntry | None:
    if line is not None and not line.strip():
        return None
    decoded = _decode_line(line)
    if isinstance(decoded, str):
        _malformed(report, number, decoded, line or b"")
        return None
    if not seen.add(decoded.id):
        report.duplicates += 1
        return None
    report.entries += 1
    return decoded


def _decode_line(line: bytes | None) -> ExportEntry | str:
    """The line's entry, or why it is malformed."""
    if line is None:
        return f"line longer than {_MAX_LINE} bytes"
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than json can follow
        return "not valid JSON"
    if not isinstance(obj, dict):
        return "not a JSON object"
    id_ = obj.get("id")
    if not isinstance(id_, int) or isinstance(id_, bool) or id_ <= 0:
        return "no positive integer id"
    return ExportEntry(id_, obj)


def _malformed(report: ExportReport, number: int, reason: str, raw: bytes) -> None:
    report.note_malformed(number, reason, raw)
    if report.malformed <= _SAMPLES_KEPT:  # the first few tell the story; the rest are counted
        _log.warning(
            "export line %d skipped: %s",
            number,
            reason,
            extra={"line": number, "reason": reason},
        )


def _log_report(file: ExportFile, report: ExportReport) -> None:
    fields = {
        "path": _path(file),
        "lines": report.lines,
        "entries": report.entries,
        "duplicates": report.duplicates,
        "malformed": report.malformed,
        "restarts": report.restarts,
    }
    if report.malformed:
        first = report.samples[0]
        _log.warning(
            "export %s: %d malformed line(s) skipped, first at line %d (%s)",
            _path(file),
            report.malformed,
            first.line,
            first.reason,
            extra=fields,
        )
    else:
        _log.info("export %s read: %d entries", _path(file), report.entries, extra=fields)


def _path(file: ExportFile) -> str:
    return f"/p/exports/{export_file_name(file.name, file.date)}"
