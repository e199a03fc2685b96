"""The work queue on Amazon SQS, or anything speaking its API (moto, LocalStack, ElasticMQ).

boto3 is imported when a queue is opened, not with this module: a Lambda handler importing the
queue package pays for boto3 only if it talks to SQS. The endpoint comes from AWS_ENDPOINT_URL
(boto3 reads it itself), the region from AWS_REGION or AWS_DEFAULT_REGION, or from an AWS queue
URL. Messages never leave SQS's own dead-letter machinery: the main queue's RedrivePolicy names
the dead-letter queue and max_receives, exactly as SQS applies them.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Final, Self, TypeVar
from urllib.parse import urlsplit, urlunsplit

from tmdb_collector.config import MAX_RECEIVES, VISIBILITY_TIMEOUT
from tmdb_collector.queue._errors import QueueConfigurationError, QueueError
from tmdb_collector.queue._queue import (
    DEAD_LETTER_SUFFIX,
    MAX_BATCH_ENTRIES,
    MAX_DELAY_SECONDS,
    MAX_RECEIVE_MESSAGES,
    MAX_RECEIVES_LIMIT,
    MAX_RETENTION_SECONDS,
    MAX_VISIBILITY_TIMEOUT,
    MAX_WAIT_SECONDS,
    MIN_RETENTION_SECONDS,
    QueueCounts,
    QueueMessage,
    body_sizes,
    check_queue_name,
    check_range,
    check_receive,
    send_batches,
)

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient
    from types_boto3_sqs.literals import QueueAttributeNameType
    from types_boto3_sqs.type_defs import (
        BatchResultErrorEntryTypeDef,
        DeleteMessageBatchRequestEntryTypeDef,
        MessageTypeDef,
        SendMessageBatchRequestEntryTypeDef,
    )

__all__ = ["SQSWorkQueue", "ensure_sqs_queues"]

_log = logging.getLogger("tmdb_collector.queue")
_T = TypeVar("_T")

#: Pauses before sending again the entries of a batch that SQS failed on its side.
RETRY_DELAYS: Final = (0.2, 1.0, 5.0)
#: How long redrive hides the dead-letter messages it is moving; if it dies part-way they
#: reappear on the dead-letter queue after this.
REDRIVE_VISIBILITY_SECONDS: Final = 60
# An SQS queue URL: scheme://host/ACCOUNT/NAME (twelve-digit account id, SQS's name rule).
_URL_PATH = re.compile(r"/([0-9]{12})/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)/?")
_AWS_HOST = re.compile(
    r"(?:sqs\.(?P<region>[a-z0-9-]+)|(?P<legacy>[a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?"
)
_ARN = re.compile(r"arn:[a-z-]+:sqs:[a-z0-9-]*:([0-9]{12}):([A-Za-z0-9_-]{1,80})")
_COUNT_ATTRIBUTES: Final = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)
# Errors that mean "this receipt no longer names a deliverable message", not "SQS failed".
_STALE_RECEIPT_CODES = frozenset(
    {
        "ReceiptHandleIsInvalid",
        "AWS.SimpleQueueService.ReceiptHandleIsInvalid",
        "MessageNotInflight",
        "AWS.SimpleQueueService.MessageNotInflight",
        "InvalidParameterValue",  # SQS's answer for an expired receipt
    }
)
_MISSING_QUEUE_CODES = frozenset(
    {
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "NonExistentQueue",
    }
)
_ACCESS_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "InvalidSecurity",
    }
)
# boto3 builds clients from a shared default session, which is not safe to use from several
# threads at once; consumers that open their own queue in their own thread take turns here.
_CLIENT_LOCK = threading.Lock()
_REASON_LIMIT = 300


class SQSWorkQueue:
    """A WorkQueue on the SQS queue at `queue_url`, whose RedrivePolicy names its dead-letter
    queue and max_receives (ensure_sqs_queues sets both up).

    `client` is a boto3 SQS client to use (not closed by close()); by default one is made from
    the environment. Thread-safe: boto3 clients are.

    A stale receipt is SQS's business: SQS documents that deleting with one succeeds but may
    not delete the message, so delete() counts the entries SQS accepted (moto deletes the
    message, and accepts an already deleted one); a receipt SQS rejects is not counted. And SQS
    standard queues deliver at least once: rarely, a message arrives twice even while hidden, so
    consumers stay idempotent.
    """

    def __init__(
        self,
        queue_url: str,
        *,
        dead_letter_url: str | None = None,
        client: SQSClient | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._name = _queue_name(queue_url)
        self._url = queue_url
        self._owns_client = client is None
        self._client = client if client is not None else _make_client(queue_url)
        self._retry_delays = tuple(retry_delays)
        self._sleep = sleep
        try:
            settings = self._settings(queue_url, dead_letter_url)
        except BaseException:
            self.close()  # the client we made, if any
            raise
        self._max_receives, self._dead_url, self._visibility_timeout = settings

    def _settings(self, queue_url: str, dead_letter_url: str | None) -> tuple[int, str, int]:
        """max_receives, the dead-letter queue's URL and the visibility timeout, from the
        queue's attributes."""
        attributes = self._call(
            "read the settings of",
            queue_url,
            lambda: self._client.get_queue_attributes(
                QueueUrl=queue_url, AttributeNames=["RedrivePolicy", "VisibilityTimeout"]
            ),
        )["Attributes"]
        dead_letter_arn, max_receives = _redrive_policy(queue_url, attributes.get("RedrivePolicy"))
        dead_url = dead_letter_url or _sibling_url(queue_url, dead_letter_arn)
        return max_receives, dead_url, int(attributes.get("VisibilityTimeout", "30"))

    def __repr__(self) -> str:
        return f"SQSWorkQueue({display_url(self._url)!r})"

    @property
    def name(self) -> str:
        return self._name

    @property
    def url(self) -> str:
        return self._url

    @property
    def dead_letter_url(self) -> str:
        return self._dead_url

    @property
    def max_receives(self) -> int:
        return self._max_receives

    @property
    def visibility_timeout(self) -> int:
        return self._visibility_timeout

    # --- the main queue ----------------------------------------------------------------------

    def send(self, bodies: Sequence[str], *, delay_seconds: int = 0) -> int:
        check_range("delay_seconds", delay_seconds, 0, MAX_DELAY_SECONDS)
        return self._send(self._url, bodies, delay_seconds)

    def receive(
        self,
        max_messages: int = 10,
        *,
        visibility_timeout: int | None = None,
        wait_seconds: int = 0,
    ) -> list[QueueMessage]:
        check_receive(max_messages, visibility_timeout, wait_seconds)
        if visibility_timeout is None:
            visibility_timeout = self._visibility_timeout
        return self._receive(self._url, max_messages, visibility_timeout, wait_seconds)

    def delete(self, messages: Sequence[QueueMessage]) -> int:
        return self._delete(self._url, [message.receipt for message in messages])

    def change_visibility(self, message: QueueMessage, timeout_seconds: int) -> bool:
        check_range("timeout_seconds", timeout_seconds, 0, MAX_VISIBILITY_TIMEOUT)
        client_error = _botocore_errors()[1]
        try:
            self._client.change_message_visibility(
                QueueUrl=self._url, ReceiptHandle=message.receipt, VisibilityTimeout=timeout_seconds
            )
        except client_error as exc:
            if _error_code(exc) in _STALE_RECEIPT_CODES:
                return False
            raise _failure("change the visibility of a message in", self._url, exc) from exc
        except _botocore_errors() as exc:
            raise _failure("change the visibility of a message in", self._url, exc) from exc
        return True

    def counts(self) -> QueueCounts:
        return self._counts(self._url)

    # --- the dead-letter queue ---------------------------------------------------------------

    def send_dead(self, bodies: Sequence[str]) -> int:
        return self._send(self._dead_url, bodies, 0)

    def dead_counts(self) -> QueueCounts:
        return self._counts(self._dead_url)

    def peek_dead(self, max_messages: int = 10) -> list[QueueMessage]:
        """Receives with a visibility timeout of 0, so the messages stay visible. Their receive
        count grows, which is harmless: a dead-letter queue has no redrive policy of its own."""
        check_range("max_messages", max_messages, 1, MAX_RECEIVE_MESSAGES)
        return self._receive(self._dead_url, max_messages, 0, 0)

    def redrive(self, max_messages: int | None = None) -> int:
        """SQS's own StartMessageMoveTask is asynchronous and missing from moto, so messages move
        through this process: receive from the dead-letter queue, send to the main queue, then
        delete. Oldest first within each batch of ten (SQS gives no order across batches)."""
        if max_messages is not None:
            check_range("max_messages", max_messages, 0, 2**62)
        moved = 0
        while max_messages is None or moved < max_messages:
            want = MAX_RECEIVE_MESSAGES
            if max_messages is not None:
                want = min(want, max_messages - moved)
            batch = self._receive(self._dead_url, want, REDRIVE_VISIBILITY_SECONDS, 0)
            if not batch:
                # A short poll samples some of SQS's servers and may come back empty while
                # messages remain; ask again with a long poll only if the counts say so.
                if self.dead_counts().visible == 0:
                    break
                batch = self._receive(self._dead_url, want, REDRIVE_VISIBILITY_SECONDS, 1)
                if not batch:
                    break
            batch.sort(key=lambda message: message.sent_at_ms)
            self._send(self._url, [message.body for message in batch], 0)
            self._delete(self._dead_url, [message.receipt for message in batch])
            moved += len(batch)
        return moved

    # --- life cycle --------------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- internals ---------------------------------------------------------------------------

    def _send(self, url: str, bodies: Sequence[str], delay_seconds: int) -> int:
        sizes = body_sizes(bodies)  # every body is checked before any is sent
        sent = 0
        for batch in send_batches(sizes):
            entries: list[SendMessageBatchRequestEntryTypeDef] = [
                {"Id": str(index), "MessageBody": bodies[index], "DelaySeconds": delay_seconds}
                for index in batch
            ]
            sent += self._send_batch(url, entries, sent, len(bodies))
        return sent

    def _send_batch(
        self,
        url: str,
        entries: list[SendMessageBatchRequestEntryTypeDef],
        sent_before: int,
        total: int,
    ) -> int:
        """Send one batch; entries SQS failed on its side are sent again after a pause. Raise
        QueueError if some still fail (or fail by our fault): never drop one silently."""
        pending = entries
        for delay in (*self._retry_delays, None):
            response = self._call(
                "send messages to",
                url,
                functools.partial(self._client.send_message_batch, QueueUrl=url, Entries=pending),
            )
            failed = response.get("Failed", [])
            if not failed:
                return len(entries)
            ours = [entry for entry in failed if entry.get("SenderFault")]
            if ours or delay is None:
                sent = sent_before + len(entries) - len(failed)
                raise QueueError(
                    f"SQS did not take {len(failed)} message(s) sent to {display_url(url)} "
                    f"({_entry_error(ours or failed)}); {sent} of the {total} messages of this "
                    "call were sent. Send the batch again (work items are idempotent: a duplicate "
                    "only costs a fetch)"
                )
            _log.warning(
                "SQS failed %d of %d messages; sending them again in %.1f s",
                len(failed),
                len(pending),
                delay,
                extra={"queue": display_url(url), "failed": len(failed), "code": failed[0]["Code"]},
            )
            self._sleep(delay)
            again = {entry["Id"] for entry in failed}
            pending = [entry for entry in pending if entry["Id"] in again]
        raise AssertionError("unreachable: the last round raises or returns")

    def _receive(
        self, url: str, max_messages: int, visibility_timeout: int, wait_seconds: int
    ) -> list[QueueMessage]:
        response = self._call(
            "receive from",
            url,
            lambda: self._client.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=max_messages,
                VisibilityTimeout=visibility_timeout,
                WaitTimeSeconds=wait_seconds,
                MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
            ),
        )
        return [_message(url, message) for message in response.get("Messages", [])]

    def _delete(self, url: str, receipts: Sequence[str]) -> int:
        unique = list(dict.fromkeys(receipts))  # SQS refuses a batch naming a receipt twice
        deleted = 0
        for start in range(0, len(unique), MAX_BATCH_ENTRIES):
            entries: list[DeleteMessageBatchRequestEntryTypeDef] = [
                {"Id": str(index), "ReceiptHandle": receipt}
                for index, receipt in enumerate(unique[start : start + MAX_BATCH_ENTRIES])
            ]
            deleted += self._delete_batch(url, entries)
        return deleted

    def _delete_batch(self, url: str, entries: list[DeleteMessageBatchRequestEntryTypeDef]) -> int:
        deleted = 0
        pending = entries
        for delay in (*self._retry_delays, None):
            response = self._call(
                "delete messages from",
                url,
                functools.partial(self._client.delete_message_batch, QueueUrl=url, Entries=pending),
            )
            deleted += len(response.get("Successful", []))
            # A receipt SQS rejects (stale, expired, already moved) deletes nothing: not an error.
            theirs = [entry for entry in response.get("Failed", []) if not entry["SenderFault"]]
            if not theirs:
                return deleted
            if delay is None:
                raise QueueError(
                    f"SQS failed to delete {len(theirs)} message(s) from {display_url(url)} "
                    f"({_entry_error(theirs)}); they will be delivered again after their "
                    "visibility timeout"
                )
            self._sleep(delay)
            again = {entry["Id"] for entry in theirs}
            pending = [entry for entry in pending if entry["Id"] in again]
        raise AssertionError("unreachable: the last round raises or returns")

    def _counts(self, url: str) -> QueueCounts:
        attributes = self._call(
            "count the messages of",
            url,
            lambda: self._client.get_queue_attributes(
                QueueUrl=url, AttributeNames=list(_COUNT_ATTRIBUTES)
            ),
        )["Attributes"]
        visible, in_flight, delayed = (int(attributes.get(name, "0")) for name in _COUNT_ATTRIBUTES)
        return QueueCounts(visible=visible, in_flight=in_flight, delayed=delayed)

    def _call(self, operation: str, url: str, request: Callable[[], _T]) -> _T:
        try:
            return request()
        except _botocore_errors() as exc:
            raise _failure(operation, url, exc) from exc


