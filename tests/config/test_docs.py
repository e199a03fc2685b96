"""docs/configuration.md's table and the example files are what the settings definitions say,
and every environment variable the code reads is a defined setting."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from tmdb_collector.config import SETTINGS, load_config
from tmdb_collector.config._docs import GENERATED_FILES

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "tmdb_collector"
DEFINED = {setting.name for setting in SETTINGS}


@pytest.mark.parametrize("name", sorted(GENERATED_FILES))
def test_generated_files_are_up_to_date(name: str) -> None:
    current = (ROOT / name).read_text(encoding="utf-8")
    assert GENERATED_FILES[name](current) == current, f"{name} is stale: run `python3 dev.py docs`"


def test_the_table_and_the_examples_name_every_setting() -> None:
    table = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    env_example = (ROOT / ".env.example").read_text(encoding="utf-8")
    toml_example = (ROOT / "tmdb-collector.example.toml").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in table
        assert f"# {setting.name}=" in env_example
        if setting.in_file:
            assert f"# {setting.key} = " in toml_example


def test_the_toml_example_uncommented_is_a_valid_configuration(tmp_path: Path) -> None:
    """Every line of the example, uncommented, parses and gives the defaults."""
    text = (ROOT / "tmdb-collector.example.toml").read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        candidate = line.removeprefix("# ")
        is_setting = " = " in candidate and not candidate.endswith("= ...")
        lines.append(candidate if line.startswith("[") or is_setting else "")
    active = tmp_path / "all.toml"
    active.write_text("\n".join(lines))
    tomllib.loads(active.read_text())
    config = load_config(environ={}, file=active)
    for setting in SETTINGS:
        if config.resolved(setting).source == "file":
            assert config[setting] == setting.default, setting.name


def _environment_reads(tree: ast.AST) -> set[str]:
    """Names read as environ.get("X"), environ["X"], os.getenv("X"), os.environ.get("X")."""
    names: set[str] = set()
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            reads = (
                isinstance(func, ast.Attribute) and func.attr in {"get", "getenv", "pop"}
            ) and (func.attr == "getenv" or _mentions_environ(func.value))
            target = node.args[0] if reads else None
        elif isinstance(node, ast.Subscript) and _mentions_environ(node.value):
            target = node.slice
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            names.add(target.value)
    return names


def _mentions_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and "environ" in node.id) or (
        isinstance(node, ast.Attribute) and "environ" in node.attr
    )


def test_every_environment_variable_the_code_reads_is_a_setting() -> None:
    read: dict[str, list[str]] = {}
    for path in SOURCE.rglob("*.py"):
        if "_pb" in path.parts:
            continue
        for name in _environment_reads(ast.parse(path.read_text(encoding="utf-8"))):
            read.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert read, "the scan found no environment reads at all: it is broken"
    undefined = {name: where for name, where in read.items() if name not in DEFINED}
    assert not undefined, f"read but not defined in config/_definitions.py: {undefined}"


def test_the_scan_sees_the_forms_it_looks_for() -> None:
    code = 'os.environ.get("A"); environ["B"]; os.getenv("C"); self._environ.get("D")'
    assert _environment_reads(ast.parse(code)) == {"A", "B", "C", "D"}


def test_no_option_reads_the_environment_behind_the_settings_back() -> None:
    """Options that are settings go through config (so `config` shows them); click's own
    ``envvar=`` would bypass it."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in SOURCE.rglob("*.py")
        if "envvar=" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
