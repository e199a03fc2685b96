"""The store and the queue failing: S3 unavailable for a while, a full disk, a corrupt record,
index object and queue file. Each ends in the clean mirror or a clear one-line error."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import time
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from fault._harness import (
    FakeProcess,
    MotoProcess,
    Setup,
    StatsRecorder,
    StoreState,
    assert_no_traceback,
    compare,
    finish_and_compare,
    quote,
    read_store,
    stored_objects,
    wait_for_answers,
)
from fault.conftest import FaultTable
from tmdb_collector.kinds import Kind
from tmdb_collector.store import SegmentRecordStore, open_object_store, open_record_store

pytestmark = pytest.mark.fault

#: How long S3 stops answering: its process is paused (SIGSTOP), so connections hang rather
#: than fail — the harder case.
S3_PAUSE_SECONDS = 15.0


def damage_a_block(store: Path) -> tuple[Path, str, int]:
    """Flip 4 bytes in the middle of the first block of a segment of movies that holds current
    versions: the segment, the movie last in the block (a point read of it decompresses the
    block through the damage; one before it may be read intact), and how many current movies
    the block holds."""

    async def find() -> tuple[str, int, int, list[str]]:
        records = await open_record_store(open_object_store(str(store)))
        assert isinstance(records, SegmentRecordStore)
        current = await records.versions.current(Kind.MOVIE)
        first = min(current.values(), key=lambda v: (v.segment, v.offset))
        held = sorted(
            (v.ordinal, str(key))
            for key, v in current.items()
            if (v.segment, v.offset) == (first.segment, first.offset)
        )
        return first.segment, first.offset, first.length, [key for _, key in held]

    name, offset, length, keys = asyncio.run(find())
    segment = store / name
    flip(segment, offset + length // 2)
    return segment, keys[-1], len(keys)


def flip(path: Path, offset: int, count: int = 4) -> None:
    """Invert ``count`` bytes of a file from ``offset`` (negative: from its end)."""
    data = bytearray(path.read_bytes())
    start = offset if offset >= 0 else len(data) + offset
    data[start : start + count] = bytes(b ^ 0xFF for b in data[start : start + count])
    path.write_bytes(bytes(data))


@pytest.mark.slow
def test_s3_unavailable_then_back(
    fake: FakeProcess,
    moto: MotoProcess,
    clean: StoreState,
    tmp_path: Path,
    fault_table: FaultTable,
) -> None:
    row = fault_table.row(5.0, "S3 unavailable", "")
    store = f"s3://{moto.bucket}/{uuid.uuid4().hex[:12]}"
    setup = Setup(fake.url, store, tmp_path, moto.environ())
    with StatsRecorder(fake) as recorder, setup.started("mirror", RATE_LIMIT_REQUESTS="100") as run:
        wait_for_answers(fake, 60)
        moto.pause()
        try:
            time.sleep(S3_PAUSE_SECONDS)
            assert run.process.poll() is None, run.wait().describe()
        finally:
            moto.resume()
        resumed = time.monotonic()
        result = run.wait()
    assert_no_traceback(result)
    assert result.code == 0, result.describe()
    row.injected = (
        f"moto paused (SIGSTOP) mid-collection for {S3_PAUSE_SECONDS:.0f} s: S3 requests hang "
        "(not refused), then it continues (SIGCONT)"
    )
    ended = time.monotonic()
    # Messages being stored no longer hold the fetching back: with a catalog this small the
    # fetching may well be done before S3 is back, and only the writes were waiting.
    first = recorder.first_success_after(resumed)
    fetching = (
        "fetching was done before (the writes waited, the fetching did not)"
        if first is None
        else f"fetching again {first:.1f} s after S3 is back"
    )
    final = finish_and_compare(setup, clean)
    final.check()
    row.done(
        "the writes hang while S3 does, the fetching goes on (up to MESSAGES_IN_FLIGHT more "
        "messages), and everything is stored when S3 answers; `mirror` exit 0; store = clean "
        "mirror",
        lost=final.lost,
        recovery=f"{fetching}; the run ended {ended - resumed:.0f} s after S3 was back (writes "
        "and compaction on moto)",
    )


def test_corrupt_record(
    fake: FakeProcess, clean: StoreState, tmp_path: Path, fault_table: FaultTable
) -> None:
    row = fault_table.row(9.0, "corrupt record", "")
    setup = Setup(fake.url, str(tmp_path / "data"), tmp_path)
    first = setup.mirror()
    assert first.code == 0, first.describe()
    segment, key, held = damage_a_block(tmp_path / "data")
    row.injected = (
        f"4 bytes flipped in the middle of a block of a segment of movies (`{segment.name}`, "
        f"{held} records in the block)"
    )

    query = setup.run("query", "--type", "movie", "--id", key)
    assert_no_traceback(query)
    [message] = query.error_lines
    assert query.code == 2, query.describe()
    assert f"movie {key}" in message
    assert segment.name in message, message
    export = setup.run(
        "export", "--type", "movie", "--format", "jsonl", "--out", str(tmp_path / "movies.jsonl")
    )
    assert_no_traceback(export)
    assert export.code == 1, export.describe()
    skipped = export.error_lines[-1]
    # The block's records from the damaged one on; those before it are read intact (each is
    # checked against its content hash).
    unreadable = int(skipped.split(" movie records could not be read", 1)[0].rsplit(" ", 1)[-1])
    assert 1 <= unreadable <= held, skipped
    # The next fetch of the record replaces it; a refresh of everything forces that fetch now.
    final = finish_and_compare(setup, clean, REFRESH_MIN_AGE_HOURS="0")
    final.check()
    row.done(
        f"`query` of the block's last record exit 2: {quote(message, 90)}; `export` skips and "
        "counts the block's records from the damage on (those before it read intact), exit 1; "
        "`mirror` finds the damage when it fetches those records again (a change, a refresh; "
        "here REFRESH_MIN_AGE_HOURS=0): an unchanged refetch reads the block it would keep, "
        "and stores the fresh fetch again: store = clean mirror",
        lost=final.lost,
    )


def test_corrupt_index_object(
    fake: FakeProcess, clean: StoreState, tmp_path: Path, fault_table: FaultTable
) -> None:
    row = fault_table.row(9.1, "corrupt index object", "")
    setup = Setup(fake.url, str(tmp_path / "data"), tmp_path)
    first = setup.mirror()
    assert first.code == 0, first.describe()
    snapshot = tmp_path / "data" / "index" / "movie" / "snapshot.parquet"
    flip(snapshot, -40)  # inside the footer's metadata
    row.injected = "4 bytes flipped in the footer of the movie index (`snapshot.parquet`)"
    broken = setup.mirror()
    assert_no_traceback(broken)
    assert broken.code == 2, broken.describe()
    [message] = broken.error_lines
    assert "index/movie/snapshot.parquet" in message
    assert "delete or restore it" in message
    snapshot.unlink()  # as the message says
    final = finish_and_compare(setup, clean)
    final.check()
    row.done(
        f"`mirror` stops at once, exit 2: {quote(message, 150)}; once it is deleted, the next "
        "`mirror` refetches the kind's records (unchanged) and rebuilds its index: store = "
        "clean mirror",
        lost=final.lost,
    )


def test_corrupt_queue_file(
    fake: FakeProcess, clean: StoreState, tmp_path: Path, fault_table: FaultTable
) -> None:
    row = fault_table.row(9.2, "corrupt queue file", "")
    setup = Setup(fake.url, str(tmp_path / "data"), tmp_path)
    queue = tmp_path / "data" / "queue" / "work.sqlite3"
    with setup.started("mirror", RATE_LIMIT_REQUESTS="40") as run:
        time.sleep(3.0)
        assert run.process.poll() is None
        run.kill()
    # The work a killed run leaves is in the write-ahead log: damage a frame of it.
    wal = queue.with_name(queue.name + "-wal")
    assert wal.stat().st_size > 8000
    kept = tmp_path / "killed"
    shutil.copytree(tmp_path / "data", kept)
    flip(wal, 8000, 64)
    recovered = finish_and_compare(setup, clean)
    recovered.check()

    # The file's header overwritten: not a database any more. (Its log is folded into it
    # first: SQLite reads a page from the log rather than the file while the log has it.)
    shutil.rmtree(tmp_path / "data")
    shutil.copytree(kept, tmp_path / "data")
    with closing(sqlite3.connect(queue)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    flip(queue, 0, 16)
    broken = setup.mirror()
    assert_no_traceback(broken)
    assert broken.code == 2, broken.describe()
    [message] = broken.error_lines
    assert str(queue) in message
    for path in queue.parent.glob("work.sqlite3*"):
        path.unlink()  # moved aside, as an operator would
    final = finish_and_compare(setup, clean)
    final.check()
    row.injected = (
        "after a SIGKILL mid-run: (a) 64 bytes flipped in the queue's write-ahead log; (b) the "
        "queue file's header overwritten"
    )
    row.done(
        "(a) the next `mirror` completes: store = clean mirror; (b) `mirror` stops at once, "
        f"exit 2: {quote(message, 110)}; with "
        "the file moved aside the next `mirror` = clean mirror",
        lost=max(recovered.lost, final.lost),
    )


def _mount_namespace() -> list[str] | None:
    """A command prefix that runs in a private mount namespace where this process may mount a
    tmpfs (as root, or as the root of a new user namespace); None when neither is allowed."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    prefixes = [[unshare, "--mount", "--propagation", "private"]]
    if os.geteuid() != 0:
        prefixes = [[unshare, "--user", "--map-root-user", "--mount"]]
    for prefix in prefixes:
        probe = subprocess.run(  # noqa: S603 (fixed arguments)
            [*prefix, "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
            capture_output=True,
            check=False,
            timeout=30,
        )
        if probe.returncode == 0:
            return prefix
    return None


#: Runs inside the mount namespace: a 1 MB tmpfs (a clean mirror needs ~1.7 MB in segments,
#: ~4.5 MB in the per-object layout of earlier releases) over the
#: store's directory, `mirror` until the disk is full, a copy of the store as the full disk left
#: it, more room, `mirror` again, and the store copied out for the comparison.
_DISK_FULL_SCRIPT = """
set -u
mount -t tmpfs -o size=1m tmpfs "$DISK"
"$@" mirror > "$OUT/full.out" 2> "$OUT/full.err"; echo $? > "$OUT/full.code"
cp -a "$DISK/data" "$OUT/after-full"
mount -o remount,size=64m "$DISK"
start=$(date +%s.%N)
"$@" mirror > "$OUT/freed.out" 2> "$OUT/freed.err"; echo $? > "$OUT/freed.code"
echo "$start $(date +%s.%N)" > "$OUT/freed.time"
"$@" compact > /dev/null 2>&1
cp -a "$DISK/data" "$OUT/final"
"""


def test_disk_full_then_freed(
    fake: FakeProcess, clean: StoreState, tmp_path: Path, fault_table: FaultTable
) -> None:
    prefix = _mount_namespace()
    if prefix is None:
        pytest.skip("no private mount namespace for a small tmpfs here (needs root or userns)")
    row = fault_table.row(6.0, "disk full", "a local store on a 1 MB tmpfs (a mirror needs 1.7 MB)")
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir()
    out.mkdir()
    setup = Setup(fake.url, str(disk / "data"), tmp_path)
    done = subprocess.run(  # noqa: S603 (our own command)
        [*prefix, "sh", "-c", _DISK_FULL_SCRIPT, "disk-full", *setup.command()],
        env=setup.environ(DISK=str(disk), OUT=str(out)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    full_code = int((out / "full.code").read_text())
    full_err = (out / "full.err").read_text()
    assert "Traceback" not in full_err, full_err[-4000:]
    assert full_code == 1, full_err[-4000:]
    message = next(line for line in full_err.splitlines() if line.startswith("Error: "))
    # Which write meets the full disk first depends on timing: an object of the store (the OS's
    # "No space left on device") or the queue file (SQLite's "database or disk is full"). Either
    # is one line naming the file and saying the disk is full.
    assert "No space left on device" in message or "disk is full" in message, message
    # What the full disk left: the index never ahead of the objects, one version per record.
    left = read_store(str(out / "after-full"))
    stored = stored_objects(out / "after-full")
    for kind, rows in left.index.items():
        for key, digest in rows.items():
            assert left.current[kind].get(key, ("",))[0] == digest, (kind, key)
    assert all(len(hashes) == 1 for hashes in left.versions.values())

    freed_code = int((out / "freed.code").read_text())
    assert freed_code == 0, (out / "freed.err").read_text()[-4000:]
    began, ended = map(float, (out / "freed.time").read_text().split())
    final = compare(read_store(str(out / "final")), clean)
    assert not final.problems, "\n".join(final.problems)
    row.done(
        f"`mirror` stops, exit 1: {quote(message, 250)} ({stored} records stored, the index "
        "agrees with them); with room made, the next `mirror` resumes at once: store = clean "
        "mirror",
        lost=final.lost,
        recovery=f"rerun {ended - began:.1f} s",
    )
