"""The Lambda artifact, as CI checks it: `scripts/package_lambda.py` builds the x86_64 zip (the
wheels cached under .cache/lambda-wheels/, so reruns are offline and fast); it fits Lambda's
250 MiB, holds uv.lock's versions and nothing left out; and, unzipped and alone on the path of
a CPython 3.12 (`-I -S`: no site-packages, no environment), each handler imports without
duckdb, rich or click, and the index writes and reads Parquet with the trimmed pyarrow.

Run alone: python3 dev.py test -m lambda_package -s (prints the sizes and cold import times).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lambda_package.conftest import SCRIPT, packager

ROOT = Path(__file__).resolve().parents[2]
#: Cold imports per handler, each in a new process; the median is reported.
IMPORT_RUNS = 3
#: What the Lambda path must never load.
FORBIDDEN = ("duckdb", "rich", "click")

pytestmark = [pytest.mark.slow, pytest.mark.lambda_package]


# Run inside the child: the artifact is the only thing on the path besides the standard library.
IMPORT_CHILD = """
import importlib, json, sys, time
artifact, name, forbidden = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
sys.path.insert(0, artifact)
start, cpu = time.perf_counter(), time.process_time()
module = importlib.import_module(name)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
files = (getattr(m, "__file__", None) for m in list(sys.modules.values()))
print(json.dumps({
    "seconds": seconds,
    "cpu_seconds": cpu,
    "handler": callable(getattr(module, "handler", None)),
    "forbidden": [m for m in forbidden if m in sys.modules],
    "boto3": "boto3" in sys.modules,
    "outside": sorted(
        f for f in files if f and not f.startswith((artifact, sys.base_prefix))
    ),
}))
"""

# Write records through the store (protobuf, zstd dictionaries, obstore), then read the index's
# Parquet fragment back, compact it into a snapshot and read that; and the harvester's in-flight
# ledger (pq.read_table, which goes through pyarrow.dataset): the trimmed pyarrow at work.
INDEX_CHILD = """
import asyncio, json, sys
sys.path.insert(0, sys.argv[1])
import pyarrow as pa
from tmdb_collector.harvest._state import IN_FLIGHT_SCHEMA, HarvestState
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import RecordIndex, RecordStore, RecordWrite, open_object_store

async def main():
    objects = open_object_store(sys.argv[2])
    document = json.loads(open(sys.argv[3], encoding="utf-8").read())
    key = RecordKey(Kind.MOVIE, document["id"])
    [result] = await RecordStore(objects).write_batch(
        [RecordWrite(key, document, 1_763_936_000_000, key.api_path)]
    )
    index = RecordIndex(objects)
    fragment = (await index.table(Kind.MOVIE)).to_pylist()
    compaction = await index.compact(Kind.MOVIE)
    snapshot = (await index.table(Kind.MOVIE)).to_pylist()
    ledger = pa.table({"id": [550, 551], "planned_at": [0, 1]}).cast(IN_FLIGHT_SCHEMA)
    await HarvestState(objects).save_in_flight(Kind.MOVIE, [ledger])
    in_flight = await HarvestState(objects).in_flight(Kind.MOVIE)
    print(json.dumps({
        "change": str(result.change), "error": result.error,
        "fragment_titles": [row["title"] for row in fragment],
        "merged": compaction.fragments_merged,
        "snapshot_titles": [row["title"] for row in snapshot],
        "in_flight_ids": in_flight.column("id").to_pylist(),
        "duckdb": "duckdb" in sys.modules,
    }))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def python312() -> Path:
    python = packager.find_python312()
    if python is None:
        pytest.skip(
            "no CPython 3.12 on this machine (python3.12 on PATH or ~/.pyenv/versions/3.12*): "
            "Lambda's runtime is 3.12, so the artifact's imports are checked with it"
        )
    return Path(python)


