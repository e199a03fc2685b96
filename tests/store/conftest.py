"""A local S3 (moto) for the session, and one `store_case` fixture per object store backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from moto_server import MotoStartError, create_bucket, moto_environ, running_moto
from tmdb_collector.store import ObjectStore, open_object_store

MOTO_BUCKET = "tmdb-test"


@dataclass(frozen=True)
class StoreCase:
    """One backend under test: its store, and for the local one the directory behind it."""

    name: str
    store: ObjectStore
    root: Path | None = None


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """http://127.0.0.1:<port> of a moto S3 with the bucket MOTO_BUCKET."""
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


@pytest.fixture(params=["local", "memory", "s3"])
def store_case(request: pytest.FixtureRequest, tmp_path: Path) -> StoreCase:
    """Each backend in turn, empty. S3 tests get their own prefix in the session's bucket, and
    only they start moto."""
    name: str = request.param
    if name == "local":
        root = tmp_path / "outside" / "root"
        return StoreCase(name, open_object_store(str(root)), root)
    if name == "memory":
        return StoreCase(name, open_object_store("memory://"))
    environ: dict[str, str] = request.getfixturevalue("s3_environ")
    url = f"s3://{MOTO_BUCKET}/tests/{uuid.uuid4().hex}"
    return StoreCase(name, open_object_store(url, environ=environ))
