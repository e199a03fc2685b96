"""The committed generated code (src/tmdb_collector/schema/_pb) matches the .proto files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "src" / "tmdb_collector" / "schema" / "_pb"
FIX = "run `python3 dev.py protos` (scripts/generate_protos.py) and commit the result"


def generate(out: Path) -> dict[str, bytes]:
    """Run the generator into ``out``; return the generated files by relative path."""
    command = [sys.executable, str(ROOT / "scripts" / "generate_protos.py"), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own script
    assert done.returncode == 0, done.stderr
    return generated_tree(out)


def generated_tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in {".py", ".pyi"}
    }


def test_committed_code_matches_the_protos(tmp_path: Path) -> None:
    fresh, committed = generate(tmp_path / "_pb"), generated_tree(COMMITTED)
    out_of_date = {
        "missing": sorted(fresh.keys() - committed.keys()),
        "no longer generated": sorted(committed.keys() - fresh.keys()),
        "differing": sorted(n for n in fresh.keys() & committed.keys() if fresh[n] != committed[n]),
    }
    out_of_date = {problem: names for problem, names in out_of_date.items() if names}
    assert not out_of_date, f"src/tmdb_collector/schema/_pb is out of date: {FIX}. {out_of_date}"


def test_generation_is_deterministic_and_complete(tmp_path: Path) -> None:
    first, second = generate(tmp_path / "a"), generate(tmp_path / "b")
    assert first == second
    assert {"__init__.py", "tmdb/__init__.py", "tmdb/v1/__init__.py"} <= first.keys()
    assert not any(b"from tmdb.v1 import" in content for content in first.values())
