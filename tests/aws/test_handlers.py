"""The Lambda handlers with real event payloads, on a moto server (S3, SQS with its DLQ,
Secrets Manager): messages are really received from SQS and deleted or released as Lambda's
poller does with the partial batch response."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from conftest import MOTO_BUCKET
from tmdb_collector.aws import _runtime
from tmdb_collector.aws.handlers import collect, compact, harvest
from tmdb_collector.errors import InputError
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake._synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS, Kind
from tmdb_collector.queue import SQSWorkQueue, ensure_sqs_queues
from tmdb_collector.store import RecordIndex, open_object_store
from tmdb_collector.tmdb import AuthenticationError

EVENTS = Path(__file__).resolve().parents[1] / "events"
SECRET = "aws-handler-test-key-0123456789"  # noqa: S105 (the fake's test credential)
COUNTS = dict.fromkeys(EXPORT_KINDS, 6) | {Kind.TV: 2}

pytestmark = pytest.mark.aws


def event(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return loaded


@dataclass
class Context:
    """What Lambda's context object offers the handlers."""

    remaining_ms: int = 600_000
    function_name: str = "tmdb-collector-collect"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class Deployment:
    fake: FakeTMDB
    queue: SQSWorkQueue
    store: str
    environ: dict[str, str]

    def poll(self, context: Context | None = None, max_messages: int = 10) -> dict[str, Any]:
        """One poller round: receive a batch from SQS, invoke the collector, then delete what
        it finished and release what it names (as Lambda's event source mapping does)."""
        messages = self.queue.receive(max_messages, visibility_timeout=60)
        if not messages:
            return {"messages": 0, "failures": []}
        records = [
            {
                "messageId": m.message_id,
                "receiptHandle": m.receipt,
                "body": m.body,
                "attributes": {
                    "ApproximateReceiveCount": str(m.receive_count),
                    "SentTimestamp": str(m.sent_at_ms),
                },
                "eventSource": "aws:sqs",
            }
            for m in messages
        ]
        answer = collect.handler({"Records": records}, context or Context())
        failed = {entry["itemIdentifier"] for entry in answer["batchItemFailures"]}
        self.queue.delete([m for m in messages if m.message_id not in failed])
        for message in messages:
            if message.message_id in failed:
                self.queue.change_visibility(message, 0)
        return {"messages": len(messages), "failures": sorted(failed)}

    def drain(self, rounds: int = 200) -> None:
        for _ in range(rounds):
            if self.queue.counts().total == 0:
                return
            self.poll()
        raise AssertionError("the queue did not drain")


@pytest.fixture
def deployment(
    sqs_environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Deployment]:
    fake = FakeTMDB(SyntheticCatalog(COUNTS, seed=5), FakeSettings(api_key=SECRET))
    name = f"tmdb-work-{uuid.uuid4().hex[:10]}"
    queue = ensure_sqs_queues(name, max_receives=5, visibility_timeout=60)
    secret_name = f"tmdb-collector/api-key-{uuid.uuid4().hex[:8]}"
    region = sqs_environ["AWS_REGION"]
    boto3.client("secretsmanager", region_name=region).create_secret(
        Name=secret_name, SecretString=json.dumps({"TMDB_API_KEY": SECRET})
    )
    store = f"s3://{MOTO_BUCKET}/aws/{uuid.uuid4().hex}"
    with fake.run_in_thread() as running:
        environ = {
            "TMDB_STORE": store,
            "TMDB_QUEUE": queue.url,
            "TMDB_API_URL": running.url,
            "TMDB_EXPORTS_URL": running.url,
            "TMDB_API_KEY_SECRET": secret_name,
            "RATE_LIMIT_REQUESTS": "400",
            "COLLECTOR_CONCURRENCY": "2",
            "REFRESH_PER_RUN": "0",
            "RETRY_DELAY_SECONDS": "0",
            "TMDB_MAX_ATTEMPTS": "2",
        }
        monkeypatch.delenv("TMDB_API_KEY", raising=False)
        for key, value in environ.items():
            monkeypatch.setenv(key, value)
        _runtime.runtime.cache_clear()
        try:
            yield Deployment(running, queue, store, environ)
        finally:
            _runtime.runtime.cache_clear()
            queue.close()


def stored_ids(store: str, kind: Kind) -> set[int]:
    """The ids of ``kind`` in the store's index (the moto environment is the process's)."""
    objects = open_object_store(store)
    table = asyncio.run(RecordIndex(objects).table(kind, columns=["deleted"]))
    return set(table.column("id").to_pylist())


