"""Last of the suite (files run in name order): the TMDB credential every scenario used appears
in no file the scenarios left (stores, queues, logs, exports, quarantined copies) and in no
command's output."""

from __future__ import annotations

import pytest

from fault._harness import API_KEY, OUTPUTS_SCANNED
from fault.conftest import FaultTable

pytestmark = pytest.mark.fault


def test_the_credential_appears_nowhere(
    tmp_path_factory: pytest.TempPathFactory, fault_table: FaultTable
) -> None:
    row = fault_table.row(99.0, "credential leak scan", "")
    secret = API_KEY.encode()
    files = found = 0
    for path in tmp_path_factory.getbasetemp().rglob("*"):
        if not path.is_file() or path.is_symlink() or path.stat().st_size > 200 * 2**20:
            continue
        files += 1
        if secret in path.read_bytes():
            found += 1
    printed = sum(1 for output in OUTPUTS_SCANNED if API_KEY in output)
    row.injected = (
        f"the key every run used, searched in the {files:,} files the scenarios left (stores, "
        f"queue files, logs, exports, quarantine) and {len(OUTPUTS_SCANNED)} commands' output"
    )
    row.done(f"{found + printed} occurrences", lost=None)
    assert (found, printed) == (0, 0)
