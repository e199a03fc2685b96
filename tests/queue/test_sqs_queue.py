"""What only the SQS queue does: set up queues with their redrive policy, find the dead-letter
queue from it, retry or raise on partial batch failures, and report AWS failures without
credentials. Partial failures come from a scripted client: moto never fails part of a batch."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, cast

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import unique_queue_name
from tmdb_collector.queue import (
    QueueConfigurationError,
    QueueCounts,
    QueueError,
    QueueMessage,
    SQSWorkQueue,
    ensure_sqs_queues,
)

FAKE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/work"
FAKE_DLQ_ARN = "arn:aws:sqs:eu-west-1:123456789012:work-dlq"


class ScriptedClient:
    """Stands in for a boto3 SQS client: each batch call fails the entries its script names
    (entry id: whether by the sender's fault); every other entry succeeds."""

    def __init__(self, failures: list[dict[str, bool]] | None = None) -> None:
        self.failures = list(failures or [])
        self.batches: list[list[str]] = []
        self.closed = False

    def get_queue_attributes(self, **request: Any) -> dict[str, Any]:
        policy = {"deadLetterTargetArn": FAKE_DLQ_ARN, "maxReceiveCount": 3}
        return {"Attributes": {"RedrivePolicy": json.dumps(policy), "VisibilityTimeout": "45"}}

    def send_message_batch(self, **request: Any) -> dict[str, Any]:
        return self._answer([entry["Id"] for entry in request["Entries"]])

    def delete_message_batch(self, **request: Any) -> dict[str, Any]:
        return self._answer([entry["Id"] for entry in request["Entries"]])

    def close(self) -> None:
        self.closed = True

    def _answer(self, ids: list[str]) -> dict[str, Any]:
        self.batches.append(ids)
        failing = self.failures.pop(0) if self.failures else {}
        return {
            "Successful": [{"Id": entry} for entry in ids if entry not in failing],
            "Failed": [
                {
                    "Id": entry,
                    "SenderFault": failing[entry],
                    "Code": "ReceiptHandleIsInvalid" if failing[entry] else "InternalError",
                    "Message": "no",
                }
                for entry in ids
                if entry in failing
            ],
        }


def scripted_queue(client: ScriptedClient) -> SQSWorkQueue:
    return SQSWorkQueue(FAKE_URL, client=cast(Any, client), retry_delays=(0, 0))


def message(receipt: str) -> QueueMessage:
    return QueueMessage("id", "body", receipt, 1, 0)


# --- the queue's settings come from its redrive policy ------------------------------------------


def test_settings_and_the_dead_letter_queue_come_from_the_redrive_policy() -> None:
    queue = scripted_queue(ScriptedClient())

    assert queue.name == "work"
    assert queue.max_receives == 3
    assert queue.visibility_timeout == 45
    assert queue.dead_letter_url == "https://sqs.eu-west-1.amazonaws.com/123456789012/work-dlq"


def test_a_client_given_is_not_closed_by_the_queue() -> None:
    client = ScriptedClient()
    scripted_queue(client).close()
    assert client.closed is False


@pytest.mark.usefixtures("sqs_environ")
def test_ensure_sqs_queues_is_idempotent_and_applies_new_settings() -> None:
    name = unique_queue_name()
    with ensure_sqs_queues(name, max_receives=2, visibility_timeout=10) as first:
        first.send(["kept"])
    with ensure_sqs_queues(name, max_receives=7, visibility_timeout=20) as second:
        assert second.url == first.url
        assert second.dead_letter_url.endswith(f"/{name}-dlq")
        assert (second.max_receives, second.visibility_timeout) == (7, 20)
        assert second.counts() == QueueCounts(visible=1, in_flight=0, delayed=0)
    with SQSWorkQueue(first.url) as found:  # finds the dead-letter queue from the policy
        assert found.dead_letter_url == second.dead_letter_url
        assert found.max_receives == 7


def test_a_queue_without_a_redrive_policy_is_refused(sqs_environ: dict[str, str]) -> None:
    # boto3 itself reads AWS_DEFAULT_REGION, not AWS_REGION (the queue reads both).
    sqs = boto3.client("sqs", region_name=sqs_environ["AWS_REGION"])
    url = sqs.create_queue(QueueName=unique_queue_name("bare"))["QueueUrl"]

    with pytest.raises(QueueConfigurationError, match="no RedrivePolicy"):
        SQSWorkQueue(url)


def test_a_missing_queue_says_how_to_create_it(sqs_environ: dict[str, str]) -> None:
    url = f"{sqs_environ['AWS_ENDPOINT_URL']}/123456789012/{unique_queue_name('missing')}"

    with pytest.raises(QueueConfigurationError, match=r"does not exist.*sqs://NAME"):
        SQSWorkQueue(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://sqs.eu-west-1.amazonaws.com/work",
        "https://sqs.eu-west-1.amazonaws.com/1234/work",
        "https://sqs.eu-west-1.amazonaws.com/123456789012/bad name",
        "ftp://sqs.eu-west-1.amazonaws.com/123456789012/work",
        "https://sqs.eu-west-1.amazonaws.com/123456789012/work.fifo",
    ],
)
def test_a_url_that_names_no_standard_queue_is_refused(url: str) -> None:
    with pytest.raises(QueueConfigurationError, match=r"SQS queue URL|FIFO"):
        SQSWorkQueue(url, client=cast(Any, ScriptedClient()))


