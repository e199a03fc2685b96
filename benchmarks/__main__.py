"""Run every benchmark, or those named on the command line: ``python -m benchmarks [NAME...]``."""

from __future__ import annotations

import importlib
import platform
import sys

BENCHMARKS = {
    "client_pace": "benchmarks.client_pace",
    "collect_cost": "benchmarks.collect_cost",
    "collect_pace": "benchmarks.collect_pace",
    "export_stream": "benchmarks.export_stream",
    "harvest_scale": "benchmarks.harvest_scale",
    "lambda_pace": "benchmarks.lambda_pace",
    "s3_requests": "benchmarks.s3_requests",
    "schema_codec": "benchmarks.schema_codec",
    "segment_size": "benchmarks.segment_size",
    "segment_write": "benchmarks.segment_write",
    "serve_load": "benchmarks.serve_load",
    "store_read": "benchmarks.store_read",
    "store_write": "benchmarks.store_write",
    "view_memory": "benchmarks.view_memory",
}


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )
    for name in names or list(BENCHMARKS):
        print(f"\n== {name}", flush=True)
        importlib.import_module(BENCHMARKS[name]).main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
