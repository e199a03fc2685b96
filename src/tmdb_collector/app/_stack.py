"""A deployment of infra/template.yaml, found by its CloudFormation stack's name: its outputs
say where its store, queues, functions and alarm topic are — so the operations commands take
``--stack NAME`` instead of five URLs (docs/aws.md, "Operating a deployment")."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tmdb_collector.config import AWS_SETTINGS, Config
from tmdb_collector.errors import ConfigurationError, InputError, TransientError

__all__ = [
    "Check",
    "DeployedStack",
    "find_stack",
    "stack_activity",
    "stack_log_lines",
    "subscribe_alerts",
    "trigger_harvest",
    "verify_stack",
]

#: The functions' outputs, by the name the commands show.
FUNCTIONS = {
    "harvest": "HarvesterFunctionName",
    "collect": "CollectorFunctionName",
    "compact": "CompactorFunctionName",
}
#: The custom event the template's rule sends to the harvester (samples/trigger-event.json).
TRIGGER_SOURCE, TRIGGER_DETAIL_TYPE = "tmdb-collector", "Harvest requested"


@dataclass(frozen=True, slots=True)
class DeployedStack:
    """A stack of infra/template.yaml: its name, region and outputs."""

    name: str
    region: str | None
    outputs: Mapping[str, str]

    def output(self, key: str) -> str:
        try:
            return self.outputs[key]
        except KeyError:
            raise ConfigurationError(
                f"the stack {self.name} has no output {key}: is it a deployment of "
                "infra/template.yaml, and up to date (sam deploy)?"
            ) from None

    @property
    def store(self) -> str:
        return self.output("StoreUrl")

    @property
    def queue(self) -> str:
        return self.output("WorkQueueUrl")


def _client(service: str, config: Config) -> Any:
    import boto3  # noqa: PLC0415 (only the operations commands pay for it)

    environ = config.environ(AWS_SETTINGS)
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    return boto3.client(service, region_name=region)  # type: ignore[call-overload]


def _aws_call(what: str, call: Any, **arguments: Any) -> Any:
    """``call(**arguments)``, AWS's errors turned into ours (one line, what to check)."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    try:
        return call(**arguments)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        raise ConfigurationError(f"{what}: {code} {message}".strip()) from None
    except BotoCoreError as error:
        raise TransientError(f"{what}: {error}; check the network and AWS_REGION") from None


def find_stack(name: str, config: Config) -> DeployedStack:
    """The stack ``name`` in the configured region, complete; ConfigurationError saying what
    to check otherwise."""
    client = _client("cloudformation", config)
    region = client.meta.region_name
    answer = _aws_call(
        f"cannot read the stack {name} in {region} (check --stack and AWS_REGION)",
        client.describe_stacks,
        StackName=name,
    )
    [stack] = answer["Stacks"]
    status = str(stack["StackStatus"])
    if not status.endswith("_COMPLETE") or status.startswith(("DELETE", "ROLLBACK")):
        raise ConfigurationError(
            f"the stack {name} is {status}: wait for `sam deploy` to finish, or look at its "
            "events (aws cloudformation describe-stack-events)"
        )
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return DeployedStack(name, region, outputs)


def trigger_harvest(
    stack: DeployedStack,
    config: Config,
    *,
    types: tuple[str, ...] = (),
    day: str | None = None,
    dry_run: bool = False,
) -> str:
    """Send the custom event the stack's rule delivers to its harvester (a harvest now); the
    event's id."""
    detail: dict[str, Any] = {"dry_run": dry_run}
    if types:
        detail["types"] = list(types)
    if day is not None:
        detail["date"] = day
    stack.output("HarvesterFunctionName")  # the stack is a deployment with a harvester
    answer = _aws_call(
        "cannot send the trigger event",
        _client("events", config).put_events,
        Entries=[
            {
                "Source": TRIGGER_SOURCE,
                "DetailType": TRIGGER_DETAIL_TYPE,
                "Detail": json.dumps(detail),
                "EventBusName": "default",
            }
        ],
    )
    [entry] = answer["Entries"]
    if answer.get("FailedEntryCount") or "EventId" not in entry:
        raise InputError(f"EventBridge refused the trigger event: {entry.get('ErrorMessage')}")
    return str(entry["EventId"])


