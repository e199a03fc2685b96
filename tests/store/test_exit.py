"""A process that used an object store exits cleanly.

obstore's tokio threads wake the asyncio loop from outside Python; one still doing so when the
interpreter finalizes used to abort the process (exit status 134, 'Fatal Python error: Aborted')
after a run that had succeeded, about one run in six against S3. open_object_store registers a
short pause at exit that lets those threads finish.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid

from .conftest import MOTO_BUCKET

_SCRIPT = """
import asyncio, sys
from tmdb_collector.store import open_object_store

async def main():
    store = open_object_store(sys.argv[1])
    await asyncio.gather(*(store.put(f"k{n}", b"v") for n in range(16)))

asyncio.run(main())
"""
RUNS = 10


async def test_processes_exit_cleanly_after_concurrent_s3_writes(
    s3_environ: dict[str, str],
) -> None:
    environ = {**os.environ, **s3_environ}

    async def run(number: int) -> tuple[int | None, bytes]:
        url = f"s3://{MOTO_BUCKET}/exit/{uuid.uuid4().hex}/{number}"
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _SCRIPT,
            url,
            env=environ,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
        return process.returncode, output

    results = await asyncio.gather(*(run(number) for number in range(RUNS)))
    failures = [(code, output[-500:]) for code, output in results if code != 0]
    assert failures == []
