"""The surfaces stay thin: the CLI (``cli/``) and the Lambda functions (``aws/``) take what they
need from the one wiring and the use cases in ``app``, and import from the package nothing but
``app``, ``config``, ``errors``, ``observe``, ``kinds`` (the vocabulary) and the version — the
``fake-tmdb`` command also the fake. Type-only imports count too: a surface that names a store
class is one step from building it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "tmdb_collector"
ALLOWED = {"app", "config", "errors", "observe", "kinds", "__version__"}
#: A surface's own package, and the one module that may import more.
EXTRA = {"cli": {"cli"}, "aws": {"aws"}}
EXCEPTIONS = {"cli/_fake.py": {"fake"}}


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, first name below tmdb_collector) of every import of the package in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "tmdb_collector":
                continue
            if len(parts) > 1:
                found.append((node.lineno, parts[1]))
            else:
                found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "tmdb_collector":
                    found.append((node.lineno, parts[1] if len(parts) > 1 else "tmdb_collector"))
    return found


@pytest.mark.parametrize("surface", sorted(EXTRA))
def test_surfaces_import_only_app_and_the_vocabulary(surface: str) -> None:
    wrong = []
    for path in sorted((PACKAGE / surface).rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        allowed = ALLOWED | EXTRA[surface] | EXCEPTIONS.get(name, set())
        wrong += [
            f"{name}:{line} imports tmdb_collector.{module}"
            for line, module in _imported(path)
            if module not in allowed
        ]
    assert not wrong, "\n".join(wrong)


def test_the_rule_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The check itself finds each form of import (so a pass above means something)."""
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "from tmdb_collector.store import RecordStore\n"
        "import tmdb_collector.queue._sqs\n"
        "from tmdb_collector import harvest, app\n"
        "if TYPE_CHECKING:\n"
        "    from tmdb_collector.tmdb import TMDBClient\n"
    )
    assert sorted(name for _, name in _imported(module)) == [
        "app",
        "harvest",
        "queue",
        "store",
        "tmdb",
    ]
