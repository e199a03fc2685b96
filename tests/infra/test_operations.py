"""`tmdb-collector aws ...` (and `--stack` on the store commands) against a deployment of
infra/template.yaml created on the moto server: each command finds the stack by its name and
works on its store, queues, alarm topic, rule and log groups."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner, Result

from aws.conftest import COUNTS, SECRET
from infra.conftest import Stack, _source, make_secret
from infra.lambda_endpoint import LambdaEndpoint
from tmdb_collector.cli import main
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake.synthetic import SyntheticCatalog

pytestmark = pytest.mark.aws


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_a_stack_that_is_not_there_is_one_clear_error(sqs_environ: dict[str, str]) -> None:
    result = run("aws", "status", "--stack", "no-such-stack")
    assert result.exit_code == 2, result.output
    [line] = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert "cannot read the stack no-such-stack" in line
    assert "check --stack and AWS_REGION" in line


def test_status_and_the_store_commands_read_the_stacks_store(stack: Stack, tmp_path: Path) -> None:
    # Nothing mirrored yet: the bucket holds no store (a harvest would make one).
    empty = run("aws", "status", "--stack", stack.name)
    assert empty.exit_code == 2
    assert f"there is no store at {stack.outputs['StoreUrl']}" in empty.stderr
    s3 = boto3.client("s3", region_name=stack.region)
    bucket, prefix = stack.outputs["StoreUrl"].removeprefix("s3://").split("/", 1)
    s3.put_object(Bucket=bucket, Key=f"{prefix}/state/harvest/last-run.json", Body=b"{}")
    status = run("aws", "status", "--stack", stack.name, "--json")
    assert status.exit_code == 0, status.output
    report = json.loads(status.stdout)
    assert report["store"] == stack.outputs["StoreUrl"]
    assert report["queue"]["spec"] == stack.outputs["WorkQueueUrl"]
    assert report["queue"]["max_receives"] == 5
    missing = run("query", "--stack", stack.name, "--type=movie", "--id=550")
    assert missing.exit_code == 1
    assert f"movie 550 is not in {stack.outputs['StoreUrl']}" in missing.stderr
    both = run("query", "--stack", stack.name, "--store", str(tmp_path), "--type=movie", "--id=1")
    assert both.exit_code == 2
    assert "give --stack, or --store and --queue: not both" in both.stderr


def test_redrive_moves_the_stacks_dead_letters_back(stack: Stack) -> None:
    s3 = boto3.client("s3", region_name=stack.region)
    bucket, prefix = stack.outputs["StoreUrl"].removeprefix("s3://").split("/", 1)
    s3.put_object(Bucket=bucket, Key=f"{prefix}/state/harvest/last-run.json", Body=b"{}")
    sqs = boto3.client("sqs", region_name=stack.region)
    body = (
        '{"v":1,"groups":[{"kind":"movie","reason":"new","attempt":1,'
        '"enqueued_at":1764918000000,"keys":["2"]}],"error":"503"}'
    )
    sqs.send_message(QueueUrl=stack.outputs["DeadLetterQueueUrl"], MessageBody=body)
    result = run("aws", "redrive", "--stack", stack.name)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"1 message moved back to {stack.outputs['WorkQueueUrl']}")
    received = sqs.receive_message(QueueUrl=stack.outputs["WorkQueueUrl"])["Messages"]
    assert '"keys":["2"]' in received[0]["Body"]


def test_trigger_sends_the_event_the_stacks_rule_delivers_to_the_harvester(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[dict[str, object]] = []
    client = boto3.client

    def recording(service: str, **kwargs: object) -> object:  # the event as AWS gets it
        made = client(service, **kwargs)  # type: ignore[call-overload]
        if service == "events":
            put = made.put_events

            def put_events(**call: object) -> object:
                sent.extend(call["Entries"])  # type: ignore[arg-type]
                return put(**call)

            made.put_events = put_events
        return made

    # moto delivers a matching event to its rule's targets at once, has no delivery to a
    # Lambda function (a 500, whatever the rule's state): the rule's target is removed, and the
    # test matches the event against the template's pattern itself.
    events = client("events", region_name=stack.region)
    for rule in events.list_rules()["Rules"]:
        if "tmdb-collector" in rule.get("EventPattern", ""):
            targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
            events.remove_targets(Rule=rule["Name"], Ids=[t["Id"] for t in targets])
    monkeypatch.setattr(boto3, "client", recording)
    result = run("aws", "trigger", "--stack", stack.name, "--types", "movie", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("harvest requested (event ")
    [entry] = sent
    # The template's rule delivers it: its pattern matches the event EventBridge makes of it.
    pattern = _source()["Resources"]["HarvesterFunction"]["Properties"]["Events"]["Trigger"][
        "Properties"
    ]["Pattern"]
    # (moto's TestEventPattern answers nothing useful: the pattern's two fields, by hand.)
    assert pattern == {"source": [entry["Source"]], "detail-type": [entry["DetailType"]]}
    event = {"source": entry["Source"], "detail": json.loads(str(entry["Detail"]))}
    assert event["detail"] == {"dry_run": True, "types": ["movie"]}


def test_setup_alerts_subscribes_once(stack: Stack) -> None:
    first = run("aws", "setup-alerts", "--stack", stack.name, "--email", "ops@example.org")
    assert first.exit_code == 0, first.output
    assert "subscribed to the alarms" in first.stdout
    again = run("aws", "setup-alerts", "--stack", stack.name, "--email", "ops@example.org")
    assert "already receives the alarms" in again.stdout
    sns = boto3.client("sns", region_name=stack.region)
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=stack.outputs["AlarmTopicArn"])
    assert [s["Endpoint"] for s in subscriptions["Subscriptions"]] == ["ops@example.org"]


def test_logs_shows_the_functions_lines_and_only_errors_when_asked(stack: Stack) -> None:
    logs = boto3.client("logs", region_name=stack.region)
    group = f"/aws/lambda/{stack.outputs['CollectorFunctionName']}"
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    lines = [
        '{"level": "info", "message": "collected a batch"}',
        '{"level": "error", "message": "TMDB_API_KEY is not set"}',
    ]
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now + i, "message": line} for i, line in enumerate(lines)],
    )
    every = run("aws", "logs", "--stack", stack.name, "--since", "10m")
    assert every.exit_code == 0, every.output
    assert every.stdout.splitlines() == [f"collect: {line}" for line in lines]
    errors = run("aws", "logs", "--stack", stack.name, "--errors")
    assert errors.stdout.splitlines() == [f"collect: {lines[1]}"]


def test_verify_checks_the_deployment_one_line_each(
    stack: Stack, sqs_environ: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What moto creates passes; what moto skips (the schedules, the public access block) is
    reported FAIL with what to do, and the exit status says so. The secret moto skips is made by
    hand and named in the functions' environment, as the template's reference would."""
    secret = make_secret(stack)  # empty
    secrets = boto3.client("secretsmanager", region_name=stack.region)
    empty = run("aws", "verify", "--stack", stack.name)
    assert "FAIL the credential's secret holds a value: put your TMDB key in" in empty.stdout
    fake = FakeTMDB(SyntheticCatalog(COUNTS, seed=5), FakeSettings(api_key=SECRET))
    secrets.put_secret_value(SecretId=secret, SecretString=SECRET)
    with fake.run_in_thread() as running:
        monkeypatch.setenv("TMDB_API_URL", running.url)
        # moto cannot run the harvester for the dry run: the endpoint stands in for Lambda's
        # Invoke (the function under awslambdaric, with the environment the stack gave it).
        tmdb = {"TMDB_API_URL": running.url, "TMDB_EXPORTS_URL": running.url}
        endpoint = LambdaEndpoint(sqs_environ["AWS_ENDPOINT_URL"], sqs_environ, tmdb, tmp_path)
        with endpoint.serving() as url:
            monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", url)
            result = run("aws", "verify", "--stack", stack.name)
        assert endpoint.invoked == [stack.outputs["HarvesterFunctionName"]]
    lines = result.stdout.splitlines()
    passed = {line[5:].split(":")[0] for line in lines if line.startswith("OK")}
    failed = {line[5:].split(":")[0] for line in lines if line.startswith("FAIL")}
    assert {
        f"stack {stack.name} complete",
        "the harvest function",
        "the collect function",
        "the compact function",
        "the collector's SQS event source",
        "the work queue and its dead-letter queue",
        "the work queue's visibility timeout ≥ 6 × the collector's timeout",
        "the bucket's encryption",
        "the credential's secret holds a value",
        "TMDB accepts the credential (/3/configuration)",
        "the harvester's dry run",
    } <= passed, result.stdout
    # moto's CloudFormation skips the schedules and the public access block (tests/infra).
    assert failed == {"the harvester's and the compactor's schedules", "the bucket is private"}
    assert result.exit_code == 1
    assert "2 of 13 checks failed" in result.stderr
    assert SECRET not in result.output


