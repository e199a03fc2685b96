"""A mirror of the shared fixtures with full season and episode details, the fake TMDB that
served them, and ``serve`` over the mirror — each running in a thread of its own."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import FAKE_TODAY
from tmdb_collector.cli import main
from tmdb_collector.fake import FakeSettings, FakeTMDB, FixtureCatalog
from tmdb_collector.serve import MirrorServer
from tmdb_collector.store import open_object_store, open_record_store

KEY = "fixture-key"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def get(url: str, headers: dict[str, str] | None = None) -> Answer:
    """One GET; an HTTP error status is an answer too."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers.items()), error.read())


def gunzip(data: bytes) -> bytes:
    return gzip.decompress(data)


def mirror_env(api_url: str, exports_url: str) -> dict[str, str]:
    return {
        "TMDB_API_KEY": KEY,
        "TMDB_API_URL": api_url,
        "TMDB_EXPORTS_URL": exports_url,
        "RATE_LIMIT_REQUESTS": "500",
        "REFRESH_PER_RUN": "0",
        "RETRY_DELAY_SECONDS": "0",
        "SEASON_DETAILS": "true",
        "EPISODE_DETAILS": "true",
    }


@pytest.fixture(scope="module")
def fake(shared_fixtures: Path) -> Iterator[FakeTMDB]:
    server = FakeTMDB(FixtureCatalog(shared_fixtures), FakeSettings(), today=lambda: FAKE_TODAY)
    with server.run_in_thread() as running:
        yield running


def mirror(store: Path | str, url: str, day: date, *more: str, **env: str) -> Result:
    """``mirror`` of TMDB at ``url`` (its API and its exports) into ``store``, with full
    season and episode details; it must end done."""
    result = CliRunner().invoke(
        main,
        ["mirror", "--store", str(store), "--date", day.isoformat(), *more],
        env={**mirror_env(url, url), **env},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "mirror done" in result.stdout
    return result


@pytest.fixture(scope="module")
def mirrored(fake: FakeTMDB, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding every fixture, mirrored with SEASON_DETAILS and EPISODE_DETAILS."""
    store = tmp_path_factory.mktemp("serve") / "data"
    mirror(store, fake.url, FAKE_TODAY)
    return store


@dataclass
class Running:
    server: MirrorServer
    url: str
    loop: asyncio.AbstractEventLoop


@pytest.fixture(scope="module")
def served(mirrored: Path) -> Iterator[Running]:
    with serve_in_thread(mirrored) as running:
        yield running


class serve_in_thread:
    """``serve`` over ``store`` on 127.0.0.1, from a thread with its own event loop."""

    def __init__(
        self, store: Path | str, environ: dict[str, str] | None = None, **options: Any
    ) -> None:
        self._store = store
        self._environ = environ
        self._options = options
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._running: Running | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def __enter__(self) -> Running:
        self._thread.start()
        assert self._ready.wait(30), "serve did not start"
        if self._error is not None:
            raise self._error
        assert self._running is not None
        return self._running

    def __exit__(self, *_: object) -> None:
        assert self._running is not None
        assert self._stop is not None
        self._running.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _main(self) -> None:
        async def run() -> None:
            self._stop = asyncio.Event()
            objects = open_object_store(str(self._store), environ=self._environ)
            records = await open_record_store(objects)
            server = MirrorServer(records, **self._options)
            async with server.run("127.0.0.1", 0):
                assert server.url is not None
                self._running = Running(server, server.url, asyncio.get_running_loop())
                self._ready.set()
                await self._stop.wait()

        try:
            asyncio.run(run())
        except BaseException as error:  # reported to the test
            self._error = error
        finally:
            self._ready.set()
