"""S3 requests per stored record, on moto: a first mirror of a synthetic TMDB, then a day's
update (the fake advanced one day: new, changed and deleted records) — in both record layouts,
one after the other in one run: one object per record version (``records/``, ``history/``),
and segments (issue 20: a store marked with ``use_segments``).

Every object-store call of the pipeline (harvest, collect, compaction) is counted by a wrapper
around the S3 store: PUT (``put`` and the conditional ``create``), GET, HEAD, DELETE and LIST
(one per listing; a listing of more than 1,000 keys costs one LIST per page on S3 — none here
does; a writer's look before a batch lists from its newest known fragment on, one page at any
scale, and is counted apart). Object writes per record = the PUTs of ``records/``,
``history/``, ``changelog/`` and ``index/`` objects over the records written; the lease,
progress and harvest state are counted apart (a fixed cost per run, not per record).

    python3 dev.py bench s3_requests

``S3_REQUESTS_SCALE=N`` multiplies the catalog (the fixed costs of a run weigh less),
``S3_REQUESTS_BATCH=N`` sets WORK_BATCH_SIZE (items per queue message, so per segment), and
``S3_REQUESTS_LAYOUTS=segments`` runs one layout only.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

from tmdb_collector.app import run_mirror
from tmdb_collector.collect import CollectorSettings
from tmdb_collector.config import WORK_BATCH_SIZE
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.harvest import HarvestSettings
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.queue import SQLiteWorkQueue
from tmdb_collector.schema import RecordCodec
from tmdb_collector.store import (
    ObjectInfo,
    ObjectStore,
    RecordWrite,
    open_object_store,
    open_record_store,
    use_segments,
)
from tmdb_collector.tmdb import ClientSettings, Credential, TMDBClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from moto_server import create_bucket, moto_environ, running_moto

BUCKET = "tmdb-bench"
SCALE = int(os.environ.get("S3_REQUESTS_SCALE", "1"))
BATCH = int(os.environ.get("S3_REQUESTS_BATCH", str(WORK_BATCH_SIZE.default)))
LAYOUTS = os.environ.get("S3_REQUESTS_LAYOUTS", "objects,segments").split(",")
COUNTS = {
    Kind.MOVIE: 300,
    Kind.PERSON: 200,
    Kind.TV: 15,
    Kind.COLLECTION: 20,
    Kind.COMPANY: 20,
    Kind.NETWORK: 20,
    Kind.KEYWORD: 20,
}
#: Objects written per record; the rest of a run's writes are its fixed cost.
_PER_RECORD = ("records/", "history/", "changelog/", "index/", "segments/", "versions/")


class CountingStore:
    """An ObjectStore that counts requests by kind and by the first folder of the key."""

    def __init__(self, inner: ObjectStore) -> None:
        self._inner = inner
        self.calls: Counter[tuple[str, str]] = Counter()

    @property
    def url(self) -> str:
        return self._inner.url

    def _count(self, verb: str, key: str) -> None:
        self.calls[verb, key.split("/", 1)[0] + "/"] += 1

    async def get(self, key: str) -> bytes | None:
        self._count("GET", key)
        return await self._inner.get(key)

    async def get_range(self, key: str, start: int, length: int) -> bytes | None:
        self._count("GET", key)
        return await self._inner.get_range(key, start, length)

    async def head(self, key: str) -> ObjectInfo | None:
        self._count("HEAD", key)
        return await self._inner.head(key)

    async def put(self, key: str, data: bytes) -> None:
        self._count("PUT", key)
        await self._inner.put(key, data)

    async def create(self, key: str, data: bytes) -> bool:
        self._count("PUT", key)
        return await self._inner.create(key, data)

    async def delete(self, key: str) -> None:
        self._count("DELETE", key)
        await self._inner.delete(key)

    def list(
        self, prefix: str = "", *, start_after: str | None = None
    ) -> AsyncIterator[ObjectInfo]:
        self._count("LIST", prefix or "/")
        if start_after is not None:  # a writer's look at what others wrote since its last
            self.calls["LIST from a name", prefix.split("/", 1)[0] + "/"] += 1
        return self._inner.list(prefix, start_after=start_after)

    def take(self) -> Counter[tuple[str, str]]:
        calls, self.calls = self.calls, Counter()
        return calls


async def _mirror(fake: FakeTMDB, objects: CountingStore, queue: SQLiteWorkQueue) -> dict[str, int]:
    settings = ClientSettings(
        credential=Credential("bench-key"), api_url=fake.url, exports_url=fake.url, rate_limit=2000
    )
    async with TMDBClient(settings) as client:
        report = await run_mirror(
            client=client,
            objects=objects,  # type: ignore[arg-type]
            queue=queue,
            harvest_settings=HarvestSettings(refresh_per_run=0, batch_size=BATCH),
            collector_settings=CollectorSettings(retry_delay_seconds=0),
        )
    assert report.collect is not None
    written: Counter[str] = Counter()
    for changes in report.collect.records.values():
        written.update(changes)
    return dict(written)


def _report(title: str, calls: Counter[tuple[str, str]], written: dict[str, int]) -> None:
    new = written.get("created", 0)
    changed = written.get("updated", 0) + written.get("deleted", 0) + written.get("revived", 0)
    records = new + changed
    per_record = sum(
        n for (verb, folder), n in calls.items() if verb == "PUT" and folder in _PER_RECORD
    )
    fixed = sum(
        n for (verb, folder), n in calls.items() if verb == "PUT" and folder not in _PER_RECORD
    )
    print(
        f"\n{title}: {new:,} records created, {changed:,} changed (updated/deleted/revived), "
        f"{written.get('unchanged', 0):,} unchanged"
    )
    for verb in ("PUT", "GET", "HEAD", "LIST", "DELETE"):
        total = sum(n for (v, _), n in calls.items() if v == verb)
        folders = ", ".join(
            f"{folder} {n}" for (v, folder), n in sorted(calls.items()) if v == verb
        )
        print(
            f"  {verb:<6} {total:>6,}  ({total / max(records, 1):.3f} per written record)  "
            f"{folders}"
        )
    print(
        f"  object writes per written record (records/, history/, changelog/, index/, "
        f"segments/, versions/): {per_record / max(records, 1):.3f}; plus {fixed} per run "
        "(lease, progress, state)"
    )
    reads = sum(n for (verb, _), n in calls.items() if verb in ("GET", "HEAD"))
    lists = sum(n for (verb, _), n in calls.items() if verb == "LIST")
    since = sum(n for (verb, _), n in calls.items() if verb == "LIST from a name")
    print(
        f"  object reads per written record {reads / max(records, 1):.3f} (segments' target "
        f"<= 0.05), listings {lists / max(records, 1):.3f} (<= 0.01): {since} of them a "
        f"writer's batch listing from its newest known fragment on "
        f"({since / max(records, 1):.4f} per written record), {lists - since} the run's "
        "(leases, the harvest's reads, first looks, compaction)"
    )
    if calls["PUT", "segments/"]:
        return
    versions = calls["PUT", "records/"] + calls["PUT", "history/"]
    overhead = calls["PUT", "changelog/"] + calls["PUT", "index/"]
    print(
        f"  records/ + history/ PUTs: {versions} for {new} new (1 each) and {changed} changed "
        f"(2 each: the superseded version into history, the new current) = "
        f"{new + 2 * changed} expected; change-log pieces and index fragments: {overhead} "
        f"(one per message and kind, {overhead / max(records, 1):.3f} per written record)"
    )
    if new and not changed:
        print(f"  -> per new record: {per_record / new:.3f} object writes (target <= 1.1)")
    elif changed:
        per_changed = (calls["PUT", "history/"] + changed + overhead * changed / records) / changed
        print(f"  -> per changed record: {per_changed:.3f} object writes (target <= 2.1)")


async def _update_every_movie(objects: CountingStore) -> None:
    """Every stored movie changed at once (its popularity), written as the collector writes: in
    batches of BATCH records (one message's worth). The per-record cost of a changed record
    without the harvest's and the queue's fixed costs."""
    records = await open_record_store(objects)  # type: ignore[arg-type]
    movies = [record async for record in records.current_records(Kind.MOVIE)]
    codec = RecordCodec()
    writes = []
    for record in movies:
        if record.WhichOneof("payload") == "tombstone":
            continue
        document = codec.to_json(record)
        document["popularity"] = float(document.get("popularity") or 0) + 1.5
        key = RecordKey(Kind.MOVIE, record.key.id)
        writes.append(RecordWrite(key, document, record.fetched_at_ms + 86_400_000, key.api_path))
    objects.take()
    written: Counter[str] = Counter()
    for start in range(0, len(writes), BATCH):
        for result in await records.write_batch(writes[start : start + BATCH]):
            written[result.change] += 1
    _report(
        f"every movie updated ({len(writes)} records, batches of {BATCH})", objects.take(), written
    )


async def _run(endpoint: str, directory: Path, layout: str) -> None:
    environ = moto_environ(endpoint)
    objects = CountingStore(open_object_store(f"s3://{BUCKET}/{layout}", environ=environ))
    if layout == "segments":
        await use_segments(objects)  # type: ignore[arg-type]
        objects.take()
    print(f"\n=== layout: {layout} (catalog x{SCALE}, {BATCH} items per message)")
    catalog = SyntheticCatalog({kind: count * SCALE for kind, count in COUNTS.items()}, seed=7)
    queue = SQLiteWorkQueue(directory / f"queue-{layout}.sqlite3")
    try:
        fake = FakeTMDB(catalog, FakeSettings())
        async with fake.run() as running:
            written = await _mirror(running, objects, queue)
            _report("first mirror", objects.take(), written)
            # A month of TMDB days at once: enough changed records for per-record figures that
            # are not all batch overhead (a real day changes tens of thousands).
            running.advance(30)
            written = await _mirror(running, objects, queue)
            _report("30 days' update", objects.take(), written)
        await _update_every_movie(objects)
    finally:
        queue.close()


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as directory,
        running_moto(Path(directory) / "moto.log") as endpoint,
    ):
        create_bucket(endpoint, BUCKET)
        for layout in LAYOUTS:
            asyncio.run(_run(endpoint, Path(directory), layout))


if __name__ == "__main__":
    main()
