"""TMDB's daily id exports: find the newest published file and stream its entries.

Exports live on a CDN (files.tmdb.org) with no rate limit and no authentication: they bypass the
API pacer and never see the credential. Files run to ~80 MB of gzip and millions of lines, so
everything streams, and lines are decoded a block at a time (one ``json.loads`` for a few
hundred of them) rather than one by one.
"""

from __future__ import annotations

import json
import logging
import random
import sys
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
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
# Text gunzipped per step, whose whole lines make one batch (~200 lines). Small on purpose: a
# batch dropped before Python's cyclic GC moves its thousands of objects to the oldest
# generation saves the full collections that would otherwise cost ~10 % of the time per line.
_BLOCK_TEXT = 16 * 1024
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
                raise TMDBAPIError(
                    _path(file),
                    status,
                    None,
                    f"unexpected answer from the exports host {self._base_url} (TMDB_EXPORTS_URL)",
                )
            failures += 1
            if failures >= self._policy.max_attempts:
                raise RetriesExhaustedError(
                    _path(file), cause, failures, self._base_url, "TMDB_EXPORTS_URL"
                )
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

    async def batches(
        self, file: ExportFile, report: ExportReport, *, per_entry: bool = False
    ) -> AsyncGenerator[list[ExportEntry], None]:
        """Every first occurrence of an id, in file order, in lists: the entries of a few hundred
        lines each (``per_entry``: of one line, with ``report`` counting no further than the
        entry handed out). An interrupted download restarts from the beginning and skips the
        lines already handled."""
        seen = SeenIds()
        limit = 1 if per_entry else sys.maxsize
        failures = 0
        while True:
            attempt = _Attempt()
            number = 0  # lines of this attempt so far
            async with aclosing(self._blocks(file, attempt)) as blocks:
                async for raw in blocks:
                    count = 1 if raw is None else raw.count(b"\n")
                    number += count
                    if number <= report.lines:  # handled before the download restarted
                        continue
                    block = _Block(number - count + 1, raw, count, start=report.lines + 1)
                    while not block.done:
                        batch = block.take(limit, seen, report)
                        if batch:
                            yield batch
            if attempt.failure is None:
                _log_report(file, report)
                return
            if attempt.missing:
                raise ExportNotFoundError(file.name, [file.date])
            failures += 1
            if failures >= self._policy.max_attempts:
                raise RetriesExhaustedError(
                    _path(file), attempt.failure, failures, self._base_url, "TMDB_EXPORTS_URL"
                )
            report.restarts += 1
            await self._back_off(file, attempt.failure, failures)

    async def _blocks(
        self, file: ExportFile, attempt: _Attempt
    ) -> AsyncGenerator[bytes | None, None]:
        """The file's lines, downloaded and gunzipped as ``_GzipLines`` blocks."""
        # Failures are recorded, never raised: an aiohttp exception would carry the URL along.
        lines = _GzipLines()
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
                    for block in lines.feed(chunk):
                        yield block
            for block in lines.finish():
                yield block
        except (aiohttp.ClientError, HttpProcessingError, TimeoutError) as exc:
            self._stats.resets += 1
            attempt.failure = type(exc).__name__
        except _TruncatedGzipError as exc:
            self._stats.truncated += 1
            attempt.failure = str(exc)


class ExportStream:
    """An export's entries: iterate the stream for one entry at a time, or ``batches()`` for
    lists of them; ``report`` tells what iteration met so far.

    A stream is read once, one way or the other. Use ``async with`` (or ``aclose()``) when
    stopping early, so the download is released.
    """

    def __init__(self, file: ExportFile, reader: ExportReader) -> None:
        self.file = file
        self.report = ExportReport()
        self._reader = reader
        self._batches: AsyncGenerator[list[ExportEntry], None] | None = None
        self._per_entry = False
        self._current: Iterator[ExportEntry] = iter(())

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ExportEntry:
        batches = self._read(per_entry=True)
        while True:
            entry = next(self._current, None)
            if entry is not None:
                return entry
            self._current = iter(await anext(batches))

    def batches(self) -> AsyncIterator[list[ExportEntry]]:
        """The entries in lists, in file order, each list those of a few hundred lines: the same
        deduplication, report and restarts as entry by entry, at a fraction of the cost per
        entry. ``report`` counts up to the end of the last list handed out."""
        return self._read(per_entry=False)

    def _read(self, *, per_entry: bool) -> AsyncGenerator[list[ExportEntry], None]:
        if self._batches is None:
            self._batches = self._reader.batches(self.file, self.report, per_entry=per_entry)
            self._per_entry = per_entry
        elif self._per_entry != per_entry:
            raise RuntimeError("an ExportStream is read once: entry by entry or by batches()")
        return self._batches

    async def aclose(self) -> None:
        if self._batches is not None:
            await self._batches.aclose()

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
    """Incremental gunzip and line split, holding at most one block of text and one line.

    Out come blocks: the whole lines (each ending in a newline) that ``_BLOCK_TEXT`` more bytes of
    text complete. A line longer than ``_MAX_LINE`` comes out as None (malformed) instead of
    growing memory.
    """

    def __init__(self) -> None:
        self._inflate = zlib.decompressobj(wbits=31)
        self._buffer = bytearray()  # the start of a line the next chunk completes
        self._overlong = False

    def feed(self, data: bytes) -> Iterator[bytes | None]:
        while data:
            try:
                text = self._inflate.decompress(data, _BLOCK_TEXT)
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
            yield None if self._overlong else bytes(self._buffer) + b"\n"
        self._buffer.clear()

    def _split(self, text: bytes) -> Iterator[bytes | None]:
        end = text.rfind(b"\n") + 1
        if end:
            if self._overlong:
                yield None
                whole = text[text.find(b"\n") + 1 : end]
            else:
                whole = bytes(self._buffer) + text[:end] if self._buffer else text[:end]
            if whole:
                yield whole
            self._buffer.clear()
            self._overlong = False
        self._buffer += text[end:]
        if len(self._buffer) > _MAX_LINE:
            self._buffer.clear()
            self._overlong = True


