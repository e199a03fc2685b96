"""docs/architecture.md names every command the CLI registers, in the tree and in the ``cli/`` row
of "What exists today", and no command the CLI does not have: a command added to ``_COMMANDS``
(or removed from it) fails here until the doc says so."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tmdb_collector.cli._group import _COMMANDS

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
#: A command's name as the doc writes it.
_NAME = re.compile(r"[a-z][a-z-]*")


def _tree_entry(text: str, name: str) -> str:
    """The text of ``name``'s entry in the tree's code block: its line and the lines continuing
    it (indented deeper than the names), up to the next entry."""
    tree = text.split("\n## The tree\n", 1)[1].split("```", 2)[1]
    lines = tree.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {name} "))
    entry = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        entry.append(line)
    return " ".join(line.strip() for line in entry)


def tree_commands(text: str) -> list[str]:
    """The comma-listed names after "one module per command:" in the tree's ``cli/`` entry."""
    entry = _tree_entry(text, "cli/")
    marker = "one module per command:"
    assert marker in entry, f"the tree's cli/ entry no longer says {marker!r}"
    listed = [name.strip() for name in entry.split(marker, 1)[1].split(",")]
    assert all(_NAME.fullmatch(name) for name in listed), listed
    return listed


def table_commands(text: str) -> list[str]:
    """The backticked names after "with the commands" in the ``cli/`` row of the table, up to the
    first ``;``."""
    rows = [line for line in text.splitlines() if line.startswith("| `cli/` |")]
    assert len(rows) == 1, "the table has no (or more than one) cli/ row"
    marker = "with the commands "
    assert marker in rows[0], f"the cli/ row no longer says {marker!r}"
    listed = rows[0].split(marker, 1)[1].split(";", 1)[0]
    names = re.findall(r"`([^`]*)`", listed)
    assert all(_NAME.fullmatch(name) for name in names), names
    return names


@pytest.mark.parametrize("where", [tree_commands, table_commands], ids=["tree", "table"])
def test_the_doc_names_exactly_the_registered_commands(where: Callable[[str], list[str]]) -> None:
    listed = where(DOC.read_text(encoding="utf-8"))
    assert len(listed) == len(set(listed)), f"a command named twice: {listed}"
    missing = sorted(set(_COMMANDS) - set(listed))
    extra = sorted(set(listed) - set(_COMMANDS))
    assert not missing, f"docs/architecture.md does not name the command(s) {missing}"
    assert not extra, f"docs/architecture.md names command(s) the CLI lacks: {extra}"


def test_the_check_sees_a_missing_command() -> None:
    """A doc without one of the commands is caught in both places (so a pass means something)."""
    text = DOC.read_text(encoding="utf-8")
    without = text.replace(", redrive", "").replace("`redrive`, ", "")
    assert "redrive" not in tree_commands(without)
    assert "redrive" not in table_commands(without)
    assert "redrive" in tree_commands(text)
    assert "redrive" in table_commands(text)