def test_verify_reports_a_failed_or_empty_dry_run_with_where_to_look() -> None:
    from tmdb_collector.app._stack import DeployedStack, _dry_run_check  # noqa: PLC0415

    class Lambda:
        def __init__(self, answer: dict[str, object]) -> None:
            self.answer = answer

        def invoke(self, **_: object) -> dict[str, object]:
            return self.answer

    stack = DeployedStack("s", "us-east-1", {"HarvesterFunctionName": "s-harvest"})
    failed = _dry_run_check(
        Lambda(
            {
                "FunctionError": "Unhandled",
                "Payload": io.BytesIO(b'{"errorMessage": "the changes feed answered 401"}'),
            }
        ),
        stack,
    )
    assert not failed.ok
    assert failed.detail.startswith("the harvester failed: the changes feed answered 401; see")
    assert "tmdb-collector aws logs --stack s --errors" in failed.detail
    odd = _dry_run_check(Lambda({"Payload": io.BytesIO(b"Simple Lambda happy path OK")}), stack)
    assert not odd.ok
    assert "answered no plan" in odd.detail


def test_status_shows_the_oldest_message_the_rate_and_the_time_left(stack: Stack) -> None:
    """From CloudWatch: SQS's age of the oldest message, and the collectors' published
    requests and 429s of the last 5 minutes (put here by hand: moto neither computes SQS's
    metrics nor reads the functions' EMF lines); the ETA is the queued items at that rate."""
    s3 = boto3.client("s3", region_name=stack.region)
    bucket, prefix = stack.outputs["StoreUrl"].removeprefix("s3://").split("/", 1)
    last_run = {"items_enqueued": 500, "messages_sent": 5, "day": "2026-12-07", "kinds": []}
    s3.put_object(
        Bucket=bucket, Key=f"{prefix}/state/harvest/last-run.json", Body=json.dumps(last_run)
    )
    before = run("aws", "status", "--stack", stack.name)
    assert before.exit_code == 0, before.output
    assert "oldest message: no data; TMDB requests in the last 5 min: no data" in before.stdout
    assert "nothing queued" in before.stdout
    sqs = boto3.client("sqs", region_name=stack.region)
    for _ in range(3):
        sqs.send_message(QueueUrl=stack.outputs["WorkQueueUrl"], MessageBody="{}")
    cloudwatch = boto3.client("cloudwatch", region_name=stack.region)
    queue_name = stack.outputs["WorkQueueUrl"].rsplit("/", 1)[-1]
    cloudwatch.put_metric_data(
        Namespace="AWS/SQS",
        MetricData=[
            {
                "MetricName": "ApproximateAgeOfOldestMessage",
                "Dimensions": [{"Name": "QueueName", "Value": queue_name}],
                "Value": 754,
                "Unit": "Seconds",
            }
        ],
    )
    cloudwatch.put_metric_data(
        Namespace=stack.outputs["MetricsNamespace"],
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": [{"Name": "function", "Value": "collect"}],
                "Value": value,
                "Unit": "Count",
            }
            for name, value in (("collect_requests", 6000), ("collect_rate_limited", 2))
        ],
    )
    status = run("aws", "status", "--stack", stack.name, "--json")
    assert status.exit_code == 0, status.output
    activity = json.loads(status.stdout)["deployment"]
    assert activity["oldest_message_seconds"] == 754
    assert activity["requests_per_second"] == 20.0  # 6,000 requests in 5 minutes
    assert activity["rate_limited"] == 2
    assert activity["items_queued"] == 300  # 3 messages of 100 items (the last harvest's)
    assert activity["eta_seconds"] == 15
    text = run("aws", "status", "--stack", stack.name).stdout
    assert (
        "oldest message: 12 min 34 s; TMDB requests in the last 5 min: 20.0/s, 2 × 429; "
        "about 300 items queued: about 0 min 15 s left at this rate"
    ) in text
