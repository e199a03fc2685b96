"""docs/aws-walkthrough.md: a newcomer's session with a deployment, every output produced here.

``python3 dev.py walkthrough`` deploys infra/template.yaml (expanded as `sam deploy` does) as the
stack ``tmdb-collector`` (Stage ``prod``) on a moto server, starts a fake TMDB, and runs the
commands docs/aws.md tells an operator to run, in order, writing each with what it printed (and
its exit status when not 0). Where moto falls short, this plays AWS's part and says so in the
file: it makes the secret the template declares (moto skips AWS::SecretsManager::Secret), and it
is Lambda — the rule's target and the SQS event source — running the functions under awslambdaric
with the environment the stack gave them (tests/infra/lambda_endpoint.py), their log lines sent
to the stack's log groups. tests/infra/test_walkthrough.py runs the same session and checks it.
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from click.testing import CliRunner

if __name__ == "__main__":  # run as a script: the test helpers' folder is tests/
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aws.conftest import SECRET, Deployment
from infra.conftest import Stack, deploy, make_secret
from infra.lambda_endpoint import LambdaEndpoint
from moto_server import moto_environ, running_moto
from tmdb_collector.cli import main as cli
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS, Kind
from tmdb_collector.queue import SQSWorkQueue

__all__ = ["Session", "Step", "session", "walk"]

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "aws-walkthrough.md"
NAME, STAGE = "tmdb-collector", "prod"
#: A small catalog: the session shows every command, not a long wait.
COUNTS = dict.fromkeys(EXPORT_KINDS, 8) | {Kind.TV: 2}


@dataclass
class Step:
    command: str
    output: str
    exit_code: int = 0
    note: str = ""


@dataclass
class Session:
    stack: Stack
    tmdb: str
    endpoint: LambdaEndpoint
    steps: list[Step] = field(default_factory=list)

    def run(self, *args: str, shown: str | None = None) -> Step:
        """``tmdb-collector ARGS`` as the operator types it (``shown``: how the doc spells it)."""
        result = CliRunner().invoke(cli, list(args))
        step = Step(shown or shlex.join(["tmdb-collector", *args]), result.output, result.exit_code)
        self.steps.append(step)
        return step

    def note(self, text: str) -> None:
        self.steps.append(Step("", "", note=text))

    def lambda_runs(self, function: str, event: Mapping[str, Any]) -> Mapping[str, Any]:
        """Lambda invoking ``function`` (a stack output) with ``event``: its answer."""
        answer = boto3.client("lambda", region_name=self.stack.region).invoke(
            FunctionName=self.stack.outputs[function], Payload=json.dumps(event).encode()
        )
        result: Mapping[str, Any] = json.loads(answer["Payload"].read())
        if answer.get("FunctionError"):
            raise RuntimeError(f"{function} failed: {result}")
        return result

    def event_source_drains(self) -> int:
        """Lambda's SQS event source: batches of 10 to the collector until the queue is empty;
        the invocations made."""
        queue = SQSWorkQueue(self.stack.outputs["WorkQueueUrl"])
        deployment = Deployment(None, queue, self.stack.outputs["StoreUrl"], {})  # type: ignore[arg-type]
        invocations = 0
        try:
            for _ in range(200):
                if queue.counts().total == 0:
                    return invocations
                deployment.poll(
                    invoke=lambda batch: self.lambda_runs("CollectorFunctionName", batch)
                )
                invocations += 1
        finally:
            queue.close()
        raise RuntimeError("the work queue did not drain")


@contextmanager
def session(environ: Mapping[str, str], root: Path) -> Iterator[Session]:
    """The stack on the moto server ``environ`` names (already in this process's environment),
    a fake TMDB, and Lambda's stand-in; the secret made as the template names it, empty."""
    region = environ["AWS_REGION"]
    stack = deploy(NAME, STAGE, region)
    make_secret(stack)
    fake = FakeTMDB(SyntheticCatalog(COUNTS, seed=7), FakeSettings(api_key=SECRET))
    with ExitStack() as stack_of:
        running = stack_of.enter_context(fake.run_in_thread())
        tmdb = {"TMDB_API_URL": running.url, "TMDB_EXPORTS_URL": running.url}
        endpoint = LambdaEndpoint(environ["AWS_ENDPOINT_URL"], environ, tmdb, root)
        url = stack_of.enter_context(endpoint.serving())
        stack_of.enter_context(_environ({"AWS_ENDPOINT_URL_LAMBDA": url} | tmdb))
        yield Session(stack, running.url, endpoint)


def take_over_from_moto(stack: Stack) -> None:
    """Disable moto's own poller for the event source and remove the rule's target: they would
    try to run the functions (moto cannot, without Docker). The session plays both instead."""
    region = stack.region
    lambda_ = boto3.client("lambda", region_name=region)
    for mapping in lambda_.list_event_source_mappings(
        FunctionName=stack.outputs["CollectorFunctionName"]
    )["EventSourceMappings"]:
        lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    events = boto3.client("events", region_name=region)
    for rule in events.list_rules()["Rules"]:
        targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        if targets:
            events.remove_targets(Rule=rule["Name"], Ids=[t["Id"] for t in targets])


@contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    import os  # noqa: PLC0415

    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def walk(s: Session) -> None:
    """The operator's session, in docs/aws.md's order."""
    stack = s.stack.name
    s.note(
        "`sam deploy` has created the stack. First, is it healthy? (moto's CloudFormation skips "
        "the schedules and the bucket's public access block, so those two checks fail here.)"
    )
    s.run("aws", "verify", "--stack", stack)
    s.note("The secret is empty: put the credential in, as verify said.")
    secrets = boto3.client("secretsmanager", region_name=s.stack.region)
    secrets.put_secret_value(SecretId=f"tmdb-collector/{STAGE}/api-key", SecretString=SECRET)
    s.steps.append(
        Step(
            "aws secretsmanager put-secret-value --secret-id tmdb-collector/prod/api-key "
            '--secret-string "$TMDB_API_KEY"',
            "",
        )
    )
    s.run("aws", "verify", "--stack", stack)
    s.run("aws", "setup-alerts", "--stack", stack, "--email", "ops@example.org")
    s.run("aws", "setup-alerts", "--stack", stack, "--email", "ops@example.org")
    take_over_from_moto(s.stack)
    s.note("Nothing is mirrored yet, so there is no store to report on:")
    s.run("aws", "status", "--stack", stack)
    s.run("aws", "trigger", "--stack", stack)
    s.note(
        "EventBridge delivers the event to the harvester, which plans and sends the work; the SQS "
        "event source then runs the collectors until the queue is empty (played here by the "
        "walkthrough, as moto runs no function)."
    )
    summary = s.lambda_runs("HarvesterFunctionName", {"detail": {}})
    s.note(
        f"The harvester queued {summary['items_enqueued']} items in {summary['messages_sent']} "
        "messages. Before the collectors start:"
    )
    s.run("aws", "status", "--stack", stack)
    invocations = s.event_source_drains()
    s.note(f"{invocations} collector invocations (batches of 10 messages) stored them:")
    s.run("aws", "status", "--stack", stack)
    s.run("query", "--stack", stack, "--type=movie", "--where", "vote_count > 0", "--limit", "3")
    first = _first_id(s, Kind.MOVIE)
    s.run("query", "--stack", stack, "--type=movie", f"--id={first}", "--format=text")
    s.run("aws", "logs", "--stack", stack, "--since", "1h", "--errors")
    s.note("A message no collector can read goes to the dead-letter queue, and the alarm fires:")
    boto3.client("sqs", region_name=s.stack.region).send_message(
        QueueUrl=s.stack.outputs["WorkQueueUrl"], MessageBody='{"kind": "movie", "ids": "oops"}'
    )
    s.event_source_drains()
    s.run("aws", "status", "--stack", stack)
    s.run("aws", "logs", "--stack", stack, "--since", "1h", "--errors")
    s.run("aws", "redrive", "--stack", stack)


def _first_id(s: Session, kind: Kind) -> int:
    where = ["--where", "id > 0", "--format=json", "--limit=1"]
    step = CliRunner().invoke(
        cli, ["query", "--stack", s.stack.name, f"--type={kind.value}", *where]
    )
    rows = [json.loads(line) for line in step.stdout.splitlines() if line.strip()]
    return int(rows[0]["id"])


def render(steps: list[Step]) -> str:
    lines = [
        "# A session with a deployment",
        "",
        "<!-- Generated by `python3 dev.py walkthrough` (tests/infra/walkthrough.py); do not edit."
        " -->",
        "",
        "Every command below ran against `infra/template.yaml` deployed as the stack "
        "`tmdb-collector` (Stage `prod`) on a moto server, with a fake TMDB of a small catalog; "
        "what each printed is shown as it printed it. docs/aws.md explains each command. moto "
        "computes no SQS metrics, so `oldest message` has no data here; on AWS it is the work "
        "queue's `ApproximateAgeOfOldestMessage`.",
        "",
    ]
    for step in steps:
        if step.note:
            lines += [step.note, ""]
        if step.command:
            lines += [_block(step)]
    return "\n".join(lines)


#: docs/aws.md's excerpts of the session: (the command's start, which of those) and the text
#: before each; written between the markers by ``main``.
AWS_DOC = ROOT / "docs" / "aws.md"
EXCERPTS = (
    ("tmdb-collector aws verify", 1, ""),
    (
        "tmdb-collector aws status",
        1,
        "While work is queued (moto computes no SQS metrics, so the oldest message's age has no "
        "data there), and after a message was dead-lettered:",
    ),
    ("tmdb-collector aws status", 3, ""),
    ("tmdb-collector aws logs", 1, ""),
    ("tmdb-collector aws redrive", 0, ""),
    ("tmdb-collector aws setup-alerts", 1, ""),
)
BEGIN, END = "<!-- excerpts: written by python3 dev.py walkthrough -->", "<!-- end of excerpts -->"


def excerpts(steps: list[Step]) -> str:
    """docs/aws.md's excerpts, verbatim from ``steps``."""
    parts = []
    for start, nth, before in EXCERPTS:
        step = [s for s in steps if s.command.startswith(start)][nth]
        if before:
            parts.append(before + "\n")
        parts.append(_block(step))
    return "\n".join(parts)


def _block(step: Step) -> str:
    shown = f"$ {step.command}\n{step.output.rstrip()}"
    if step.exit_code:
        shown += f"\n(exit status {step.exit_code})"
    return "```\n" + shown.rstrip() + "\n```\n"


def with_excerpts(document: str, steps: list[Step]) -> str:
    head, rest = document.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{excerpts(steps)}{END}{tail}"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="walkthrough-") as work, ExitStack() as stack:
        endpoint = stack.enter_context(running_moto(Path(work) / "moto.log"))
        environ = moto_environ(endpoint)
        stack.enter_context(_environ(environ))
        with session(environ, Path(work)) as s:
            walk(s)
        DOC.write_text(render(s.steps), encoding="utf-8")
        aws = AWS_DOC.read_text(encoding="utf-8")
        AWS_DOC.write_text(with_excerpts(aws, s.steps), encoding="utf-8")
    commands = sum(1 for x in s.steps if x.command)
    print(f"wrote {DOC.relative_to(ROOT)} ({commands} commands) and docs/aws.md's excerpts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
