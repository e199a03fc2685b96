"""The fixed monthly cost of a default deployment, counted — not estimated by hand — from the
metric series the functions really emit here (a harvest, a collection and a compaction on moto,
with the template's environment) and from the template's alarms, dashboards and secret, at AWS's
list prices (us-east-1, 2026-12). It must stay within the budget (docs/aws.md, "What it costs"):
a change that publishes more series or adds alarms past it fails here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aws.conftest import Context, Deployment, event
from tmdb_collector.aws import _runtime
from tmdb_collector.aws.handlers import compact, harvest

pytestmark = pytest.mark.aws

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.yaml"
#: USD per month: a custom metric series (the first 10,000), an alarm per metric it analyzes
#: (standard resolution), a Secrets Manager secret; the first three dashboards are free.
PRICE = {"series": 0.30, "alarm metric": 0.10, "secret": 0.40}
FREE_DASHBOARDS = 3
#: The budget of issue 19: a deployment that sits idle costs less than a small VPS.
BUDGET = 3.00


def emitted_series(out: str) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """(namespace, metric, dimensions) of every EMF metric in ``out``: each is a billed series."""
    series = set()
    for line in out.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        document: dict[str, Any] = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for dimensions in directive["Dimensions"]:
                values = tuple((name, str(document[name])) for name in dimensions)
                for metric in directive["Metrics"]:
                    series.add((directive["Namespace"], metric["Name"], values))
    return series


def template_counts() -> dict[str, int]:
    from samtranslator.yaml_helper import yaml_parse  # noqa: PLC0415 (a test-only library)

    resources = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))["Resources"].values()
    alarms = [r["Properties"] for r in resources if r["Type"] == "AWS::CloudWatch::Alarm"]
    return {
        "alarm metric": sum(
            1 if "MetricName" in a else sum("MetricStat" in m for m in a["Metrics"]) for a in alarms
        ),
        "secret": sum(r["Type"] == "AWS::SecretsManager::Secret" for r in resources),
        "dashboards": sum(r["Type"] == "AWS::CloudWatch::Dashboard" for r in resources),
    }


def template_environment() -> dict[str, str]:
    """The metrics settings a default deployment gives its functions."""
    from samtranslator.yaml_helper import yaml_parse  # noqa: PLC0415

    template = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    by_kind = variables["METRICS_BY_KIND"]
    assert by_kind == {"Ref": "MetricsByKind"}
    environ = {"METRICS_BY_KIND": template["Parameters"]["MetricsByKind"]["Default"]}
    assert "METRICS_PUBLISHED" not in variables  # the setting's default: what the alarms watch
    return environ


def test_a_default_deployment_costs_at_most_the_budget(
    deployment: Deployment, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in template_environment().items():
        monkeypatch.setenv(name, value)
    _runtime.reset_runtime()
    harvest.handler(event("scheduler-harvest.json"), Context())
    deployment.drain()
    compact.handler(event("scheduler-harvest.json"), Context())
    series = emitted_series(capfd.readouterr().out)
    counts = template_counts() | {"series": len(series)}
    assert counts["dashboards"] <= FREE_DASHBOARDS
    monthly = {item: counts[item] * price for item, price in PRICE.items()}
    total = sum(monthly.values())
    assert total <= BUDGET, (monthly, sorted(series))
    # Every published series is one an alarm watches (nothing billed that nobody looks at).
    watched = {"harvest_seconds", "harvest_errors", "collect_requests", "collect_rate_limited"}
    assert {name for _, name, _ in series} <= watched
