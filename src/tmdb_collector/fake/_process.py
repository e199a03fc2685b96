"""``start_fake_process``: the fake TMDB in a child process, for benchmarks.

A separate process keeps the fake's CPU off the measured client's event loop and GIL.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO

from tmdb_collector.errors import TMDBCollectorError

__all__ = ["LISTENING_PREFIX", "FakeProcessError", "start_fake_process"]

#: The line ``tmdb-collector fake-tmdb`` prints on stdout once it accepts connections.
LISTENING_PREFIX = "listening on "
_STOP_TIMEOUT = 5.0


class FakeProcessError(TMDBCollectorError, RuntimeError):
    """The fake TMDB process exited or stayed silent instead of announcing its address."""


@contextmanager
def start_fake_process(
    args: Sequence[str] = (),
    *,
    timeout: float = 30.0,
    log_level: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Run ``python -m tmdb_collector fake-tmdb --port 0 *args``; yield its base URL
    (``http://127.0.0.1:PORT``) once it listens; stop it when the block ends.

    ``args`` are the command's options, e.g. ``["--synthetic", "movie=1000", "--rate-limit",
    "40"]``; a ``--port`` in them overrides the free port. ``log_level`` (LOG_LEVEL: debug,
    info, warning, error) sets how much of its log the child writes to the inherited stderr;
    ``environ`` adds to (or overrides) the environment it inherits.
    """
    command = [sys.executable, "-m", "tmdb_collector", "fake-tmdb", "--port", "0", *args]
    # stderr is inherited: the fake's log and any start-up error stay visible to the caller.
    env = {**os.environ, **(environ or {})}
    if log_level is not None:
        env["LOG_LEVEL"] = log_level
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)  # noqa: S603
    assert process.stdout is not None  # noqa: S101 - stdout=PIPE above
    lines: queue.Queue[str | None] = queue.Queue()
    # A reader thread, because a pipe's readline cannot time out; it also keeps draining stdout
    # so the child never blocks on a full pipe, and closes it at the end.
    reader = threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        yield _wait_for_url(process, lines, timeout)
    finally:
        _stop(process)
        reader.join(_STOP_TIMEOUT)


def _wait_for_url(
    process: subprocess.Popen[str], lines: queue.Queue[str | None], timeout: float
) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise FakeProcessError(f"the fake TMDB printed no address within {timeout} s") from None
        if line is None:
            code = process.wait()
            raise FakeProcessError(f"the fake TMDB exited with status {code} before listening")
        if line.startswith(LISTENING_PREFIX):
            return line.removeprefix(LISTENING_PREFIX).strip()


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    with stream:
        for line in stream:
            lines.put(line)
    lines.put(None)


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
