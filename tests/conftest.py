"""Fixtures every test package can use: the real TMDB captures and a fake TMDB serving them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import aiohttp
import pytest

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