def subscribe_alerts(stack: DeployedStack, config: Config, email: str) -> bool:
    """Subscribe ``email`` to the stack's alarm topic; False when it already is (idempotent).
    AWS mails the address a link to confirm."""
    topic = stack.output("AlarmTopicArn")
    sns = _client("sns", config)
    listed = _aws_call(
        "cannot list the alarm topic's subscriptions",
        sns.list_subscriptions_by_topic,
        TopicArn=topic,
    )
    for subscription in listed.get("Subscriptions", []):
        if subscription.get("Protocol") == "email" and subscription.get("Endpoint") == email:
            return False
    _aws_call(
        f"cannot subscribe {email}",
        sns.subscribe,
        TopicArn=topic,
        Protocol="email",
        Endpoint=email,
    )
    return True


def stack_log_lines(
    stack: DeployedStack, config: Config, *, since: timedelta, errors: bool = False
) -> list[tuple[str, str]]:
    """(function, line) of the stack's functions' log lines of the last ``since``, oldest
    first; with ``errors``, only error lines (and failed invocations' reports)."""
    logs = _client("logs", config)
    start = int((datetime.now(UTC) - since).timestamp() * 1000)
    found: list[tuple[int, str, str]] = []
    for function, key in FUNCTIONS.items():
        group = f"/aws/lambda/{stack.output(key)}"
        arguments: dict[str, Any] = {"logGroupName": group, "startTime": start}
        what = f"cannot read the log group {group}"
        while True:
            answer = _aws_call(what, logs.filter_log_events, **arguments)
            for entry in answer["events"]:
                line = entry["message"].rstrip()
                if not errors or _is_error(line):
                    found.append((entry["timestamp"], function, line))
            token = answer.get("nextToken")
            if not token:
                break
            arguments["nextToken"] = token
    return [(function, line) for _, function, line in sorted(found)]


def _is_error(line: str) -> bool:
    """Our JSON lines at level error, and what Lambda's runtime writes of a failed invocation."""
    return (
        '"level": "error"' in line
        or line.startswith(("[ERROR]", "Traceback"))
        or ('"errorType"' in line)
    )


@dataclass(frozen=True, slots=True)
class Check:
    """One check of ``verify_stack``: what, whether it holds, and what to do when not."""

    what: str
    ok: bool
    detail: str = ""


async def verify_stack(stack: DeployedStack, config: Config) -> list[Check]:
    """Each check of a deployment, OK or FAIL with what to do (``tmdb-collector aws verify``).
    The credential's value is read to try it, never shown."""
    checks = [Check(f"stack {stack.name} complete", True)]
    lambda_ = _client("lambda", config)
    variables_of: dict[str, Mapping[str, str]] = {}
    for function, key in FUNCTIONS.items():
        checks.append(_function_check(lambda_, stack, function, key, variables_of))
    checks.append(_event_source_check(lambda_, stack, variables_of.get("collect", {})))
    checks += _queue_checks(stack, config)
    checks.append(_schedules_check(stack, config))
    checks += _bucket_checks(stack, config)
    credential = _secret_check(stack, config, variables_of.get("collect", {}))
    checks.append(credential[0])
    if credential[1] is not None:
        checks.append(await _tmdb_check(config, credential[1]))
        checks.append(_dry_run_check(lambda_, stack))
    return checks


def _check(what: str, call: Any, **arguments: Any) -> tuple[Any, Check | None]:
    try:
        return _aws_call(what, call, **arguments), None
    except (ConfigurationError, TransientError) as error:
        return None, Check(what, False, str(error).removeprefix(f"{what}: "))


