#!/usr/bin/env python3
"""One command per habit, on a fresh machine with nothing but Python 3.11+.

    python3 dev.py demo      set up, then run the demo (the main job)
    python3 dev.py test      set up, then run the whole test suite (the fault suite included;
                             add -m "not fault" to skip its ~5 minutes locally)
    python3 dev.py faults    run only the fault suite (tests/fault) and print its results table;
                             --fault-table FILE also writes the table (docs/reliability.md)
    python3 dev.py lint      ruff (lint + format check), mypy --strict, and the SAM template
                             validated offline: `sam validate --lint` and `checkov
                             --skip-download`, each from its own locked environment
                             (infra/tools/, installed into .venv-sam/ and .venv-checkov/)
    python3 dev.py bench     run every benchmark under benchmarks/
    python3 dev.py protos    regenerate the Python code of proto/ (commit the result)
    python3 dev.py docs      regenerate docs/configuration.md's table and the example settings
                             files from the settings definitions (commit the result)
    python3 dev.py package --arch arm64|x86_64 --out DIR
                             build the AWS Lambda zip (arm64 by default) from the locked wheels
                             (docs/aws.md, "Packaging")
    python3 dev.py walkthrough
                             regenerate docs/aws-walkthrough.md: the operations commands run
                             against the template deployed on a moto server (commit the result)
    python3 dev.py setup     only create .venv from the lock file

Setup installs a pinned uv into .venv-tools/ and lets it create .venv/ exactly as uv.lock says,
so every machine runs the same versions. Extra arguments go to the underlying command.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
UV_VERSION = "0.13.9"
TOOLS = ROOT / ".venv-tools"
VENV = ROOT / ".venv"
BIN = "Scripts" if os.name == "nt" else "bin"


def _uv() -> Path:
    uv = TOOLS / BIN / "uv"
    stamp = TOOLS / f"uv-{UV_VERSION}"
    if not stamp.exists():
        print(f"dev.py: installing uv {UV_VERSION} into {TOOLS.name}/", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
        pip = [str(TOOLS / BIN / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "--disable-pip-version-check", f"uv=={UV_VERSION}"], check=True)
        stamp.touch()
    return uv


def setup() -> None:
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(VENV), UV_PYTHON_DOWNLOADS="never")
    # --locked: fail instead of silently re-resolving when uv.lock is out of date.
    subprocess.run(
        [str(_uv()), "sync", "--locked", "--quiet", "--python", sys.executable],
        check=True,
        cwd=ROOT,
        env=env,
    )


#: The template's validators, each pinned by a hashed lock of its own (infra/tools/NAME.txt):
#: aws-sam-cli pins boto3 and click, checkov other versions again, and neither fits uv.lock.
TEMPLATE = "infra/template.yaml"


def tool_environment(name: str) -> Path:
    """.venv-NAME/, synced with infra/tools/NAME.txt (quick when it already is)."""
    environment, lock = ROOT / f".venv-{name}", ROOT / "infra" / "tools" / f"{name}.txt"
    uv = str(_uv())
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never")
    if not (environment / BIN / "python").exists():
        print(f"dev.py: creating {environment.name}/ from {lock.relative_to(ROOT)}", flush=True)
        subprocess.run(
            [uv, "venv", "--quiet", "--python", sys.executable, str(environment)],
            check=True,
            env=env,
        )
    python = str(environment / BIN / "python")
    subprocess.run(
        [uv, "pip", "sync", "--quiet", "--require-hashes", "--python", python, str(lock)],
        check=True,
        env=env,
    )
    return environment


def validate_template() -> int:
    """`sam validate --lint` and `checkov --skip-download` on the template; no network, no
    credentials (the checkov checks skipped are justified in infra/checkov.yaml)."""
    env = dict(os.environ, SAM_CLI_TELEMETRY="0", AWS_DEFAULT_REGION="us-east-1")
    env.pop("AWS_PROFILE", None)
    sam = tool_environment("sam") / BIN / "sam"
    checkov = tool_environment("checkov") / BIN / "checkov"
    steps = (
        [str(sam), "validate", "--lint", "--template", TEMPLATE],
        [str(checkov), "--config-file", "infra/checkov.yaml", "-f", TEMPLATE],
    )
    return max(subprocess.run(step, cwd=ROOT, env=env, check=False).returncode for step in steps)


def run(*argv: str, cwd: Path = ROOT) -> int:
    return subprocess.run([str(VENV / BIN / argv[0]), *argv[1:]], cwd=cwd, check=False).returncode


SOURCES = ("src", "tests", "benchmarks", "scripts", "dev.py")
COMMANDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "setup": (),
    "demo": (("tmdb-collector", "demo"),),
    "test": (("pytest",),),
    "faults": (("pytest", "tests/fault"),),
    "lint": (("ruff", "check", *SOURCES), ("ruff", "format", "--check", *SOURCES), ("mypy",)),
    "bench": (("python", "-m", "benchmarks"),),
    "protos": (("python", "scripts/generate_protos.py"),),
    "docs": (("python", "scripts/generate_config_docs.py"),),
    "package": (("python", "scripts/package_lambda.py"),),
    "walkthrough": (("python", "tests/infra/walkthrough.py"),),
}


def main(args: list[str]) -> int:
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        print(f"dev.py: unknown command {command!r}\n{__doc__}", file=sys.stderr)
        return 2
    setup()
    steps = COMMANDS[command]
    # Extra arguments go to the command's last step (pytest options, benchmark names, ...).
    # The demo runs where the user is, so the command it prints to try next works there as printed.
    cwd = Path.cwd() if command == "demo" else ROOT
    codes = [
        run(*step, *(rest if i == len(steps) - 1 else ()), cwd=cwd) for i, step in enumerate(steps)
    ]
    if command == "lint":
        codes.append(validate_template())
    return max(codes, default=0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