def test_credentials_in_a_url_stay_out_of_messages() -> None:
    with pytest.raises(QueueConfigurationError) as raised:
        SQSWorkQueue("https://key:hunter2@sqs.example.com/nope/work")
    assert "hunter2" not in str(raised.value)
    assert "sqs.example.com" in str(raised.value)


# --- partial batch failures ---------------------------------------------------------------------


def test_entries_sqs_failed_on_its_side_are_sent_again() -> None:
    client = ScriptedClient([{"1": False, "3": False}, {"3": False}])
    queue = scripted_queue(client)

    assert queue.send([f"body {index}" for index in range(12)]) == 12

    assert client.batches == [[str(i) for i in range(10)], ["1", "3"], ["3"], ["10", "11"]]


def test_entries_still_failing_after_the_retries_raise_with_what_was_sent() -> None:
    # The second batch (ids 10 and 11) is tried three times; 11 fails every time.
    client = ScriptedClient([{}, *[{"11": False}] * 3])
    queue = scripted_queue(client)

    with pytest.raises(QueueError, match=r"did not take 1 message.*11 of the 12 messages"):
        queue.send([f"body {index}" for index in range(12)])


def test_entries_refused_by_the_senders_fault_raise_at_once() -> None:
    client = ScriptedClient([{"0": True}])
    queue = scripted_queue(client)

    with pytest.raises(QueueError, match=r"ReceiptHandleIsInvalid.*2 of the 3 messages"):
        queue.send(["a", "b", "c"])
    assert len(client.batches) == 1


def test_delete_counts_what_sqs_deleted_and_retries_its_own_failures() -> None:
    client = ScriptedClient([{"0": True, "1": False}])  # 0: a stale receipt; 1: an SQS hiccup
    queue = scripted_queue(client)

    deleted = queue.delete([message("r0"), message("r1"), message("r2"), message("r0")])

    assert deleted == 2
    assert client.batches == [["0", "1", "2"], ["1"]]


def test_delete_failing_on_sqs_side_after_the_retries_raises() -> None:
    client = ScriptedClient([{"0": False}] * 3)
    queue = scripted_queue(client)

    with pytest.raises(QueueError, match="delivered again after their visibility timeout"):
        queue.delete([message("r0")])


# --- failures of AWS ----------------------------------------------------------------------------


class FailingClient(ScriptedClient):
    """Fails its first get_queue_attributes with `error` (if any), and every receive."""

    def __init__(self, error: Exception | None) -> None:
        super().__init__()
        self.error = error

    def get_queue_attributes(self, **request: Any) -> dict[str, Any]:
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return super().get_queue_attributes(**request)

    def receive_message(self, **request: Any) -> dict[str, Any]:
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "ReceiveMessage"
        )


def client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "GetQueueAttributes")


@pytest.mark.parametrize(
    ("error", "kind", "advice"),
    [
        (client_error("AccessDenied", "denied"), QueueError, "AWS credentials"),
        (
            client_error("AWS.SimpleQueueService.NonExistentQueue", "no such queue"),
            QueueConfigurationError,
            "Create it",
        ),
        (client_error("InternalError", "oops"), QueueError, "retry later"),
    ],
)
def test_aws_failures_become_queue_errors_that_say_what_to_do(
    error: Exception, kind: type[Exception], advice: str
) -> None:
    with pytest.raises(kind, match=advice) as raised:
        SQSWorkQueue(FAKE_URL, client=cast(Any, FailingClient(error)))
    assert FAKE_URL in str(raised.value)
    assert raised.value.__cause__ is error


def test_a_credential_echoed_by_aws_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-value")
    error = client_error("SignatureDoesNotMatch", "signed with s3cr3t-value, wrong")

    with pytest.raises(QueueError) as raised:
        SQSWorkQueue(FAKE_URL, client=cast(Any, FailingClient(error)))

    assert "s3cr3t-value" not in str(raised.value)
    assert "***" in str(raised.value)


def test_receive_failures_name_the_operation() -> None:
    queue = SQSWorkQueue(FAKE_URL, client=cast(Any, FailingClient(None)))
    with pytest.raises(QueueError, match=r"could not receive from .*access refused"):
        queue.receive()


# --- cold start ---------------------------------------------------------------------------------


def test_importing_the_queue_package_does_not_import_boto3() -> None:
    code = (
        "import sys, tmdb_collector.queue\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'boto3', 'botocore'})\n"
        "print(','.join(loaded))"
    )
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""
