"""The demo: a small synthetic TMDB, read the way the collector will read it.

It needs no API key and no network. It starts the fake TMDB (a child process) at TMDB's own rate
limit, finds and streams today's export of every kind, fetches every record with all its
sub-resources (series with their seasons through ``season/N`` appends), lets a day pass, reads
the changes feeds, and summarises what it did. Until the local mirror exists this is the
product's main job; the mirror demo will replace it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import aiohttp
from rich.table import Table

from tmdb_collector.fake import start_fake_process
from tmdb_collector.kinds import (
    CHANGES_KINDS,
    EXPORT_KINDS,
    MAX_APPENDS,
    SUB_RESOURCES,
    Kind,
    RecordKey,
)
from tmdb_collector.tmdb import (
    ClientSettings,
    ClientStats,
    Credential,
    JSONObject,
    NotFound,
    TMDBClient,
)

__all__ = ["DEMO_CATALOG", "DemoReport", "read_fake_tmdb", "render_report", "run_demo"]

DEMO_CATALOG: dict[Kind, int] = {
    Kind.MOVIE: 60,
    Kind.TV: 20,
    Kind.PERSON: 60,
    Kind.COLLECTION: 8,
    Kind.COMPANY: 15,
    Kind.NETWORK: 6,
    Kind.KEYWORD: 25,
}
DEMO_RATE = 40  # TMDB's documented ceiling, enforced by the fake: the demo shows it is kept
DEMO_LATENCY_MS = 20


@dataclass
class DemoReport:
    """What the demo did, for the summary it prints (and for tests)."""

    export_ids: Counter[Kind] = field(default_factory=Counter)
    records: Counter[Kind] = field(default_factory=Counter)
    json_bytes: Counter[Kind] = field(default_factory=Counter)
    changed: Counter[Kind] = field(default_factory=Counter)
    requests_by_kind: Counter[Kind] = field(default_factory=Counter)
    seconds: float = 0.0
    fetch_seconds: float = 0.0
    api_requests: int = 0
    client: ClientStats = field(default_factory=ClientStats)
    fake_rate_limited: int = 0
    sample: JSONObject = field(default_factory=dict)


def run_demo(*, seed: int = 42, counts: dict[Kind, int] | None = None) -> DemoReport:
    """Start the fake TMDB in its own process (TMDB is remote: its work must not stall ours)
    with a synthetic catalog, read it all, and report."""
    catalog = ",".join(f"{kind}={n}" for kind, n in (counts or DEMO_CATALOG).items())
    args = ["--synthetic", catalog, "--seed", str(seed), "--rate-limit", str(DEMO_RATE)]
    args += ["--latency-ms", str(DEMO_LATENCY_MS)]
    with start_fake_process(args) as url:
        return asyncio.run(read_fake_tmdb(url))


async def read_fake_tmdb(url: str) -> DemoReport:
    """Everything the demo does against a running fake TMDB at ``url``."""
    report = DemoReport()
    started = time.monotonic()
    settings = ClientSettings(
        credential=Credential("demo-api-key"), api_url=url, exports_url=url, rate_limit=DEMO_RATE
    )
    async with TMDBClient(settings) as tmdb:
        ids = {kind: await _export_ids(tmdb, kind, report) for kind in EXPORT_KINDS}
        fetch_started = time.monotonic()
        await asyncio.gather(*(_fetch_kind(tmdb, kind, ids[kind], report) for kind in ids))
        report.fetch_seconds = time.monotonic() - fetch_started
        await _admin(url, "POST", "advance", days="1")
        today = datetime.now(UTC).date()
        for kind in CHANGES_KINDS:
            async for _ in tmdb.changes(kind, today - timedelta(days=1), today):
                report.changed[kind] += 1
        report.client = tmdb.stats
    fake_stats = await _admin(url, "GET", "stats")
    report.fake_rate_limited = int(fake_stats["rate_limited"])
    report.api_requests = int(fake_stats["requests"]) - int(fake_stats["by_endpoint"]["export"])
    report.requests_by_kind.update(
        {Kind(name): n for name, n in fake_stats["by_endpoint"].items() if name in set(Kind)}
    )
    report.seconds = time.monotonic() - started
    return report


async def _export_ids(tmdb: TMDBClient, kind: Kind, report: DemoReport) -> list[int]:
    export = await tmdb.find_export(kind)
    ids = [entry.id async for entry in tmdb.stream_export(export)]
    report.export_ids[kind] = len(ids)
    return ids


async def _fetch_kind(tmdb: TMDBClient, kind: Kind, ids: list[int], report: DemoReport) -> None:
    for record_id in sorted(ids):
        record = await _fetch(tmdb, RecordKey(kind, record_id))
        if isinstance(record, NotFound):
            continue
        report.records[kind] += 1
        report.json_bytes[kind] += len(json.dumps(record, ensure_ascii=False).encode())
        if kind is Kind.TV:
            seasons = [key for key in record if key.startswith("season/")]
            report.records[Kind.TV_SEASON] += len(seasons)
            report.records[Kind.TV_EPISODE] += sum(
                len(record[key].get("episodes", [])) for key in seasons
            )
        if kind is Kind.MOVIE and not report.sample:
            report.sample = record


async def _fetch(tmdb: TMDBClient, key: RecordKey) -> JSONObject | NotFound:
    """A record with every sub-resource; a series also with all its seasons (``season/N``)."""
    appends = list(SUB_RESOURCES[key.kind])
    if key.kind is not Kind.TV:
        return await tmdb.details(key, appends)
    # Guess the first seasons into the spare append slots; the series tells which others exist.
    guessed = [f"season/{n}" for n in range(MAX_APPENDS - len(appends))]
    series = await tmdb.details(key, appends + guessed)
    if isinstance(series, NotFound):
        return series
    missing = [
        f"season/{season['season_number']}"
        for season in series.get("seasons", [])
        if f"season/{season['season_number']}" not in series
    ]
    if missing:
        rest = await tmdb.details(key, missing)
        if isinstance(rest, NotFound):
            return rest
        series.update({name: rest[name] for name in missing if name in rest})
    return series


async def _admin(url: str, method: str, endpoint: str, **params: str) -> JSONObject:
    """Call the fake TMDB's admin API (``/_fake/...``)."""
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, f"{url}/_fake/{endpoint}", params=params) as response,
    ):
        response.raise_for_status()
        answer: JSONObject = await response.json()
        return answer