@pytest.fixture(scope="module")
def built(python312: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The x86_64 artifact (this machine's architecture, so it can run here), unzipped."""
    out = tmp_path_factory.mktemp("lambda")
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, str(SCRIPT), "--arch", "x86_64", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    seconds = time.perf_counter() - start
    print(f"\n{done.stdout}build: {seconds:.1f} s")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "tmdb-collector-lambda-x86_64.json").read_text(encoding="utf-8"))
    # The template deploys the last one built, whichever its architecture.
    deployed = out / "tmdb-collector-lambda.zip"
    assert deployed.read_bytes() == (out / manifest["zip_path"]).read_bytes()
    assert json.loads((out / "tmdb-collector-lambda.json").read_text())["arch"] == "x86_64"
    unzipped = out / "unzipped"
    with zipfile.ZipFile(out / manifest["zip_path"]) as archive:
        archive.extractall(unzipped)
        manifest["zip_entries_bytes"] = sum(info.file_size for info in archive.infolist())
    manifest["unzipped"] = unzipped
    return manifest


def test_artifact_fits_lambda_limit(built: dict[str, Any]) -> None:
    assert built["unzipped_bytes"] == built["zip_entries_bytes"]
    assert built["unzipped_bytes"] <= 250 * 1024 * 1024
    on_disk = sum(f.stat().st_size for f in built["unzipped"].rglob("*") if f.is_file())
    assert on_disk == built["unzipped_bytes"]


def test_artifact_holds_locked_versions_and_nothing_left_out(built: dict[str, Any]) -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = {packager.normalize(p["name"]): p["version"] for p in lock["package"]}
    assert built["distributions"], "no distribution resolved"
    for name, version in built["distributions"].items():
        assert locked.get(name) == version, f"{name} {version} != uv.lock's {locked.get(name)}"
    assert not set(FORBIDDEN) & set(built["distributions"])
    for name in FORBIDDEN:
        assert not (built["unzipped"] / name).exists()
    # What the pipeline itself imports is there (its import below proves the rest).
    assert {"pyarrow", "obstore", "zstandard", "protobuf", "aiohttp", "boto3"} <= set(
        built["distributions"]
    )


@pytest.mark.parametrize("module", packager.HANDLERS)
def test_handler_imports_alone_under_python312(
    built: dict[str, Any], python312: Path, module: str
) -> None:
    runs = [_import_in_child(python312, built["unzipped"], module) for _ in range(IMPORT_RUNS)]
    first = runs[0]
    assert first["handler"], f"{module} has no callable handler(event, context)"
    assert first["forbidden"] == [], f"{module} imported {first['forbidden']}"
    assert first["outside"] == [], f"{module} loaded files outside the artifact"
    # Wall time is what a cold start waits; CPU time is steadier on a busy machine.
    wall = statistics.median(run["seconds"] for run in runs) * 1000
    cpu = statistics.median(run["cpu_seconds"] for run in runs) * 1000
    boto3 = "imported" if first["boto3"] else "not imported"
    print(f"\ncold import {module}: {wall:.0f} ms wall, {cpu:.0f} ms CPU", end="")
    print(f" (medians of {IMPORT_RUNS} processes); boto3 {boto3}")


def test_store_index_and_harvest_state_work_in_artifact(
    built: dict[str, Any], python312: Path, shared_fixtures: Path, tmp_path: Path
) -> None:
    document = shared_fixtures / "movie" / "550.json"
    title = json.loads(document.read_text(encoding="utf-8"))["title"]
    argv = [str(built["unzipped"]), str(tmp_path / "store"), str(document)]
    result = _run_child(python312, INDEX_CHILD, argv)
    assert result["error"] is None, result
    assert result["fragment_titles"] == [title]
    assert result["merged"] == 1
    assert result["snapshot_titles"] == [title]
    assert result["in_flight_ids"] == [550, 551]
    assert result["duckdb"] is False


def _import_in_child(python: Path, artifact: Path, module: str) -> dict[str, Any]:
    return _run_child(python, IMPORT_CHILD, [str(artifact), module, ",".join(FORBIDDEN)])


def _run_child(python: Path, code: str, argv: list[str]) -> dict[str, Any]:
    # -I: no environment variables, no user site, no script folder; -S: no site-packages. The
    # environment is emptied too: nothing of this machine's set-up may help the import.
    done = subprocess.run(  # noqa: S603 (the python3.12 found above, our probe)
        [str(python), "-I", "-S", "-c", code, *argv],
        capture_output=True,
        text=True,
        check=False,
        env={},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
