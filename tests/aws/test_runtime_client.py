"""The Lambda functions end to end through the real AWS Lambda runtime interface client
(awslambdaric, the bootstrap of Lambda's Python images): each function runs as
``python -m awslambdaric <handler>`` in its own process, polling a local Runtime API
(tests/aws/runtime_api.py) as it would poll Lambda's. The test plays Lambda's SQS poller: it
receives batches from the moto queue, invokes the collector with them through the Runtime API,
and deletes or releases the messages by the partial batch response the runtime posts back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from aws.conftest import SECRET, Context, Deployment, event, stored_ids
from aws.local_lambda import InvocationFailed, lambda_function
from aws.runtime_api import InitError
from tmdb_collector.aws.handlers import harvest
from tmdb_collector.kinds import EXPORT_KINDS, Kind

pytestmark = [pytest.mark.aws, pytest.mark.slow]

HANDLERS = "tmdb_collector.aws.handlers"


def function_environ(deployment: Deployment, aws: Mapping[str, str]) -> dict[str, str]:
    """A function's configuration: the deployment's settings and the AWS endpoint (moto)."""
    return dict(aws) | deployment.environ


def test_harvest_and_collect_under_the_runtime_client_mirror_everything(
    deployment: Deployment, sqs_environ: dict[str, str], tmp_path: Path
) -> None:
    environ = function_environ(deployment, sqs_environ)
    with (
        lambda_function(f"{HANDLERS}.harvest.handler", environ, tmp_path) as harvester,
        lambda_function(f"{HANDLERS}.collect.handler", environ, tmp_path) as collector,
    ):
        summary = harvester.call(event("scheduler-harvest.json"))
        assert summary["items_enqueued"] > 0
        exported = {plan["kind"]: plan["export_ids"] for plan in summary["kinds"]}

        # The deadline travels as Lambda-Runtime-Deadline-Ms into the context the handler
        # reads: near it, the collector releases the messages it did not finish.
        deployment.fake.settings.update({"latency_ms": 400.0, "latency_jitter_ms": 0.0})
        round_ = deployment.poll(invoke=lambda batch: collector.call(batch, deadline_seconds=6))
        assert round_["failures"], "some messages were not finished before the deadline"
        deployment.fake.settings.update({"latency_ms": 0.0})

        deployment.drain(invoke=collector.call)
    for kind in EXPORT_KINDS:
        assert len(stored_ids(deployment.store, kind)) == exported[kind.value], kind
    assert deployment.queue.dead_counts().total == 0
    logs = harvester.logs() + collector.logs()
    assert SECRET not in logs
    assert '"collected a batch"' in collector.logs()  # the handler's JSON log reached stdout


def test_a_rejected_credential_is_reported_through_the_error_endpoint(
    deployment: Deployment, sqs_environ: dict[str, str], tmp_path: Path
) -> None:
    harvest.handler(event("scheduler-harvest.json"), Context())
    total = deployment.queue.counts().visible
    wrong = "a-wrong-key-that-tmdb-rejects"
    environ = function_environ(deployment, sqs_environ) | {"TMDB_API_KEY": wrong}
    with lambda_function(f"{HANDLERS}.collect.handler", environ, tmp_path) as collector:
        with pytest.raises(InvocationFailed) as failed:
            deployment.poll(invoke=collector.call)
        logs = collector.logs()
    invocation = failed.value.invocation
    assert invocation.error_type == "AuthenticationError"
    assert "TMDB rejected the credential" in invocation.body["errorMessage"]
    report = json.dumps(invocation.body) + json.dumps(invocation.headers)
    for credential in (wrong, SECRET):
        assert credential not in report
        assert credential not in logs
    # Lambda's poller leaves a failed invocation's batch in flight: every message comes back.
    counts = deployment.queue.counts()
    assert counts.visible + counts.in_flight == total
    assert stored_ids(deployment.store, Kind.MOVIE) == set()


def test_a_handler_path_that_does_not_import_fails_the_init(tmp_path: Path) -> None:
    # The SAM template names the handlers by path: a wrong one fails at init, not per event.
    with (
        lambda_function(f"{HANDLERS}.collector.handler", {}, tmp_path) as function,
        pytest.raises(InitError) as failed,
    ):
        function.invoke(event("sqs-batch.json"))
    assert failed.value.document["errorType"] == "Runtime.ImportModuleError"
