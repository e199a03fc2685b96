"""A deployment of the Lambda functions' world on a moto server (S3, SQS with its DLQ, Secrets
Manager) and a fake TMDB, with a poller that receives batches from SQS, invokes the collector
and deletes or releases the messages as Lambda's event source mapping does with the partial
batch response. tests/aws/test_handlers.py invokes the handlers directly, and
tests/aws/test_runtime_client.py through the AWS Lambda runtime interface client."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from conftest import MOTO_BUCKET
from tmdb_collector.aws import _runtime
from tmdb_collector.aws.handlers import collect
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS, Kind
from tmdb_collector.queue import QueueMessage, SQSWorkQueue, ensure_sqs_queues
from tmdb_collector.store import RecordIndex, open_object_store

EVENTS = Path(__file__).resolve().parents[1] / "events"
SECRET = "aws-handler-test-key-0123456789"  # noqa: S105 (the fake's test credential)
COUNTS = dict.fromkeys(EXPORT_KINDS, 6) | {Kind.TV: 2}

#: Invokes the collector function with an SQS event; returns its partial batch response, or
#: raises when the invocation failed (then Lambda's poller leaves the whole batch in flight).
Invoke = Callable[[dict[str, Any]], Mapping[str, Any]]


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


def sqs_record(message: QueueMessage, queue_url: str) -> dict[str, Any]:
    """One record of the SQS event Lambda's poller builds from a received message."""
    account, name = queue_url.rstrip("/").split("/")[-2:]
    return {
        "messageId": message.message_id,
        "receiptHandle": message.receipt,
        "body": message.body,
        "attributes": {
            "ApproximateReceiveCount": str(message.receive_count),
            "SentTimestamp": str(message.sent_at_ms),
        },
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:{account}:{name}",
        "awsRegion": "us-east-1",
    }


@dataclass
class Deployment:
    fake: FakeTMDB
    queue: SQSWorkQueue
    store: str
    environ: dict[str, str]

    def poll(
        self, context: Context | None = None, max_messages: int = 10, invoke: Invoke | None = None
    ) -> dict[str, Any]:
        """One poller round: receive a batch from SQS, invoke the collector (directly, unless
        ``invoke`` says how), then delete what it finished and release what it names (as
        Lambda's event source mapping does)."""
        messages = self.queue.receive(max_messages, visibility_timeout=60)
        if not messages:
            return {"messages": 0, "failures": []}
        batch = {"Records": [sqs_record(m, self.queue.url) for m in messages]}
        if invoke is None:
            answer: Mapping[str, Any] = collect.handler(batch, context or Context())
        else:
            answer = invoke(batch)
        failed = {entry["itemIdentifier"] for entry in answer["batchItemFailures"]}
        self.queue.delete([m for m in messages if m.message_id not in failed])
        for message in messages:
            if message.message_id in failed:
                self.queue.change_visibility(message, 0)
        return {"messages": len(messages), "failures": sorted(failed)}

    def drain(self, rounds: int = 200, invoke: Invoke | None = None) -> None:
        for _ in range(rounds):
            if self.queue.counts().total == 0:
                return
            self.poll(invoke=invoke)
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
            "COLLECTOR_INSTANCES": "2",
            "REFRESH_PER_RUN": "0",
            "RETRY_DELAY_SECONDS": "0",
            "TMDB_MAX_ATTEMPTS": "2",
        }
        monkeypatch.delenv("TMDB_API_KEY", raising=False)
        for key, value in environ.items():
            monkeypatch.setenv(key, value)
        _runtime.reset_runtime()
        try:
            yield Deployment(running, queue, store, environ)
        finally:
            _runtime.reset_runtime()
            queue.close()


def stored_ids(store: str, kind: Kind) -> set[int]:
    """The ids of ``kind`` in the store's index (the moto environment is the process's)."""
    objects = open_object_store(store)
    table = asyncio.run(RecordIndex(objects).table(kind, columns=["deleted"]))
    return set(table.column("id").to_pylist())
