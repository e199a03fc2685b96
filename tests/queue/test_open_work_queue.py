"""open_work_queue: from the spec a user typed to the right backend, or a clear refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import unique_queue_name
from tmdb_collector.errors import Action, action_for
from tmdb_collector.queue import (
    QueueConfigurationError,
    SQLiteWorkQueue,
    SQSWorkQueue,
    open_work_queue,
)


def test_a_plain_path_is_an_sqlite_queue(tmp_path: Path) -> None:
    with open_work_queue(str(tmp_path / "deep" / "queue.db"), max_receives=3) as queue:
        assert isinstance(queue, SQLiteWorkQueue)
        assert queue.path == tmp_path / "deep" / "queue.db"
        assert (queue.name, queue.max_receives) == ("work", 3)


def test_sqlite_colon_path_is_an_sqlite_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_work_queue("sqlite:state/queue.db", name="movies", visibility_timeout=7) as queue:
        assert isinstance(queue, SQLiteWorkQueue)
        assert queue.path == Path("state/queue.db")
        assert (queue.name, queue.visibility_timeout) == ("movies", 7)
    with open_work_queue(f"sqlite:{tmp_path}/absolute.db") as queue:
        assert isinstance(queue, SQLiteWorkQueue)
        assert queue.path == tmp_path / "absolute.db"


def test_sqs_name_creates_the_queue_and_its_dead_letter_queue(
    sqs_environ: dict[str, str],
) -> None:
    name = unique_queue_name()
    with open_work_queue(f"sqs://{name}", max_receives=4) as queue:
        assert isinstance(queue, SQSWorkQueue)
        assert queue.url == f"{sqs_environ['AWS_ENDPOINT_URL']}/123456789012/{name}"
        assert queue.dead_letter_url.endswith(f"/{name}-dlq")
        assert queue.max_receives == 4
        url = queue.url
    with open_work_queue(url) as again:
        assert isinstance(again, SQSWorkQueue)
        assert again.max_receives == 4


@pytest.mark.parametrize(
    "spec",
    ["", "  ", "ftp://host/x", "s3://bucket/queue", "sqlite:", "sqlite://x.db", "sqs://a/b"],
)
def test_an_unknown_spec_is_refused_with_the_accepted_forms(spec: str) -> None:
    with pytest.raises(ValueError, match=r"sqlite:|sqs://NAME") as raised:
        open_work_queue(spec)
    assert not isinstance(raised.value, TypeError)


@pytest.mark.parametrize(
    "spec", ["sqs://", "sqs://bad name", "sqs://ｗｏｒｋ", "sqs://" + "x" * 77, "sqs://a.fifo"]
)
def test_a_bad_sqs_queue_name_is_a_configuration_error(spec: str) -> None:
    """Was check_queue_name's bare ValueError: a traceback and exit 1 from the CLI."""
    with pytest.raises(QueueConfigurationError, match="1-76 ASCII letters, digits") as raised:
        open_work_queue(spec)
    assert action_for(raised.value) is Action.FIX  # the CLI's exit status 2
    assert repr(spec) in str(raised.value)


@pytest.mark.parametrize("spec", ["sqlite:state/a\x00b.db", "state/queue\x00.db"])
def test_a_nul_character_in_a_spec_is_a_configuration_error(spec: str) -> None:
    """A TOML file can write one ("\\u0000"); sqlite3 and pathlib would raise ValueError."""
    with pytest.raises(QueueConfigurationError, match="contains a NUL character"):
        open_work_queue(spec)


def test_a_refused_spec_does_not_echo_a_password() -> None:
    with pytest.raises(ValueError, match="unknown work queue spec") as raised:
        open_work_queue("ftp://user:hunter2@host/queue")
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize(
    ("spec", "options"),
    [
        ("queue.db", {"client": object()}),
        ("sqs://work", {"name": "other"}),
        ("sqs://work", {"clock": lambda: 0}),
        ("https://sqs.eu-west-1.amazonaws.com/123456789012/work", {"max_receives": 3}),
        ("https://sqs.eu-west-1.amazonaws.com/123456789012/work", {"retention_seconds": 60}),
    ],
)
def test_an_option_the_backend_does_not_take_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str, options: dict[str, object]
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="does not take"):
        open_work_queue(spec, **options)  # type: ignore[arg-type]
