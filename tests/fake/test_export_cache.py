"""The export cache: each export file generated once, off the event loop, then served from disk."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import threading
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import aiohttp
import pytest

from tmdb_collector.fake import (
    Catalog,
    ExportCacheError,
    ExportFile,
    FakeSettings,
    FakeTMDB,
    FixtureCatalog,
    start_fake_process,
)
from tmdb_collector.fake.synthetic import EXPORT_FORMAT, SyntheticCatalog
from tmdb_collector.kinds import ADULT_EXPORT_NAMES, EXPORT_NAMES, Kind

from .catalogs import RecordlessCatalog

TODAY = date(2026, 8, 27)
EVERY_EXPORT = sorted([*EXPORT_NAMES.values(), *ADULT_EXPORT_NAMES.values()])
COUNTS = {
    Kind.MOVIE: 3000,
    Kind.TV: 500,
    Kind.PERSON: 5000,
    Kind.COLLECTION: 40,
    Kind.COMPANY: 300,
    Kind.NETWORK: 30,
    Kind.KEYWORD: 200,
}


def synthetic() -> SyntheticCatalog:
    return SyntheticCatalog(COUNTS, seed=4)


def export_url(fake: FakeTMDB, name: str, day: date = TODAY) -> str:
    return f"{fake.url}/p/exports/{ExportFile(name, day).file_name}"


async def fetch(session: aiohttp.ClientSession, url: str) -> bytes:
    async with session.get(url) as response:
        assert response.status == 200
        assert "Content-Encoding" not in response.headers  # a .gz file, not a compressed answer
        return await response.read()


def files_in(directory: Path) -> list[str]:
    """The files a reader can see: complete ones only, never a temporary one."""
    return [name for name in everything_in(directory) if not name.startswith(".")]


def everything_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def sizes_in(directory: Path) -> list[int]:
    return sorted(path.stat().st_size for path in directory.iterdir())


def cached_fake(catalog: Catalog, directory: Path) -> FakeTMDB:
    return FakeTMDB(catalog, FakeSettings(), today=lambda: TODAY, export_cache=directory)


class CountingCatalog(RecordlessCatalog):
    """Another catalog's exports, counting each generation; with a ``gate``, the first
    generation stops after its first line until the gate is opened."""

    def __init__(self, inner: SyntheticCatalog, gate: threading.Event | None = None) -> None:
        super().__init__(inner.day)
        self.inner = inner
        self.gate = gate
        self.generated: list[tuple[str, int]] = []
        self.started = threading.Event()

    def advance(self, days: int) -> None:
        self.inner.advance(days)
        self.day = self.inner.day

    def export_identity(self, export_name: str, day: int) -> str:
        return self.inner.export_identity(export_name, day)

    def export_lines(self, export_name: str, day: int) -> Iterator[bytes]:
        self.generated.append((export_name, day))
        gate = self.gate if len(self.generated) == 1 else None
        return self._lines(self.inner.export_lines(export_name, day), gate)

    def _lines(self, lines: Iterator[bytes], gate: threading.Event | None) -> Iterator[bytes]:
        for number, line in enumerate(lines):
            if number == 1 and gate is not None:
                self.started.set()
                assert gate.wait(10), "the test never opened the gate"
            yield line


async def test_cached_files_hold_the_bytes_generated_without_a_cache(
    http_session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    async with FakeTMDB(synthetic(), today=lambda: TODAY).run() as plain:
        expected = {
            name: await fetch(http_session, export_url(plain, name)) for name in EVERY_EXPORT
        }
    async with cached_fake(synthetic(), tmp_path).run() as fake:
        for name in EVERY_EXPORT:
            assert await fetch(http_session, export_url(fake, name)) == expected[name], name
        assert len(files_in(tmp_path)) == len(EVERY_EXPORT)
        async with http_session.get(export_url(fake, "movie")) as response:
            # Served from the file now: its length is known, as for any static file.
            assert response.headers["Content-Length"] == str(len(expected["movie"]))
            assert response.headers["Content-Type"] == "application/octet-stream"
            assert await response.read() == expected["movie"]
    assert everything_in(tmp_path) == files_in(tmp_path)


async def test_a_second_server_on_the_same_directory_generates_nothing(
    http_session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    async with cached_fake(synthetic(), tmp_path).run() as fake:
        first = await fetch(http_session, export_url(fake, "person"))
    catalog = CountingCatalog(synthetic())
    async with cached_fake(catalog, tmp_path).run() as fake:
        assert await fetch(http_session, export_url(fake, "person")) == first
    assert catalog.generated == []


async def test_concurrent_first_requests_share_one_generation_and_see_no_partial_file(
    http_session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    gate = threading.Event()
    catalog = CountingCatalog(synthetic(), gate)
    async with cached_fake(catalog, tmp_path).run() as fake:
        url = export_url(fake, "person")
        downloads = [asyncio.create_task(fetch(http_session, url)) for _ in range(5)]
        # The generation runs in a worker thread, and the event loop keeps serving meanwhile.
        assert await asyncio.to_thread(catalog.started.wait, 10)
        async with http_session.get(f"{fake.url}/_fake/stats") as response:
            assert response.status == 200
        for _ in range(500):  # until every download is in, waiting for the same generation
            if fake.stats()["by_endpoint"]["export"] == 5:
                break
            await asyncio.sleep(0.01)
        assert not any(download.done() for download in downloads)
        assert files_in(tmp_path) == []  # only a hidden temporary file so far
        assert len(everything_in(tmp_path)) == 1
        gate.set()
        bodies = await asyncio.gather(*downloads)
    assert catalog.generated == [("person", 0)]
    assert len(set(bodies)) == 1
    assert gzip.decompress(bodies[0]) == b"".join(
        line + b"\n" for line in synthetic().export_lines("person", 0)
    )
    assert len(files_in(tmp_path)) == 1


async def test_a_new_day_is_a_new_file_and_an_old_day_keeps_its_own(
    http_session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    catalog = CountingCatalog(synthetic())
    async with cached_fake(catalog, tmp_path).run() as fake:
        before = await fetch(http_session, export_url(fake, "movie"))
        fake.advance(1)
        # The calendar stays put here, so the same file name now names the next catalog day.
        after = await fetch(http_session, export_url(fake, "movie"))
        assert after != before
        assert await fetch(http_session, export_url(fake, "movie", TODAY - timedelta(1))) == before
        assert len(files_in(tmp_path)) == 2
    assert catalog.generated == [("movie", 0), ("movie", 1)]


async def test_range_probes_and_head_answer_as_before(
    http_session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    catalog = CountingCatalog(synthetic())
    async with cached_fake(catalog, tmp_path).run() as fake:
        url = export_url(fake, "person")
        # Not cached yet: the probe is answered from the lines, as without a cache, and the
        # file's generation starts; the download then waits for it.
        async with http_session.get(url, headers={"Range": "bytes=0-0"}) as response:
            assert response.status == 206
            assert response.headers["Content-Range"] == "bytes 0-0/*"
            assert await response.read() == b"\x1f"
        body = await fetch(http_session, url)
        assert catalog.generated == [("person", 0), ("person", 0)]  # the file, and the probe
        size = len(body)
        async with http_session.get(url, headers={"Range": "bytes=0-0"}) as response:
            assert response.status == 206
            assert response.headers["Content-Range"] == f"bytes 0-0/{size}"
            assert await response.read() == b"\x1f"
        async with http_session.get(url, headers={"Range": "bytes=2-4"}) as response:
            assert response.status == 206
            assert await response.read() == body[2:5]
        async with http_session.get(url, headers={"Range": f"bytes={size}-{size + 9}"}) as r:
            assert r.status == 416
        async with http_session.head(url) as response:
            assert response.status == 200
            assert response.headers["Content-Length"] == str(size)
            assert await response.read() == b""
        assert await fetch(http_session, url) == body  # the connection survived the HEAD
    assert len(catalog.generated) == 2


async def test_warming_generates_every_export_of_a_day(
    http_session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    catalog = CountingCatalog(synthetic())
    async with cached_fake(catalog, tmp_path).run() as fake:
        warm = f"{fake.url}/_fake/exports/warm"
        async with http_session.post(warm, params={"day": "2026-08-26"}) as response:
            assert response.status == 200
            answer = await response.json()
        yesterday = TODAY - timedelta(days=1)
        assert answer["day"] == yesterday.isoformat()
        sizes = {
            name: answer["files"][ExportFile(name, yesterday).file_name] for name in EVERY_EXPORT
        }
        assert len(answer["files"]) == len(EVERY_EXPORT)
        assert sorted(sizes.values()) == sizes_in(tmp_path)
        assert len(catalog.generated) == len(EVERY_EXPORT)
        # A fresh catalog's yesterday is its day 0, as today is: the same files, cached already.
        files = await fake.warm_exports()
        assert files == {ExportFile(name, TODAY).file_name: sizes[name] for name in EVERY_EXPORT}
        body = await fetch(http_session, export_url(fake, "person"))
        assert len(body) == sizes["person"]
        assert len(catalog.generated) == len(EVERY_EXPORT)  # all served from the cache
        for day, reason in (("2026-08-28", "not published"), ("26/08/2026", "YYYY-MM-DD")):
            async with http_session.post(warm, params={"day": day}) as response:
                assert response.status == 400
                assert reason in (await response.json())["errors"][0]


async def test_warming_needs_a_cache_and_a_cacheable_catalog(
    http_session: aiohttp.ClientSession, shared_fixtures: Path, tmp_path: Path
) -> None:
    async with FakeTMDB(synthetic(), today=lambda: TODAY).run() as fake:
        with pytest.raises(ExportCacheError, match="no export cache"):
            await fake.warm_exports()
        async with http_session.post(f"{fake.url}/_fake/exports/warm") as response:
            assert response.status == 400
    async with cached_fake(FixtureCatalog(shared_fixtures), tmp_path).run() as fake:
        with pytest.raises(ExportCacheError, match="not cached"):
            await fake.warm_exports()
        # Fixture exports are tiny: they are served as they are, without a cache file.
        lines = gzip.decompress(await fetch(http_session, export_url(fake, "keyword")))
        assert lines == b'{"id":1701,"name":"hero"}\n'
    assert files_in(tmp_path) == []


async def test_stopping_the_server_abandons_a_generation_and_its_temporary_file(
    http_session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    gate = threading.Event()
    catalog = CountingCatalog(synthetic(), gate)
    async with cached_fake(catalog, tmp_path).run() as fake:
        async with http_session.get(export_url(fake, "movie"), headers={"Range": "bytes=0-0"}):
            pass  # the probe starts the generation
        assert await asyncio.to_thread(catalog.started.wait, 10)
    gate.set()
    for thread in threading.enumerate():
        if thread.name.startswith("fake-tmdb-export"):
            thread.join(10)
    assert everything_in(tmp_path) == []


def test_the_command_takes_an_export_cache(tmp_path: Path) -> None:
    args = ["--synthetic", "movie=500,keyword=50", "--export-cache", str(tmp_path / "cache")]
    with start_fake_process(args) as url:
        request = urllib.request.Request(f"{url}/_fake/exports/warm", method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our fake
            answer = json.load(response)
        assert len(answer["files"]) == len(EVERY_EXPORT)
        day = date.fromisoformat(answer["day"])
        name = ExportFile("movie", day).file_name
        with urllib.request.urlopen(f"{url}/p/exports/{name}", timeout=30) as response:  # noqa: S310
            assert len(response.read()) == answer["files"][name]
    assert len(files_in(tmp_path / "cache")) == len(EVERY_EXPORT)


def test_synthetic_export_bytes_are_pinned() -> None:
    """Cached files are named by EXPORT_FORMAT: when this digest changes, bump it too."""
    catalog = SyntheticCatalog(COUNTS, seed=4)
    catalog.advance(2)
    digest = hashlib.sha256()
    for name in EVERY_EXPORT:
        for line in catalog.export_lines(name, 1):
            digest.update(line + b"\n")
    assert (EXPORT_FORMAT, digest.hexdigest()) == (
        1,
        "35483b535f74ac2fa281a2f6b8a44ea49b576dbbc274d71040cacd9664db8bc5",
    )


def test_export_identity_names_everything_that_decides_the_lines() -> None:
    catalog = SyntheticCatalog(COUNTS, seed=4)
    catalog.advance(2)
    identity = catalog.export_identity("movie", 1)
    assert identity == SyntheticCatalog(COUNTS, seed=4).export_identity("movie", 0).replace(
        "day=0", "day=1"
    )
    others = [
        catalog.export_identity("movie", 2),
        catalog.export_identity("adult_movie", 1),
        SyntheticCatalog(COUNTS, seed=5).export_identity("movie", 0),
        SyntheticCatalog({**COUNTS, Kind.MOVIE: 3001}, seed=4).export_identity("movie", 0),
    ]
    assert identity not in others
    assert catalog.export_identity("movie", -4) == catalog.export_identity("movie", 0)
    with pytest.raises(ValueError, match="not published yet"):
        catalog.export_identity("movie", 3)
    with pytest.raises(ValueError, match="unknown export"):
        catalog.export_identity("films", 0)
