"""A local S3 (moto) for the session, and one `store_case` fixture per object store backend."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tmdb_collector.store import ObjectStore, open_object_store

MOTO_BUCKET = "tmdb-test"
MOTO_STARTUP_SECONDS = 30.0
#: moto accepts any credentials; these are the ones its documentation uses.
MOTO_CREDENTIAL = "testing"

#: Runs moto's server, and exits as soon as its stdin closes: when the session ends, and also
#: when pytest dies without running any teardown, so no moto outlives the tests.
_MOTO_LAUNCHER = """
import os, sys, threading

def exit_with_parent():
    sys.stdin.read()
    os._exit(0)

threading.Thread(target=exit_with_parent, daemon=True).start()
from moto.server import main
main(["-H", "127.0.0.1", "-p", sys.argv[1]])
"""


@dataclass(frozen=True)
class StoreCase:
    """One backend under test: its store, and for the local one the directory behind it."""

    name: str
    store: ObjectStore
    root: Path | None = None


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """http://127.0.0.1:<port> of a moto S3 with the bucket MOTO_BUCKET."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-c", _MOTO_LAUNCHER, str(port)],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(endpoint, process, log_path)
        _create_bucket(endpoint)
        yield endpoint
    finally:
        _stop(process)


@pytest.fixture
def s3_environ(moto_endpoint: str) -> dict[str, str]:
    """The AWS environment that points open_object_store at the moto server."""
    return {
        "AWS_ACCESS_KEY_ID": MOTO_CREDENTIAL,
        "AWS_SECRET_ACCESS_KEY": MOTO_CREDENTIAL,
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": moto_endpoint,
    }


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_answering(endpoint: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + MOTO_STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"moto_server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(endpoint, timeout=1):  # noqa: S310 (our own http URL)
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)  # waiting for another process to bind its port: nothing to inject
    pytest.fail(f"moto_server did not answer at {endpoint} in {MOTO_STARTUP_SECONDS} s")


def _create_bucket(endpoint: str) -> None:
    import boto3  # noqa: PLC0415 (only sessions that test S3 pay for importing boto3)

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=MOTO_CREDENTIAL,
        aws_secret_access_key=MOTO_CREDENTIAL,
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=MOTO_BUCKET)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.stdin is not None:
        process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
