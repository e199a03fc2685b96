"""The same stored bytes give the same JSON, key for key and in the same order, in every process
(protobuf maps iterate in hash order; the converter sorts them, which is TMDB's order)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "tmdb" / "fixtures"

PROBE = """
import json, sys
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.schema import RecordCodec
doc = json.load(open(sys.argv[1]))
codec = RecordCodec()
data = codec.encode(RecordKey(Kind.MOVIE, 550), doc, fetched_at_ms=1, path="/3/movie/550").data
out = codec.to_json(codec.decode(data))
print(json.dumps(list(out["watch/providers"]["results"])))
"""


def test_map_keys_come_out_in_one_order_in_every_process() -> None:
    source = FIXTURES / "movie" / "550.json"
    orders = set()
    for seed in ("1", "2", "3", "4"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run(  # noqa: S603 (our interpreter, our probe)
            [sys.executable, "-c", PROBE, str(source)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=60,
        )
        orders.add(result.stdout)
    assert len(orders) == 1
    tmdb_order = list(json.loads(source.read_text())["watch/providers"]["results"])
    assert json.loads(orders.pop()) == tmdb_order