def _function_check(
    lambda_: Any, stack: DeployedStack, function: str, key: str, variables_of: dict[str, Any]
) -> Check:
    what = f"the {function} function"
    name = stack.outputs.get(key)
    if name is None:
        return Check(what, False, f"the stack has no output {key}: deploy infra/template.yaml")
    answer, failed = _check(what, lambda_.get_function_configuration, FunctionName=name)
    if failed is not None:
        return failed
    handler = f"tmdb_collector.aws.handlers.{function}.handler"
    variables = {k: str(v) for k, v in answer.get("Environment", {}).get("Variables", {}).items()}
    variables_of[function] = variables
    wrong = []
    if answer.get("Handler") != handler:
        wrong.append(f"its handler is {answer.get('Handler')}, not {handler}")
    if variables.get("TMDB_STORE") != stack.outputs.get("StoreUrl"):
        wrong.append("its TMDB_STORE is not the stack's store")
    if variables.get("TMDB_QUEUE") != stack.outputs.get("WorkQueueUrl"):
        wrong.append("its TMDB_QUEUE is not the stack's work queue")
    if not variables.get("TMDB_API_KEY_SECRET") and function != "compact":
        wrong.append("it has no TMDB_API_KEY_SECRET")
    detail = "; ".join(wrong) + ": deploy the template again (sam deploy)" if wrong else name
    return Check(what, not wrong, detail)


def _event_source_check(lambda_: Any, stack: DeployedStack, variables: Mapping[str, str]) -> Check:
    what = "the collector's SQS event source"
    answer, failed = _check(
        what,
        lambda_.list_event_source_mappings,
        FunctionName=stack.outputs.get("CollectorFunctionName", ""),
    )
    if failed is not None:
        return failed
    mappings = answer.get("EventSourceMappings", [])
    if len(mappings) != 1:
        return Check(what, False, f"{len(mappings)} mappings: deploy the template again")
    [mapping] = mappings
    wrong = []
    if mapping.get("State") not in ("Enabled", "Enabling", None):
        wrong.append(f"it is {mapping.get('State')}: enable it")
    if mapping.get("FunctionResponseTypes") != ["ReportBatchItemFailures"]:
        wrong.append("it does not report batch item failures")
    concurrency = mapping.get("ScalingConfig", {}).get("MaximumConcurrency")
    if str(concurrency) != variables.get("COLLECTOR_INSTANCES"):
        wrong.append(
            f"its MaximumConcurrency {concurrency} is not COLLECTOR_INSTANCES "
            f"{variables.get('COLLECTOR_INSTANCES')}: set both from the template's parameter"
        )
    detail = "; ".join(wrong) or f"batches of {mapping.get('BatchSize')}, {concurrency} at once"
    return Check(what, not wrong, detail)


def _queue_checks(stack: DeployedStack, config: Config) -> list[Check]:
    sqs = _client("sqs", config)
    what = "the work queue and its dead-letter queue"
    answer, failed = _check(
        what,
        sqs.get_queue_attributes,
        QueueUrl=stack.outputs.get("WorkQueueUrl", ""),
        AttributeNames=["All"],
    )
    if failed is not None:
        return [failed]
    attributes = answer.get("Attributes", {})
    policy = json.loads(attributes.get("RedrivePolicy", "{}"))
    dead_name = stack.outputs.get("DeadLetterQueueUrl", "").rsplit("/", 1)[-1]
    redrive_ok = str(policy.get("deadLetterTargetArn", "")).endswith(f":{dead_name}")
    checks = [
        Check(
            what,
            redrive_ok,
            f"max {policy.get('maxReceiveCount')} receives, then {dead_name}"
            if redrive_ok
            else "the work queue does not redrive to the stack's dead-letter queue",
        )
    ]
    visibility = int(attributes.get("VisibilityTimeout", 0))
    timeout = int(stack.outputs.get("CollectorTimeout", "900"))
    checks.append(
        Check(
            "the work queue's visibility timeout ≥ 6 × the collector's timeout",
            visibility >= 6 * timeout,
            f"{visibility} s for a {timeout} s timeout"
            + ("" if visibility >= 6 * timeout else ": deploy the template again"),
        )
    )
    return checks


