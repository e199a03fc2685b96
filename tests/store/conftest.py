"""A local S3 (moto) for the session, and one `store_case` fixture per object store backend."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import MOTO_BUCKET
from tmdb_collector.store import ObjectStore, open_object_store


@dataclass(frozen=True)
class StoreCase:
    """One backend under test: its store, and for the local one the directory behind it."""

    name: str
    store: ObjectStore
    root: Path | None = None


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
