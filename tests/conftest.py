"""Fixtures every test package can use: the real TMDB captures, a fake TMDB serving them, and a
local S3 (moto) for the session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import aiohttp
import pytest

from moto_server import MotoStartError, create_bucket, moto_environ, running_moto
from tmdb_collector.fake import FakeSettings, FakeTMDB, FixtureCatalog

#: The date the fixture-mode fake calls today: fixed, so export names do not roll at midnight.
FAKE_TODAY = date(2026, 8, 27)


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """shared/tmdb/fixtures next to the repository: real TMDB responses in the fake's layout."""
    path = Path(__file__).resolve().parents[1].parent / "shared" / "tmdb" / "fixtures"
    if not path.is_dir():
        # Failing, not skipping: a suite that silently skips its ground truth proves nothing.
        pytest.fail(f"the shared TMDB fixtures are not at {path}: put ../shared beside the repo")
    return path


@pytest.fixture
async def fixture_fake(shared_fixtures: Path) -> AsyncIterator[FakeTMDB]:
    """A running fake TMDB in fixture mode on 127.0.0.1 (any non-empty credential accepted);
    its today is FAKE_TODAY. Tests may change ``fixture_fake.settings`` while it runs."""
    fake = FakeTMDB(FixtureCatalog(shared_fixtures), FakeSettings(), today=lambda: FAKE_TODAY)
    async with fake.run(host="127.0.0.1", port=0):
        yield fake


@pytest.fixture
async def http_session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp client, for tests that speak HTTP to a fake TMDB themselves."""
    async with aiohttp.ClientSession() as session:
        yield session


#: The bucket of the session's moto S3.
MOTO_BUCKET = "tmdb-test"


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """http://127.0.0.1:<port> of a moto S3 with the bucket MOTO_BUCKET, for the session."""
    try:
        with running_moto(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
            create_bucket(endpoint, MOTO_BUCKET)
            yield endpoint
    except MotoStartError as error:
        pytest.fail(str(error))


@pytest.fixture
def s3_environ(moto_endpoint: str) -> dict[str, str]:
    """The AWS environment that points open_object_store at the moto server."""
    return moto_environ(moto_endpoint)
