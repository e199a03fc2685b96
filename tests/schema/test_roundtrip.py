"""JSON → message → bytes → message → JSON gives back exactly what TMDB sent.

On every real capture in shared/tmdb/fixtures, on copies of them with new keys and changed types
injected at several depths (schema drift), and on a synthetic sample of every kind.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import zstandard

from tmdb_collector.fake import with_every_block
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS, Kind, RecordKey
from tmdb_collector.schema import (
    PAYLOAD_TYPES,
    CorruptRecordError,
    DeletedRecordError,
    RecordCodec,
    SchemaDrift,
    json_to_message,
    message_to_json,
)
from tmdb_collector.schema._dictionaries import DICTIONARY_IDS, dictionary

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "tmdb" / "fixtures"


def _fixture_records() -> list[tuple[str, RecordKey]]:
    records = []
    for path in sorted(FIXTURES.rglob("*.json")):
        parts = path.relative_to(FIXTURES).with_suffix("").parts
        if parts[0] in ("changes", "configuration"):
            continue
        numbers = [int(p) for p in parts[1::2]]
        kind = {1: Kind(parts[0]), 2: Kind.TV_SEASON, 3: Kind.TV_EPISODE}[len(numbers)]
        records.append(("/".join(parts), RecordKey(kind, *numbers)))
    return records


FIXTURE_RECORDS = _fixture_records()


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return document


def _round_trip(key: RecordKey, document: dict[str, Any]) -> tuple[dict[str, Any], SchemaDrift]:
    drift = SchemaDrift()
    cls = PAYLOAD_TYPES[key.kind]
    message = json_to_message(document, cls, drift)
    return message_to_json(cls.FromString(message.SerializeToString())), drift


def test_every_kind_has_fixtures() -> None:
    assert {key.kind for _, key in FIXTURE_RECORDS} == set(Kind)


@pytest.mark.parametrize(("name", "key"), FIXTURE_RECORDS, ids=[n for n, _ in FIXTURE_RECORDS])
def test_fixture_round_trips_exactly_without_drift(name: str, key: RecordKey) -> None:
    document = _load(name)
    back, drift = _round_trip(key, document)
    assert back == document
    assert not drift, list(drift.paths())


@pytest.mark.parametrize(("name", "key"), FIXTURE_RECORDS, ids=[n for n, _ in FIXTURE_RECORDS])
def test_fixture_survives_the_stored_encoding(name: str, key: RecordKey) -> None:
    codec = RecordCodec()
    document = _load(name)
    encoded = codec.encode(key, document, fetched_at_ms=1_700_000_000_000, path=key.api_path)
    record = codec.decode(encoded.data)
    assert codec.to_json(record) == document
    assert record.kind == key.kind.value
    assert record.key.id == key.id
    assert record.content_hash == encoded.content_hash
    assert record.request.path == key.api_path
    size = len(json.dumps(document).encode())
    if size > 1000:  # a tiny record is mostly envelope (the hash alone is 32 bytes)
        assert len(encoded.data) < size / 2


def test_null_absent_zero_and_empty_stay_apart() -> None:
    movie = _load("movie/550")
    movie["belongs_to_collection"] = None  # null
    del movie["tagline"]  # absent
    movie["budget"] = 0  # zero
    movie["homepage"] = ""  # empty string
    movie["genres"] = []  # empty list
    movie["origin_country"] = ["ES", ""]  # an empty string in a list
    movie["credits"]["cast"][0]["character"] = "Jürgen — 日本語 ✓"  # unicode
    movie["watch/providers"]["results"] = {}  # empty map
    back, drift = _round_trip(RecordKey(Kind.MOVIE, 550), movie)
    assert back == movie
    assert "tagline" not in back
    assert back["belongs_to_collection"] is None
    assert back["genres"] == []
    assert back["watch/providers"]["results"] == {}
    assert not drift


def _inject(document: dict[str, Any], path: list[Any], value: Any) -> None:
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


DRIFT_CASES = [
    # (fixture, where (JSON path), value, expected drift kind, expected drift path)
    ("movie/550", ["softcore"], False, "unknown_key", "softcore"),
    (
        "movie/550",
        ["credits", "cast", 0, "pronoun"],
        "they",
        "unknown_key",
        "credits.cast[].pronoun",
    ),
    (
        "movie/550",
        ["images", "posters", 0, "ai"],
        {"score": [1, 2]},
        "unknown_key",
        "images.posters[].ai",
    ),
    (
        "movie/550",
        ["watch/providers", "results", "US", "fast"],
        [],
        "unknown_key",
        "watch/providers.results.*.fast",
    ),
    (
        "tv/1399/season/1",
        ["episodes", 0, "crew", 0, "union"],
        "DGA",
        "unknown_key",
        "episodes[].crew[].union",
    ),
    (
        "person/31",
        ["combined_credits", "cast", 0, "rank"],
        3,
        "unknown_key",
        "combined_credits.cast[].rank",
    ),
    ("movie/550", ["vote_average"], "8.4", "type_change", "vote_average"),
    ("movie/550", ["credits", "cast", 0, "id"], "819", "type_change", "credits.cast[].id"),
    ("movie/550", ["genres"], "Drama", "type_change", "genres"),
    ("movie/550", ["popularity"], True, "type_change", "popularity"),
    ("movie/550", ["budget"], 63000000.5, "type_change", "budget"),
    ("movie/550", ["revenue"], 2**70, "type_change", "revenue"),
    ("tv/1399", ["seasons", 0, "episode_count"], None, None, None),
]


@pytest.mark.parametrize(("name", "where", "value", "kind", "path"), DRIFT_CASES)
def test_drift_is_kept_and_counted(
    name: str, where: list[Any], value: Any, kind: str | None, path: str | None
) -> None:
    key = dict(FIXTURE_RECORDS)[name]
    document = copy.deepcopy(_load(name))
    _inject(document, where, value)
    back, drift = _round_trip(key, document)
    assert back == document
    assert list(drift.paths()) == ([] if kind is None else [(kind, path, 1)])


def test_content_hash_ignores_key_order_and_fetch_details() -> None:
    codec = RecordCodec()
    key = RecordKey(Kind.TV_EPISODE, 1399, 1, 1)
    episode = _load("tv/1399/season/1/episode/1")
    episode["new_field"] = {"b": 1, "a": None}
    reordered = json.loads(json.dumps(dict(reversed(list(episode.items())))))
    reordered["new_field"] = {"a": None, "b": 1}
    first = codec.encode(key, episode, fetched_at_ms=1, path=key.api_path)
    second = codec.encode(key, reordered, fetched_at_ms=2, path="/other", appends=["credits"])
    assert first.content_hash == second.content_hash
    changed = copy.deepcopy(episode)
    changed["name"] += "!"
    assert codec.encode(key, changed, fetched_at_ms=1, path="").content_hash != first.content_hash


def test_corrupt_bytes_are_a_clear_error() -> None:
    codec = RecordCodec()
    with pytest.raises(CorruptRecordError):
        codec.decode(b"not zstd at all")
    with pytest.raises(CorruptRecordError):
        codec.decode(zstandard.ZstdCompressor().compress(b"\xff\xff\xff"))


def _synthetic_keys(catalog: SyntheticCatalog) -> list[RecordKey]:
    candidates = [RecordKey(kind, n) for kind in EXPORT_KINDS for n in range(1, 8)]
    # A day has passed: a few of these were deleted.
    keys = [key for key in candidates if catalog.base(key) is not None]
    for series in (key.id for key in keys if key.kind is Kind.TV):
        base = catalog.base(RecordKey(Kind.TV, series))
        assert base is not None
        for season in base["seasons"][:2]:
            keys.append(RecordKey(Kind.TV_SEASON, series, season["season_number"]))
            keys.append(RecordKey(Kind.TV_EPISODE, series, season["season_number"], 1))
    return keys


def _with_blocks(catalog: SyntheticCatalog, key: RecordKey) -> dict[str, Any]:
    document = with_every_block(catalog, key)
    assert document is not None, key
    return document


def test_synthetic_sample_of_every_kind_round_trips_without_drift() -> None:
    catalog = SyntheticCatalog(dict.fromkeys(EXPORT_KINDS, 30), seed=11)
    catalog.advance(1)  # so that some records carry change items
    keys = _synthetic_keys(catalog) + [
        RecordKey(entry_kind, entry.id)
        for entry_kind in (Kind.MOVIE, Kind.TV, Kind.PERSON)
        for entry in catalog.changed(entry_kind, 1)[:2]
    ]
    assert {key.kind for key in keys} == set(Kind)
    for key in keys:
        document = _with_blocks(catalog, key)
        back, drift = _round_trip(key, document)
        assert back == document, key
        assert not drift, (key, list(drift.paths()))


def test_each_kind_ships_a_dictionary_under_its_permanent_id() -> None:
    for kind in Kind:
        trained = dictionary(DICTIONARY_IDS[kind])
        assert trained is not None, kind
        assert trained.dict_id() == DICTIONARY_IDS[kind]
    assert len(set(DICTIONARY_IDS.values())) == len(Kind)


def test_records_written_with_or_without_a_dictionary_both_read_back() -> None:
    key = RecordKey(Kind.MOVIE, 550)
    movie = _load("movie/550")
    plain = RecordCodec(use_dictionaries=False).encode(key, movie, fetched_at_ms=1, path="")
    trained = RecordCodec().encode(key, movie, fetched_at_ms=1, path="")
    assert zstandard.get_frame_parameters(plain.data).dict_id == 0
    assert zstandard.get_frame_parameters(trained.data).dict_id == DICTIONARY_IDS[Kind.MOVIE]
    assert plain.content_hash == trained.content_hash
    reader = RecordCodec()
    for encoded in (plain, trained):
        assert reader.to_json(reader.decode(encoded.data)) == movie


def test_a_record_needing_an_unknown_dictionary_says_to_upgrade() -> None:
    unknown = zstandard.train_dictionary(
        4096, [b"tmdb %d record" % n for n in range(400)], dict_id=999_999
    )
    data = zstandard.ZstdCompressor(dict_data=unknown).compress(b"\x0a\x05movie")
    with pytest.raises(CorruptRecordError, match="upgrade"):
        RecordCodec().decode(data)


def test_a_tombstone_round_trips_and_has_no_json() -> None:
    codec = RecordCodec()
    key = RecordKey(Kind.TV_EPISODE, 1399, 1, 1)
    last = codec.encode(key, _load("tv/1399/season/1/episode/1"), fetched_at_ms=1, path="")
    encoded = codec.encode_tombstone(
        key, deleted_at_ms=5, reason="404 on fetch", last_content_hash=last.content_hash
    )
    for record in (codec.decode(encoded.data), codec.decode_envelope(encoded.data)):
        assert record.WhichOneof("payload") == "tombstone"
        assert (record.kind, record.key.id, record.key.episode_number) == ("tv_episode", 1399, 1)
        assert (record.fetched_at_ms, record.content_hash) == (5, encoded.content_hash)
        assert record.tombstone.reason == "404 on fetch"
        assert record.tombstone.last_content_hash == last.content_hash
        with pytest.raises(DeletedRecordError, match=r"tv_episode 1399/1/1 was deleted at 5"):
            codec.to_json(record)
    later = codec.encode_tombstone(
        key, deleted_at_ms=6, reason="404 on fetch", last_content_hash=last.content_hash
    )
    assert later.content_hash != encoded.content_hash  # each deletion is its own version


def test_decode_envelope_skips_the_tmdb_payload() -> None:
    codec = RecordCodec()
    key = RecordKey(Kind.MOVIE, 550)
    encoded = codec.encode(key, _load("movie/550"), fetched_at_ms=7, path=key.api_path)
    envelope = codec.decode_envelope(encoded.data)
    assert envelope.WhichOneof("payload") is None
    assert (envelope.kind, envelope.fetched_at_ms) == ("movie", 7)
    assert envelope.content_hash == encoded.content_hash
    assert envelope.request.path == "/3/movie/550"
    raw = zstandard.ZstdDecompressor().decompress(
        RecordCodec(use_dictionaries=False)
        .encode(key, _load("movie/550"), fetched_at_ms=7, path="")
        .data
    )
    truncated = zstandard.ZstdCompressor().compress(raw[:-10])
    with pytest.raises(CorruptRecordError, match="truncated"):
        codec.decode_envelope(truncated)
