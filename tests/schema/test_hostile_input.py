"""The round-trip promise under input TMDB has not sent yet, but could.

Targeted cases for each edge the converter has to get right (numbers a double cannot hold, keys
that look like appended seasons, values of change items no protobuf reader accepts, bookkeeping
a reader cannot interpret, garbled bytes), and a seeded mutator over the real captures that
injects nulls, empties, unknown keys and changed types at random depths. Every round trip goes
through the stored encoding (zstd frame of a Record), as the collector stores it.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zstandard

from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.schema import (
    SCHEMA_VERSION,
    ConversionError,
    CorruptRecordError,
    RecordCodec,
    SchemaDrift,
    json_to_message,
    message_to_json,
)
from tmdb_collector.schema._pb.tmdb.v1 import movie_pb2, record_pb2

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "tmdb" / "fixtures"
MOVIE = RecordKey(Kind.MOVIE, 550)
SERIES = RecordKey(Kind.TV, 1399)


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return document


def _same(original: Any, back: Any) -> bool:
    """JSON equality that ``==`` is too lenient for: ``True == 1`` and ``-0.0 == 0.0`` in Python.

    The one allowed difference: an integer held by a double field comes back as a float of the
    same value (``8`` → ``8.0``), see test_integers_in_double_fields_come_back_as_equal_floats.
    """
    if type(original) is int and type(back) is float:
        return float(original) == back
    if type(original) is not type(back):
        return False
    if type(original) is float:
        return _same_float(original, back)
    if type(original) is dict:
        return original.keys() == back.keys() and all(
            _same(value, back[key]) for key, value in original.items()
        )
    if type(original) is list:
        return len(original) == len(back) and all(map(_same, original, back))
    return bool(original == back)


def _same_float(original: float, back: float) -> bool:
    if math.isnan(original):
        return math.isnan(back)
    return original == back and math.copysign(1, original) == math.copysign(1, back)


def _stored_round_trip(key: RecordKey, document: dict[str, Any]) -> tuple[Any, SchemaDrift]:
    codec = RecordCodec()
    encoded = codec.encode(key, document, fetched_at_ms=1, path=key.api_path)
    return codec.to_json(codec.decode(encoded.data)), encoded.drift


def _assert_round_trip(key: RecordKey, document: dict[str, Any]) -> SchemaDrift:
    back, drift = _stored_round_trip(key, document)
    assert _same(document, back), (document, back)
    return drift


def _movie(**fields: Any) -> dict[str, Any]:
    return {"id": 550, **fields}


def _change_value(value: Any) -> dict[str, Any]:
    item = {"id": "5f1", "action": "updated", "value": value, "original_value": value}
    return _movie(changes={"changes": [{"key": "overview", "items": [item]}]})


def _nested_lists(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _nested_objects(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"a": value}
    return value


# -- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [2**53 + 1, -(2**53) - 1, 2**63 + 1, 10**400],
    ids=["2^53+1", "-2^53-1", "2^63+1", "10^400"],
)
def test_integers_a_double_cannot_hold_are_kept_verbatim(number: int) -> None:
    # popularity is a double: these would come back rounded, or not convert at all.
    drift = _assert_round_trip(MOVIE, _movie(popularity=number))
    assert list(drift.paths()) == [("type_change", "popularity", 1)]


def test_integers_in_double_fields_come_back_as_equal_floats() -> None:
    """Documented behaviour: ``8`` and ``8.0`` are the same double, bytes and hash alike.

    TMDB sends ``vote_average`` as 8 in some responses and 8.2 in others; both are numbers of
    the same field, so neither is drift, and ``8`` comes back as ``8.0`` (equal in Python, and
    in JSON's number model; only the text differs).
    """
    codec = RecordCodec()
    as_int = codec.encode(MOVIE, _movie(vote_average=8), fetched_at_ms=1, path="")
    as_float = codec.encode(MOVIE, _movie(vote_average=8.0), fetched_at_ms=1, path="")
    assert as_int.content_hash == as_float.content_hash
    back = codec.to_json(codec.decode(as_int.data))
    assert back == {"id": 550, "vote_average": 8.0}
    assert type(back["vote_average"]) is float
    assert not as_int.drift


@pytest.mark.parametrize("number", [-0.0, 1e308, -1e308, 5e-324])
def test_extreme_doubles_and_negative_zero_keep_their_value_and_sign(number: float) -> None:
    assert not _assert_round_trip(MOVIE, _movie(popularity=number, vote_average=number))


def test_int64_bounds_are_typed_and_beyond_them_kept_verbatim() -> None:
    assert not _assert_round_trip(MOVIE, _movie(budget=2**63 - 1, revenue=-(2**63)))
    drift = _assert_round_trip(MOVIE, _movie(budget=2**63, revenue=-(2**63) - 1))
    assert drift.type_changes == {"budget": 1, "revenue": 1}


def test_bools_and_integers_do_not_pass_for_each_other() -> None:
    drift = _assert_round_trip(MOVIE, _movie(budget=True, adult=1, genre_ids=[1, True]))
    assert drift.type_changes == {"budget": 1, "adult": 1}
    assert drift.unknown_keys == {"genre_ids": 1}  # not a movie details field


def test_nan_and_infinity_from_python_callers_survive_a_double_field() -> None:
    # JSON has no NaN, but a Python caller can pass one; it must read back, not crash.
    for number in (math.nan, math.inf, -math.inf):
        assert not _assert_round_trip(MOVIE, _movie(popularity=number))


# -- change items: google.protobuf.Value ------------------------------------------------------

VALUE_PATH = "changes.changes[].items[]."


@pytest.mark.parametrize(
    "value",
    [0, -0.0, 5, 2**53, 1e308, "", "a\x00b", True, None, [], {}, [None, 1, "x", [2], {}]],
    ids=repr,
)
def test_any_json_value_of_a_change_item_is_typed(value: Any) -> None:
    assert not _assert_round_trip(MOVIE, _change_value(value))


@pytest.mark.parametrize(
    "value",
    [
        2**53 + 1,  # a double would round it
        [1, {"b": 2**64}],
        math.nan,  # no protobuf JSON writer can give these back
        {"x": [math.inf]},
        _nested_lists(30),  # protobuf readers refuse messages nested past depth 100
        _nested_objects(30),
        _nested_lists(300),
    ],
    ids=["2^53+1", "2^64 inside", "nan", "inf inside", "lists x30", "objects x30", "lists x300"],
)
def test_change_values_no_value_message_can_hold_are_kept_verbatim(value: Any) -> None:
    drift = _assert_round_trip(MOVIE, _change_value(value))
    assert drift.type_changes == {VALUE_PATH + "value": 1, VALUE_PATH + "original_value": 1}


def test_every_change_value_depth_either_reads_back_or_is_kept_verbatim() -> None:
    # The boundary sits where a Value nests too deep for the reader: walk across it.
    for depth in range(60):
        for value in (_nested_lists(depth), _nested_objects(depth)):
            _assert_round_trip(MOVIE, _change_value(value))


def test_a_lone_surrogate_is_a_conversion_error_wherever_it_is() -> None:
    # Protobuf strings are UTF-8: a lone surrogate (JSON "\\ud800") has no encoding. Refusing
    # the record is honest; a crash with another exception, or a silent loss, is not.
    for document in (
        _movie(title="a\ud800"),
        _movie(brand_new="\udfff"),
        _movie(**{"watch/providers": {"results": {"U\ud800": {}}}}),
        _change_value("\ud800"),
        _change_value({"\ud800": 1}),
    ):
        with pytest.raises(ConversionError):
            json_to_message(document, movie_pb2.Movie)


# -- keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        *("season/", "season/01", "season/00", "season/-1", "season/+1", "season/1.0"),
        *("season/1x", "season/ 1", "season/١", "season/*"),
        *("season/99999999999", "season/2147483648"),  # beyond the map's int32 keys
    ],
)
def test_keys_that_are_not_an_appended_season_are_unknown_keys(key: str) -> None:
    drift = _assert_round_trip(SERIES, {"id": 1399, key: {"name": "S"}})
    assert list(drift.paths()) == [("unknown_key", key, 1)]


def test_appended_seasons_keep_their_numbers_up_to_the_largest_key() -> None:
    seasons = {f"season/{n}": {"name": str(n)} for n in (0, 1, 10, 2**31 - 1)}
    assert not _assert_round_trip(SERIES, {"id": 1399, **seasons})


def test_two_spellings_of_a_season_number_both_come_back() -> None:
    document = {"id": 1399, "season/1": {"name": "one"}, "season/01": {"name": "zero-one"}}
    drift = _assert_round_trip(SERIES, document)
    assert drift.unknown_keys == {"season/01": 1}


@pytest.mark.parametrize("name", ["json_extra", "json_null", "json_empty", "object_id", "_id"])
def test_keys_named_like_bookkeeping_or_proto_fields_are_kept(name: str) -> None:
    document = _movie(**{name: {"k": [1, None]}, "title": None, "genres": []})
    drift = _assert_round_trip(MOVIE, document)
    assert drift.unknown_keys == {name: 1}


def test_maps_whose_values_are_not_objects_are_kept_verbatim() -> None:
    for results in ({"US": 1}, {"US": None}, {"US": []}, [], "US", {"US": {}, "FR": "x"}):
        document = _movie(**{"watch/providers": {"results": results}})
        drift = _assert_round_trip(MOVIE, document)
        assert drift.type_changes == {"watch/providers.results": 1}


def test_empty_objects_and_nulls_inside_lists_of_objects() -> None:
    assert not _assert_round_trip(MOVIE, _movie(belongs_to_collection={}, genres=[{}, {}]))
    drift = _assert_round_trip(MOVIE, _movie(genres=[{"id": 18}, None], spoken_languages=[[]]))
    assert drift.type_changes == {"genres": 1, "spoken_languages": 1}


# -- content hash -----------------------------------------------------------------------------


def _reordered(value: Any) -> Any:
    if type(value) is dict:
        return {key: _reordered(value[key]) for key in reversed(list(value))}
    if type(value) is list:
        return [_reordered(item) for item in value]
    return value


def test_content_hash_ignores_key_order_at_every_depth() -> None:
    series = _load("tv/1399")
    series["season/1"] = _load("tv/1399/season/1")
    series["season/0"] = {"name": "Specials", "zz": {"b": 1, "a": [None, {"y": 1, "x": 2}]}}
    series["changes"] = {"changes": [{"key": "k", "items": [{"value": {"b": 1, "a": 2}}]}]}
    series["unknown"] = {"b": [], "a": {}}
    codec = RecordCodec(use_dictionaries=False)
    first = codec.encode(SERIES, series, fetched_at_ms=1, path="")
    second = RecordCodec().encode(SERIES, _reordered(series), fetched_at_ms=2, path="")
    assert first.content_hash == second.content_hash


# -- stored bytes -----------------------------------------------------------------------------


def _flips(data: bytes, seed: int, count: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    for _ in range(count):
        garbled = bytearray(data)
        garbled[rng.randrange(len(garbled))] ^= 1 << rng.randrange(8)
        yield bytes(garbled)


@pytest.mark.parametrize("use_dictionaries", [True, False], ids=["dictionary", "plain"])
def test_garbled_or_truncated_bytes_never_read_back_as_another_record(
    use_dictionaries: bool,
) -> None:
    codec = RecordCodec(use_dictionaries=use_dictionaries)
    movie = _load("movie/550")
    data = codec.encode(MOVIE, movie, fetched_at_ms=1, path="").data
    truncated = [data[:n] for n in range(0, len(data), 97)]
    for garbled in [*truncated, *_flips(data, seed=7, count=300)]:
        try:
            back = codec.to_json(codec.decode(garbled))
        except CorruptRecordError:
            continue
        assert back == movie  # a flip zstd may ignore (an unused header bit): same record


def _compress(record: record_pb2.Record) -> bytes:
    return zstandard.ZstdCompressor().compress(record.SerializeToString())


@pytest.mark.parametrize(
    "bookkeeping",
    [
        {"json_null": [99]},  # a field this schema does not have (a newer writer's)
        {"json_empty": [1999]},
        {"json_extra": "{not json"},
        {"json_extra": "[1]"},
        {"json_extra": '[["title", "x"]]'},
        {"json_extra": '"text"'},
    ],
    ids=repr,
)
def test_bookkeeping_a_reader_cannot_interpret_is_a_corrupt_record(
    bookkeeping: dict[str, Any],
) -> None:
    codec = RecordCodec()
    movie = movie_pb2.Movie(**bookkeeping)
    record = codec.decode(_compress(record_pb2.Record(kind="movie", movie=movie)))
    with pytest.raises(CorruptRecordError):
        codec.to_json(record)
    with pytest.raises(ConversionError):
        message_to_json(record.movie)


def test_a_record_of_a_newer_schema_version_says_to_upgrade() -> None:
    newer = record_pb2.Record(
        kind="movie", schema_version=SCHEMA_VERSION + 1, movie=movie_pb2.Movie(id=1)
    )
    with pytest.raises(CorruptRecordError, match="upgrade"):
        RecordCodec().decode(_compress(newer))


# -- random mutations of the real captures ----------------------------------------------------

_ODD_VALUES: list[Any] = [
    None,
    [],
    {},
    "",
    "a\x00b",
    "Jürgen — 日本語 ✓",
    0,
    -1,
    True,
    False,
    1.5,
    -0.0,
    1e308,
    2**53 + 1,
    2**63,
    -(2**63) - 1,
    2**64,
    [[1]],
    ["a", 1, None, {}, [], True, 2.5],
    [None],
    [{}],
    {"json_extra": "x", "json_null": [1]},
    _nested_lists(120),
]

_RECORDS = {
    "movie/550": MOVIE,
    "tv/1399": SERIES,
    "tv/1399/season/1": RecordKey(Kind.TV_SEASON, 1399, 1),
    "tv/1399/season/1/episode/1": RecordKey(Kind.TV_EPISODE, 1399, 1, 1),
    "person/31": RecordKey(Kind.PERSON, 31),
    "collection/10": RecordKey(Kind.COLLECTION, 10),
    "company/1": RecordKey(Kind.COMPANY, 1),
    "network/49": RecordKey(Kind.NETWORK, 49),
    "keyword/1701": RecordKey(Kind.KEYWORD, 1701),
}

Step = str | int


def _places(value: Any, steps: tuple[Step, ...] = ()) -> Iterator[tuple[Step, ...]]:
    """Every path to a value inside ``value``, the root excluded."""
    if type(value) is dict:
        for key, item in value.items():
            yield (*steps, key)
            yield from _places(item, (*steps, key))
    elif type(value) is list:
        for index, item in enumerate(value):
            yield (*steps, index)
            yield from _places(item, (*steps, index))


def _objects(document: dict[str, Any]) -> Iterator[tuple[Step, ...]]:
    """Paths to JSON objects whose keys are field names (so a new key is drift)."""
    yield ()
    for steps in _places(document):
        if type(_at(document, steps)) is dict and steps[-2:] != ("watch/providers", "results"):
            yield steps


def _at(document: Any, steps: tuple[Step, ...]) -> Any:
    for step in steps:
        document = document[step]
    return document


def _drift_path(document: dict[str, Any], steps: tuple[Step, ...]) -> str:
    """The drift path of ``steps``: ``credits.cast[].name``, ``watch/providers.results.*.x``."""
    path = ""
    for position, step in enumerate(steps):
        if type(step) is int:
            path += "[]"
        elif steps[position - 2 : position] == ("watch/providers", "results"):
            path += ".*"
        elif position == 0 and step.startswith("season/") and "season/1" in document:
            path += "season/*"
        else:
            path += ("." if path else "") + step
    return path


@pytest.mark.parametrize("name", sorted(_RECORDS))
def test_random_mutations_of_real_captures_round_trip(name: str) -> None:
    original = _load(name)
    if name == "tv/1399":
        original["season/1"] = _load("tv/1399/season/1")
    places = list(_places(original))
    objects = list(_objects(original))
    rng = random.Random(name)
    for trial in range(12):
        document = copy.deepcopy(original)
        for _ in range(rng.randint(1, 4)):
            steps = rng.choice(places)
            # An earlier mutation may have replaced this place's parent.
            with contextlib.suppress(KeyError, IndexError, TypeError):
                _at(document, steps[:-1])[steps[-1]] = rng.choice(_ODD_VALUES)
        _assert_round_trip(_RECORDS[name], document)

        # One new key, alone: it comes back and is counted where it is.
        document = copy.deepcopy(original)
        where = rng.choice(objects)
        new_key = f"new_{trial}"
        _at(document, where)[new_key] = rng.choice(_ODD_VALUES)
        drift = _assert_round_trip(_RECORDS[name], document)
        assert list(drift.paths()) == [("unknown_key", _drift_path(original, (*where, new_key)), 1)]
