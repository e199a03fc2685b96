"""The metric names docs/observability.md lists: every metric emitted must be among them."""

from __future__ import annotations

import re
from pathlib import Path

OBSERVABILITY = Path(__file__).resolve().parents[2] / "docs" / "observability.md"


def documented_metrics() -> set[str]:
    """The names in the first column of the metrics table."""
    text = OBSERVABILITY.read_text("utf-8")
    return set(re.findall(r"^\| `([a-z_]+\.[a-z_.]+)` \|", text, re.MULTILINE))
