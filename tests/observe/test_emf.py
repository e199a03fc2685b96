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


def test_only_published_metrics_are_billed_the_rest_stay_plain_fields() -> None:
    """Each published metric is a CloudWatch series (billed); the others are written in the
    same line as plain fields, and a line with none is no EMF document at all."""
    stream = io.StringIO()
    sink = EMFSink(
        "NS",
        dimensions={"function": "collect"},
        kept=(),
        dropped=("kind",),
        published={"collect_requests"},
        stream=stream,
        now_ms=lambda: 7,
    )
    metrics = Metrics(sink)
    metrics.count("collect.requests", 4)
    metrics.count("collect.items", 2, kind="movie")
    metrics.count("collect.items", 3, kind="tv")  # summed over the kind: one total
    metrics.flush()
    [document] = [json.loads(line) for line in stream.getvalue().splitlines()]
    names = [m["Name"] for m in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    assert names == ["collect_requests"]
    assert document["collect_items"] == 5
    quiet = io.StringIO()
    unpublished = EMFSink("NS", dimensions={"function": "x"}, published=set(), stream=quiet)
    Metrics(unpublished).count("collect.items", 1)
    unpublished.flush()
    [line] = [json.loads(text) for text in quiet.getvalue().splitlines()]
    assert "_aws" not in line
    assert line["collect_items"] == 1