def ensure_sqs_queues(
    name: str,
    *,
    max_receives: int = MAX_RECEIVES.default,
    visibility_timeout: int = VISIBILITY_TIMEOUT.default,
    retention_seconds: int = MAX_RETENTION_SECONDS,
    client: SQSClient | None = None,
) -> SQSWorkQueue:
    """The SQS queue `name` and its dead-letter queue ``<name>-dlq``, created if missing and set
    to these settings if they differ (safe to call on every start). Returns the queue."""
    check_queue_name(name)
    check_range("max_receives", max_receives, 1, MAX_RECEIVES_LIMIT)
    check_range("visibility_timeout", visibility_timeout, 0, MAX_VISIBILITY_TIMEOUT)
    check_range(
        "retention_seconds", retention_seconds, MIN_RETENTION_SECONDS, MAX_RETENTION_SECONDS
    )
    sqs = client if client is not None else _make_client(None)
    retention = str(retention_seconds)
    # Created without attributes, then set: create_queue refuses an existing queue whose
    # attributes differ, and a deployment changing max_receives must just work.
    dead_url = _create_queue(sqs, name + DEAD_LETTER_SUFFIX, {"MessageRetentionPeriod": retention})
    dead_arn = _call_with(
        "read the ARN of",
        dead_url,
        lambda: sqs.get_queue_attributes(QueueUrl=dead_url, AttributeNames=["QueueArn"]),
    )["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": max_receives})
    url = _create_queue(
        sqs,
        name,
        {
            "VisibilityTimeout": str(visibility_timeout),
            "MessageRetentionPeriod": retention,
            "RedrivePolicy": policy,
        },
    )
    queue = SQSWorkQueue(url, dead_letter_url=dead_url, client=sqs)
    queue._owns_client = client is None  # this module's own class: it may
    return queue


