"""A deployment of infra/template.yaml, found by its CloudFormation stack's name: its outputs
say where its store, queues, functions and alarm topic are — so the operations commands take
``--stack NAME`` instead of five URLs (docs/aws.md, "Operating a deployment")."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tmdb_collector.config import AWS_SETTINGS, Config
from tmdb_collector.errors import ConfigurationError, InputError, TransientError

__all__ = [
    "DeployedStack",
    "find_stack",
    "stack_log_lines",
    "subscribe_alerts",
    "trigger_harvest",
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
