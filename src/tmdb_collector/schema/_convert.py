"""TMDB JSON ⇄ Protocol Buffers, losslessly, driven by the message descriptors.

Conventions the schemas keep (proto/tmdb/v1/*.proto, docs/schema.md):

- A JSON key is the field's name, or its ``(tmdb.v1.json_key)`` option (``_id``,
  ``watch/providers``); ``season/*`` names the series' map of appended seasons.
- Every scalar has explicit presence, so absent, zero and empty stay apart. A JSON null is
  recorded in ``json_null`` (field numbers), an empty list or object in ``json_empty``.
- Keys the schema does not know, and values of an unexpected type, are kept verbatim in
  ``json_extra`` (a JSON object) and counted as schema drift by JSON path.

Speed: a message is built by handing upb's constructor a cleaned tree of dicts, so nested
messages are created in C; setting fields one by one from Python costs several times more.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, cast

from google.protobuf import json_format, message_factory, struct_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from tmdb_collector.kinds import JSONObject

__all__ = ["ConversionError", "SchemaDrift", "json_keys", "json_to_message", "message_to_json"]


EXTRA, NULLS, EMPTIES = 2000, 2001, 2002
_BOOKKEEPING = frozenset({EXTRA, NULLS, EMPTIES})
_JSON_KEY_OPTION = "tmdb.v1.json_key"
_PATTERN = re.compile(r"(?P<prefix>[a-z_]+)/\*")
# A google.protobuf.Value nests two messages per JSON array and three per object, and protobuf
# readers refuse messages nested deeper than 100 (upb's limit; the payload adds 6 above the
# Value): a change value nested deeper than this is kept verbatim, or it could not be read back.
_VALUE_DEPTH = 20
# json's encoder and decoder recurse once per level of nesting, inside the recursion limit that
# the caller's own frames share (1000 by default): json_extra nested near that limit could be
# written by one caller and raise RecursionError when read back by one with a deeper stack, a
# record no reader can open. TMDB nests a handful of levels; this leaves ~500 frames to callers.
_EXTRA_DEPTH = 500

# Shapes of a field, as the converter treats it.
_SCALAR, _MESSAGE, _SCALARS, _MESSAGES, _SCALAR_MAP, _MESSAGE_MAP, _VALUE, _PATTERNED = range(8)


class ConversionError(ValueError):
    """A JSON document that cannot be held by the message at all (not an object, a string
    protobuf cannot store, or a value nested too deep to read back), or a message whose
    bookkeeping cannot be read back (corrupt, or written by a newer schema). Per-key surprises
    are drift, not errors."""


@dataclass
class SchemaDrift:
    """What the schema did not know, by JSON path (``credits.cast[].new_key``)."""

    unknown_keys: Counter[str] = field(default_factory=Counter)
    type_changes: Counter[str] = field(default_factory=Counter)

    def __bool__(self) -> bool:
        return bool(self.unknown_keys or self.type_changes)

    def paths(self) -> Iterator[tuple[str, str, int]]:
        """(kind of drift, path, count) for every drifted path."""
        for path, count in self.unknown_keys.items():
            yield "unknown_key", path, count
        for path, count in self.type_changes.items():
            yield "type_change", path, count


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    key: str
    number: int
    shape: int
    accepts: tuple[type, ...]  # exact Python types a scalar (or list/map element) may have
    sub: _Plan | None  # message plan for message-valued shapes
    map_key_is_int: bool = False
    ints: tuple[int, int] = (0, -1)  # the integers it holds exactly (min, max); none: (0, -1)


@dataclass(slots=True)
class _Plan:
    """How one message type maps to JSON; built once per descriptor."""

    cls: type[Message]
    by_key: dict[str, _Field]
    by_number: dict[int, _Field]
    pattern: tuple[str, _Field] | None  # ("season/", field) for ``season/*`` keys
    # number → (JSON key or pattern prefix, shape, sub plan): what _to_json needs, unpacked fast
    table: dict[int, tuple[str, int, _Plan | None]]


_MISMATCH: Final = object()

_SCALAR_TYPES: dict[int, tuple[type, ...]] = {
    FieldDescriptor.TYPE_BOOL: (bool,),
    FieldDescriptor.TYPE_STRING: (str,),
    FieldDescriptor.TYPE_DOUBLE: (float, int),
    FieldDescriptor.TYPE_FLOAT: (float, int),
    FieldDescriptor.TYPE_INT64: (int,),
    FieldDescriptor.TYPE_INT32: (int,),
    FieldDescriptor.TYPE_UINT32: (int,),
    FieldDescriptor.TYPE_UINT64: (int,),
    FieldDescriptor.TYPE_SINT64: (int,),
}

#: The integers each numeric type holds exactly: beyond them a double rounds (2^53 + 1 comes back
#: as 2^53) and an integer type refuses the whole message, so such a value is kept verbatim.
_INT_RANGES: dict[int, tuple[int, int]] = {
    FieldDescriptor.TYPE_DOUBLE: (-(2**53), 2**53),
    FieldDescriptor.TYPE_FLOAT: (-(2**24), 2**24),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
}
_NO_INTS = (0, -1)  # strings and bools


def _json_key(fd: FieldDescriptor) -> str:
    for option, value in fd.GetOptions().ListFields():
        if option.full_name == _JSON_KEY_OPTION:
            return str(value)
    return fd.name


def _field_plan(fd: FieldDescriptor, classes: Callable[[Descriptor], type[Message]]) -> _Field:
    key = _json_key(fd)
    message = fd.message_type
    if message is not None and message.GetOptions().map_entry:
        key_fd, value_fd = message.fields_by_name["key"], message.fields_by_name["value"]
        int_keys = key_fd.type != FieldDescriptor.TYPE_STRING
        if value_fd.message_type is not None:
            sub = _plan(value_fd.message_type, classes)
            ints = _INT_RANGES.get(key_fd.type, _NO_INTS)  # of the keys: season/N
            return _Field(fd.name, key, fd.number, _MESSAGE_MAP, (dict,), sub, int_keys, ints)
        accepts, ints = _SCALAR_TYPES[value_fd.type], _INT_RANGES.get(value_fd.type, _NO_INTS)
        return _Field(fd.name, key, fd.number, _SCALAR_MAP, accepts, None, int_keys, ints)
    repeated = fd.is_repeated
    if message is not None and message.full_name == "google.protobuf.Value":
        return _Field(fd.name, key, fd.number, _VALUE, (), None)
    if message is not None:
        sub = _plan(message, classes)
        return _Field(fd.name, key, fd.number, _MESSAGES if repeated else _MESSAGE, (dict,), sub)
    accepts, ints = _SCALAR_TYPES[fd.type], _INT_RANGES.get(fd.type, _NO_INTS)
    shape = _SCALARS if repeated else _SCALAR
    return _Field(fd.name, key, fd.number, shape, accepts, None, ints=ints)


_PLANS: dict[str, _Plan] = {}


def _plan(descriptor: Descriptor, classes: Callable[[Descriptor], type[Message]]) -> _Plan:
    # Plans are pure functions of the compiled-in descriptors, so one per message type serves
    # every caller; recursive schemas need the entry to exist before its fields are planned.
    existing = _PLANS.get(descriptor.full_name)
    if existing is not None:
        return existing
    plan = _Plan(classes(descriptor), {}, {}, None, {})
    _PLANS[descriptor.full_name] = plan
    for fd in descriptor.fields:
        if fd.number in _BOOKKEEPING:
            continue
        planned = _field_plan(fd, classes)
        match = _PATTERN.fullmatch(planned.key)
        if match is not None:
            plan.pattern = (match["prefix"] + "/", planned)
            plan.table[fd.number] = (plan.pattern[0], _PATTERNED, planned.sub)
        else:
            plan.by_key[planned.key] = planned
            plan.table[fd.number] = (planned.key, planned.shape, planned.sub)
        plan.by_number[fd.number] = planned
    return plan


def _plan_for(cls: type[Message]) -> _Plan:
    # The stubs type upb's descriptor apart from the pure-Python one; they behave the same.
    descriptor = cast(Descriptor, cls.DESCRIPTOR)
    return _PLANS.get(descriptor.full_name) or _plan(descriptor, message_factory.GetMessageClass)


# -- JSON → message ---------------------------------------------------------------------------


def json_to_message(
    data: JSONObject, cls: type[Message], drift: SchemaDrift | None = None
) -> Message:
    """Build a ``cls`` message holding every bit of ``data`` (a parsed TMDB JSON object).

    Unknown keys and unexpected types go to ``json_extra`` and are counted in ``drift``.
    """
    if not isinstance(data, dict):
        raise ConversionError(f"a TMDB record is a JSON object, not {type(data).__name__}")
    drift = drift if drift is not None else SchemaDrift()
    kwargs = _clean(data, _plan_for(cls), "", drift)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as error:
        # Only strings protobuf cannot encode (lone surrogates) get here: every other value
        # was checked against its field's type while cleaning.
        raise ConversionError(f"{cls.DESCRIPTOR.name} cannot hold this record: {error}") from None


def _clean(data: JSONObject, plan: _Plan, path: str, drift: SchemaDrift) -> JSONObject:
    """The constructor arguments for ``plan``'s message from a JSON object."""
    kwargs: JSONObject = {}
    nulls: list[int] = []
    empties: list[int] = []
    extra: JSONObject | None = None
    by_key = plan.by_key
    for key, value in data.items():
        spec = by_key.get(key)
        if spec is None:
            patterned = _patterned(plan, key, value, path, drift)
            if patterned is not None:
                name, number, cleaned = patterned
                kwargs.setdefault(name, {})[number] = cleaned
                continue
            extra = extra or {}
            extra[key] = value
            drift.unknown_keys[path + key] += 1
            continue
        if value is None:
            nulls.append(spec.number)
            continue
        # Most values are scalars: check them here, without a call (the hot path).
        if spec.shape == _SCALAR:
            converted = value if _fits(spec, value) else _MISMATCH
        else:
            converted = _FROM_JSON[spec.shape](spec, value, path, drift)
        if converted is _MISMATCH:
            extra = extra or {}
            extra[key] = value
            drift.type_changes[path + key] += 1
        elif converted is None:  # an empty list or object: present, unlike an absent key
            empties.append(spec.number)
        else:
            kwargs[spec.name] = converted
    # Sorted, so that TMDB sending the same record with its keys in another order gives the
    # same bytes and the same content hash.
    if nulls:
        kwargs["json_null"] = sorted(nulls)
    if empties:
        kwargs["json_empty"] = sorted(empties)
    if extra:
        kwargs["json_extra"] = _extra_json(extra, path)
    return kwargs