def _schedules_check(stack: DeployedStack, config: Config) -> Check:
    what = "the harvester's and the compactor's schedules"
    stage = stack.outputs.get("Stage", "")
    scheduler = _client("scheduler", config)
    states = []
    for function in ("harvest", "compact"):
        answer, failed = _check(
            f"the {function} schedule",
            scheduler.get_schedule,
            Name=f"tmdb-collector-{stage}-{function}",
        )
        if failed is not None:
            return Check(what, False, f"{failed.detail}: deploy the template again")
        states.append(f"{function} {answer.get('ScheduleExpression')} {answer.get('State')}")
    enabled = all(state.endswith("ENABLED") for state in states)
    return Check(what, enabled, ", ".join(states))


def _bucket_checks(stack: DeployedStack, config: Config) -> list[Check]:
    s3 = _client("s3", config)
    bucket = stack.outputs.get("StoreUrl", "").removeprefix("s3://").split("/")[0]
    checks = []
    answer, failed = _check("the bucket's encryption", s3.get_bucket_encryption, Bucket=bucket)
    checks.append(failed or Check("the bucket's encryption", True, bucket))
    what = "the bucket is private"
    answer, failed = _check(what, s3.get_public_access_block, Bucket=bucket)
    if failed is None:
        blocked = all(answer.get("PublicAccessBlockConfiguration", {}).values())
        failed = Check(what, blocked, "" if blocked else "block public access (the template does)")
    checks.append(failed)
    return checks


def _secret_check(
    stack: DeployedStack, config: Config, variables: Mapping[str, str]
) -> tuple[Check, str | None]:
    what = "the credential's secret holds a value"
    secret = variables.get("TMDB_API_KEY_SECRET") or stack.outputs.get("ApiKeySecretArn")
    if not secret:
        return Check(what, False, "the functions name no secret: deploy the template again"), None
    secrets = _client("secretsmanager", config)
    empty = Check(
        what,
        False,
        f"put your TMDB key in: aws secretsmanager put-secret-value --secret-id {secret} "
        "--secret-string ...",
    )
    answer, failed = _check(what, secrets.get_secret_value, SecretId=secret)
    if failed is not None:
        # A secret created empty (as the template makes it) has no value to get.
        _, missing = _check(what, secrets.describe_secret, SecretId=secret)
        return (empty if missing is None else failed), None
    text = str(answer.get("SecretString") or "").strip()
    if not text:
        return empty, None
    return Check(what, True, secret), text


async def _tmdb_check(config: Config, secret_text: str) -> Check:
    """One request to TMDB's /3/configuration with the secret's credential."""
    from tmdb_collector.app._credential import credential_from_text  # noqa: PLC0415
    from tmdb_collector.app._wiring import Wiring  # noqa: PLC0415
    from tmdb_collector.tmdb import NotFound, TMDBClient, TMDBError  # noqa: PLC0415

    what = "TMDB accepts the credential (/3/configuration)"
    try:
        settings = Wiring(config).client_settings()
        credential = credential_from_text(secret_text)
    except (ConfigurationError, ValueError) as error:
        return Check(what, False, str(error))
    try:
        async with TMDBClient(replace(settings, credential=credential, max_attempts=2)) as client:
            answer = await client.get("/3/configuration")
    except TMDBError as error:
        return Check(what, False, str(error))
    if isinstance(answer, NotFound):
        return Check(what, False, "TMDB answered 404: check TMDB_API_URL")
    return Check(what, True, settings.api_url)


