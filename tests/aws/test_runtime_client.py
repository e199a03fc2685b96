"""The Lambda functions end to end through the real AWS Lambda runtime interface client
(awslambdaric, the bootstrap of Lambda's Python images): each function runs as
``python -m awslambdaric <handler>`` in its own process, polling a local Runtime API
(tests/aws/runtime_api.py) as it would poll Lambda's. The test plays Lambda's SQS poller: it
receives batches from the moto queue, invokes the collector with them through the Runtime API,
and deletes or releases the messages by the partial batch response the runtime posts back."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aws.conftest import SECRET, Context, Deployment, event, stored_ids
from aws.runtime_api import InitError, Invocation, RuntimeAPI
from tmdb_collector.aws.handlers import harvest
from tmdb_collector.kinds import EXPORT_KINDS, Kind

pytestmark = [pytest.mark.aws, pytest.mark.slow]

HANDLERS = "tmdb_collector.aws.handlers"
#: Time for a function process to start and answer one invocation; a generous bound on a busy
#: 2-core machine, far above the ~1 s it takes.
INVOKE_TIMEOUT = 60.0


class InvocationFailed(Exception):
    """The function reported an error through the Runtime API's /error endpoint, or answered
    after its deadline."""

    def __init__(self, invocation: Invocation) -> None:
        late = " (after its deadline)" if invocation.timed_out else ""
        super().__init__(f"{invocation.error_type}{late}: {invocation.body}")
        self.invocation = invocation


@dataclass
class Function:
    """One instance of a Lambda function: awslambdaric running a handler in a process of its
    own, fed by a Runtime API; its stdout and stderr (the function's logs) go to ``log``."""

    api: RuntimeAPI
    process: subprocess.Popen[bytes]
    log: Path

    def invoke(self, payload: Any, *, deadline_seconds: float | None = None) -> Invocation:
        answer = self.api.submit(payload, deadline_seconds=deadline_seconds)
        give_up = time.monotonic() + INVOKE_TIMEOUT
        while True:
            try:
                return answer.result(timeout=0.1)
            except TimeoutError:
                if self.process.poll() is not None:
                    raise AssertionError(
                        f"the runtime exited with {self.process.returncode}:\n{self.logs()}"
                    ) from None
                if time.monotonic() > give_up:
                    raise AssertionError(
                        f"no answer in {INVOKE_TIMEOUT} s:\n{self.logs()}"
                    ) from None

    def call(self, payload: Any, *, deadline_seconds: float | None = None) -> Mapping[str, Any]:
        """The handler's result; InvocationFailed when it raised or overran its deadline
        (Lambda would have stopped it: the poller gets no partial batch response)."""
        invocation = self.invoke(payload, deadline_seconds=deadline_seconds)
        if invocation.outcome != "response" or invocation.timed_out:
            raise InvocationFailed(invocation)
        result: Mapping[str, Any] = invocation.body
        return result

    def logs(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def lambda_function(handler: str, environ: Mapping[str, str], root: Path) -> Iterator[Function]:
    """Run ``handler`` under awslambdaric with Lambda's environment plus ``environ`` (and
    nothing else of this process's: the function sees only what its configuration sets)."""
    name = f"tmdb-collector-{handler.split('.')[-2]}"
    root.mkdir(parents=True, exist_ok=True)
    with RuntimeAPI(deadline_seconds=300).serving() as api, ExitStack() as stack:
        log = root / f"{name}.log"
        out = stack.enter_context(log.open("wb"))
        lambda_environ = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "HOME": str(root),
            "LAMBDA_TASK_ROOT": str(root),
            "AWS_LAMBDA_RUNTIME_API": api.address,
            "_HANDLER": handler,
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2026/08/27/[$LATEST]0123456789abcdef",
        }
        process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-m", "awslambdaric", handler],
            env=lambda_environ | dict(environ),
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield Function(api, process, log)
        finally:
            # The runtime loops on /next for ever, as it does on Lambda until the instance is
            # frozen or retired.
            process.kill()
            process.wait(timeout=10)


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