def _create_queue(
    sqs: SQSClient, name: str, attributes: Mapping[QueueAttributeNameType, str]
) -> str:
    url = _call_with(
        f"create the queue {name!r} in", "SQS", lambda: sqs.create_queue(QueueName=name)
    )["QueueUrl"]
    _call_with(
        "configure",
        url,
        lambda: sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes),
    )
    return url


def _call_with(operation: str, url: str, request: Callable[[], _T]) -> _T:
    try:
        return request()
    except _botocore_errors() as exc:
        raise _failure(operation, url, exc) from exc


def _make_client(queue_url: str | None, environ: Mapping[str, str] = os.environ) -> SQSClient:
    import boto3  # noqa: PLC0415 (only SQS users pay for importing boto3)
    from botocore.config import Config  # noqa: PLC0415

    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    endpoint = None
    if queue_url is not None:
        host = urlsplit(queue_url).hostname or ""
        aws = _AWS_HOST.fullmatch(host)
        if aws:
            # A queue lives in one region, and a request signed for another one fails.
            region = aws.group("region") or aws.group("legacy")
        elif not (environ.get("AWS_ENDPOINT_URL") or environ.get("AWS_ENDPOINT_URL_SQS")):
            # A queue URL that is not AWS's names its server (moto, LocalStack, ElasticMQ).
            parts = urlsplit(queue_url)
            endpoint = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=10,
        read_timeout=MAX_WAIT_SECONDS + 20,  # a long poll holds the response up to 20 s
    )
    try:
        with _CLIENT_LOCK:
            return boto3.client("sqs", region_name=region, endpoint_url=endpoint, config=config)
    except _botocore_errors() as exc:
        raise _failure("connect to", display_url(queue_url or "SQS"), exc) from exc


