"""Finding and streaming exports against a small local files host (as files.tmdb.org answers)."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import AsyncIterator
from datetime import date

import pytest
from aiohttp import web

from tmdb_collector.tmdb import ExportNotFoundError, RetriesExhaustedError, RetryPolicy

from .conftest import V3_KEY, FakeClock, make_client, serve

DAY = date(2026, 8, 27)


def _export(lines: list[bytes]) -> bytes:
    return gzip.compress(b"\n".join(lines) + b"\n")


class FilesHost:
    """Serves ``files``; a name in ``missing`` answers ``missing[name]``; ``cut`` first sends
    only part of the file that many times, then the connection dies."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.missing: dict[str, int] = {}
        self.cuts = 0
        self.requests: list[web.Request] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        name = request.match_info["name"]
        if name in self.missing or name not in self.files:
            return web.Response(status=self.missing.get(name, 404), text="<Error>NoSuchKey</Error>")
        body = self.files[name]
        if self.cuts and "Range" not in request.headers:
            self.cuts -= 1
            response = web.StreamResponse(headers={"Content-Length": str(len(body))})
            await response.prepare(request)
            await response.write(body[: len(body) // 2])
            assert request.transport is not None
            request.transport.close()
            return response
        return web.Response(body=body, content_type="application/octet-stream")


@pytest.fixture
async def files() -> AsyncIterator[tuple[FilesHost, str]]:
    host = FilesHost()
    async with serve({"/p/exports/{name}": host.handle}) as url:
        yield host, url


async def test_todays_file_missing_falls_back_to_yesterday(
    files: tuple[FilesHost, str], clock: FakeClock
) -> None:
    host, url = files
    host.files["tv_series_ids_08_26_2026.json.gz"] = _export([b'{"id":1}'])
    host.missing["tv_series_ids_08_27_2026.json.gz"] = 403  # a bucket that denies listing
    async with make_client(url, clock) as client:
        found = await client.find_export("tv", on=DAY)
    assert found.name == "tv_series"
    assert found.date == date(2026, 8, 26)
    assert found.url == f"{url}/p/exports/tv_series_ids_08_26_2026.json.gz"
    for request in host.requests:  # exports are public: never show them the credential
        assert "Authorization" not in request.headers
        assert "api_key" not in request.query
        assert V3_KEY not in str(request.url)


async def test_no_file_on_any_day_names_the_dates(
    files: tuple[FilesHost, str], clock: FakeClock
) -> None:
    _, url = files
    async with make_client(url, clock) as client:
        with pytest.raises(ExportNotFoundError, match="2026-08-27, 2026-08-26, 2026-08-25:"):
            await client.find_export("adult_movie", on=DAY, max_days_back=2)
        with pytest.raises(ExportNotFoundError) as raised:
            await client.find_export("keyword", on=DAY, max_days_back=1)
    assert raised.value.tried == (DAY, date(2026, 8, 26))
    assert "keyword export" in str(raised.value)


async def test_streaming_skips_duplicates_and_reports_malformed_lines(
    files: tuple[FilesHost, str], clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    host, url = files
    lines = [
        json.dumps({"adult": False, "id": i, "original_title": f"t{i}"}).encode()
        for i in range(1, 2001)
    ]
    lines[10] = b'{"id": 5, "original_title": "a duplicate"}'
    lines[20] = b'{"id": 21, "original_title": "cut'
    lines[30] = b'{"original_title": "no id"}'
    lines[40] = b"[41]"
    host.files["movie_ids_08_27_2026.json.gz"] = _export(lines)
    async with make_client(url, clock) as client:
        stream = client.stream_export(client.export_file("movie", DAY))
        ids = [entry.id async for entry in stream]
    assert len(ids) == len(set(ids)) == 1996
    assert ids[:3] == [1, 2, 3]
    report = stream.report
    assert (report.lines, report.entries, report.duplicates, report.malformed) == (2000, 1996, 1, 3)
    assert [(s.line, s.reason) for s in report.samples] == [
        (21, "not valid JSON"),
        (31, "no positive integer id"),
        (41, "not a JSON object"),
    ]
    assert report.samples[0].text == '{"id": 21, "original_title": "cut'
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4  # one per malformed line, and the summary
    assert "3 malformed line(s)" in warnings[-1].getMessage()


async def test_an_interrupted_download_restarts_without_repeats(
    files: tuple[FilesHost, str], clock: FakeClock
) -> None:
    host, url = files
    lines = [json.dumps({"id": i, "name": "x" * 50}).encode() for i in range(1, 20001)]
    host.files["keyword_ids_08_27_2026.json.gz"] = _export(lines)
    host.cuts = 2
    async with make_client(url, clock) as client:
        stream = client.stream_export(client.export_file("keyword", DAY))
        ids = [entry.id async for entry in stream]
        stats = client.stats
    assert ids == list(range(1, 20001))
    assert stream.report.restarts == 2
    assert stream.report.duplicates == 0  # lines read before the cut are skipped, not re-counted
    assert stats.retries == 2
    assert len(clock.sleeps) == 2


async def test_a_download_that_keeps_failing_gives_up(
    files: tuple[FilesHost, str], clock: FakeClock
) -> None:
    host, url = files
    host.files["keyword_ids_08_27_2026.json.gz"] = _export([b'{"id":1}'] * 5000)
    host.cuts = 10
    async with make_client(url, clock, retry=RetryPolicy(max_attempts=3)) as client:
        with pytest.raises(RetriesExhaustedError, match="keyword_ids_08_27_2026") as raised:
            async for _ in client.stream_export(client.export_file("keyword", DAY)):
                pass
    assert raised.value.attempts == 3
    assert raised.value.__context__ is None


async def test_a_deleted_file_is_export_not_found(
    files: tuple[FilesHost, str], clock: FakeClock
) -> None:
    _, url = files
    async with make_client(url, clock) as client:
        with pytest.raises(ExportNotFoundError, match="no person export"):
            async for _ in client.stream_export(client.export_file("person", DAY)):
                pass


async def test_stopping_early_releases_the_download(
    files: tuple[FilesHost, str], clock: FakeClock
) -> None:
    host, url = files
    host.files["movie_ids_08_27_2026.json.gz"] = _export([b'{"id":%d}' % i for i in range(1, 9999)])
    async with make_client(url, clock) as client:
        async with client.stream_export(client.export_file("movie", DAY)) as stream:
            async for entry in stream:
                if entry.id == 3:
                    break
        assert stream.report.entries == 3


def _varied_lines(count: int) -> list[bytes]:
    """Export lines with some of everything a stream must handle: duplicates, malformed lines,
    blank lines, and names with braces (which send a block down the line-by-line path)."""
    lines = [
        json.dumps({"adult": False, "id": i, "name": f"name {i}", "popularity": i / 7}).encode()
        for i in range(1, count + 1)
    ]
    for n in range(0, count, 997):
        lines[n] = b'{"id": 3, "name": "a duplicate"}'
    for n in range(500, count, 1999):
        lines[n] = b'{"id": 21, "name": "cut'
    for n in range(700, count, 2999):
        lines[n] = b""
    for n in range(900, count, 3001):
        lines[n] = json.dumps({"id": n + 1, "name": "{braces} in a name"}).encode()
    return lines


async def test_batches_hand_out_what_entry_by_entry_does(
    files: tuple[FilesHost, str], clock: FakeClock
) -> None:
    host, url = files
    host.files["person_ids_08_27_2026.json.gz"] = _export(_varied_lines(30_000))
    async with make_client(url, clock) as client:
        one_by_one = client.stream_export(client.export_file("person", DAY))
        entries = [entry async for entry in one_by_one]
        by_batches = client.stream_export(client.export_file("person", DAY))
        batches = [batch async for batch in by_batches.batches()]
    assert len(batches) > 20  # a few hundred lines each, not the whole file
    assert all(batches)
    assert [entry for batch in batches for entry in batch] == entries
    assert by_batches.report == one_by_one.report
    report = by_batches.report
    assert (report.lines, report.malformed) == (30_000, 15)
    assert report.entries + report.duplicates + report.malformed + 10 == report.lines  # 10 blank
    assert [sample.reason for sample in report.samples] == ["not valid JSON"] * 10


async def test_batches_restart_an_interrupted_download_without_repeats(
    files: tuple[FilesHost, str], clock: FakeClock
) -> None:
    host, url = files
    lines = [json.dumps({"id": i, "name": "x" * 50}).encode() for i in range(1, 20001)]
    host.files["keyword_ids_08_27_2026.json.gz"] = _export(lines)
    host.cuts = 2
    async with make_client(url, clock) as client:
        stream = client.stream_export(client.export_file("keyword", DAY))
        ids = [entry.id async for batch in stream.batches() for entry in batch]
    assert ids == list(range(1, 20001))
    assert (stream.report.restarts, stream.report.duplicates) == (2, 0)


async def test_a_stream_is_read_one_way_only(
    files: tuple[FilesHost, str], clock: FakeClock
) -> None:
    host, url = files
    host.files["movie_ids_08_27_2026.json.gz"] = _export([b'{"id":%d}' % i for i in range(1, 99)])
    async with (
        make_client(url, clock) as client,
        client.stream_export(client.export_file("movie", DAY)) as stream,
    ):
        assert (await anext(stream)).id == 1
        with pytest.raises(RuntimeError, match="read once"):
            stream.batches()
        assert (await anext(stream)).id == 2


async def test_stopping_batches_early_releases_the_download(
    files: tuple[FilesHost, str], clock: FakeClock
) -> None:
    host, url = files
    lines = [b'{"id":%d,"name":"a keyword"}' % i for i in range(1, 99_999)]
    host.files["keyword_ids_08_27_2026.json.gz"] = _export(lines)
    async with make_client(url, clock) as client:
        async with client.stream_export(client.export_file("keyword", DAY)) as stream:
            async for batch in stream.batches():
                assert batch[0].id == 1
                break
        # The report stops at the end of the one batch handed out.
        assert stream.report.lines == stream.report.entries == len(batch) < 1000
        assert await anext(stream.batches(), None) is None
