"""The collector's metrics: the same counts as its progress, by kind and outcome, flushed at the
end of a run (docs/observability.md)."""

from __future__ import annotations

import pytest

from collect.conftest import TEST_SETTINGS, Bench
from observe.documented import documented_metrics
from tmdb_collector.collect import Collector, CollectorProgress
from tmdb_collector.collect import _collector as collector_module
from tmdb_collector.kinds import Kind
from tmdb_collector.observe import MemorySink, Metrics, Unit
from tmdb_collector.tmdb import AuthenticationError


async def collect(bench: Bench, sink: MemorySink) -> CollectorProgress:
    async with bench.client() as client:
        collector = Collector(
            client,
            bench.records,
            bench.queue,
            TEST_SETTINGS,
            now_ms=bench.now_ms,
            poll_seconds=0.02,
            metrics=Metrics(sink),
        )
        return await collector.run()


async def test_a_run_reports_items_records_failures_and_requests(bench: Bench) -> None:
    bench.fake.inject("503", 1000, "/3/movie/7")  # retried twice, then dead-lettered
    bench.fake.inject("429", 1, "/3/tv/")
    bench.enqueue_keys(Kind.MOVIE, range(1, 10))
    bench.enqueue_keys(Kind.TV, [2])
    bench.queue.inner.send(['{"v": 1, "groups": "nope"}'])
    sink = MemorySink()
    progress = await collect(bench, sink)
    bench.fake.clear_faults()

    assert sink.totals("collect.items", "kind") == {"movie": 8, "tv": 1}
    assert progress.items == {Kind.MOVIE: 8, Kind.TV: 1}
    for kind, outcomes in progress.records.items():
        for outcome, records in outcomes.items():
            assert sink.total("collect.records", kind=kind, outcome=outcome) == records
    assert sink.total("collect.records", kind=Kind.TV_EPISODE, outcome="created") > 0
    assert sink.total("collect.records") == sum(sum(o.values()) for o in progress.records.values())
    assert sink.totals("collect.items_retried", "kind") == {"movie": 2}
    assert sink.totals("collect.items_dead", "kind") == {"movie": 1}
    assert sink.total("collect.messages_malformed") == 1
    assert sink.total("collect.messages") == progress.messages == 5
    assert sink.total("collect.requests") == progress.requests
    assert sink.total("collect.rate_limited") == progress.rate_limited == 1
    [received] = [m for m in sink.metrics if m.name == "collect.response_bytes"]
    assert received.unit is Unit.BYTES
    assert received.value > 0
    assert sink.flushes == 1
    assert sink.names <= documented_metrics()


async def test_a_long_run_flushes_as_it_goes_and_counts_each_request_once(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collector_module, "METRICS_FLUSH_SECONDS", 0.0)
    bench.enqueue_keys(Kind.MOVIE, range(1, 5), max_items=1)
    sink = MemorySink()
    progress = await collect(bench, sink)
    assert sink.flushes >= 2
    assert sink.total("collect.requests") == progress.requests == 4
    assert sink.total("collect.messages") == 4


async def test_a_run_that_fails_still_flushes(bench: Bench) -> None:
    bench.fake.settings.api_key = "the-right-key"
    bench.credential = "a-wrong-key"
    bench.enqueue_keys(Kind.MOVIE, [1])
    sink = MemorySink()
    with pytest.raises(AuthenticationError):
        await collect(bench, sink)
    assert sink.flushes == 1
    assert sink.total("collect.requests") >= 1
