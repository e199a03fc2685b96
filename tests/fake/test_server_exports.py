"""Daily id exports (files.tmdb.org): names, publication dates, gzip streaming, test overrides."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date, timedelta

import aiohttp
import pytest

from tmdb_collector.fake import ExportFile, FakeSettings, FakeTMDB, JSONObject

from .catalogs import RecordlessCatalog


def export_url(fake: FakeTMDB, name: str, day: date) -> str:
    return f"{fake.url}/p/exports/{ExportFile(name, day).file_name}"


async def fetch(session: aiohttp.ClientSession, url: str) -> tuple[int, bytes]:
    # No credentials: files.tmdb.org needs none.
    async with session.get(url) as response:
        return response.status, await response.read()


def lines_of(body: bytes) -> list[JSONObject]:
    return [json.loads(line) for line in gzip.decompress(body).splitlines()]


async def test_exports_list_the_fixture_ids_in_tmdb_line_format(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    today = fixture_fake.today()
    async with http_session.get(export_url(fixture_fake, "movie", today)) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert "Content-Encoding" not in response.headers  # a .gz file, not a compressed answer
        body = await response.read()
    assert gzip.decompress(body) == (
        b'{"adult":false,"id":550,"original_title":"Fight Club","popularity":24.1745,'
        b'"video":false}\n'
    )
    expected = {
        "tv_series": [{"id": 1399, "original_name": "Game of Thrones", "popularity": 123.003}],
        "person": [
            {"adult": False, "id": 287, "name": "Brad Pitt", "popularity": 42.404},
            {"adult": False, "id": 31, "name": "Tom Hanks", "popularity": 82.989},
        ],
        "collection": [
            {"id": 10, "name": "Star Wars Collection"},
            {"id": 8091, "name": "Alien Collection"},
        ],
        "tv_network": [{"id": 49, "name": "HBO"}],
        "keyword": [{"id": 1701, "name": "hero"}],
        "production_company": [{"id": 1, "name": "Lucasfilm Ltd."}],
        "adult_movie": [],
        "adult_tv_series": [],
        "adult_person": [],
    }
    for name, lines in expected.items():
        status, body = await fetch(http_session, export_url(fixture_fake, name, today))
        assert status == 200, name
        assert lines_of(body) == lines, name


async def test_exports_are_published_for_ninety_days_up_to_today(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    today = fixture_fake.today()
    for age, status in ((-1, 404), (0, 200), (1, 200), (90, 200), (91, 404)):
        url = export_url(fixture_fake, "keyword", today - timedelta(days=age))
        assert (await fetch(http_session, url))[0] == status, age
    fixture_fake.settings.publish_today = False
    # Before today's publication, clients must fall back to yesterday's file.
    assert (await fetch(http_session, export_url(fixture_fake, "keyword", today)))[0] == 404
    yesterday = today - timedelta(days=1)
    assert (await fetch(http_session, export_url(fixture_fake, "keyword", yesterday)))[0] == 200


@pytest.mark.parametrize(
    "file_name",
    [
        "genre_ids_08_27_2026.json.gz",
        "movie_ids_13_01_2026.json.gz",
        "movie_ids_08_27_2026.json",
        "movie_ids_2026_08_27.json.gz",
    ],
)
async def test_unknown_export_files_are_404(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession, file_name: str
) -> None:
    async with http_session.get(f"{fixture_fake.url}/p/exports/{file_name}") as response:
        assert response.status == 404
        assert (await response.json())["status_code"] == 34


async def test_exact_bytes_can_replace_an_export_file(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    today = fixture_fake.today()
    broken = gzip.compress(b'{"id":1,"name":"a"}\n{"id":1,"name":"a"}\n{"id":\n')
    name = ExportFile("keyword", today).file_name
    fixture_fake.set_export_file(name, broken)
    assert await fetch(http_session, export_url(fixture_fake, "keyword", today)) == (200, broken)
    # Also through the admin API, and for a date the catalog would not publish.
    future = ExportFile("movie", today + timedelta(days=5)).file_name
    async with http_session.put(f"{fixture_fake.url}/_fake/exports/{future}", data=b"xyz") as r:
        assert r.status == 200
    assert await fetch(http_session, f"{fixture_fake.url}/p/exports/{future}") == (200, b"xyz")
    async with http_session.delete(f"{fixture_fake.url}/_fake/exports/{future}") as r:
        assert r.status == 200
    assert (await fetch(http_session, f"{fixture_fake.url}/p/exports/{future}"))[0] == 404
    fixture_fake.clear_export_file(name)
    body = (await fetch(http_session, export_url(fixture_fake, "keyword", today)))[1]
    assert lines_of(body) == [{"id": 1701, "name": "hero"}]


class BigExportCatalog(RecordlessCatalog):
    """Only exports, big enough to need many chunks, and counting how far it was read."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines = lines
        self.produced = 0

    def export_lines(self, export_name: str, day: int) -> Iterator[bytes]:
        for n in range(self.lines):
            self.produced += 1
            yield b'{"id":%d,"name":"keyword %d with some padding text"}' % (n, day)


async def test_exports_are_streamed_chunk_by_chunk(http_session: aiohttp.ClientSession) -> None:
    catalog = BigExportCatalog(lines=60_000)
    today = date(2026, 8, 27)
    async with FakeTMDB(catalog, FakeSettings(), today=lambda: today).run() as fake:
        url = export_url(fake, "keyword", today - timedelta(days=2))
        async with http_session.get(url) as response:
            assert response.headers["Transfer-Encoding"] == "chunked"
            first = await response.content.read(1024)
            # The first chunk left before the catalog was read to the end: the server yields to
            # the event loop (and so to this client) after every compressed batch.
            assert catalog.produced < catalog.lines
            rest = await response.read()
    lines = gzip.decompress(first + rest).splitlines()
    assert len(lines) == 60_000
    # Two days ago is catalog day -2: dates map to days relative to today.
    assert json.loads(lines[-1]) == {"id": 59_999, "name": "keyword -2 with some padding text"}


async def test_a_one_byte_range_probe_generates_only_the_start_of_the_file(
    http_session: aiohttp.ClientSession,
) -> None:
    catalog = BigExportCatalog(lines=500_000)
    async with FakeTMDB(catalog, FakeSettings()).run() as fake:
        url = export_url(fake, "keyword", fake.today())
        async with http_session.get(url, headers={"Range": "bytes=0-0"}) as response:
            assert response.status == 206
            assert response.headers["Content-Range"] == "bytes 0-0/*"
            assert await response.read() == b"\x1f"  # the first byte of a gzip header
        assert catalog.produced < 10_000
        async with http_session.head(url) as response:
            assert response.status == 200
            assert await response.read() == b""
        assert catalog.produced < 10_000
        # The connection is still usable after HEAD: no stray body was written into it.
        status, body = await fetch(http_session, url)
    assert status == 200
    assert len(gzip.decompress(body).splitlines()) == 500_000


async def test_ranges_of_an_overridden_file_are_exact(
    fixture_fake: FakeTMDB, http_session: aiohttp.ClientSession
) -> None:
    name = ExportFile("movie", fixture_fake.today()).file_name
    fixture_fake.set_export_file(name, b"0123456789")
    url = f"{fixture_fake.url}/p/exports/{name}"
    async with http_session.get(url, headers={"Range": "bytes=2-4"}) as response:
        assert response.status == 206
        assert response.headers["Content-Range"] == "bytes 2-4/10"
        assert await response.read() == b"234"
    async with http_session.get(url, headers={"Range": "bytes=20-30"}) as response:
        assert response.status == 416
