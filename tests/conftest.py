"""Fixtures every test package can use: the real TMDB captures, a fake TMDB serving them, and a
local S3 (moto) for the session."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import aiohttp
import pytest
from hypothesis import settings

from moto_server import MotoStartError, create_bucket, moto_environ, running_moto
from tmdb_collector.fake import FakeSettings, FakeTMDB, FixtureCatalog
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.queue import SQLiteWorkQueue, SQSWorkQueue, WorkQueue, ensure_sqs_queues

#: The date the fixture-mode fake calls today: fixed, so export names do not roll at midnight.
FAKE_TODAY = date(2026, 8, 27)

#: Every record file of shared/tmdb/fixtures (a season and an episode of Game of Thrones too).
FIXTURE_KEYS = [
    RecordKey(Kind.MOVIE, 550),
    RecordKey(Kind.TV, 1399),
    RecordKey(Kind.TV_SEASON, 1399, 1),
    RecordKey(Kind.TV_EPISODE, 1399, 1, 1),
    RecordKey(Kind.PERSON, 31),
    RecordKey(Kind.PERSON, 287),
    RecordKey(Kind.COLLECTION, 10),
    RecordKey(Kind.COLLECTION, 8091),
    RecordKey(Kind.COMPANY, 1),
    RecordKey(Kind.NETWORK, 49),
    RecordKey(Kind.KEYWORD, 1701),
]

# --- property-based tests (hypothesis; tests/fuzz) ----------------------------------------------
#: Examples per property test: the crash-free guarantee each fuzz test states. The whole fuzz
#: suite stays within ~30 s on a 2-core machine at this budget.
FUZZ_EXAMPLES = 200
# No deadline: a busy CI machine stalls now and then, and a slow example is not a wrong one.
settings.register_profile("dev", max_examples=FUZZ_EXAMPLES, deadline=None, print_blob=True)
# CI tries the same examples on every run (derandomize), so a red run is reproducible from its
# log, and writes no example database (a fresh clone has nowhere to keep it).
settings.register_profile("ci", settings.get_profile("dev"), derandomize=True, database=None)
# A longer hunt on demand: HYPOTHESIS_PROFILE=deep python3 dev.py test tests/fuzz
settings.register_profile("deep", settings.get_profile("dev"), max_examples=20 * FUZZ_EXAMPLES)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


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


# --- the work queue (tests/queue) ---------------------------------------------------------------
# tests/queue cannot be a package: as "queue" it would shadow the standard library's queue module
# (tests/ is on sys.path) and break urllib3. So its fixtures live here.

#: Environment variables that could send boto3 somewhere other than moto.
_AWS_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_SQS")


@pytest.fixture
def sqs_environ(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The process environment set for boto3 to talk to the session's moto server."""
    for name in _AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    environ = moto_environ(moto_endpoint)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return environ


def unique_queue_name(prefix: str = "work") -> str:
    """A fresh queue name: moto's queues outlive a test, and tests must not share one."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


@dataclass
class QueueCase:
    """A work queue backend under test: opens new queues, and more objects on a queue it opened
    (as other consumers would). Everything it opened is closed at the end of the test."""

    backend: str
    tmp_path: Path
    opened: list[WorkQueue] = field(default_factory=list)

    def new(self, *, max_receives: int = 5, visibility_timeout: int = 30) -> WorkQueue:
        queue: WorkQueue
        if self.backend == "sqlite":
            queue = SQLiteWorkQueue(
                self.tmp_path / "queues" / "work.db",
                name=unique_queue_name(),
                max_receives=max_receives,
                visibility_timeout=visibility_timeout,
            )
        else:
            name = unique_queue_name()
            queue = ensure_sqs_queues(
                name, max_receives=max_receives, visibility_timeout=visibility_timeout
            )
        self.opened.append(queue)
        return queue

    def another(self, queue: WorkQueue) -> WorkQueue:
        """A second object on `queue`, sharing nothing with it but the queue itself."""
        other: WorkQueue
        if isinstance(queue, SQLiteWorkQueue):
            other = SQLiteWorkQueue(
                queue.path,
                name=queue.name,
                max_receives=queue.max_receives,
                visibility_timeout=queue.visibility_timeout,
            )
        else:
            assert isinstance(queue, SQSWorkQueue)
            other = SQSWorkQueue(queue.url)
        self.opened.append(other)
        return other

    def close(self) -> None:
        for queue in self.opened:
            queue.close()


@pytest.fixture(params=["sqlite", "sqs"])
def queue_case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QueueCase]:
    """Each work queue backend in turn: SQLite in tmp_path, SQS on moto (started only then)."""
    backend: str = request.param
    if backend == "sqs":
        request.getfixturevalue("sqs_environ")
    case = QueueCase(backend, tmp_path)
    yield case
    case.close()
