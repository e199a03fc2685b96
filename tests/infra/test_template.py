"""infra/template.yaml: every variable it sets is a setting the code defines, it expands (SAM)
and lints clean offline, and — deployed as a CloudFormation stack on a moto server — its queue,
bucket, secret and functions are what the code expects, and the functions mirror a fake TMDB
through exactly the names and environment the stack gave them.

moto runs no Lambda (no Docker): the handlers run in this process with the stack's function
environment, as tests/aws does with its own. moto 5.2.5's CloudFormation skips three resource
types of the template (MOTO_LACKS, checked below so that this note stays true): the alarms and the
schedules are checked by reading the expanded template; the secret is created by the test under
the name the template gives it, and its ARN put where the template's reference would be."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from aws.conftest import COUNTS, SECRET, Context, Deployment, event, stored_ids
from infra.conftest import MOTO_LACKS, TEMPLATE, Stack, _source, transformed
from tmdb_collector.aws import _runtime
from tmdb_collector.aws.handlers import compact, harvest
from tmdb_collector.config import SETTINGS
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS
from tmdb_collector.queue import SQSWorkQueue

#: Settings every function needs from the template.
REQUIRED = {"TMDB_STORE", "TMDB_QUEUE", "TMDB_API_KEY_SECRET", "COLLECTOR_INSTANCES"}


def _variables(template: dict[str, Any]) -> dict[str, set[str]]:
    """Each function's environment variable names (the globals' and its own)."""
    common = set(template["Globals"]["Function"]["Environment"]["Variables"])
    return {
        name: common | set(resource["Properties"].get("Environment", {}).get("Variables", {}))
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def test_every_variable_the_template_sets_is_a_setting_and_none_is_missing() -> None:
    defined = {setting.name for setting in SETTINGS}
    functions = _variables(_source())
    assert set(functions) == {"HarvesterFunction", "CollectorFunction", "CompactorFunction"}
    for function, names in functions.items():
        assert names <= defined, f"{function} sets {names - defined}, which no setting reads"
        assert names >= REQUIRED, f"{function} lacks {REQUIRED - names}"


def test_the_template_expands_and_lints_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    import cfnlint.api  # noqa: PLC0415 (a test-only library)

    source = cfnlint.api.lint(TEMPLATE.read_text(encoding="utf-8"), regions=["us-east-1"])
    assert not source, [f"{m.rule.id} {m.message}" for m in source]
    expanded = transformed()
    found = cfnlint.api.lint(json.dumps(expanded), regions=["us-east-1"])
    assert not found, [f"{m.rule.id} {m.message}" for m in found]
    mapping = expanded["Resources"]["CollectorFunctionWork"]["Properties"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == 10
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "CollectorInstances"}}


def test_the_queues_visibility_is_six_times_the_collectors_timeout() -> None:
    template = _source()
    allowed = template["Parameters"]["CollectorTimeout"]["AllowedValues"]
    table = template["Mappings"]["VisibilityTimeout"]
    assert {int(key): row["Seconds"] for key, row in table.items()} == {
        int(seconds): 6 * int(seconds) for seconds in allowed
    }


# --- deployed on moto ---------------------------------------------------------------------------


@pytest.mark.aws
def test_the_stack_is_what_the_code_expects(stack: Stack) -> None:
    assert stack.status == "CREATE_COMPLETE"
    sqs = boto3.client("sqs", region_name=stack.region)
    work = sqs.get_queue_attributes(QueueUrl=stack.outputs["WorkQueueUrl"], AttributeNames=["All"])
    attributes = work["Attributes"]
    assert attributes["VisibilityTimeout"] == str(6 * 900)
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["maxReceiveCount"] == 5
    dead = stack.outputs["DeadLetterQueueUrl"]
    assert dead.rsplit("/", 1)[1] == stack.outputs["WorkQueueUrl"].rsplit("/", 1)[1] + "-dlq"
    bucket = stack.outputs["StoreUrl"].removeprefix("s3://").split("/")[0]
    s3 = boto3.client("s3", region_name=stack.region)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    # moto's CloudFormation leaves the public access block out: the template is read for it.
    properties = _source()["Resources"]["StoreBucket"]["Properties"]
    block = properties["PublicAccessBlockConfiguration"]
    assert len(block) == 4
    assert all(block.values())
    for output, handler in (
        ("HarvesterFunctionName", "harvest"),
        ("CollectorFunctionName", "collect"),
        ("CompactorFunctionName", "compact"),
    ):
        function = stack.function(output)
        assert function["Handler"] == f"tmdb_collector.aws.handlers.{handler}.handler"
        assert function["Runtime"] == "python3.12"
        variables = function["Environment"]["Variables"]
        assert variables["TMDB_STORE"] == stack.outputs["StoreUrl"]
        assert variables["TMDB_QUEUE"] == stack.outputs["WorkQueueUrl"]
        assert str(variables["COLLECTOR_INSTANCES"]) == "2"
    lambda_ = boto3.client("lambda", region_name=stack.region)
    [mapping] = lambda_.list_event_source_mappings(
        FunctionName=stack.outputs["CollectorFunctionName"]
    )["EventSourceMappings"]
    assert mapping["BatchSize"] == 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 2}


def test_what_moto_skips_is_checked_in_the_expanded_template(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resources = transformed()["Resources"]
    assert {r["Type"] for r in resources.values()} >= MOTO_LACKS
    schedules = [
        r["Properties"] for r in resources.values() if r["Type"] == "AWS::Scheduler::Schedule"
    ]
    expressions = {json.dumps(s["ScheduleExpression"]) for s in schedules}
    assert expressions == {'{"Ref": "CollectionInterval"}', '{"Ref": "CompactionSchedule"}'}
    [compactor] = [s for s in schedules if "CompactionSchedule" in json.dumps(s)]
    # Hourly, and only the kinds whose compaction is due (the handler's detail.due).
    assert json.loads(compactor["Target"]["Input"]) == {"detail": {"due": True}}
    alarms = {
        name: r["Properties"]
        for name, r in resources.items()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }
    assert all(a["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms.values())
    dead = alarms["DeadLettersAlarm"]
    assert dead["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]}
    # The metrics the alarms watch are ones the functions emit (tests/aws checks their names).
    emitted = {"harvest_seconds", "harvest_errors", "collect_rate_limited", "collect_requests"}
    named = {a["MetricName"] for a in alarms.values() if "MetricName" in a} | {
        m["MetricStat"]["Metric"]["MetricName"]
        for a in alarms.values()
        for m in a.get("Metrics", [])
        if "MetricStat" in m
    }
    custom = named - {"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"}
    assert custom - {"Errors", "Throttles"} <= emitted


@pytest.mark.aws
def test_the_functions_mirror_through_the_stacks_own_names(
    stack: Stack, sqs_environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harvester and the collector, with the environment the stack gave them, mirror a
    fake TMDB into the stack's bucket through its queue, the credential from its secret."""
    # moto's own poller for the stack's event source mapping would receive the messages and
    # try to run the function (it cannot, without Docker), raising their receive counts: this
    # test is the poller instead (tests/aws/conftest.py's Deployment), so moto's is disabled.
    lambda_ = boto3.client("lambda", region_name=stack.region)
    for mapping in lambda_.list_event_source_mappings(
        FunctionName=stack.outputs["CollectorFunctionName"]
    )["EventSourceMappings"]:
        lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    # moto skips AWS::SecretsManager::Secret: the secret the template names, made by hand.
    secrets = boto3.client("secretsmanager", region_name=stack.region)
    made = secrets.create_secret(Name=f"tmdb-collector/{stack.stage}/api-key", SecretString=SECRET)
    fake = FakeTMDB(SyntheticCatalog(COUNTS, seed=5), FakeSettings(api_key=SECRET))
    with fake.run_in_thread() as running:
        variables = stack.function("CollectorFunctionName")["Environment"]["Variables"]
        environ = {
            **{name: str(value) for name, value in variables.items()},
            "TMDB_API_KEY_SECRET": made["ARN"],
            "TMDB_API_URL": running.url,
            "TMDB_EXPORTS_URL": running.url,
            "RATE_LIMIT_REQUESTS": "400",
            "REFRESH_PER_RUN": "0",
        }
        monkeypatch.delenv("TMDB_API_KEY", raising=False)
        for key, value in environ.items():
            monkeypatch.setenv(key, value)
        _runtime.reset_runtime()
        queue = SQSWorkQueue(stack.outputs["WorkQueueUrl"])
        try:
            deployment = Deployment(running, queue, stack.outputs["StoreUrl"], environ)
            summary = harvest.handler(event("scheduler-harvest.json"), Context())
            deployment.drain()
            compact.handler(event("scheduler-harvest.json"), Context())
            for plan in summary["kinds"]:
                kind = next(k for k in EXPORT_KINDS if k.value == plan["kind"])
                assert len(stored_ids(deployment.store, kind)) == plan["export_ids"], kind
            assert queue.dead_counts().total == 0
        finally:
            _runtime.reset_runtime()
            queue.close()
