"""A deployment of infra/template.yaml on the session's moto server: the template expanded as
`sam deploy` would (aws-sam-translator, offline), created as a CloudFormation stack."""

from __future__ import annotations

import copy
import io
import json
import os
import uuid
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.yaml"
#: What `sam package` puts in place of the local artifact.
CODE_BUCKET, CODE_KEY = "tmdb-collector-code", "tmdb-collector-lambda.zip"
#: Resource types the template uses that moto's CloudFormation skips (with a warning).
MOTO_LACKS = {"AWS::CloudWatch::Alarm", "AWS::Scheduler::Schedule", "AWS::SecretsManager::Secret"}


def _source() -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse  # noqa: PLC0415 (a test-only library)

    template: dict[str, Any] = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))
    return template


def transformed() -> dict[str, Any]:
    """The template as `sam deploy` hands it to CloudFormation (SAM expanded, code in S3), for
    us-east-1."""
    from samtranslator.translator.managed_policy_translator import (  # noqa: PLC0415
        ManagedPolicyLoader,
    )
    from samtranslator.translator.transform import transform  # noqa: PLC0415

    class NoManagedPolicies(ManagedPolicyLoader):
        """The template names no managed policy: nothing to look up in IAM (offline)."""

        def __init__(self) -> None:
            pass

        def load(self) -> dict[str, str]:
            return {}

    template = copy.deepcopy(_source())
    template["Globals"]["Function"]["CodeUri"] = f"s3://{CODE_BUCKET}/{CODE_KEY}"
    region = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"  # the translator's ARNs
    try:
        result: dict[str, Any] = transform(template, {}, NoManagedPolicies())
    finally:
        if region is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = region
    return result


def _artifact() -> bytes:
    """A stand-in for the package (moto stores the code, it never runs it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tmdb_collector/__init__.py", "")
    return buffer.getvalue()


class Stack:
    def __init__(self, name: str, stage: str, region: str) -> None:
        self.name, self.stage, self.region = name, stage, region
        cloudformation = boto3.client("cloudformation", region_name=region)
        [described] = cloudformation.describe_stacks(StackName=name)["Stacks"]
        self.status = described["StackStatus"]
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}

    def function(self, output: str) -> dict[str, Any]:
        lambda_ = boto3.client("lambda", region_name=self.region)
        configuration: dict[str, Any] = lambda_.get_function_configuration(
            FunctionName=self.outputs[output]
        )
        return configuration


def make_secret(stack: Stack) -> str:
    """The secret the template declares, made by hand (moto skips AWS::SecretsManager::Secret),
    empty as the template makes it, and named in the functions' environment; its ARN."""
    secrets = boto3.client("secretsmanager", region_name=stack.region)
    arn = str(secrets.create_secret(Name=f"tmdb-collector/{stack.stage}/api-key")["ARN"])
    lambda_ = boto3.client("lambda", region_name=stack.region)
    for output in ("HarvesterFunctionName", "CollectorFunctionName"):
        variables = stack.function(output)["Environment"]["Variables"]
        lambda_.update_function_configuration(
            FunctionName=stack.outputs[output],
            Environment={
                "Variables": {k: str(v) for k, v in variables.items()}
                | {"TMDB_API_KEY_SECRET": arn}
            },
        )
    return arn


def deploy(name: str, stage: str, region: str) -> Stack:
    """Create the stack NAME from the expanded template on the moto server boto3 points at."""
    s3 = boto3.client("s3", region_name=region)
    s3.create_bucket(Bucket=CODE_BUCKET)
    s3.put_object(Bucket=CODE_BUCKET, Key=CODE_KEY, Body=_artifact())
    boto3.client("cloudformation", region_name=region).create_stack(
        StackName=name,
        TemplateBody=json.dumps(transformed()),
        Parameters=[{"ParameterKey": "Stage", "ParameterValue": stage}],
        Capabilities=["CAPABILITY_IAM"],
    )
    return Stack(name, stage, region)


@pytest.fixture
def stack(sqs_environ: dict[str, str]) -> Stack:
    stage = f"t{uuid.uuid4().hex[:8]}"
    return deploy(f"tmdb-collector-{stage}", stage, sqs_environ["AWS_REGION"])
