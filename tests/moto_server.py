"""A local AWS (moto's server) on 127.0.0.1, for tests and benchmarks: AWS is unreachable here.

``running_moto(log_path)`` starts it on a free port, waits until it answers, and stops it when
the block ends. The server also exits as soon as its stdin closes, so none outlives a test run
that dies without teardown.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["MOTO_CREDENTIAL", "MotoStartError", "create_bucket", "moto_environ", "running_moto"]

STARTUP_SECONDS = 30.0
#: moto accepts any credentials; these are the ones its documentation uses.
MOTO_CREDENTIAL = "testing"
REGION = "us-east-1"

_LAUNCHER = """
import os, sys, threading

def exit_with_parent():
    sys.stdin.read()
    os._exit(0)

threading.Thread(target=exit_with_parent, daemon=True).start()
from moto.server import main
main(["-H", "127.0.0.1", "-p", sys.argv[1]])
"""


class MotoStartError(RuntimeError):
    """moto's server exited or stayed silent instead of answering."""


@contextmanager
def running_moto(log_path: Path) -> Iterator[str]:
    """Run moto's server; yield its endpoint, http://127.0.0.1:PORT."""
    port = _free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-c", _LAUNCHER, str(port)],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(endpoint, process, log_path)
        yield endpoint
    finally:
        _stop(process)


def moto_environ(endpoint: str) -> dict[str, str]:
    """The AWS environment that points boto3 and obstore at the moto server."""
    return {
        "AWS_ACCESS_KEY_ID": MOTO_CREDENTIAL,
        "AWS_SECRET_ACCESS_KEY": MOTO_CREDENTIAL,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint,
    }


def create_bucket(endpoint: str, bucket: str) -> None:
    import boto3  # noqa: PLC0415 (only runs that use S3 pay for importing boto3)

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=MOTO_CREDENTIAL,
        aws_secret_access_key=MOTO_CREDENTIAL,
        region_name=REGION,
    )
    client.create_bucket(Bucket=bucket)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_answering(endpoint: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise MotoStartError(f"moto exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(endpoint, timeout=1):  # noqa: S310 (our own http URL)
                return
        # TimeoutError: the socket is open but moto, still starting, was slow to answer.
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)  # waiting for another process to bind its port: nothing to inject
    raise MotoStartError(f"moto did not answer at {endpoint} in {STARTUP_SECONDS} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.stdin is not None:
        process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
