"""Train the per-kind zstd dictionaries that stored records are compressed with.

    python scripts/train_dictionaries.py [--out DIR]

Each dictionary is trained on serialized tmdb.v1 payloads of one kind from the fake TMDB's
synthetic catalog (seed 1000, which no test or benchmark uses), fetched the way the collector
fetches them (every sub-resource appended). A dictionary carries the id of
``tmdb_collector.schema._dictionaries.DICTIONARY_IDS``: stored records name it in their zstd frame
header, so a dictionary, once shipped, must stay in the package forever; retraining means new
ids (bump DICTIONARY_VERSION), never new content under an old id.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import zstandard

from tmdb_collector.fake import with_every_block
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS, Kind, RecordKey
from tmdb_collector.schema import PAYLOAD_TYPES, json_to_message
from tmdb_collector.schema._dictionaries import DICTIONARY_IDS, dictionary_path

SEED = 1000
RECORDS_PER_KIND = 150
DICTIONARY_BYTES = 112 * 1024  # measured: smaller dictionaries gave up a third of the gain


def training_payloads() -> dict[Kind, list[bytes | bytearray | memoryview]]:
    catalog = SyntheticCatalog(dict.fromkeys(EXPORT_KINDS, 2 * RECORDS_PER_KIND), seed=SEED)
    samples: dict[Kind, list[bytes | bytearray | memoryview]] = defaultdict(list)
    for kind in EXPORT_KINDS:
        for record_id in range(1, RECORDS_PER_KIND + 1):
            for key in _keys(catalog, RecordKey(kind, record_id)):
                document = with_every_block(catalog, key)
                if document is not None:
                    payload = json_to_message(document, PAYLOAD_TYPES[key.kind])
                    samples[key.kind].append(payload.SerializeToString(deterministic=True))
    return samples


def _keys(catalog: SyntheticCatalog, key: RecordKey) -> list[RecordKey]:
    """The record, and for a series its seasons and their first episodes."""
    if key.kind is not Kind.TV:
        return [key]
    series = catalog.base(key) or {}
    keys = [key]
    for summary in series.get("seasons", []):
        number = summary["season_number"]
        keys.append(RecordKey(Kind.TV_SEASON, key.id, number))
        keys.append(RecordKey(Kind.TV_EPISODE, key.id, number, 1))
    return keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="default: the package's folder")
    out = parser.parse_args().out
    for kind, samples in sorted(training_payloads().items()):
        trained = zstandard.train_dictionary(
            DICTIONARY_BYTES, samples, dict_id=DICTIONARY_IDS[kind], level=6, threads=1
        )
        target = dictionary_path(kind) if out is None else out / dictionary_path(kind).name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(trained.as_bytes())
        print(f"{kind.value:<11} {len(samples):>5} samples -> {target} ({len(trained)} bytes)")


if __name__ == "__main__":
    main()
