"""The frame every handler runs in, and the wiring it asks: what a careless operator or a wrong
trigger gets — one clear failed invocation, nothing half done — and what every invocation
gives — its request id on every log line, its metrics flushed even when it fails, the pace of
its function, the queue's settings."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from aws.conftest import Context, Deployment, event, sqs_record
from tmdb_collector import app
from tmdb_collector.aws import _runtime
from tmdb_collector.aws.handlers import collect, compact, harvest
from tmdb_collector.errors import ConfigurationError, InputError
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import ReceivedBatch
from tmdb_collector.store import RecordIndex, StoreError

pytestmark = pytest.mark.aws


def _log_lines(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith('{"time"')]


def test_every_log_line_of_an_invocation_carries_its_request_id(
    deployment: Deployment, capfd: pytest.CaptureFixture[str]
) -> None:
    harvest.handler(event("scheduler-harvest.json"), Context(aws_request_id="harvest-req-1"))
    deployment.poll(Context(aws_request_id="collect-req-2"), max_messages=2)
    lines = _log_lines(capfd.readouterr().err)
    by_function = {line.get("function") for line in lines}
    assert {"harvest", "collect"} <= by_function
    for line in lines:
        expected = {"harvest": "harvest-req-1", "collect": "collect-req-2"}[line["function"]]
        assert line["aws_request_id"] == expected, line


def test_the_compactor_flushes_its_metrics_when_it_fails(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    harvest.handler(event("scheduler-harvest.json"), Context())
    deployment.drain()
    real = RecordIndex.compact

    async def failing_for_tv(self: RecordIndex, kind: Kind | str, *listed: Any) -> Any:
        if Kind(kind) is Kind.TV:
            raise StoreError("S3 refused the snapshot of tv")
        return await real(self, kind, *listed)

    monkeypatch.setattr(RecordIndex, "compact", failing_for_tv)
    capfd.readouterr()
    with pytest.raises(StoreError, match="refused the snapshot"):
        compact.handler({"detail": {"types": ["movie", "tv"]}}, Context())
    out, err = capfd.readouterr()
    # compact_fragments_merged is not published by default: a plain field of the same line.
    documents = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert any(
        document.get("function") == "compact" and "compact_fragments_merged" in document
        for document in documents
    ), out
    assert "may pass when it is retried" in err


def test_the_collector_without_a_credential_fails_and_sends_nothing(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    harvest.handler(event("scheduler-harvest.json"), Context())
    total = deployment.queue.counts().total
    monkeypatch.delenv("TMDB_API_KEY_SECRET")
    _runtime.reset_runtime()
    with pytest.raises(ConfigurationError, match="TMDB_API_KEY is not set"):
        deployment.poll()
    counts = deployment.queue.counts()
    assert counts.total == total  # no item re-sent with attempt + 1
    assert deployment.queue.dead_counts().total == 0


def test_the_old_meaning_of_collector_concurrency_is_refused_by_name(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    harvest.handler(event("scheduler-harvest.json"), Context())
    monkeypatch.setenv("COLLECTOR_CONCURRENCY", "20")
    monkeypatch.delenv("COLLECTOR_INSTANCES")
    _runtime.reset_runtime()
    with pytest.raises(ConfigurationError, match="is now COLLECTOR_INSTANCES: set it"):
        deployment.poll()
    monkeypatch.setenv("COLLECTOR_INSTANCES", "4")
    _runtime.reset_runtime()
    pace = _runtime.runtime(app.Surface.COLLECTOR_FUNCTION).wiring.pace()
    assert pace == app.Pace((400 - 2) / 4, 5, 398, 4)  # 20 in flight over 4 instances


def test_the_harvester_refuses_an_sqs_event(deployment: Deployment) -> None:
    with pytest.raises(InputError, match="SQS event, the collector's"):
        harvest.handler(event("sqs-batch.json"), Context())
    assert deployment.queue.counts().total == 0


def test_the_harvester_honours_a_detail_given_as_json_text(deployment: Deployment) -> None:
    entry = {
        "Source": "tmdb-collector",
        "DetailType": "Harvest requested",
        "Detail": json.dumps({"types": ["movie"], "dry_run": True}),
        "EventBusName": "default",
    }
    summary = harvest.handler([entry], Context())
    assert summary["dry_run"] is True
    assert [plan["kind"] for plan in summary["kinds"]] == ["movie"]
    assert deployment.queue.counts().total == 0


@pytest.mark.parametrize("handler", [harvest.handler, collect.handler, compact.handler])
@pytest.mark.parametrize("payload", [None, [], "harvest", 7])
def test_a_payload_that_is_no_event_is_one_clear_error(
    deployment: Deployment, handler: Any, payload: object
) -> None:
    with pytest.raises(InputError, match=r"^the (harvester|collector|compactor) takes "):
        handler(payload, Context())


def test_the_collector_refuses_a_schedule_event(deployment: Deployment) -> None:
    with pytest.raises(InputError, match="no list of Records"):
        collect.handler(event("scheduler-harvest.json"), Context())


def test_the_queue_settings_apply_to_an_sqs_name_on_lambda(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMDB_QUEUE", f"sqs://tmdb-settings-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("VISIBILITY_TIMEOUT", "777")
    monkeypatch.setenv("MAX_RECEIVES", "3")
    _runtime.reset_runtime()
    queue = _runtime.runtime(app.Surface.COLLECTOR_FUNCTION).queue()
    assert queue.visibility_timeout == 777
    assert queue.max_receives == 3


def test_the_harvester_takes_the_full_rate_alone_and_its_reserve_beside_collectors(
    deployment: Deployment,
) -> None:
    wiring = _runtime.runtime(app.Surface.HARVESTER_FUNCTION).wiring
    queue = deployment.queue
    assert asyncio.run(wiring.harvester_pace(queue)) == app.Pace(400, 20, 400)
    queue.send(['{"v":1,"groups":[]}'])
    assert queue.receive(1, visibility_timeout=60)  # a collector holds a message
    assert asyncio.run(wiring.harvester_pace(queue)) == app.Pace(2, 2, 2)


def test_a_process_that_ends_after_invocations_leaves_no_session_open(
    deployment: Deployment, sqs_environ: dict[str, str], tmp_path: Path
) -> None:
    """A function's process that ends normally (a local invocation, `sam local`, a test) closes
    the TMDB client's HTTP session: no "Unclosed client session" from aiohttp at exit."""
    script = (
        "import json\n"
        "from tmdb_collector.aws.handlers import collect, harvest\n"
        "harvest.handler({'detail': {'types': ['movie']}}, None)\n"
        "print(json.dumps(collect.handler({'Records': []}, None)))\n"
    )
    environ = {**os.environ, **sqs_environ, **deployment.environ, "PYTHONWARNINGS": "default"}
    ended = subprocess.run(  # noqa: S603 (our own interpreter, a fixed script)
        [sys.executable, "-c", script],
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ended.returncode == 0, ended.stderr
    assert json.loads(ended.stdout.splitlines()[-1]) == {"batchItemFailures": []}
    assert "Unclosed" not in ended.stderr


def test_messages_released_at_the_deadline_are_visible_at_once(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Named in the partial batch response, they once stayed hidden for the rest of the
    visibility timeout the poller received them with (900 s on a real deployment)."""
    harvest.handler(event("scheduler-harvest.json"), Context())
    deployment.fake.settings.update({"latency_ms": 400.0, "latency_jitter_ms": 0.0})
    monkeypatch.setattr(ReceivedBatch, "hand_back_if_drained", lambda *_: 0)
    queue = deployment.queue
    messages = queue.receive(10, visibility_timeout=900)
    batch = {"Records": [sqs_record(m, queue.url) for m in messages]}
    answer = collect.handler(batch, Context(remaining_ms=6_000))
    failed = {entry["itemIdentifier"] for entry in answer["batchItemFailures"]}
    assert failed, "some messages were not finished before the deadline"
    # Right after the invocation, before any poller touches them:
    assert queue.counts().visible >= len(failed)


@pytest.mark.parametrize(
    ("detail", "message"),
    [
        ({"types": ["films"]}, "names no kind or an unknown one"),
        ({"types": 7}, "a list of kinds or a comma-separated text"),
        ({"kinds": ["movie"]}, "unknown field"),
    ],
)
def test_the_compactor_refuses_a_detail_it_does_not_take(
    deployment: Deployment, detail: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        compact.handler({"detail": detail}, Context())
