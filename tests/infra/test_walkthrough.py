"""docs/aws-walkthrough.md's session, run again: each command answers as the doc shows it did,
and the doc lists the commands this session runs (regenerate it with python3 dev.py
walkthrough)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aws.conftest import SECRET
from infra.walkthrough import AWS_DOC, BEGIN, DOC, END, Step, render, session, walk

pytestmark = [pytest.mark.aws, pytest.mark.slow]


def test_the_walkthrough_session_answers_as_documented(
    sqs_environ: dict[str, str], tmp_path: Path
) -> None:
    with session(sqs_environ, tmp_path) as s:
        walk(s)
    steps = [step for step in s.steps if step.command]
    notes = s.steps
    by_command: dict[str, list[tuple[int, str]]] = {}
    for step in steps:
        by_command.setdefault(step.command, []).append((step.exit_code, step.output))
    verify = by_command["tmdb-collector aws verify --stack tmdb-collector"]
    assert [code for code, _ in verify] == [1, 1]
    assert "FAIL the credential's secret holds a value" in verify[0][1]
    assert "OK   the harvester's dry run" in verify[1][1]
    assert "2 of 13 checks failed" in verify[1][1]  # the two moto skips, and only those
    alerts = by_command[
        "tmdb-collector aws setup-alerts --stack tmdb-collector --email ops@example.org"
    ]
    assert [code for code, _ in alerts] == [0, 0]
    assert "already" in alerts[1][1]
    status = by_command["tmdb-collector aws status --stack tmdb-collector"]
    assert [code for code, _ in status] == [2, 0, 0, 0]
    # Queued, not yet collected. (Whether a rate shows depends on the other tests: moto's
    # GetMetricData ignores the namespace of a query with dimensions, so another stack's
    # collect_requests of the last minutes count here.)
    assert f"about {summary_items(notes)} items queued" in status[1][1], status[1][1]
    assert "dead letters: 0" in status[2][1]
    assert "TMDB requests in the last 5 min: no data" not in status[2][1]  # the EMF metrics
    assert "dead letters: 1" in status[3][1]
    [(code, redriven)] = by_command["tmdb-collector aws redrive --stack tmdb-collector"]
    assert code == 0
    assert redriven.startswith("1 message moved back")
    errors = by_command["tmdb-collector aws logs --stack tmdb-collector --since 1h --errors"]
    assert errors[0][1].strip() == "no error log lines in the last 1:00:00"  # none in the mirror
    assert "is no work batch: malformed work message" in errors[1][1]
    for step in steps:
        assert SECRET not in step.output
    # The committed doc shows this session's commands, in this order.
    documented = re.findall(r"^\$ (.+)$", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert documented == [step.command for step in steps]
    assert render(s.steps).count("```") == DOC.read_text(encoding="utf-8").count("```")
    # docs/aws.md's excerpts are the doc's own blocks (regenerated with it).
    aws = AWS_DOC.read_text(encoding="utf-8")
    excerpted = aws.split(BEGIN, 1)[1].split(END, 1)[0]
    for block in re.findall(r"```\n(.*?)```", excerpted, flags=re.DOTALL):
        assert block in DOC.read_text(encoding="utf-8")


def summary_items(steps: list[Step]) -> int:
    """The items the walkthrough's harvest queued, from its note."""
    [note] = [s.note for s in steps if s.note.startswith("The harvester queued ")]
    return int(note.split()[3])