@functools.cache
def _botocore_errors() -> tuple[type[Exception], type[Exception]]:
    """botocore's two error bases, imported on first use (see the module's docstring)."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    return BotoCoreError, ClientError


def _failure(operation: str, url: str, exc: Exception) -> QueueError:
    where = f"could not {operation} {display_url(url)}"
    code = _error_code(exc)
    reason = _reason(exc)
    name = type(exc).__name__
    if code in _MISSING_QUEUE_CODES:
        return QueueConfigurationError(
            f"{where}: the queue does not exist ({reason}). Create it (spec sqs://NAME does), or "
            "fix the queue URL and AWS_REGION / AWS_ENDPOINT_URL"
        )
    if code in _ACCESS_CODES or name in {"NoCredentialsError", "PartialCredentialsError"}:
        return QueueError(
            f"{where}: access refused ({reason}). Check the AWS credentials (AWS_PROFILE, or "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and that their policy allows SQS's "
            "SendMessage, ReceiveMessage, DeleteMessage, ChangeMessageVisibility and "
            "GetQueueAttributes on the queue and its dead-letter queue"
        )
    if name == "NoRegionError":
        return QueueConfigurationError(f"{where}: no AWS region is set. Set AWS_REGION")
    if name in {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"}:
        return QueueError(
            f"{where}: SQS did not answer ({reason}). Check the network, and AWS_ENDPOINT_URL if "
            "you use a local SQS"
        )
    return QueueError(
        f"{where}: {reason}. Check AWS_REGION and AWS_ENDPOINT_URL; retry later if SQS is failing"
    )


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if isinstance(code, str):
            return code
    return ""


def _reason(exc: Exception) -> str:
    """botocore's message, first line only, with any credential value from the environment
    masked in case a service echoes one back."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        secret = os.environ.get(variable)
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text if len(text) <= _REASON_LIMIT else text[: _REASON_LIMIT - 3] + "..."


