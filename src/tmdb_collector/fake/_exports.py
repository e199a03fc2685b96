"""The daily id exports of files.tmdb.org: file names, publication dates and streamed gzip."""

from __future__ import annotations

import asyncio
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from aiohttp import web

from tmdb_collector.kinds import ADULT_EXPORT_NAMES, EXPORT_NAMES

__all__ = ["EXPORT_CONTENT_TYPE", "PUBLISHED_DAYS", "ExportFile", "gzip_lines", "stream_export"]

#: files.tmdb.org serves the .json.gz files as opaque bytes, without a Content-Encoding.
EXPORT_CONTENT_TYPE = "application/octet-stream"
#: TMDB deletes each file after about three months.
PUBLISHED_DAYS = 90

_ALL_NAMES = frozenset(EXPORT_NAMES.values()) | frozenset(ADULT_EXPORT_NAMES.values())
_FILE_NAME = re.compile(
    r"(?P<name>[a-z_]+)_ids_(?P<month>[0-9]{2})_(?P<day>[0-9]{2})_(?P<year>[0-9]{4})\.json\.gz"
)
# About 64 KiB of JSON lines per compressed write: large enough to compress well, small enough
# to give other requests a turn on the event loop between writes.
_BATCH_BYTES = 64 * 1024


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


async def stream_export(request: web.Request, lines: Iterable[bytes]) -> web.StreamResponse:
    """Send ``lines`` as a gzip file of JSON lines, compressed as they come: a real-scale export
    (millions of lines) never sits in memory, neither raw nor compressed."""
    response = web.StreamResponse(headers={"Content-Type": EXPORT_CONTENT_TYPE})
    response.enable_chunked_encoding()
    await response.prepare(request)
    gzip = zlib.compressobj(level=6, wbits=31)  # wbits 31: a gzip header and trailer
    batch: list[bytes] = []
    size = 0
    for line in lines:
        batch.append(line)
        batch.append(b"\n")
        size += len(line) + 1
        if size >= _BATCH_BYTES:
            await _write(response, gzip.compress(b"".join(batch)))
            batch.clear()
            size = 0
            await asyncio.sleep(0)
    await _write(response, gzip.compress(b"".join(batch)) + gzip.flush())
    await response.write_eof()
    return response


def gzip_lines(lines: Iterable[bytes]) -> bytes:
    """A whole export file in memory: only for small, test-sized exports."""
    gzip = zlib.compressobj(level=6, wbits=31)
    parts = [gzip.compress(line + b"\n") for line in lines]
    return b"".join([*parts, gzip.flush()])


async def _write(response: web.StreamResponse, data: bytes) -> None:
    if data:
        await response.write(data)