class _Unreadable:
    """Stands for a line that holds no JSON value, and says why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


# ExportEntry(id, fields) spends most of its time in the frozen dataclass's __init__, which sets
# each field through object.__setattr__. Setting the slots directly makes the same object in half
# the time, and the hot loop of _Block.take makes one for each of millions of lines.
_new_entry = object.__new__
_set_entry_id = ExportEntry.__dict__["id"].__set__
_set_entry_fields = ExportEntry.__dict__["fields"].__set__
_BLANK = _Unreadable("")  # a blank line: skipped, and not malformed
_NOT_JSON = _Unreadable("not valid JSON")
_OVERLONG = _Unreadable(f"line longer than {_MAX_LINE} bytes")
_NOT_OBJECT = "not a JSON object"
_NO_ID = "no positive integer id"


class _Block:
    """Whole lines of an export, decoded together; ``take`` hands out their entries in order.

    ``first`` is the number of the block's first line, ``count`` how many it has (one, for
    ``raw`` None: an overlong line); lines before ``start`` were handled before the download
    restarted and are skipped.
    """

    __slots__ = ("_lines", "first", "next", "raw", "values")

    def __init__(self, first: int, raw: bytes | None, count: int, start: int) -> None:
        self.first = first
        self.raw = raw
        self.values = _decode_block(raw, count)
        self.next = max(0, start - first)
        self._lines: list[bytes] | None = None

    @property
    def done(self) -> bool:
        return self.next >= len(self.values)

    def take(self, limit: int, seen: SeenIds, report: ExportReport) -> list[ExportEntry]:
        """The entries of the next lines, up to ``limit`` of them, counted into ``report``:
        each first occurrence of an id; duplicates and malformed lines are counted and skipped.
        """
        # Hot loop: it runs for each of the millions of lines of an export.
        entries: list[ExportEntry] = []
        append = entries.append
        add = seen.add
        duplicates = 0
        index = self.next - 1  # the last line handled
        for index, value in enumerate(self.values[self.next :], self.next):
            if type(value) is dict:
                id_ = value.get("id")
                # json makes exact ints and bools; isinstance would let True through as 1.
                if type(id_) is int and id_ > 0:
                    if add(id_):
                        entry = _new_entry(ExportEntry)
                        _set_entry_id(entry, id_)
                        _set_entry_fields(entry, value)
                        append(entry)
                        if len(entries) >= limit:
                            break
                    else:
                        duplicates += 1
                    continue
                reason = _NO_ID
            elif value is _BLANK:
                continue
            elif isinstance(value, _Unreadable):
                reason = value.reason
            else:
                reason = _NOT_OBJECT
            _malformed(report, self.first + index, reason, self._line(index))
        self.next = index + 1
        report.lines = self.first + index
        report.entries += len(entries)
        report.duplicates += duplicates
        return entries

    def _line(self, index: int) -> bytes:
        if self.raw is None:
            return b""
        if self._lines is None:
            self._lines = self.raw.split(b"\n")
        return self._lines[index]


def _decode_block(raw: bytes | None, count: int) -> list[object]:
    """Each of the ``count`` lines' JSON value, or an ``_Unreadable`` saying why it has none."""
    if raw is None:
        return [_OVERLONG]
    values = _decode_objects(raw, count)
    if values is not None:
        return values
    return [_decode_line(line) for line in raw.split(b"\n")[:-1]]


def _decode_objects(raw: bytes, count: int) -> list[object] | None:
    """Every line's object in one ``json.loads``, which costs far less than one call a line;
    None unless each line is exactly one JSON object.

    Joined as one array, lines could pair up into a value neither holds alone (``{"id":1,"x":[``
    and ``2]}``). They cannot when each line starts with ``{``, ends with ``}``, holds no other
    ``{``, and the joints contain a newline, which no JSON string may: then the k-th ``{`` opens
    the k-th line's object, the only ``{`` before that line's last ``}``, which closes it.
    """
    if not (
        raw.startswith(b"{")
        and raw.endswith(b"}\n")
        and raw.count(b"}\n{") == count - 1
        and raw.count(b"{") == count
    ):
        return None
    try:
        values: list[object] = json.loads(b"[" + raw[:-1].replace(b"\n", b",\n") + b"]")
    except (ValueError, RecursionError):
        return None  # some line is malformed: find out which, line by line
    return values if len(values) == count else None


def _decode_line(line: bytes) -> object:
    if not line.strip():
        return _BLANK
    try:
        return json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than json can follow
        return _NOT_JSON


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
