"""Part of a record's JSON (``to_json(record, keep)``) and its keys (``json_keys``), without
converting the rest: what ``serve`` answers a few blocks of a large record with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tmdb_collector.kinds import SUB_RESOURCES, Kind, RecordKey
from tmdb_collector.schema import RecordCodec

CODEC = RecordCodec()


def stored(document: dict[str, Any], key: RecordKey) -> Any:
    encoded = CODEC.encode(key, document, fetched_at_ms=1, path=key.api_path)
    return CODEC.decode(encoded.data)


def test_a_part_is_the_same_as_the_whole_cut(shared_fixtures: Path) -> None:
    key = RecordKey(Kind.MOVIE, 550)
    document = json.loads((shared_fixtures / "movie" / "550.json").read_text("utf-8"))
    # What the schema keeps aside: a null block, an empty one, a key it does not know.
    document |= {"videos": None, "keywords": {}, "a_new_block": {"x": [1, 2]}}
    record = stored(document, key)
    whole = CODEC.to_json(record)
    assert whole == document
    assert sorted(CODEC.json_keys(record)) == sorted(document)
    subs = set(SUB_RESOURCES[Kind.MOVIE])
    details = CODEC.to_json(record, lambda name: name not in subs)
    assert details == {k: v for k, v in document.items() if k not in subs}
    for name in ("credits", "videos", "keywords", "a_new_block", "images"):
        assert CODEC.to_json(record, lambda k, name=name: k == name) == {name: document[name]}
    assert CODEC.to_json(record, lambda _: False) == {}