def _entry_error(entries: Sequence[BatchResultErrorEntryTypeDef]) -> str:
    first = entries[0]
    return f"{first['Code']}: {first.get('Message', '')}".rstrip(": ")


def _message(url: str, message: MessageTypeDef) -> QueueMessage:
    attributes = message.get("Attributes", {})
    try:
        return QueueMessage(
            message_id=message["MessageId"],
            body=message["Body"],
            receipt=message["ReceiptHandle"],
            receive_count=int(attributes["ApproximateReceiveCount"]),
            sent_at_ms=int(attributes["SentTimestamp"]),
        )
    except (KeyError, ValueError) as exc:
        raise QueueError(
            f"SQS answered a receive from {display_url(url)} with an incomplete message "
            f"(no {exc}); is the endpoint really SQS?"
        ) from exc


def _redrive_policy(url: str, text: str | None) -> tuple[str, int]:
    """The dead-letter queue's ARN and maxReceiveCount from the queue's RedrivePolicy."""
    advice = (
        "Give it one with a dead-letter queue (ensure_sqs_queues, or the spec sqs://NAME, "
        "does), or use that function to create a new queue"
    )
    if not text:
        raise QueueConfigurationError(
            f"the SQS queue {display_url(url)} has no RedrivePolicy, so failing messages would be "
            f"retried forever. {advice}"
        )
    try:
        policy = json.loads(text)
        arn, max_receives = str(policy["deadLetterTargetArn"]), int(policy["maxReceiveCount"])
    except (ValueError, KeyError, TypeError) as exc:
        raise QueueConfigurationError(
            f"the RedrivePolicy of {display_url(url)} is unreadable ({exc!r}). {advice}"
        ) from exc
    return arn, max_receives


def _sibling_url(url: str, arn: str) -> str:
    """The URL of the queue `arn` names, on the same server as `url` (a dead-letter queue lives
    in its source queue's region)."""
    match = _ARN.fullmatch(arn)
    if match is None:
        raise QueueConfigurationError(
            f"the dead-letter queue ARN {arn!r} of {display_url(url)} is not an SQS queue ARN; "
            "pass dead_letter_url"
        )
    parts = urlsplit(url)
    path = f"/{match.group(1)}/{match.group(2)}"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _queue_name(url: str) -> str:
    parts = urlsplit(url)
    match = _URL_PATH.fullmatch(parts.path)
    if parts.scheme not in {"http", "https"} or not parts.hostname or match is None:
        raise QueueConfigurationError(
            f"{display_url(url)!r} is not an SQS queue URL; expected "
            "https://sqs.REGION.amazonaws.com/ACCOUNT_ID/NAME"
        )
    name = match.group(2)
    if name.endswith(".fifo"):
        raise QueueConfigurationError(
            f"{display_url(url)} is a FIFO queue; the work queue needs a standard queue"
        )
    return name


def display_url(url: str) -> str:
    """The URL without user:password (an endpoint may carry them); the rest is no secret."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
