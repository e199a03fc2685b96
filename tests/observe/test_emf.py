"""EMFSink: one CloudWatch embedded-metric-format document per dimension set, per flush."""

from __future__ import annotations

import io
import json

from tmdb_collector.observe import EMFSink, Metrics, Unit


def test_counts_add_up_gauges_keep_the_newest_timings_keep_samples() -> None:
    stream = io.StringIO()
    metrics = Metrics(
        EMFSink(
            "TMDBCollector", dimensions={"function": "collect"}, stream=stream, now_ms=lambda: 7
        )
    )
    metrics.count("collect.items", 2, kind="movie")
    metrics.count("collect.items", 3, kind="movie")
    metrics.count("collect.items", 1, kind="tv")
    metrics.count("collect.response_bytes", 100, unit=Unit.BYTES)
    metrics.gauge("collect.queue", 5)
    metrics.gauge("collect.queue", 4)
    metrics.timing("harvest.seconds", 1.5)
    metrics.timing("harvest.seconds", 2.5)
    metrics.flush()
    documents = [json.loads(line) for line in stream.getvalue().splitlines()]
    by_kind = {d.get("kind"): d for d in documents}
    assert by_kind["movie"]["collect_items"] == 5
    assert by_kind["tv"]["collect_items"] == 1
    plain = by_kind[None]
    assert plain["collect_queue"] == 4
    assert plain["harvest_seconds"] == [1.5, 2.5]
    assert plain["collect_response_bytes"] == 100
    for document in documents:
        directive = document["_aws"]["CloudWatchMetrics"][0]
        assert document["_aws"]["Timestamp"] == 7
        assert directive["Namespace"] == "TMDBCollector"
        assert "function" in directive["Dimensions"][0]
        assert document["function"] == "collect"
        for metric in directive["Metrics"]:
            assert metric["Name"] in document
    units = {
        m["Name"]: m["Unit"]
        for d in documents
        for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]
    }
    assert units["collect_response_bytes"] == "Bytes"
    assert units["harvest_seconds"] == "Seconds"
    stream.truncate(0)
    metrics.flush()  # nothing kept since: nothing written
    assert stream.getvalue() == ""


def test_only_kept_dimensions_become_dimensions_others_fold_into_the_name() -> None:
    stream = io.StringIO()
    metrics = Metrics(EMFSink("NS", dimensions={"function": "collect"}, stream=stream))
    metrics.count("collect.records", 4, kind="movie", outcome="created")
    metrics.count("collect.records", 1, kind="movie", outcome="unchanged")
    metrics.flush()
    [document] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert document["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["function", "kind"]]
    assert document["collect_records_created"] == 4
    assert document["collect_records_unchanged"] == 1
