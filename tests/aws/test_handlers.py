"""The Lambda handlers with real event payloads, on a moto server (S3, SQS with its DLQ,
Secrets Manager): messages are really received from SQS and deleted or released as Lambda's
poller does with the partial batch response."""

from __future__ import annotations

import json

import boto3
import pytest

from aws.conftest import COUNTS, SECRET, Context, Deployment, event, stored_ids
from tmdb_collector import app
from tmdb_collector.aws import _runtime
from tmdb_collector.aws.handlers import compact, harvest
from tmdb_collector.config import MESSAGES_IN_FLIGHT
from tmdb_collector.config._definitions import DEFAULT_PUBLISHED
from tmdb_collector.errors import InputError
from tmdb_collector.kinds import EXPORT_KINDS, JSONObject, Kind, RecordKey
from tmdb_collector.queue import ReceivedBatch
from tmdb_collector.tmdb import AuthenticationError

pytestmark = pytest.mark.aws


def test_harvest_then_collect_then_compact_mirrors_everything(
    deployment: Deployment, capfd: pytest.CaptureFixture[str]
) -> None:
    summary = harvest.handler(event("scheduler-harvest.json"), Context())
    assert summary["items_enqueued"] > 0
    assert deployment.queue.counts().total > 0
    exported = {plan["kind"]: plan["export_ids"] for plan in summary["kinds"]}
    deployment.drain()
    folded = compact.handler({"source": "aws.scheduler", "detail": {}}, Context())
    assert folded["movie"]["rows"] == exported["movie"]
    for kind in EXPORT_KINDS:
        assert len(stored_ids(deployment.store, kind)) == exported[kind.value], kind
    assert deployment.queue.dead_counts().total == 0
    out, err = capfd.readouterr()
    assert SECRET not in out + err  # not in a log line, not in an EMF document
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    documents = [d for d in lines if "_aws" in d]
    names = {m["Name"] for d in documents for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    # Published (billed): what the alarms watch (METRICS_PUBLISHED); the rest are plain fields.
    assert {"collect_requests", "harvest_seconds"} <= names <= set(DEFAULT_PUBLISHED)
    fields = {name for d in lines for name in d}
    assert {"collect_items", "collect_records_created", "harvest_items_planned_new"} <= fields
    assert all(d["function"] in {"harvest", "collect", "compact"} for d in lines)


def test_the_hourly_schedule_compacts_only_the_kinds_that_are_due(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template's schedule asks for ``due`` kinds: a kind's compaction waits for 500
    fragments or one 23 hours old, so the compactor's hourly look costs a listing per kind."""
    harvest.handler(event("scheduler-harvest.json"), Context())
    deployment.drain()
    with pytest.raises(InputError, match=r"detail\.due"):
        compact.handler({"detail": {"due": "yes"}}, Context())
    scheduled = {"source": "aws.scheduler", "detail": {"due": True}}
    assert compact.handler(scheduled, Context()) == {}  # a few fresh fragments: nothing due
    # With a lower bar (as 500 fragments, or a day later): every kind with fragments is folded.
    monkeypatch.setattr(compact, "_due", lambda detail: app.CompactionDue(fragments=1))
    folded = compact.handler(scheduled, Context())
    assert folded
    assert all(result["fragments_merged"] > 0 for result in folded.values())
    assert compact.handler(scheduled, Context()) == {}  # folded: nothing waits


def test_a_failing_item_comes_back_and_the_others_are_deleted(deployment: Deployment) -> None:
    harvest.handler(event("trigger-harvest.json"), Context())
    deployment.fake.inject(503, count=1000, path_prefix="/3/movie/1")
    round_ = deployment.poll()
    assert round_["messages"] > 0
    # The failing item was put back as a new message (attempt + 1); its message is finished.
    assert round_["failures"] == []
    deployment.fake.clear_faults()
    deployment.drain()
    assert 1 in stored_ids(deployment.store, Kind.MOVIE)  # the failed one too, in the end


def test_a_malformed_message_is_dead_lettered_with_its_error(deployment: Deployment) -> None:
    deployment.queue.send(['{"v":1,"groups":"not a list"}'])
    round_ = deployment.poll()
    assert round_["failures"] == []
    assert deployment.queue.counts().total == 0
    [dead] = deployment.queue.peek_dead(1)
    assert "groups" in dead.body


def test_the_deadline_releases_work_without_losing_it(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    harvest.handler(event("scheduler-harvest.json"), Context())
    deployment.fake.settings.update({"latency_ms": 400.0, "latency_jitter_ms": 0.0})
    # The batch keeps its unstarted messages (a queue with more work would not take them back).
    monkeypatch.setattr(ReceivedBatch, "hand_back_if_drained", lambda *_: 0)
    total = deployment.queue.counts().total
    round_ = deployment.poll(Context(remaining_ms=6_000))  # 1 s of work, then stop
    assert round_["failures"], "some messages were not started before the deadline"
    assert deployment.queue.counts().total >= min(total, len(round_["failures"]))
    deployment.fake.settings.update({"latency_ms": 0.0})
    deployment.drain()
    assert deployment.queue.dead_counts().total == 0
    assert len(stored_ids(deployment.store, Kind.MOVIE)) >= COUNTS[Kind.MOVIE] - 1


def test_unstarted_messages_go_back_to_a_drained_queue_for_idle_instances(
    deployment: Deployment, capfd: pytest.CaptureFixture[str]
) -> None:
    """The last batch of a run is not worked by one instance alone at its share of the rate:
    what it has not started goes back to the queue, where the poller gives it to others."""
    planned = harvest.handler(event("scheduler-harvest.json"), Context())["items_enqueued"]
    total = deployment.queue.counts().total
    assert total > MESSAGES_IN_FLIGHT.default, "the harvest plans more than one round of work"
    round_ = deployment.poll()
    assert round_["messages"] == total
    assert round_["failures"] == []
    back = deployment.queue.counts()
    # Handed back once TMDB answered: the unstarted ones then (how many depends on how fast).
    assert 1 <= back.visible <= total - MESSAGES_IN_FLIGHT.default
    assert f'"handed_back": {back.visible}' in capfd.readouterr().err
    deployment.drain()
    assert deployment.queue.dead_counts().total == 0
    assert sum(len(stored_ids(deployment.store, kind)) for kind in EXPORT_KINDS) == planned


def test_a_rejected_credential_fails_the_invocation_and_keeps_every_message(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    harvest.handler(event("scheduler-harvest.json"), Context())
    total = deployment.queue.counts().visible
    wrong = "a-wrong-key-that-tmdb-rejects"
    monkeypatch.setenv("TMDB_API_KEY", wrong)
    _runtime.reset_runtime()
    with pytest.raises(AuthenticationError):
        deployment.poll()
    counts = deployment.queue.counts()
    assert counts.visible + counts.in_flight == total
    out, err = capfd.readouterr()
    assert wrong not in out + err
    assert SECRET not in out + err


def test_redrive_puts_dead_letters_back(deployment: Deployment) -> None:
    deployment.queue.send_dead(
        [
            '{"v":1,"groups":[{"kind":"movie","reason":"new","attempt":1,'
            '"enqueued_at":1764918000000,"keys":["2"]}],"error":"503"}'
        ]
    )
    assert deployment.queue.redrive() == 1
    deployment.drain()
    assert 2 in stored_ids(deployment.store, Kind.MOVIE)


def test_the_harvest_event_is_checked(deployment: Deployment) -> None:
    with pytest.raises(InputError, match=r"detail\.date must be YYYY-MM-DD"):
        harvest.handler({"detail": {"date": "tomorrow"}}, Context())
    with pytest.raises(InputError, match="unknown field"):
        harvest.handler({"detail": {"kinds": ["movie"]}}, Context())
    dry = harvest.handler({"detail": {"dry_run": True, "types": "movie"}}, Context())
    assert dry["dry_run"] is True
    assert deployment.queue.counts().total == 0


def test_each_instance_paces_at_its_share(deployment: Deployment) -> None:
    """COLLECTOR_CONCURRENCY unset: the collector paces at its share of what the harvester's
    reserve leaves, the harvester alone at the full rate."""
    assert "COLLECTOR_CONCURRENCY" not in deployment.environ
    collector = _runtime.runtime(app.Surface.COLLECTOR_FUNCTION).wiring
    assert collector.pace() == app.Pace((400 - 2) / 2, 10, 400 - 2, 2)
    assert collector.client_settings().credential is not None
    harvester = _runtime.runtime(app.Surface.HARVESTER_FUNCTION).wiring
    assert harvester.client_settings().rate_limit == 400


def test_a_visibility_timeout_shorter_than_the_function_is_named_once(
    deployment: Deployment, capfd: pytest.CaptureFixture[str]
) -> None:
    """The deployment's queue hides a received message for 60 s: an invocation that may run
    120 s would see its unstarted messages come back to another instance."""
    harvest.handler(event("scheduler-harvest.json"), Context())
    deployment.poll(Context(remaining_ms=120_000), max_messages=2)
    deployment.poll(Context(remaining_ms=120_000), max_messages=2)
    err = capfd.readouterr().err
    assert err.count("visibility timeout (60 s) is shorter than this invocation may run") == 1
    assert "set the queue's VisibilityTimeout to at least the function's timeout" in err


def test_a_visibility_timeout_longer_than_the_function_says_nothing(
    deployment: Deployment, capfd: pytest.CaptureFixture[str]
) -> None:
    harvest.handler(event("scheduler-harvest.json"), Context())
    deployment.poll(Context(remaining_ms=30_000), max_messages=2)
    assert "visibility timeout" not in capfd.readouterr().err


def test_a_fixed_secret_is_read_again_by_a_warm_container(
    deployment: Deployment, sqs_environ: dict[str, str]
) -> None:
    """After a 401 the container forgets the credential: once the operator puts the right one
    in the secret, the next invocation of the same container works, with no redeploy."""
    harvest.handler(event("scheduler-harvest.json"), Context())
    secrets = boto3.client("secretsmanager", region_name=sqs_environ["AWS_REGION"])
    name = deployment.environ["TMDB_API_KEY_SECRET"]
    secrets.put_secret_value(SecretId=name, SecretString="a-wrong-key-that-tmdb-rejects")
    _runtime.reset_runtime()  # a container that read the wrong secret
    with pytest.raises(AuthenticationError):
        deployment.poll(max_messages=1)  # that message comes back after its visibility timeout
    secrets.put_secret_value(SecretId=name, SecretString=json.dumps({"TMDB_API_KEY": SECRET}))
    round_ = deployment.poll()  # the same container: no reset_runtime() here
    assert round_["messages"] > 0
    assert round_["failures"] == []
    assert any(stored_ids(deployment.store, kind) for kind in EXPORT_KINDS)


def test_a_key_tmdb_added_shows_as_schema_drift_in_the_collectors_log(
    deployment: Deployment, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """TMDB adds a field: the records keep it (docs/schema.md), and each batch's log line names
    the path and how many records showed it, for Logs Insights (docs/aws.md, "Schema drift")."""
    from tmdb_collector.fake.synthetic import SyntheticCatalog  # noqa: PLC0415

    plain = SyntheticCatalog.base

    def base(self: SyntheticCatalog, key: RecordKey) -> JSONObject | None:
        record = plain(self, key)
        if record is not None and key.kind is Kind.MOVIE:
            record = {**record, "softcore_rating": 3}
        return record

    monkeypatch.setattr(SyntheticCatalog, "base", base)
    monkeypatch.setenv("LOG_LEVEL", "info")
    _runtime.reset_runtime()
    harvest.handler(event("scheduler-harvest.json"), Context())
    deployment.drain()
    out, err = capfd.readouterr()
    lines = [json.loads(line) for line in (out + err).splitlines() if line.startswith("{")]
    drift: dict[str, int] = {}
    for line in lines:
        if line.get("message") == "collected a batch":
            for path, count in line.get("schema_drift", {}).items():
                drift[path] = drift.get(path, 0) + count
    movies = len(stored_ids(deployment.store, Kind.MOVIE))
    assert drift["movie: unknown_key softcore_rating"] == movies > 0
