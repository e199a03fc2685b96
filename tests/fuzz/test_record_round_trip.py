"""Fuzzing the stored encoding: JSON → protobuf → bytes → protobuf → JSON gives back the input.

The promise (docs/schema.md): ``RecordCodec.encode`` either stores a document losslessly —
``to_json(decode(encode(doc)))`` equals it exactly, null apart from absent, ``[]`` apart from
absent, types kept, ``-0.0`` kept; the one documented difference is a whole number in a double
field coming back as a float — or refuses it with ConversionError, which it does only for a lone
surrogate (JSON ``"\\ud800"``, which Python's json accepts; UTF-8 cannot hold it) or a value nested
more than 500 levels deep. Any other exception is a bug. Key order is not promised (the content
hash ignores it, and that is checked too).

Two generators: the real captures in shared/tmdb/fixtures (lists cut to two items, so an example
stays small), mutated at any depth; and documents of every kind built from the message
descriptors alone, reaching fields the captures leave out.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from hypothesis import currently_in_test_context, event, example, given
from hypothesis import strategies as st

from fuzz._support import (
    EDGE_INTEGERS,
    at_depth,
    floats,
    has_lone_surrogate,
    integers,
    nested,
    nesting,
    outcome,
    same_json,
    surrogate_texts,
    texts,
    values,
)
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.schema import PAYLOAD_TYPES, ConversionError, EncodedRecord, RecordCodec

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "tmdb" / "fixtures"
#: docs/schema.md: a value nested deeper than this is refused rather than stored.
MAX_NESTING = 500
#: How deep in their stacks records are written and read here. Under Python's default recursion
#: limit: a record written by a shallow caller (the collector's worker thread) must read back in
#: a deeper one (a CLI command, a Lambda handler, a server).
WRITER_FRAMES, READER_FRAMES = 20, 250
MOVIE = RecordKey(Kind.MOVIE, 550)


class Case:
    """A record to store: its key and TMDB JSON. Not a dataclass: hypothesis would print its
    fields one by one, recursing as deep as the document nests."""

    def __init__(self, key: RecordKey, document: dict[str, Any]) -> None:
        self.key = key
        self.document = document

    def __repr__(self) -> str:
        # Hypothesis prints the case it ran; repr itself recurses, and fails, on the deepest.
        depth = nesting(self.document)
        shown = repr(self.document) if depth < 100 else f"<a document {depth} levels deep>"
        return f"Case({self.key!r}, {shown})"


# -- the captures -------------------------------------------------------------------------------

Step = str | int


def _trimmed(value: Any, path: tuple[Step, ...] = ()) -> Any:
    if type(value) is list:
        return [_trimmed(item, (*path, n)) for n, item in enumerate(value[:2])]
    if type(value) is dict:
        items = list(value.items())
        if path[-2:] == ("watch/providers", "results"):  # ~100 countries alike: keep three
            items = items[:3]
        return {key: _trimmed(item, (*path, key)) for key, item in items}
    return value


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return _trimmed(document)  # type: ignore[no-any-return]


def _captures() -> list[tuple[RecordKey, dict[str, Any]]]:
    captures = []
    for path in sorted(FIXTURES.rglob("*.json")):
        parts = path.relative_to(FIXTURES).with_suffix("").parts
        if parts[0] in ("changes", "configuration"):
            continue
        numbers = [int(p) for p in parts[1::2]]
        kind = {1: Kind(parts[0]), 2: Kind.TV_SEASON, 3: Kind.TV_EPISODE}[len(numbers)]
        captures.append((RecordKey(kind, *numbers), _load("/".join(parts))))
    for key, document in captures:
        if key == RecordKey(Kind.TV, 1399):  # a series fetched with its seasons appended
            document["season/1"] = _load("tv/1399/season/1")
        if key == MOVIE:  # the changes block, whose values can be any JSON (protobuf Value)
            item: dict[str, Any] = {"id": "5f1", "action": "updated", "iso_639_1": "en"}
            item |= {"time": "2026-08-27 10:00:00 UTC", "value": {"a": [1, "x"]}}
            item |= {"original_value": "old"}
            document["changes"] = {"changes": [{"key": "overview", "items": [item]}]}
    return captures


CAPTURES = _captures()


def _places(document: dict[str, Any]) -> list[tuple[Step, ...]]:
    """The path to every value in ``document``, the root's (``()``) included."""
    places: list[tuple[Step, ...]] = []
    stack: list[tuple[tuple[Step, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        places.append(path)
        if type(value) is dict:
            stack.extend(((*path, key), item) for key, item in value.items())
        elif type(value) is list:
            stack.extend(((*path, n), item) for n, item in enumerate(value))
    return sorted(places, key=repr)  # a stable order, so that examples shrink and replay


def _at(document: Any, path: tuple[Step, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


Draw = Callable[[st.SearchStrategy[Any]], Any]

#: Keys a schema could meet: bookkeeping and proto field names, appended seasons in all
#: spellings, a key with a slash like TMDB's own, and arbitrary text.
UNKNOWN_KEYS = st.sampled_from(
    [
        *("json_extra", "json_null", "json_empty", "_id", "object_id", "id", "", "season/1"),
        *("season/01", "season/2147483648", "season/-1", "season/١", "watch/providers", "a.b[]"),
    ]
) | st.text(max_size=10)


def _retyped(draw: Draw, value: Any) -> Any:
    """``value`` as another JSON type: what a schema change at TMDB looks like."""
    options: list[Any] = [str(value), [value], {"value": value}, True, 0, 0.5]
    if type(value) is int:
        options += [float(value), -value, value + 2**64]
    if type(value) is str:
        options += [len(value), value.encode("utf-8", "replace").hex()]
    return draw(st.sampled_from(options))


def _mutate(draw: Draw, document: dict[str, Any]) -> dict[str, Any]:
    where = draw(st.sampled_from(_places(document)))
    target = _at(document, where)
    parent = _at(document, where[:-1]) if where else None
    mutation = draw(
        st.sampled_from(
            ["replace", "null", "empty", "retype", "number", "drop", "add", "nest", "surrogate"]
        )
    )
    if mutation == "add" or parent is None:  # a new key in the object here (or around here)
        host = target if type(target) is dict else parent if type(parent) is dict else document
        host[draw(UNKNOWN_KEYS)] = draw(values)
        return document
    if mutation == "drop":
        del parent[where[-1]]
        return document
    if mutation == "surrogate" and type(parent) is dict and draw(st.booleans()):
        parent[draw(surrogate_texts)] = parent.pop(where[-1])  # in the key
        return document
    replacements: dict[str, Callable[[], Any]] = {
        "replace": lambda: draw(values),
        "null": lambda: None,
        "empty": lambda: draw(st.sampled_from([[], {}])),
        "retype": lambda: _retyped(draw, target),
        "number": lambda: draw(integers | floats),
        # Deep enough to cross the 500-level line, within what json.loads accepts (~990).
        "nest": lambda: nested(
            target,
            draw(st.integers(1, 40) | st.sampled_from([499, 500, 501, 700, 950])),
            objects=draw(st.booleans()),
        ),
        "surrogate": lambda: draw(surrogate_texts),
    }
    parent[where[-1]] = replacements[mutation]()
    return document


@st.composite
def mutated_captures(draw: Draw) -> Case:
    key, original = draw(st.sampled_from(CAPTURES))
    document = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 4))):
        document = _mutate(draw, document)
    return Case(key, document)


# -- documents from the descriptors -------------------------------------------------------------


def _json_key(fd: FieldDescriptor) -> str:
    for option, value in fd.GetOptions().ListFields():
        if option.full_name == "tmdb.v1.json_key":
            return str(value)
    return fd.name


_INT_RANGES = {
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
}


def _scalar(fd: FieldDescriptor) -> st.SearchStrategy[Any]:
    if fd.type == FieldDescriptor.TYPE_STRING:
        return texts
    if fd.type == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if fd.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return floats | st.integers(-(2**53), 2**53)
    low, high = _INT_RANGES[fd.type]
    return st.integers(low, high) | st.sampled_from([n for n in EDGE_INTEGERS if low <= n <= high])


def _typed(fd: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    """A value of the field's own type (its elements' for lists and maps)."""
    message = fd.message_type
    if message is not None and message.GetOptions().map_entry:
        value_fd = message.fields_by_name["value"]
        inner = (
            _scalar(value_fd)
            if value_fd.message_type is None
            else documents(value_fd.message_type, depth + 1)
        )
        return st.dictionaries(texts, inner, max_size=3)
    if message is not None and message.full_name == "google.protobuf.Value":
        element = values
    elif message is not None:
        element = documents(message, depth + 1) if depth < 5 else st.just({})
    else:
        element = _scalar(fd)
    return st.lists(element, max_size=3) if fd.is_repeated else element


_DOCUMENTS: dict[tuple[str, int], st.SearchStrategy[dict[str, Any]]] = {}


def documents(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects for ``descriptor``'s message: some of its fields, each typed (mostly), null
    or any JSON value, an appended ``season/N`` where the message has them, and unknown keys."""
    cache_key = (descriptor.full_name, depth)
    if cache_key not in _DOCUMENTS:
        fields = [fd for fd in descriptor.fields if fd.number < 2000]  # not the bookkeeping
        pairs = []
        for fd in fields:
            key = _json_key(fd)
            if key.endswith("/*"):  # season/* → season/N, each a season of its own
                entry = cast(Descriptor, fd.message_type)  # map<int32, TvSeason>'s entry
                season = cast(Descriptor, entry.fields_by_name["value"].message_type)
                numbers = st.integers(0, 30) | st.just(2**31 - 1)
                pairs.append(st.tuples(numbers.map(f"{key[:-1]}{{}}".format), documents(season)))
            else:
                typed = _typed(fd, depth)
                pairs.append(st.tuples(st.just(key), typed | typed | st.none() | values))
        known = st.lists(st.one_of(pairs), max_size=6) if pairs else st.just([])
        unknown = st.lists(st.tuples(UNKNOWN_KEYS, values), max_size=2)
        _DOCUMENTS[cache_key] = st.builds(lambda k, u: dict(k + u), known, unknown)
    return _DOCUMENTS[cache_key]


@st.composite
def generated_documents(draw: Draw) -> Case:
    kind = draw(st.sampled_from(list(Kind)))
    numbers = {Kind.TV_SEASON: (1399, 1), Kind.TV_EPISODE: (1399, 1, 1)}.get(kind, (7,))
    descriptor = cast(Descriptor, PAYLOAD_TYPES[kind].DESCRIPTOR)  # upb's, typed apart
    document: dict[str, Any] = draw(documents(descriptor))
    return Case(RecordKey(kind, *numbers), document)


# -- the properties -----------------------------------------------------------------------------


def _stored_or_refused(case: Case) -> EncodedRecord | None:
    """The property: stored and read back exactly (by a deeper reader), or refused with
    ConversionError for one of its two documented reasons. None when refused."""
    key, document = case.key, case.document
    codec = RecordCodec()
    encoded = outcome(
        lambda: at_depth(
            WRITER_FRAMES,
            lambda: codec.encode(key, document, fetched_at_ms=1, path=key.api_path),
        ),
        ConversionError,
    )
    if isinstance(encoded, ConversionError):
        assert str(encoded)
        assert has_lone_surrogate(document) or nesting(document) > MAX_NESTING, encoded
        _count("refused")
        return None
    assert not has_lone_surrogate(document), "stored a string UTF-8 cannot hold"
    back = at_depth(READER_FRAMES, lambda: codec.to_json(codec.decode(encoded.data)))
    assert same_json(document, back)
    _count("stored, with drift" if encoded.drift else "stored")
    return encoded


def _count(what: str) -> None:
    """Shown by --hypothesis-show-statistics: how many examples were stored, and how."""
    if currently_in_test_context():
        event(what)


def test_values_nest_up_to_500_levels_and_no_deeper() -> None:
    for objects in (False, True):
        deepest = Case(MOVIE, {"id": 550, "x": nested(0, MAX_NESTING, objects=objects)})
        assert _stored_or_refused(deepest) is not None
        too_deep = Case(MOVIE, {"id": 550, "x": nested(0, MAX_NESTING + 1, objects=objects)})
        assert _stored_or_refused(too_deep) is None


def _reordered(value: Any) -> Any:
    if type(value) is dict:
        return {key: _reordered(value[key]) for key in reversed(list(value))}
    if type(value) is list:
        return [_reordered(item) for item in value]
    return value


@given(case=mutated_captures())
# Found by this test (JSON that json.loads accepts, all three): an unknown key nested 950 deep
# was stored, and a reader 250 frames deep got a RecursionError (json's parser ran out of
# stack): a record nobody could read. 985 deep: a RecursionError from encode itself, where
# ConversionError is the promise.
@example(case=Case(MOVIE, {"id": 550, "credits": {"cast": [{"x": nested(1, 950, objects=True)}]}}))
@example(case=Case(MOVIE, {"id": 550, "x": nested(0, 970, objects=False)}))
@example(case=Case(MOVIE, {"id": 550, "x": nested(0, 985, objects=False)}))
@example(case=Case(MOVIE, {"id": 550, "title": "a\ud800"}))
def test_mutated_captures_are_stored_losslessly_or_refused_clearly(case: Case) -> None:
    """Budget: FUZZ_EXAMPLES (200) examples, 1–4 mutations of a real capture each, of every
    kind captured; no exception but ConversionError, and that only for the documented reasons."""
    _stored_or_refused(case)


@given(case=generated_documents())
def test_generated_documents_of_every_kind_round_trip_and_hash_alike_in_any_key_order(
    case: Case,
) -> None:
    """Budget: FUZZ_EXAMPLES (200) examples over the nine kinds, built from the descriptors;
    also checks the content hash ignores key order at every depth, as docs/schema.md says."""
    encoded = _stored_or_refused(case)
    if encoded is not None:
        reordered = _reordered(case.document)
        again = RecordCodec().encode(case.key, reordered, fetched_at_ms=2, path="")
        assert again.content_hash == encoded.content_hash
        envelope = RecordCodec().decode_envelope(encoded.data)
        assert envelope.content_hash == encoded.content_hash
