"""The fault suite's fixtures, and the results table it prints (``python3 dev.py faults``).

Each scenario records one row per fault it tries — what was injected, the outcome, records lost,
the recovery time — through the ``fault_table`` fixture; a scenario that fails keeps its row,
marked FAILED. At the end of the session the rows are printed as a markdown table, and written
to a file with ``--fault-table FILE`` (docs/reliability.md quotes it).
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fault._background import ChangesFeedFailure, changes_feed_failing_part_way
from fault._harness import (
    CATALOG,
    SEED,
    FakeProcess,
    MotoProcess,
    Setup,
    Started,
    StoreState,
    clean_mirror,
    closed_port_url,
)

# --- the results table ----------------------------------------------------------------------------


@dataclass
class FaultRow:
    """One line of the results table."""

    order: float
    fault: str
    injected: str
    outcome: str = "FAILED (the scenario did not finish; see its test output)"
    lost: str = "—"
    recovery: str = "—"
    nodeid: str = ""
    finished: bool = False

    def done(self, outcome: str, *, lost: int | None, recovery: str = "—") -> None:
        self.outcome = outcome
        self.lost = "—" if lost is None else str(lost)
        self.recovery = recovery
        self.finished = True


_ROWS = pytest.StashKey[list[FaultRow]]()
_STARTED = pytest.StashKey[float]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fault-table",
        metavar="FILE",
        default=None,
        help="write the fault suite's results table (markdown) to FILE",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_ROWS] = []
    config.stash[_STARTED] = time.monotonic()


class FaultTable:
    """Rows of one scenario: ``row = fault_table.row(order, fault, injected)`` at its start,
    ``row.done(outcome, lost=0, recovery="1.2 s")`` once its checks passed."""

    def __init__(self, rows: list[FaultRow], nodeid: str) -> None:
        self._rows = rows
        self._nodeid = nodeid

    def row(self, order: float, fault: str, injected: str) -> FaultRow:
        row = FaultRow(order, fault, injected, nodeid=self._nodeid)
        self._rows.append(row)
        return row


@pytest.fixture
def fault_table(request: pytest.FixtureRequest) -> FaultTable:
    return FaultTable(request.config.stash[_ROWS], request.node.nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    if report.failed and _ROWS in item.config.stash:
        for row in item.config.stash[_ROWS]:
            if row.nodeid == item.nodeid:
                cause = str(call.excinfo.value).strip().splitlines()[0] if call.excinfo else ""
                row.outcome = f"FAILED ({report.when}): {cause[:160]}"
                row.finished = False
    return report


def render_table(rows: list[FaultRow], seconds: float) -> str:
    passed = sum(row.finished for row in rows)
    lines = [
        f"Fault suite, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}): {passed} of "
        f"{len(rows)} faults survived, suite wall time {seconds:.0f} s; catalog "
        f"`--synthetic {CATALOG} --seed {SEED}`.",
        "",
        "| fault | injected | outcome | records lost | recovery time |",
        "|---|---|---|---|---|",
    ]
    for row in sorted(rows, key=lambda r: r.order):
        cells = [row.fault, row.injected, row.outcome, row.lost, row.recovery]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    rows = config.stash.get(_ROWS, [])
    if not rows:
        return
    table = render_table(rows, time.monotonic() - config.stash[_STARTED])
    terminalreporter.write_sep("=", "fault suite results")
    terminalreporter.write(table)
    target = config.getoption("fault_table", default=None)
    if target:
        Path(target).write_text(table, encoding="utf-8")
        terminalreporter.write_line(f"(written to {target})")


# --- processes and the clean mirror ---------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeProcess]:
    """The suite's catalog in a fake TMDB of its own (faults change it, so one per test)."""
    with FakeProcess() as running:
        yield running


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoProcess]:
    """A moto S3 of the fault suite's own: scenarios pause it, which must not stall others."""
    server = MotoProcess(tmp_path_factory.mktemp("fault-moto") / "moto.log")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> StoreState:
    """A clean mirror of the suite's catalog, read: what every scenario must end with."""
    return clean_mirror(tmp_path_factory.mktemp("clean"))


@dataclass
class WrongURLRun:
    """`mirror` with TMDB_API_URL where nothing listens: it must stop on its own after
    RetryPolicy.unreachable_after (120 s) of failures."""

    url: str
    #: The same store and settings with the right URL, for the run that follows.
    setup: Setup
    run: Started


@dataclass
class BackgroundRuns:
    """Scenarios that mostly wait start at the beginning of the session and are checked by
    their test at its end, so their waiting overlaps the other scenarios (the suite's wall
    time is the budget). Only those whose test is selected are started."""

    wrong_url: WrongURLRun | None = None
    changes_feed: Future[ChangesFeedFailure] | None = None


@pytest.fixture(scope="session", autouse=True)
def background(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackgroundRuns]:
    runs = BackgroundRuns()
    selected = {item.name for item in request.session.items}
    with ExitStack() as stack:
        if "test_a_wrong_api_url_from_the_start" in selected:
            fake = stack.enter_context(FakeProcess())
            where = tmp_path_factory.mktemp("wrong-url")
            setup = Setup(fake.url, str(where / "data"), where)
            url = closed_port_url()
            started = setup.start("mirror", TMDB_API_URL=url)
            stack.callback(started.stop)
            runs.wrong_url = WrongURLRun(url, setup, started)
        if "test_a_changes_feed_failing_part_way" in selected:
            # A thread, not a process: the scenario's commands are processes of their own.
            pool = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="changes-feed"))
            where = tmp_path_factory.mktemp("changes-feed")
            runs.changes_feed = pool.submit(changes_feed_failing_part_way, where)
        yield runs
