"""The tmdb.v1 schemas have a field, of a compatible type, for every key TMDB sends.

Walks real captures (shared/tmdb/fixtures) and synthetic records of every kind with every
appended block alongside the message descriptors, without the converter: a key the schema lacks
would only survive in ``json_extra``, so it fails here first. Also holds the schemas to the
conventions the converter relies on (optional scalars, int64, bookkeeping fields 2000-2002).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import CHANGES_KINDS, SUB_RESOURCES, Kind, RecordKey
from tmdb_collector.schema._pb.tmdb.v1 import (
    collection_pb2,
    common_pb2,
    company_pb2,
    keyword_pb2,
    movie_pb2,
    network_pb2,
    options_pb2,
    person_pb2,
    record_pb2,
    tv_pb2,
)

JSONObject = dict[str, Any]

PROTO_DIR = Path(__file__).resolve().parents[2] / "proto" / "tmdb" / "v1"
SCHEMA_MODULES = (
    collection_pb2,
    common_pb2,
    company_pb2,
    keyword_pb2,
    movie_pb2,
    network_pb2,
    person_pb2,
    record_pb2,
    tv_pb2,
)

MESSAGES: dict[Kind, Descriptor] = {
    Kind.MOVIE: movie_pb2.Movie.DESCRIPTOR,
    Kind.TV: tv_pb2.TvSeries.DESCRIPTOR,
    Kind.TV_SEASON: tv_pb2.TvSeason.DESCRIPTOR,
    Kind.TV_EPISODE: tv_pb2.TvEpisode.DESCRIPTOR,
    Kind.PERSON: person_pb2.Person.DESCRIPTOR,
    Kind.COLLECTION: collection_pb2.Collection.DESCRIPTOR,
    Kind.COMPANY: company_pb2.Company.DESCRIPTOR,
    Kind.NETWORK: network_pb2.Network.DESCRIPTOR,
    Kind.KEYWORD: keyword_pb2.Keyword.DESCRIPTOR,
}
BOOKKEEPING = {
    2000: ("json_extra", FieldDescriptor.TYPE_STRING, False),
    2001: ("json_null", FieldDescriptor.TYPE_INT32, True),
    2002: ("json_empty", FieldDescriptor.TYPE_INT32, True),
}
#: The envelope is ours, not TMDB JSON: it carries no bookkeeping fields.
ENVELOPE = {"tmdb.v1.Record", "tmdb.v1.RecordKey", "tmdb.v1.FetchRequest", "tmdb.v1.Tombstone"}
ANY_JSON = "google.protobuf.Value"
_PATTERN_KEY = re.compile(r"(?P<prefix>[a-z_]+)/\*")

# Which JSON values a scalar field can hold: bool is tested before int (bool is an int).
_COMPATIBLE: dict[type, set[int]] = {
    bool: {FieldDescriptor.TYPE_BOOL},
    int: {FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_DOUBLE},
    float: {FieldDescriptor.TYPE_DOUBLE},
    str: {FieldDescriptor.TYPE_STRING},
}


# --- the walker ---------------------------------------------------------------------------------


def json_key(field: FieldDescriptor) -> str:
    key: str = field.GetOptions().Extensions[options_pb2.json_key]
    return key or field.name


def is_map(field: FieldDescriptor) -> bool:
    message = field.message_type
    return message is not None and message.GetOptions().map_entry


def fields_by_key(
    message: Descriptor,
) -> tuple[dict[str, FieldDescriptor], list[tuple[str, FieldDescriptor]]]:
    """{JSON key: field} of the data fields, and the ``prefix/*`` patterns (key → map field)."""
    keys: dict[str, FieldDescriptor] = {}
    patterns: list[tuple[str, FieldDescriptor]] = []
    for field in message.fields:
        if field.number in BOOKKEEPING:
            continue
        key = json_key(field)
        pattern = _PATTERN_KEY.fullmatch(key)
        if pattern:
            patterns.append((pattern["prefix"] + "/", field))
        else:
            keys[key] = field
    return keys, patterns


def uncovered(document: JSONObject, message: Descriptor, path: str = "") -> Iterator[str]:
    """Every key path of ``document`` the message has no field of a compatible type for."""
    keys, patterns = fields_by_key(message)
    for key, value in document.items():
        where = f"{path}.{key}" if path else key
        field = keys.get(key)
        if field is None:
            for prefix, map_field in patterns:
                if key.startswith(prefix) and key[len(prefix) :].isdigit():
                    value_field = map_field.message_type.fields_by_name["value"]
                    yield from _check_single(value, value_field, where)
                    break
            else:
                yield f"{where}: no field in {message.full_name}"
            continue
        yield from _check(value, field, where)


def _check(value: Any, field: FieldDescriptor, where: str) -> Iterator[str]:
    if value is None:
        return  # null fits every field: it is recorded in json_null
    if field.message_type is not None and field.message_type.full_name == ANY_JSON:
        return
    if is_map(field):
        if not isinstance(value, dict):
            yield f"{where}: {type(value).__name__} where the schema has a map"
            return
        value_field = field.message_type.fields_by_name["value"]
        for entry_key, entry in value.items():
            yield from _check_single(entry, value_field, f"{where}.{entry_key}")
        return
    if field.is_repeated:
        if not isinstance(value, list):
            yield f"{where}: {type(value).__name__} where the schema has a list"
            return
        for item in value:
            yield from _check_single(item, field, f"{where}[]")
        return
    yield from _check_single(value, field, where)


def _check_single(value: Any, field: FieldDescriptor, where: str) -> Iterator[str]:
    """One value of a list or map, or a singular field's non-null value."""
    message = field.message_type
    if message is not None and message.full_name == ANY_JSON:
        return
    if value is None:
        yield f"{where}: null inside a list or map, which protobuf cannot hold"
    elif message is not None:
        if isinstance(value, dict):
            yield from uncovered(value, message, where)
        else:
            yield f"{where}: {type(value).__name__} where the schema has {message.full_name}"
    elif field.type not in _COMPATIBLE.get(type(value), set()):
        yield f"{where}: {type(value).__name__} does not fit field {field.full_name}"


# --- samples ------------------------------------------------------------------------------------


def fixture_kind(relative: str) -> Kind | None:
    """The kind of a capture by its place in the fixtures layout; None for non-records."""
    parts = relative.split("/")
    if parts[0] in {"changes", "configuration.json"}:
        return None
    if "episode" in parts:
        return Kind.TV_EPISODE
    if "season" in parts:
        return Kind.TV_SEASON
    return Kind(parts[0])


def fixture_records(fixtures: Path) -> list[tuple[str, Kind, JSONObject]]:
    records = []
    for path in sorted(fixtures.rglob("*.json")):
        relative = path.relative_to(fixtures).as_posix()
        kind = fixture_kind(relative)
        if kind is not None:
            records.append((relative, kind, json.loads(path.read_text(encoding="utf-8"))))
    return records


def with_blocks(catalog: SyntheticCatalog, key: RecordKey) -> JSONObject:
    """The record as one request appending every sub-resource of its kind returns it."""
    record = catalog.base(key)
    assert record is not None, key
    for name in SUB_RESOURCES[key.kind]:
        block = catalog.block(key, name)
        if block is not None:
            record[name] = block
    return record


def series_with_seasons(catalog: SyntheticCatalog, series_id: int) -> JSONObject:
    """A series with every block and every season appended as ``season/N`` (without its id)."""
    record = with_blocks(catalog, RecordKey(Kind.TV, series_id))
    for summary in record["seasons"]:
        season = catalog.base(RecordKey(Kind.TV_SEASON, series_id, summary["season_number"]))
        assert season is not None
        season.pop("id")
        record[f"season/{summary['season_number']}"] = season
    return record


def synthetic_records() -> Iterator[tuple[str, Kind, JSONObject]]:
    counts = {Kind.MOVIE: 12, Kind.TV: 6, Kind.PERSON: 12, Kind.COLLECTION: 4}
    counts |= {Kind.COMPANY: 4, Kind.NETWORK: 4, Kind.KEYWORD: 4}
    catalog = SyntheticCatalog(counts, seed=1)
    for kind, count in counts.items():
        for record_id in range(1, count + 1):
            if kind is Kind.TV:
                yield f"tv/{record_id}", kind, series_with_seasons(catalog, record_id)
                for season, episode in ((1, 1), (0, 1)):
                    for key in (
                        RecordKey(Kind.TV_SEASON, record_id, season),
                        RecordKey(Kind.TV_EPISODE, record_id, season, episode),
                    ):
                        if catalog.base(key) is not None:
                            yield f"{key.kind}/{key}", key.kind, with_blocks(catalog, key)
            else:
                yield f"{kind}/{record_id}", kind, with_blocks(catalog, RecordKey(kind, record_id))
    # A day later some records changed: their `changes` blocks have items. A catalog this small
    # sees no change in a day, so a larger one (records are built on demand: still cheap).
    catalog = SyntheticCatalog({Kind.MOVIE: 100, Kind.TV: 50, Kind.PERSON: 100}, seed=1)
    catalog.advance(1)
    for kind in CHANGES_KINDS:
        for entry in catalog.changed(kind, catalog.day)[:4]:
            key = RecordKey(kind, entry.id)
            record = (
                series_with_seasons(catalog, entry.id)
                if kind is Kind.TV
                else with_blocks(catalog, key)
            )
            yield f"day 1 changed {kind}/{entry.id}", kind, record


@pytest.fixture(scope="module")
def synthetic() -> list[tuple[str, Kind, JSONObject]]:
    return list(synthetic_records())


def problems_of(records: list[tuple[str, Kind, JSONObject]]) -> list[str]:
    return [
        f"{name}: {problem}"
        for name, kind, record in records
        for problem in uncovered(record, MESSAGES[kind])
    ]


# --- coverage -----------------------------------------------------------------------------------


def test_every_fixture_key_has_a_field(shared_fixtures: Path) -> None:
    records = fixture_records(shared_fixtures)
    assert {kind for _, kind, _ in records} == set(Kind), "a kind has no capture"
    problems = problems_of(records)
    assert not problems, "the schema lacks fields TMDB sends:\n" + "\n".join(problems)


def test_every_synthetic_key_has_a_field(synthetic: list[tuple[str, Kind, JSONObject]]) -> None:
    problems = problems_of(synthetic)
    assert not problems, "the schema lacks fields the fake sends:\n" + "\n".join(problems)


def test_synthetic_sample_holds_every_block(
    synthetic: list[tuple[str, Kind, JSONObject]],
) -> None:
    """The sample is worth walking: every kind, every block, appended seasons, change items."""
    seen: dict[Kind, set[str]] = {kind: set() for kind in Kind}
    change_items: set[Kind] = set()
    for _, kind, record in synthetic:
        seen[kind] |= set(record)
        if any(change["items"] for change in record.get("changes", {}).get("changes", [])):
            change_items.add(kind)
    for kind in Kind:
        assert set(SUB_RESOURCES[kind]) <= seen[kind], kind
    assert any(key.startswith("season/") for key in seen[Kind.TV])
    assert change_items == set(CHANGES_KINDS)


def test_walker_reports_what_the_schema_lacks(shared_fixtures: Path) -> None:
    movie = json.loads((shared_fixtures / "movie" / "550.json").read_text(encoding="utf-8"))
    assert list(uncovered(movie, MESSAGES[Kind.MOVIE])) == []
    drifted = copy.deepcopy(movie)
    drifted["softcore_rating"] = 3
    drifted["credits"]["cast"][0]["stage_name"] = "Tyler"
    drifted["watch/providers"]["results"]["US"]["cinema"] = []
    drifted["budget"] = "63 million"
    drifted["genres"] = {"id": 18}
    assert sorted(uncovered(drifted, MESSAGES[Kind.MOVIE])) == [
        "budget: str does not fit field tmdb.v1.Movie.budget",
        "credits.cast[].stage_name: no field in tmdb.v1.CastCredit",
        "genres: dict where the schema has a list",
        "softcore_rating: no field in tmdb.v1.Movie",
        "watch/providers.results.US.cinema: no field in tmdb.v1.CountryWatchProviders",
    ]


def test_walker_follows_appended_seasons() -> None:
    series = {"id": 1, "season/2": {"_id": "abc", "episodes": [{"id": 7, "lead": "x"}]}}
    assert list(uncovered(series, MESSAGES[Kind.TV])) == [
        "season/2.episodes[].lead: no field in tmdb.v1.EpisodeSummary"
    ]
    assert list(uncovered({"season/x": {}}, MESSAGES[Kind.TV])) == [
        "season/x: no field in tmdb.v1.TvSeries"
    ]


# --- conventions the converter relies on --------------------------------------------------------


def all_messages() -> Iterator[Descriptor]:
    """Every message of the tmdb.v1 files, nested ones included, map entries excluded."""
    pending = [
        message
        for module in SCHEMA_MODULES
        for message in module.DESCRIPTOR.message_types_by_name.values()
    ]
    while pending:
        message = pending.pop()
        if not message.GetOptions().map_entry:
            yield message
        pending.extend(message.nested_types)


def data_messages() -> list[Descriptor]:
    messages = [m for m in all_messages() if m.full_name not in ENVELOPE]
    assert len(messages) > 50
    return sorted(messages, key=lambda m: m.full_name)


def test_every_data_message_ends_with_the_bookkeeping_fields() -> None:
    for message in data_messages():
        for number, (name, kind, repeated) in BOOKKEEPING.items():
            field = message.fields_by_number.get(number)
            assert field is not None, f"{message.full_name} lacks {name} = {number}"
            assert (field.name, field.type) == (name, kind), message.full_name
            assert field.is_repeated == repeated
        assert max(f.number for f in message.fields if f.number not in BOOKKEEPING) < 2000


def test_data_fields_follow_the_type_conventions() -> None:
    allowed = {
        FieldDescriptor.TYPE_BOOL,
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_DOUBLE,
        FieldDescriptor.TYPE_STRING,
        FieldDescriptor.TYPE_MESSAGE,
    }
    for message in data_messages():
        for field in message.fields:
            if field.number in BOOKKEEPING:
                continue
            where = field.full_name
            assert field.type in allowed, f"{where}: use int64/double/string/bool/messages"
            singular_scalar = not field.is_repeated and field.type != FieldDescriptor.TYPE_MESSAGE
            if singular_scalar:
                assert field.has_presence, f"{where}: scalars are optional (absent ≠ zero)"
            if is_map(field):
                value = field.message_type.fields_by_name["value"]
                assert value.type == FieldDescriptor.TYPE_MESSAGE, where


def test_every_kind_has_a_field_per_sub_resource() -> None:
    for kind, message in MESSAGES.items():
        keys, patterns = fields_by_key(message)
        for name in SUB_RESOURCES[kind]:
            assert name in keys, f"{message.full_name} lacks {name}"
        for key, field in keys.items():
            appended = key in SUB_RESOURCES[kind]
            assert (field.number >= 100) == appended, (
                f"{field.full_name}: details fields use 1-99, appended blocks 100 and up"
            )
        assert [prefix for prefix, _ in patterns] == (["season/"] if kind is Kind.TV else [])
        assert all(field.number >= 100 for _, field in patterns)


def test_no_proto_uses_json_name() -> None:
    """json_name collides with the synthetic oneofs of proto3 optional; json_key replaces it."""
    for path in sorted(PROTO_DIR.glob("*.proto")):
        assert not re.search(r"\bjson_name\s*=", path.read_text(encoding="utf-8")), path.name


def test_record_payload_has_one_field_per_kind() -> None:
    payload = record_pb2.Record.DESCRIPTOR.oneofs_by_name["payload"]
    # ... and the tombstone of a deleted record, which is ours, not TMDB's.
    assert {field.name: field.message_type for field in payload.fields} == {
        kind.value: message for kind, message in MESSAGES.items()
    } | {"tombstone": record_pb2.Tombstone.DESCRIPTOR}
