#!/usr/bin/env python3
"""Write docs/configuration.md's settings table, tmdb-collector.example.toml and .env.example
from the settings definitions (tmdb_collector.config).

    python scripts/generate_config_docs.py [--check]

--check changes nothing and exits 1 when a committed file differs from what the code defines;
tests/config/test_docs.py does the same in the test suite.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tmdb_collector.config._docs import GENERATED_FILES

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files out of date")
    check = parser.parse_args(argv).check
    stale = []
    for name, render in GENERATED_FILES.items():
        path = ROOT / name
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        wanted = render(current)
        if wanted == current:
            continue
        stale.append(name)
        if not check:
            path.write_text(wanted, encoding="utf-8")
            print(f"wrote {name}")
    if check and stale:
        print(f"out of date: {', '.join(stale)} (run `python3 dev.py docs`)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
