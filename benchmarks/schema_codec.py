"""Conversion CPU and stored size of TMDB records as tmdb.v1 protobuf.

Over the real captures in shared/tmdb/fixtures and a synthetic sample of every kind (the fake
TMDB's generator, with every sub-resource appended and series with all their seasons), it prints
per kind:

- CPU per KB of JSON, JSON → protobuf bytes (``json_to_message`` + serialization) and protobuf
  bytes → JSON (parse + ``message_to_json``); ``json.loads``/``dumps`` of the same document for
  scale (they are not part of the conversion);
- stored size (the zstd-compressed Record envelope, as written, with the kind's trained
  dictionary) against the raw JSON and gzip level 6 of the JSON, and without a dictionary. The
  dictionaries were trained on synthetic records of another seed (scripts/train_dictionaries.py);
  the real captures never were: their figure is the honest one.

Targets (issue 3): <= 1 ms CPU per 40 KB each way; stored <= 0.8 x gzip-6 JSON.
"""

from __future__ import annotations

import gzip
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import zstandard
from google.protobuf.message import Message

from tmdb_collector.fake import with_every_block
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS, Kind, RecordKey
from tmdb_collector.schema import PAYLOAD_TYPES, RecordCodec, json_to_message, message_to_json

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "tmdb" / "fixtures"
SAMPLE_PER_KIND = 12
LEVELS = (3, 6, 9, 19)


def fixture_documents() -> Iterator[tuple[RecordKey, dict[str, Any]]]:
    for path in sorted(FIXTURES.rglob("*.json")):
        parts = path.relative_to(FIXTURES).with_suffix("").parts
        if parts[0] in ("changes", "configuration"):
            continue
        numbers = [int(p) for p in parts[1::2]]
        kind = {1: Kind(parts[0]), 2: Kind.TV_SEASON, 3: Kind.TV_EPISODE}[len(numbers)]
        yield RecordKey(kind, *numbers), json.loads(path.read_text("utf-8"))


def synthetic_documents() -> Iterator[tuple[RecordKey, dict[str, Any]]]:
    catalog = SyntheticCatalog(dict.fromkeys(EXPORT_KINDS, 200), seed=3)
    for kind in EXPORT_KINDS:
        for record_id in range(1, SAMPLE_PER_KIND + 1):
            key = RecordKey(kind, record_id)
            document = _with_blocks(catalog, key)
            yield key, document
            if kind is Kind.TV:
                for season in document["seasons"][:3]:
                    number = season["season_number"]
                    season_key = RecordKey(Kind.TV_SEASON, record_id, number)
                    yield season_key, _with_blocks(catalog, season_key)
                    episode_key = RecordKey(Kind.TV_EPISODE, record_id, number, 1)
                    yield episode_key, _with_blocks(catalog, episode_key)


def _with_blocks(catalog: SyntheticCatalog, key: RecordKey) -> dict[str, Any]:
    document = with_every_block(catalog, key)
    assert document is not None, key
    return document


def _to_pb(document: dict[str, Any], cls: type[Message]) -> bytes:
    return json_to_message(document, cls).SerializeToString()


def _from_pb(payload: bytes, cls: type[Message]) -> dict[str, Any]:
    return message_to_json(cls.FromString(payload))


def _cpu(action: Callable[[], object], repeat: int) -> float:
    """CPU seconds of one call, the best of ``repeat`` batches (the least disturbed)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for _ in range(5):
            action()
        best = min(best, (time.process_time() - started) / 5)
    return best


def measure(label: str, documents: list[tuple[RecordKey, dict[str, Any]]]) -> None:
    codec = RecordCodec()
    plain = RecordCodec(use_dictionaries=False)
    totals: dict[Kind, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for key, document in documents:
        cls = PAYLOAD_TYPES[key.kind]
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        payload = json_to_message(document, cls).SerializeToString()
        row = totals[key.kind]
        row["n"] += 1
        row["json"] += len(text)
        row["gzip6"] += len(gzip.compress(text, compresslevel=6))
        row["stored"] += len(codec.encode(key, document, fetched_at_ms=0, path="").data)
        row["plain"] += len(plain.encode(key, document, fetched_at_ms=0, path="").data)
        row["to_pb"] += _cpu(partial(_to_pb, document, cls), 3)
        row["to_json"] += _cpu(partial(_from_pb, payload, cls), 3)
        row["loads"] += _cpu(partial(json.loads, text), 3)
        row["dumps"] += _cpu(partial(json.dumps, document, ensure_ascii=False), 3)
        for level in LEVELS:
            compressor = zstandard.ZstdCompressor(level=level, write_checksum=True)
            row[f"z{level}"] += len(compressor.compress(payload))
            row[f"z{level}_cpu"] += _cpu(partial(compressor.compress, payload), 2)
    print(f"\n{label}: CPU in ms per 40 KB of JSON; sizes in bytes per record")
    print(
        f"{'kind':<11}{'n':>4}{'JSON':>9}{'gzip-6':>8}{'stored':>8}{'/gzip':>7}{'/JSON':>7}"
        f"{'no dict':>8}{'/gzip':>7}"
        f"{'→pb':>8}{'→JSON':>8}{'loads':>8}{'dumps':>8}"
    )
    grand: dict[str, float] = defaultdict(float)
    for kind, row in sorted(totals.items(), key=lambda item: list(Kind).index(item[0])):
        _print_row(kind.value, row)
        for name, value in row.items():
            grand[name] += value
    _print_row("all", grand)
    levels = "  ".join(
        f"level {level}: {grand[f'z{level}'] / grand['gzip6']:.3f} x gzip-6, "
        f"{1000 * grand[f'z{level}_cpu'] / grand['json'] * 40_000:.3f} ms/40 KB"
        for level in LEVELS
    )
    print(f"zstd of the payload by level, no dictionary — {levels}")


def _print_row(name: str, row: dict[str, float]) -> None:
    n, size = row["n"], row["json"]

    def per_40kb(seconds: float) -> str:
        return f"{1000 * seconds / size * 40_000:8.3f}"

    print(
        f"{name:<11}{int(n):>4}{size / n:>9.0f}{row['gzip6'] / n:>8.0f}{row['stored'] / n:>8.0f}"
        f"{row['stored'] / row['gzip6']:>7.3f}{row['stored'] / size:>7.3f}"
        f"{row['plain'] / n:>8.0f}{row['plain'] / row['gzip6']:>7.3f}"
        f"{per_40kb(row['to_pb'])}{per_40kb(row['to_json'])}"
        f"{per_40kb(row['loads'])}{per_40kb(row['dumps'])}"
    )


def main() -> None:
    measure("real captures (shared/tmdb/fixtures)", list(fixture_documents()))
    measure("synthetic sample (fake TMDB generator, seed 3)", list(synthetic_documents()))