def _dry_run_check(lambda_: Any, stack: DeployedStack) -> Check:
    """Invoke the harvester with a dry run: it reads the store, the exports and the changes
    feeds with the deployed configuration and plans, but sends and saves nothing."""
    what = "the harvester's dry run"
    name = stack.outputs.get("HarvesterFunctionName")
    if name is None:
        return Check(what, False, "the stack has no harvester: deploy infra/template.yaml")
    event = {"source": TRIGGER_SOURCE, "detail-type": TRIGGER_DETAIL_TYPE}
    answer, failed = _check(
        what,
        lambda_.invoke,
        FunctionName=name,
        InvocationType="RequestResponse",
        Payload=json.dumps(event | {"detail": {"dry_run": True}}).encode(),
    )
    if failed is not None:
        return failed
    text = answer["Payload"].read().decode("utf-8", "replace")
    try:
        summary = json.loads(text)
    except ValueError:
        summary = None
    logs = f"see `tmdb-collector aws logs --stack {stack.name} --errors`"
    if answer.get("FunctionError"):
        message = summary.get("errorMessage") if isinstance(summary, dict) else text[:200]
        return Check(what, False, f"the harvester failed: {message}; {logs}")
    if not isinstance(summary, dict) or not isinstance(summary.get("kinds"), list):
        return Check(what, False, f"the harvester answered no plan ({text[:120]!r}); {logs}")
    planned = sum(sum(dict(kind.get("work", {})).values()) for kind in summary["kinds"])
    return Check(what, True, f"{planned} items planned for {len(summary['kinds'])} kinds")


#: The window ``aws status`` measures the current rate over (CloudWatch's 1-minute series).
ACTIVITY_WINDOW_SECONDS = 300


def stack_activity(
    stack: DeployedStack, config: Config, report: Mapping[str, Any], *, now: float | None = None
) -> dict[str, Any]:
    """What CloudWatch knows of the deployment's last minutes, beside ``report`` (the store's
    status): the age of the oldest queued message (SQS's metric), the collectors' requests per
    second and 429s over the last 5 minutes (the functions' published metrics), and an ETA for
    the queued work at that rate. A figure CloudWatch has no data for is None."""
    end = time.time() if now is None else now
    start = end - ACTIVITY_WINDOW_SECONDS
    queue_name = stack.output("WorkQueueUrl").rstrip("/").rsplit("/", 1)[-1]
    namespace = stack.outputs.get("MetricsNamespace", "TMDBCollector")
    queries = {
        "oldest": ("AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", queue_name, "Maximum"),
        "requests": (namespace, "collect_requests", "function", "collect", "Sum"),
        "rate_limited": (namespace, "collect_rate_limited", "function", "collect", "Sum"),
    }
    answer = _aws_call(
        "cannot read the deployment's metrics",
        _client("cloudwatch", config).get_metric_data,
        MetricDataQueries=[
            {
                "Id": name,
                "MetricStat": {
                    "Metric": {
                        "Namespace": space,
                        "MetricName": metric,
                        "Dimensions": [{"Name": dimension, "Value": value}],
                    },
                    "Period": 60,
                    "Stat": stat,
                },
                "ReturnData": True,
            }
            for name, (space, metric, dimension, value, stat) in queries.items()
        ],
        StartTime=datetime.fromtimestamp(start, UTC),
        # A minute past now: an end time is sent to the second, and a datapoint of this very
        # second must not fall out of the window.
        EndTime=datetime.fromtimestamp(end + 60, UTC),
    )
    values = {r["Id"]: [float(v) for v in r.get("Values", [])] for r in answer["MetricDataResults"]}
    oldest = max(values.get("oldest", []), default=None)
    requests = values.get("requests", [])
    rate = sum(requests) / ACTIVITY_WINDOW_SECONDS if requests else None
    queue = report.get("queue", {})
    messages = int(queue.get("waiting", 0)) + int(queue.get("in_flight", 0))
    last = report.get("last_harvest") or {}
    per_message = (
        last["items_enqueued"] / last["messages_sent"]
        if last.get("messages_sent") and last.get("items_enqueued")
        else None
    )
    items = None if per_message is None else round(messages * per_message)
    eta = None
    if messages == 0:
        eta = 0
    elif items is not None and rate:
        eta = round(items / rate)  # about one request per item (docs/collector.md)
    return {
        "oldest_message_seconds": oldest,
        "requests_per_second": None if rate is None else round(rate, 2),
        "rate_limited": int(sum(values.get("rate_limited", []))) if rate is not None else None,
        "window_seconds": ACTIVITY_WINDOW_SECONDS,
        "items_queued": items,
        "eta_seconds": eta,
    }
