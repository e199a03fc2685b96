"""The daily id exports of files.tmdb.org: file names, publication dates and streamed gzip."""

from __future__ import annotations

import asyncio
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from aiohttp import web

from tmdb_collector.kinds import ADULT_EXPORT_NAMES, EXPORT_NAMES, Kind

__all__ = [
    "EXPORTS_LARGEST_FIRST",
    "EXPORT_CONTENT_TYPE",
    "EXPORT_FIELDS",
    "KIND_OF_EXPORT",
    "PUBLISHED_DAYS",
    "ExportFile",
    "gzip_chunks",
    "gzip_lines",
    "send_export",
]

#: files.tmdb.org serves the .json.gz files as opaque bytes, without a Content-Encoding.
EXPORT_CONTENT_TYPE = "application/octet-stream"
#: TMDB deletes each file after about three months.
PUBLISHED_DAYS = 90
#: Every export, largest first (by TMDB's own file sizes): warming a cache starts the longest
#: generation first rather than last.
EXPORTS_LARGEST_FIRST: tuple[str, ...] = (
    "person",
    "movie",
    "tv_series",
    "production_company",
    "keyword",
    "collection",
    "tv_network",
    "adult_person",
    "adult_movie",
    "adult_tv_series",
)

_ALL_NAMES = frozenset(EXPORT_NAMES.values()) | frozenset(ADULT_EXPORT_NAMES.values())
_FILE_NAME = re.compile(
    r"(?P<name>[a-z_]+)_ids_(?P<month>[0-9]{2})_(?P<day>[0-9]{2})_(?P<year>[0-9]{4})\.json\.gz"
)
# About 64 KiB of JSON lines per compressed write: large enough to compress well, small enough
# to give other requests a turn on the event loop between writes.
_BATCH_BYTES = 64 * 1024
_RANGE = re.compile(r"bytes=(?P<first>[0-9]{1,12})-(?P<last>[0-9]{1,12})")
_MAX_RANGE = 16 * 1024 * 1024


#: The fields of each kind's export lines, as files.tmdb.org writes them (the fake's fixture
#: catalog and ``serve`` write the same).
EXPORT_FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.MOVIE: ("adult", "id", "original_title", "popularity", "video"),
    Kind.TV: ("id", "original_name", "popularity"),
    Kind.PERSON: ("adult", "id", "name", "popularity"),
    Kind.COLLECTION: ("id", "name"),
    Kind.NETWORK: ("id", "name"),
    Kind.KEYWORD: ("id", "name"),
    Kind.COMPANY: ("id", "name"),
}

#: Each export's kind, and whether it is the adult one.
KIND_OF_EXPORT: dict[str, tuple[Kind, bool]] = {
    **{name: (kind, False) for kind, name in EXPORT_NAMES.items()},
    **{name: (kind, True) for kind, name in ADULT_EXPORT_NAMES.items()},
}


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One daily export file, e.g. ``movie_ids_08_27_2026.json.gz``."""

    name: str
    published_on: date

    @property
    def file_name(self) -> str:
        return f"{self.name}_ids_{self.published_on:%m_%d_%Y}.json.gz"

    @classmethod
    def parse(cls, file_name: str) -> ExportFile | None:
        """The export a file name denotes, or None if TMDB publishes no such file."""
        match = _FILE_NAME.fullmatch(file_name)
        if match is None or match["name"] not in _ALL_NAMES:
            return None
        try:
            day = date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            return None
        return cls(match["name"], day)

    def is_published(self, today: date, publish_today: bool) -> bool:
        """From 90 days ago up to yesterday; today's only once published; never the future."""
        age = today - self.published_on
        if age < timedelta(0) or age > timedelta(days=PUBLISHED_DAYS):
            return False
        return publish_today or age > timedelta(0)


async def send_export(
    request: web.Request, source: bytes | Path | Iterable[bytes]
) -> web.StreamResponse:
    """Answer as files.tmdb.org does: the whole gzip file, headers only for HEAD, or the bytes a
    ``Range: bytes=A-B`` asks for (206) — clients probe with a one-byte range, and generating a
    real-scale file for that would cost seconds. ``source`` is the file's bytes, a file holding
    them (served like any static file: sendfile, Content-Length, every single-range form), or
    the lines to compress as they go."""
    headers = {"Content-Type": EXPORT_CONTENT_TYPE, "Accept-Ranges": "bytes"}
    if isinstance(source, Path):
        return web.FileResponse(source, headers=headers)
    wanted = _byte_range(request.headers.get("Range"))
    if request.method == "HEAD":
        return await _headers_only(request, headers)
    if wanted is not None:
        return _partial(source, *wanted, headers)
    if isinstance(source, bytes):
        return web.Response(body=source, headers=headers)
    return await stream_export(request, source, headers)


async def stream_export(
    request: web.Request, lines: Iterable[bytes], headers: dict[str, str]
) -> web.StreamResponse:
    """Send ``lines`` as a gzip file of JSON lines, compressed as they come: a real-scale export
    (millions of lines) never sits in memory, neither raw nor compressed."""
    response = web.StreamResponse(headers=headers)
    response.enable_chunked_encoding()
    await response.prepare(request)
    for chunk in gzip_chunks(lines):
        await response.write(chunk)
        await asyncio.sleep(0)  # let other requests have the loop between chunks
    await response.write_eof()
    return response


def gzip_chunks(lines: Iterable[bytes]) -> Iterator[bytes]:
    """The gzip file of ``lines`` (one JSON object each), in pieces of about 64 KiB of input."""
    gzip = zlib.compressobj(level=6, wbits=31)  # wbits 31: a gzip header and trailer
    batch: list[bytes] = []
    size = 0
    for line in lines:
        batch.append(line)
        batch.append(b"\n")
        size += len(line) + 1
        if size >= _BATCH_BYTES:
            chunk = gzip.compress(b"".join(batch))
            if chunk:
                yield chunk
            batch.clear()
            size = 0
    yield gzip.compress(b"".join(batch)) + gzip.flush()


def gzip_lines(lines: Iterable[bytes]) -> bytes:
    """A whole export file in memory: only for small, test-sized exports."""
    return b"".join(gzip_chunks(lines))


def _byte_range(header: str | None) -> tuple[int, int] | None:
    """``bytes=A-B`` as (A, B); any other form (suffix, open, several ranges, too large) is
    answered with the whole file, which HTTP allows."""
    match = _RANGE.fullmatch(header or "")
    if match is None:
        return None
    first, last = int(match["first"]), int(match["last"])
    return (first, last) if first <= last and last - first < _MAX_RANGE else None


def _partial(
    source: bytes | Iterable[bytes], first: int, last: int, headers: dict[str, str]
) -> web.Response:
    chunks = [source] if isinstance(source, bytes) else gzip_chunks(source)
    collected = bytearray()
    for chunk in chunks:  # generate only as far as the range reaches
        collected += chunk
        if len(collected) > last:
            break
    part = bytes(collected[first : last + 1])
    if not part:
        return web.Response(status=416, headers={"Content-Range": f"bytes */{len(collected)}"})
    # The total length of a file still being generated is unknown: "*" says so.
    total = str(len(source)) if isinstance(source, bytes) else "*"
    content_range = f"bytes {first}-{first + len(part) - 1}/{total}"
    return web.Response(status=206, body=part, headers={**headers, "Content-Range": content_range})


async def _headers_only(request: web.Request, headers: dict[str, str]) -> web.StreamResponse:
    response = web.StreamResponse(headers=headers)
    response.enable_chunked_encoding()
    await response.prepare(request)
    await response.write_eof()
    return response