def test_harvest_then_collect_then_compact_mirrors_everything(
    deployment: Deployment, capfd: pytest.CaptureFixture[str]
) -> None:
    summary = harvest.handler(event("scheduler-harvest.json"), Context())
    assert summary["items_enqueued"] > 0
    assert deployment.queue.counts().total > 0
    exported = {plan["kind"]: plan["export_ids"] for plan in summary["kinds"]}
    deployment.drain()
    folded = compact.handler({"source": "aws.scheduler", "detail": {}}, Context())
    assert folded["movie"]["rows"] == exported["movie"]
    for kind in EXPORT_KINDS:
        assert len(stored_ids(deployment.store, kind)) == exported[kind.value], kind
    assert deployment.queue.dead_counts().total == 0
    out, err = capfd.readouterr()
    assert SECRET not in out + err  # not in a log line, not in an EMF document
    documents = [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]
    names = {m["Name"] for d in documents for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert {"collect_items", "collect_records", "harvest_items_planned"} <= names
    assert all(d["function"] in {"harvest", "collect", "compact"} for d in documents)


def test_a_failing_item_comes_back_and_the_others_are_deleted(deployment: Deployment) -> None:
    harvest.handler(event("trigger-harvest.json"), Context())
    deployment.fake.inject(503, count=1000, path_prefix="/3/movie/1")
    round_ = deployment.poll()
    assert round_["messages"] > 0
    # The failing item was put back as a new message (attempt + 1); its message is finished.
    assert round_["failures"] == []
    deployment.fake.clear_faults()
    deployment.drain()
    assert 1 in stored_ids(deployment.store, Kind.MOVIE)  # the failed one too, in the end


def test_a_malformed_message_is_dead_lettered_with_its_error(deployment: Deployment) -> None:
    deployment.queue.send(['{"v":1,"groups":"not a list"}'])
    round_ = deployment.poll()
    assert round_["failures"] == []
    assert deployment.queue.counts().total == 0
    [dead] = deployment.queue.peek_dead(1)
    assert "groups" in dead.body


def test_the_deadline_releases_work_without_losing_it(deployment: Deployment) -> None:
    harvest.handler(event("scheduler-harvest.json"), Context())
    deployment.fake.settings.update({"latency_ms": 400.0, "latency_jitter_ms": 0.0})
    total = deployment.queue.counts().total
    round_ = deployment.poll(Context(remaining_ms=6_000))  # 1 s of work, then stop
    assert round_["failures"], "some messages were not started before the deadline"
    assert deployment.queue.counts().total >= min(total, len(round_["failures"]))
    deployment.fake.settings.update({"latency_ms": 0.0})
    deployment.drain()
    assert deployment.queue.dead_counts().total == 0
    assert len(stored_ids(deployment.store, Kind.MOVIE)) >= COUNTS[Kind.MOVIE] - 1


def test_a_rejected_credential_fails_the_invocation_and_keeps_every_message(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    harvest.handler(event("scheduler-harvest.json"), Context())
    total = deployment.queue.counts().visible
    wrong = "a-wrong-key-that-tmdb-rejects"
    monkeypatch.setenv("TMDB_API_KEY", wrong)
    _runtime.runtime.cache_clear()
    with pytest.raises(AuthenticationError):
        deployment.poll()
    counts = deployment.queue.counts()
    assert counts.visible + counts.in_flight == total
    out, err = capfd.readouterr()
    assert wrong not in out + err
    assert SECRET not in out + err


def test_redrive_puts_dead_letters_back(deployment: Deployment) -> None:
    deployment.queue.send_dead(
        [
            '{"v":1,"groups":[{"kind":"movie","reason":"new","attempt":1,'
            '"enqueued_at":1764918000000,"keys":["2"]}],"error":"503"}'
        ]
    )
    assert deployment.queue.redrive() == 1
    deployment.drain()
    assert 2 in stored_ids(deployment.store, Kind.MOVIE)


def test_the_harvest_event_is_checked(deployment: Deployment) -> None:
    with pytest.raises(InputError, match=r"detail\.date must be YYYY-MM-DD"):
        harvest.handler({"detail": {"date": "tomorrow"}}, Context())
    with pytest.raises(InputError, match="unknown field"):
        harvest.handler({"detail": {"kinds": ["movie"]}}, Context())
    dry = harvest.handler({"detail": {"dry_run": True, "types": "movie"}}, Context())
    assert dry["dry_run"] is True
    assert deployment.queue.counts().total == 0


def test_each_instance_paces_at_its_share(deployment: Deployment) -> None:
    wiring = _runtime.runtime()
    assert wiring.client_settings.rate_limit == 400 / 2
    assert wiring.client_settings.credential is not None