def render_report(report: DemoReport) -> list[object]:
    """Rich renderables summarising a demo run: a table per kind, then totals and a sample."""
    table = Table(title="tmdb-collector demo: a synthetic TMDB read at TMDB's pace")
    for column in ("kind", "ids in export", "records fetched", "requests", "JSON KB", "changed"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind in Kind:
        if not (report.export_ids[kind] or report.records[kind]):
            continue
        table.add_row(
            kind.value,
            str(report.export_ids[kind] or "-"),
            str(report.records[kind]),
            str(report.requests_by_kind[kind] or "-"),
            f"{report.json_bytes[kind] / 1000:,.0f}" if report.json_bytes[kind] else "-",
            str(report.changed[kind]) if kind in CHANGES_KINDS else "-",
        )
    stats = report.client
    fetched = sum(report.requests_by_kind.values())
    totals = (
        f"{fetched} record requests in {report.fetch_seconds:.1f} s "
        f"({fetched / report.fetch_seconds:.1f}/s, limit {DEMO_RATE}/s); "
        f"{report.api_requests} API requests in all; 429s from the fake: "
        f"{report.fake_rate_limited}; retries: {stats.retries}; "
        f"{stats.bytes_received / 1e6:.1f} MB received; {report.seconds:.1f} s in all"
    )
    lines: list[object] = [table, totals]
    if report.sample:
        movie = report.sample
        cast = len(movie.get("credits", {}).get("cast", []))
        crew = len(movie.get("credits", {}).get("crew", []))
        lines.append(
            f"sample: movie {movie['id']} {movie.get('title')!r} ({movie.get('release_date')}), "
            f"{cast} cast, {crew} crew, appended: {', '.join(SUB_RESOURCES[Kind.MOVIE])}"
        )
    return lines
