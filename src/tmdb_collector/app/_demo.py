"""The demo: mirror a small synthetic TMDB into a local store, the way `mirror` mirrors TMDB.

It needs no API key and no network. It starts the fake TMDB (a child process) at TMDB's own rate
limit (40 requests/s), runs the mirror — harvest today's exports, collect every record with all
its sub-resources (series with their seasons and episodes), compact the index — and summarises
what it did, with a sample record read back from the store.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# pyarrow ships no type information (no py.typed): its objects are Any to mypy.
import pyarrow.compute as pc  # type: ignore[import-untyped]

from tmdb_collector.app._mirror import MirrorProgress, run_mirror
from tmdb_collector.app._wiring import Wiring
from tmdb_collector.config import (
    COLLECTOR_CONCURRENCY,
    FAKE_TMDB_API_KEY,
    RATE_LIMIT_REQUESTS,
    REFRESH_PER_RUN,
    TMDB_API_KEY,
    TMDB_API_URL,
    TMDB_EXPORTS_URL,
    TMDB_STORE,
    Config,
    OptionValue,
    Setting,
    load_config,
)
from tmdb_collector.kinds import JSONObject, Kind, RecordKey
from tmdb_collector.store import ObjectStore, RecordIndex, open_record_store
from tmdb_collector.tmdb import TMDBClient

__all__ = ["DEMO_CATALOG", "DEMO_RATE", "DemoReport", "mirror_fake_tmdb", "run_demo"]

#: The key the demo's fake TMDB and its mirror share (the demo needs no TMDB credential).
DEMO_KEY = "demo-needs-no-key"
#: Small enough to mirror in well under a minute at 40 requests/s, with every kind in it.
DEMO_CATALOG: dict[Kind, int] = {
    Kind.MOVIE: 150,
    Kind.TV: 25,
    Kind.PERSON: 150,
    Kind.COLLECTION: 25,
    Kind.COMPANY: 25,
    Kind.NETWORK: 25,
    Kind.KEYWORD: 25,
}
DEMO_RATE = 40


@dataclass(slots=True)
class DemoReport:
    """What the demo mirrored, and what it cost."""

    store: str
    seconds: float = 0.0
    records: dict[Kind, int] = field(default_factory=dict)
    stored_bytes: int = 0
    json_bytes: int = 0
    requests: int = 0
    rate_limited: int = 0
    fake_rate_limited: int = 0
    sample_key: RecordKey | None = None
    sample: JSONObject = field(default_factory=dict)
    #: What the demo did otherwise than the shell's settings say, in words.
    notes: list[str] = field(default_factory=list)


def run_demo(
    *,
    seed: int = 42,
    store: str | None = None,
    on_progress: Callable[[MirrorProgress], None] | None = None,
) -> DemoReport:
    """Start the fake TMDB (a child process, so its CPU does not disturb the client's pacing)
    and mirror it into ``store`` (a new temporary directory when None, kept so that it can be
    queried afterwards)."""
    # Imported here: the fake server is the demo's business, not every surface's (cold starts).
    from tmdb_collector.fake import start_fake_process  # noqa: PLC0415

    location = store or tempfile.mkdtemp(prefix="tmdb-demo-")
    counts = ",".join(f"{kind.value}={count}" for kind, count in DEMO_CATALOG.items())
    args = ["--synthetic", counts, "--seed", str(seed), "--rate-limit", str(DEMO_RATE)]
    # The fake logs only its warnings: the demo shows its own summary, not the server's log.
    # Both sides use the demo's own key, whatever the shell sets: a FAKE_TMDB_API_KEY there
    # (as docs/fake-tmdb.md shows) would make the fake refuse the demo's key.
    own_key = {FAKE_TMDB_API_KEY.name: DEMO_KEY}
    with start_fake_process(args, log_level="warning", environ=own_key) as url:
        report = asyncio.run(mirror_fake_tmdb(url, location, on_progress=on_progress))
        # Our own fake's admin API on 127.0.0.1, never a user-given URL.
        with urllib.request.urlopen(f"{url}/_fake/stats", timeout=10) as answer:  # noqa: S310
            report.fake_rate_limited = int(json.load(answer)["rate_limited"])
    shell = [name for name in (FAKE_TMDB_API_KEY.name, TMDB_API_KEY.name) if os.environ.get(name)]
    if shell:
        report.notes.append(
            f"{' and '.join(shell)} from the shell not used: the demo's fake TMDB and its "
            "mirror share a key of their own"
        )
    return report


async def mirror_fake_tmdb(
    url: str,
    location: str,
    *,
    rate: float = DEMO_RATE,
    on_progress: Callable[[MirrorProgress], None] | None = None,
) -> DemoReport:
    """Mirror the TMDB at ``url`` (the fake: any credential works) into the local ``location``."""
    started = time.monotonic()
    wiring = Wiring(_demo_config(url, location, rate))
    objects = wiring.objects
    queue = wiring.open_queue(wiring.default_queue())
    try:
        async with TMDBClient(wiring.client_settings()) as client:
            await run_mirror(
                client=client,
                objects=objects,
                queue=queue,
                harvest_settings=wiring.harvest_settings(),
                collector_settings=wiring.collector_settings(),
                on_progress=on_progress,
            )
            stats = client.stats
    finally:
        queue.close()
    report = DemoReport(store=location, seconds=time.monotonic() - started)
    report.requests, report.rate_limited = stats.requests, stats.rate_limited
    report.json_bytes = stats.bytes_received
    index = RecordIndex(objects)
    for kind in Kind:
        table = await index.table(kind, columns=["deleted", "stored_bytes", "popularity"])
        live = table.filter(pc.invert(table.column("deleted")))
        if live.num_rows:
            report.records[kind] = live.num_rows
            report.stored_bytes += sum(live.column("stored_bytes").to_pylist())
    await _sample(report, objects)
    return report


def _demo_config(url: str, location: str, rate: float) -> Config:
    """The demo's settings: the defaults and these, whatever this shell or directory sets (the
    demo shows the product as shipped, and needs no key: the fake takes any)."""
    given: dict[Setting[Any], object] = {
        TMDB_STORE: location,
        TMDB_API_URL: url,
        TMDB_EXPORTS_URL: url,
        TMDB_API_KEY: DEMO_KEY,
        RATE_LIMIT_REQUESTS: rate,
        COLLECTOR_CONCURRENCY: 20,
        REFRESH_PER_RUN: 0,
    }
    options = {setting.name: OptionValue(value, "demo") for setting, value in given.items()}
    return load_config(environ={}, options=options, cwd=Path(location))


async def _sample(report: DemoReport, objects: ObjectStore) -> None:
    """The most popular movie, read back from the store."""
    top = await RecordIndex(objects).query("movie", order_by="popularity", descending=True, limit=1)
    if top.num_rows:
        key = RecordKey(Kind.MOVIE, top.column("id")[0].as_py())
        stored = await (await open_record_store(objects)).read(key)
        if stored is not None:
            report.sample_key, report.sample = key, stored.json()