def _extra_json(extra: JSONObject, path: str) -> str:
    """``json_extra``'s text; ConversionError for a value it could not reliably give back."""
    for key, value in extra.items():
        if not _nests_within(value, _EXTRA_DEPTH):
            raise ConversionError(
                f"{path}{key} is nested more than {_EXTRA_DEPTH} levels deep: too deep to store "
                "and read back reliably"
            )
    try:
        return json.dumps(extra, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    except RecursionError:  # within _EXTRA_DEPTH, but called from an unusually deep stack
        raise ConversionError(f"{path or 'the record'} is nested too deep to store") from None


def _nests_within(value: Any, depth: int) -> bool:
    """Whether ``value`` nests at most ``depth`` lists and objects deep. Level by level, not
    recursive: a recursive walk would itself hit the limit on the values it is there to catch."""
    level: list[Any] = [value]  # the values ``n`` levels down, after n rounds
    for _ in range(depth):
        containers = [item for item in level if isinstance(item, (dict, list, tuple))]
        if not containers:
            return True
        level = [
            child
            for container in containers
            for child in (container.values() if isinstance(container, dict) else container)
        ]
    return not any(isinstance(item, (dict, list, tuple)) for item in level)


def _patterned(
    plan: _Plan, key: str, value: Any, path: str, drift: SchemaDrift
) -> tuple[str, int, JSONObject] | None:
    """``season/3`` → (the series' map of appended seasons, 3, the season); None otherwise."""
    if plan.pattern is None:
        return None
    prefix, spec = plan.pattern
    suffix = key[len(prefix) :]
    if not (key.startswith(prefix) and suffix.isascii() and suffix.isdigit()):
        return None
    # Only a number's one spelling, within the map's key type: "season/01" would come back as
    # "season/1" (and overwrite it), "season/99999999999" would refuse the whole record.
    number = int(suffix)
    if str(number) != suffix or number > spec.ints[1]:
        return None
    if type(value) is not dict or spec.sub is None:
        return None
    return spec.name, number, _clean(value, spec.sub, f"{path}{prefix}*.", drift)


def _message_from_json(spec: _Field, value: Any, path: str, drift: SchemaDrift) -> Any:
    if type(value) is not dict or spec.sub is None:
        return _MISMATCH
    return _clean(value, spec.sub, f"{path}{spec.key}.", drift)


def _messages_from_json(spec: _Field, value: Any, path: str, drift: SchemaDrift) -> Any:
    if type(value) is not list or spec.sub is None:
        return _MISMATCH
    if not value:
        return None
    if not all(type(item) is dict for item in value):
        return _MISMATCH
    sub, inner = spec.sub, f"{path}{spec.key}[]."
    return [_clean(item, sub, inner, drift) for item in value]


def _scalars_from_json(spec: _Field, value: Any, path: str, drift: SchemaDrift) -> Any:
    if type(value) is not list:
        return _MISMATCH
    if not value:
        return None
    return value if all(_fits(spec, item) for item in value) else _MISMATCH


def _value_from_json(spec: _Field, value: Any, path: str, drift: SchemaDrift) -> Any:
    if not _fits_value(value, _VALUE_DEPTH):
        return _MISMATCH  # kept verbatim in json_extra, which holds any JSON
    try:
        return json_format.ParseDict(value, struct_pb2.Value())
    except ValueError:
        # A lone surrogate: json_extra cannot hold it either, so the record is refused.
        return _MISMATCH


def _fits_value(value: Any, depth: int) -> bool:
    """Whether a google.protobuf.Value gives ``value`` back: its numbers are doubles (exact
    integers up to 2^53, and no NaN or infinity, which its JSON writer refuses), and it nests
    at most ``depth`` arrays and objects deep."""
    if type(value) is int:
        return -(2**53) <= value <= 2**53
    if type(value) is float:
        return math.isfinite(value)
    if type(value) is dict:
        value = list(value.values())
    if type(value) is list:
        return depth > 0 and all(_fits_value(item, depth - 1) for item in value)
    return True


def _map_from_json(spec: _Field, value: Any, path: str, drift: SchemaDrift) -> Any:
    if type(value) is not dict or spec.map_key_is_int:
        return _MISMATCH  # JSON keys are strings; integer-keyed maps are patterned (season/*)
    if not value:
        return None
    if spec.shape == _SCALAR_MAP:
        return value if all(_fits(spec, item) for item in value.values()) else _MISMATCH
    if spec.sub is None or not all(type(item) is dict for item in value.values()):
        return _MISMATCH
    sub, inner = spec.sub, f"{path}{spec.key}.*."
    return {name: _clean(item, sub, inner, drift) for name, item in value.items()}


_FROM_JSON: dict[int, Callable[[_Field, Any, str, SchemaDrift], Any]] = {
    _MESSAGE: _message_from_json,
    _MESSAGES: _messages_from_json,
    _SCALARS: _scalars_from_json,
    _VALUE: _value_from_json,
    _SCALAR_MAP: _map_from_json,
    _MESSAGE_MAP: _map_from_json,
}


def _fits(spec: _Field, value: Any) -> bool:
    kind = type(value)
    if kind not in spec.accepts:
        return False  # exact types: a bool is no int here, though Python says it is one
    if kind is int:
        number: int = value
        return spec.ints[0] <= number <= spec.ints[1]
    return True


# -- message → JSON ---------------------------------------------------------------------------


def message_to_json(message: Message, keep: Callable[[str], bool] | None = None) -> JSONObject:
    """The TMDB JSON object ``message`` was built from: same keys, nulls, empties and extras.
    ``keep``: only the top-level keys it accepts, the others not even converted (a record's
    details without its blocks, or one block)."""
    plan = _plan_for(type(message))
    if keep is None:
        return _to_json(message, plan)
    fields = [
        (fd, value)
        for fd, value in message.ListFields()
        if (entry := plan.table.get(fd.number)) is None or entry[1] == _PATTERNED or keep(entry[0])
    ]
    out = _to_json(message, plan, fields)
    return {key: value for key, value in out.items() if keep(key)}


def json_keys(message: Message) -> list[str]:
    """The top-level keys of ``message_to_json(message)``, without converting their values."""
    plan = _plan_for(type(message))
    keys: list[str] = []
    bookkeeping: dict[int, Any] = {}
    for fd, value in message.ListFields():
        entry = plan.table.get(fd.number)
        if entry is None:
            bookkeeping[fd.number] = value
        elif entry[1] == _PATTERNED:
            keys += [f"{entry[0]}{n}" for n in sorted(value)]
        else:
            keys.append(entry[0])
    restored: JSONObject = {}
    if bookkeeping:
        _restore(restored, plan, bookkeeping)
    return keys + [key for key in restored if key not in keys]


def _to_json(
    message: Message, plan: _Plan, fields: list[tuple[FieldDescriptor, Any]] | None = None
) -> JSONObject:
    out: JSONObject = {}
    table = plan.table
    bookkeeping: dict[int, Any] | None = None
    for fd, value in message.ListFields() if fields is None else fields:
        entry = table.get(fd.number)
        if entry is None:  # json_extra, json_null, json_empty
            bookkeeping = bookkeeping or {}
            bookkeeping[fd.number] = value
            continue
        key, shape, sub = entry
        # Scalars and lists of messages are most of a record: handled inline, without a call.
        if shape == _SCALAR:
            out[key] = value
        elif shape == _MESSAGES:
            out[key] = [_to_json(item, sub) for item in value]  # type: ignore[arg-type]
        elif shape == _MESSAGE:
            out[key] = _to_json(value, sub)  # type: ignore[arg-type]
        elif shape == _PATTERNED:
            # Map order is the protobuf runtime's (hash order, different per process): sorted,
            # the output is the same on every call for the same bytes.
            out.update({f"{key}{n}": _to_json(value[n], sub) for n in sorted(value)})  # type: ignore[arg-type]
        else:
            out[key] = _TO_JSON[shape](sub, value)
    if bookkeeping is not None:
        _restore(out, plan, bookkeeping)
    return out


def _restore(out: JSONObject, plan: _Plan, bookkeeping: dict[int, Any]) -> None:
    """Put back what the typed fields cannot say: nulls, empty lists and objects, extras."""
    try:
        for number in bookkeeping.get(NULLS, ()):
            out[plan.by_number[number].key] = None
        for number in bookkeeping.get(EMPTIES, ()):
            spec = plan.by_number[number]
            out[spec.key] = {} if spec.shape in (_SCALAR_MAP, _MESSAGE_MAP) else []
        extra = json.loads(bookkeeping[EXTRA]) if EXTRA in bookkeeping else {}
    except (KeyError, ValueError) as error:
        # A field number this schema lacks is a newer writer's field: its key is unknown here.
        raise ConversionError(
            f"{plan.cls.DESCRIPTOR.name} has bookkeeping this schema cannot read (corrupt, or "
            f"written by a newer tmdb-collector): {error!r}"
        ) from None
    if type(extra) is not dict:
        raise ConversionError(f"{plan.cls.DESCRIPTOR.name}.json_extra is not a JSON object")
    out.update(extra)


def _message_map_to_json(sub: _Plan | None, value: Any) -> JSONObject:
    assert sub is not None  # noqa: S101 - message maps are always planned with a plan
    # Sorted: protobuf maps iterate in hash order, which differs between processes; TMDB's own
    # maps (watch/providers' countries) come sorted by key.
    return {name: _to_json(value[name], sub) for name in sorted(value)}


#: The less frequent shapes, by shape: (sub plan, protobuf value) → JSON value.
_TO_JSON: dict[int, Callable[[_Plan | None, Any], Any]] = {
    _SCALARS: lambda sub, value: list(value),
    _VALUE: lambda sub, value: json_format.MessageToDict(value),
    _SCALAR_MAP: lambda sub, value: {name: value[name] for name in sorted(value)},
    _MESSAGE_MAP: _message_map_to_json,
}
