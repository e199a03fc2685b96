"""The work queue's payload: which records to collect and why, batched into compact JSON.

Pure data, no I/O. A message carries many items because queues charge per request and a TMDB key
is a few digits: items that share kind, reason, attempt, enqueue time and confirm are grouped, so
each key costs its own text plus three bytes (two quotes and a comma).

The body format (version 1)::

    {"v":1,"groups":[{"kind":"movie","reason":"new","attempt":0,"enqueued_at":1763900000000,
                      "keys":["550","551"]}],"error":"..."}

"confirm" appears (as false) only when it is False; "error" only when it is not None;
"expired" (how many times a consumer stopped before finishing the message: a crash or a lease
run out, not a failure of its work) only when it is above 0.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from typing import Any, Final, NoReturn, TypeVar

from tmdb_collector.kinds import InvalidKeyError, Kind, RecordKey
from tmdb_collector.queue._errors import InvalidWorkItemError, MalformedMessageError

__all__ = [
    "MAX_MESSAGE_BYTES",
    "Reason",
    "WorkBatch",
    "WorkItem",
    "decode_batch",
    "encode_batch",
    "pack_items",
    "pack_keys",
]

#: The largest body we send: SQS's classic limit. SQS now takes 1 MiB, but staying under 256 KiB
#: keeps bodies portable (older queues, LocalStack, Lambda event payload limits).
MAX_MESSAGE_BYTES: Final = 256 * 1024
#: The body format this module writes and the only one it reads.
FORMAT_VERSION: Final = 1
#: A recorded error is for a person reading the dead-letter queue, not a full traceback: longer
#: ones are cut so one item's error cannot crowd the keys out of a message.
MAX_ERROR_CHARS: Final = 2000
#: Bounds that catch garbage early: no item is retried a million times, no time is after 9999.
MAX_ATTEMPT: Final = 1_000_000
MAX_TIME_MS: Final = 253_402_300_799_999
# Larger than any SQS message (1 MiB): refuse before spending time parsing it.
_MAX_BODY_CHARS = 1024 * 1024


class Reason(StrEnum):
    """Why a record is (re)collected: decides what the collector does and how it is counted."""

    #: In TMDB's export or a changes feed, not yet in the store.
    NEW = "new"
    #: Listed by a changes feed since the last harvest.
    CHANGED = "changed"
    #: Gone from the export (or reported deleted): confirm with TMDB, then tombstone.
    DELETED = "deleted"
    #: Not changed as far as we know, but old enough to fetch again.
    REFRESH = "refresh"
    #: The store and TMDB disagree (an audit found a gap or a stale record).
    RECONCILE = "reconcile"


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One record to collect. Not validated on construction (the harvester builds millions);
    encode_batch and pack_items check every field and raise InvalidWorkItemError."""

    kind: Kind
    #: The record's key text, str(RecordKey): "550", "1399/1", "1399/1/1".
    key: str
    reason: Reason
    #: When the item was first put on the queue (epoch milliseconds); kept across retries.
    enqueued_at_ms: int
    #: How many times a consumer already failed on this item.
    attempt: int = 0
    #: For DELETED: False tombstones without asking TMDB first (the deletion is certain).
    #: Carried, and ignored, for the other reasons.
    confirm: bool = True

    @property
    def record_key(self) -> RecordKey:
        """The parsed key; raises InvalidKeyError when `key` names no record of `kind`."""
        return RecordKey.parse(self.kind, self.key)


@dataclass(frozen=True, slots=True)
class WorkBatch:
    """A decoded message body: its items in order, and the last error a consumer recorded when it
    re-enqueued them (None for a first attempt)."""

    items: tuple[WorkItem, ...]
    error: str | None
    #: Times a consumer received the message and stopped before finishing it (crashed, killed,
    #: or its lease ran out): counted apart from the items' attempts, which count failures.
    expired: int = 0


def encode_batch(items: Iterable[WorkItem], *, error: str | None = None, expired: int = 0) -> str:
    """One body holding all `items` (at least one), however large; see pack_items for bodies
    within a message's limits. Raises InvalidWorkItemError for an item no consumer could read."""
    bodies = list(
        pack_items(items, max_items=_UNLIMITED, max_bytes=_UNLIMITED, error=error, expired=expired)
    )
    if not bodies:
        raise InvalidWorkItemError("a work message needs at least one item")
    return bodies[0]


def pack_items(
    items: Iterable[WorkItem],
    *,
    max_items: int = 100,
    max_bytes: int = MAX_MESSAGE_BYTES,
    error: str | None = None,
    expired: int = 0,
) -> Iterator[str]:
    """Bodies of at most `max_items` items and `max_bytes` UTF-8 bytes each, items in order.

    Streams: memory stays bounded by one body whatever the length of `items`, and a body is
    yielded as soon as it is full. Consecutive items sharing kind, reason, attempt, enqueue time
    and confirm share a group. Raises InvalidWorkItemError for an item no consumer could read (the
    bodies completed before it were yielded), and ValueError when `max_bytes` cannot hold a
    single item.
    """
    runs = ((group, map(_KEY_OF, run)) for group, run in itertools.groupby(items, _GROUP_OF))
    return _pack_runs(runs, max_items, max_bytes, _tail(error, expired))


def pack_keys(
    kind: Kind,
    reason: Reason,
    keys: Iterable[str],
    *,
    enqueued_at_ms: int,
    attempt: int = 0,
    confirm: bool = True,
    max_items: int = 100,
    max_bytes: int = MAX_MESSAGE_BYTES,
    error: str | None = None,
) -> Iterator[str]:
    """pack_items for items that differ only by key, without building a WorkItem per key.

    The same bodies as pack_items on the equivalent items, several times faster: a harvester's
    millions of "new movie" keys need not become millions of objects first.
    """
    group = (kind, reason, attempt, enqueued_at_ms, confirm)
    return _pack_runs([(group, iter(keys))], max_items, max_bytes, _tail(error, 0))


def decode_batch(body: str) -> WorkBatch:
    """The batch in a message body; raises MalformedMessageError for anything else."""
    if not isinstance(body, str):
        _malformed(body, f"a body is text, not {type(body).__name__}")
    if len(body) > _MAX_BODY_CHARS:
        _malformed(body, f"{len(body)} characters is larger than any queue message")
    try:
        document = json.loads(body, object_pairs_hook=_unique_pairs, parse_constant=_no_constant)
    except MalformedMessageError:
        raise
    except (ValueError, RecursionError) as exc:
        _malformed(body, f"not JSON ({type(exc).__name__}: {exc})")
    return _batch(body, document)


# --- encoding ----------------------------------------------------------------------------------

_UNLIMITED = 2**62
_GROUP_OF = attrgetter("kind", "reason", "attempt", "enqueued_at_ms", "confirm")
_KEY_OF = attrgetter("key")
_HEAD = '{"v":%d,"groups":[' % FORMAT_VERSION  # noqa: UP031 (braces would need doubling)

# Canonical key text, as str(RecordKey) writes it: ids are positive, numbers have no leading
# zeros, at most 12 digits each (RecordKey.parse's limit). ASCII-only: "٣" is no digit here.
_ID = "[1-9][0-9]{0,11}"
_NUMBER = "(?:0|[1-9][0-9]{0,11})"
_KEY_TEXT = dict.fromkeys(Kind, _ID) | {
    Kind.TV_SEASON: f"{_ID}/{_NUMBER}",
    Kind.TV_EPISODE: f"{_ID}/{_NUMBER}/{_NUMBER}",
}
_KEY = {kind: re.compile(text) for kind, text in _KEY_TEXT.items()}
# Keys joined by '","', checked in one regex call: the cheap path for millions of keys.
_KEY_RUN = {kind: re.compile(f'{text}(?:","{text})*') for kind, text in _KEY_TEXT.items()}
_TIME_FIELD = "enqueued_at"
_E = TypeVar("_E", bound=StrEnum)


def _pack_runs(
    runs: Iterable[tuple[tuple[object, ...], Iterator[str]]],
    max_items: int,
    max_bytes: int,
    tail: str,
) -> Iterator[str]:
    # Checked now, not at the first next(): a generator would report a bad argument late.
    if max_items < 1 or max_bytes < 1:
        raise ValueError(f"max_items and max_bytes must be positive, got {max_items}, {max_bytes}")
    return _packed(runs, _BodyBuilder(max_items, max_bytes, tail))


def _packed(
    runs: Iterable[tuple[tuple[object, ...], Iterator[str]]], body: _BodyBuilder
) -> Iterator[str]:
    """The bodies, filled chunk by chunk: per key, only C code runs (islice, join, regex)."""
    size = body.max_items
    for group, keys in runs:
        header, kind = _header_of(group)
        while True:
            chunk = list(itertools.islice(keys, size))
            joined = _joined_keys(chunk, kind) if chunk else ""
            rest = chunk
            while rest:
                rest, joined = body.add(header, rest, joined)
                if rest or body.count == size:
                    yield body.take()
            if len(chunk) < size:  # the run is over: no need to ask it again
                break
    if body.count:
        yield body.take()


class _BodyBuilder:
    """The body being filled: finished group fragments and their exact size in bytes."""

    def __init__(self, max_items: int, max_bytes: int, tail: str) -> None:
        self.max_items = max_items
        self._max_bytes = max_bytes
        self._tail = tail
        self._base = len(_HEAD) + len(tail)
        self._fragments: list[str] = []
        self._size = self._base
        self.count = 0

    def add(self, header: str, keys: list[str], joined: str) -> tuple[list[str], str]:
        """Add as many of `keys` (one group; `joined` is them joined by '","') as fit. Return
        the rest, which need a new body, and their joined text."""
        room = self.max_items - self.count
        # A group costs its header, '"' and '"]}' and a ',' before it if it is not the first;
        # each key costs its text and '","' (all ASCII: one byte per character).
        opening = len(header) + 1 + (1 if self._fragments else 0)
        budget = self._max_bytes - self._size - opening
        if len(keys) <= room and len(joined) + 3 <= budget:
            fits, cut = len(keys), len(joined) + 3  # the common case: the whole chunk fits
        else:
            # Cost of the first n keys, their text and separators: where to cut `joined`.
            costs = list(itertools.accumulate(len(key) + 3 for key in keys[:room]))
            fits = bisect.bisect_right(costs, budget)
            if fits == 0:
                if not self._fragments:
                    raise ValueError(
                        f"max_bytes={self._max_bytes} cannot hold one item ({header!r}...): "
                        f"allow at least {self._base + opening + costs[0]} bytes"
                    )
                return keys, joined
            cut = costs[fits - 1]
        self._fragments.append(f'{header}"{joined[: cut - 3]}"]}}')
        self._size += opening + cut
        self.count += fits
        return keys[fits:], joined[cut:]

    def take(self) -> str:
        """The finished body; the builder starts over empty."""
        body = _HEAD + ",".join(self._fragments) + self._tail
        self._fragments = []
        self._size = self._base
        self.count = 0
        return body


_GROUP_FIELDS_OF_ITEM = ("kind", "reason", "attempt", "enqueued_at_ms", "confirm")


def _header_of(group: tuple[object, ...]) -> tuple[str, Kind]:
    try:
        return _group_header(*group)
    except TypeError:
        # The cache hashes the fields before _group_header checks them: an unhashable one (a
        # list...) is the producer's bug like any other bad field, not a TypeError.
        for name, value in zip(_GROUP_FIELDS_OF_ITEM, group, strict=True):
            try:
                hash(value)
            except TypeError:
                problem = f"a work item's {name} is {type(value).__name__} {value!r}"
                raise InvalidWorkItemError(f"{problem}; fix the work item") from None
        raise


@functools.lru_cache(maxsize=1024, typed=True)  # typed: attempt=True is not 1
def _group_header(
    kind: object, reason: object, attempt: object, enqueued_at_ms: object, confirm: object
) -> tuple[str, Kind]:
    """The JSON of a group up to its first key, and its kind. Validated once per distinct group,
    not per item."""
    try:
        kind = Kind(kind)  # type: ignore[arg-type]  # checked right here
        reason = Reason(reason)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InvalidWorkItemError(f"a work item has {exc}; use a Kind and a Reason") from None
    _check_int("attempt", attempt, MAX_ATTEMPT)
    _check_int("enqueued_at_ms", enqueued_at_ms, MAX_TIME_MS)
    if type(confirm) is not bool:
        raise InvalidWorkItemError(f"confirm must be True or False, got {confirm!r}")
    unconfirmed = "" if confirm else ',"confirm":false'
    header = (
        f'{{"kind":"{kind.value}","reason":"{reason.value}","attempt":{attempt},'
        f'"{_TIME_FIELD}":{enqueued_at_ms}{unconfirmed},"keys":['
    )
    return header, kind


def _check_int(name: str, value: object, maximum: int) -> None:
    # bool is an int subclass, but True as an attempt count is a bug, not 1.
    if type(value) is not int or not 0 <= value <= maximum:
        raise InvalidWorkItemError(f"{name} must be an integer from 0 to {maximum}, got {value!r}")


def _joined_keys(keys: list[str], kind: Kind) -> str:
    """The keys joined by '","', each checked to be canonical key text for `kind`. One regex
    call for the whole chunk; the quote count catches a key smuggling '","' into the text."""
    try:
        joined = '","'.join(keys)
    except TypeError:
        joined = ""
    if _KEY_RUN[kind].fullmatch(joined) and joined.count('"') == 2 * (len(keys) - 1):
        return joined
    for key in keys:  # the slow path only runs to name the culprit
        if not isinstance(key, str) or not _KEY[kind].fullmatch(key):
            raise InvalidWorkItemError(f"{_key_problem(kind, key)}; fix the work item")
    raise AssertionError("unreachable: every key matched, so their join does")


def _key_problem(kind: Kind, key: object) -> str:
    if not isinstance(key, str):
        return f"a {kind} key is text like '550', not {type(key).__name__} {key!r}"
    try:
        canonical = str(RecordKey.parse(kind, key))
    except InvalidKeyError as exc:
        return str(exc)
    return f"{kind} key {key!r} is not in canonical form: write {canonical!r}"


def _tail(error: str | None, expired: int) -> str:
    _check_int("expired", expired, MAX_ATTEMPT)
    more = f',"expired":{expired}' if expired else ""
    if error is None:
        return f"]{more}}}"
    if not isinstance(error, str):
        raise InvalidWorkItemError(f"error must be text or None, got {type(error).__name__}")
    if len(error) > MAX_ERROR_CHARS:
        error = error[: MAX_ERROR_CHARS - 3] + "..."
    # ensure_ascii: the body stays ASCII, so its size in bytes is its length.
    return f'],"error":{json.dumps(error, ensure_ascii=True)}{more}}}'


# --- decoding ----------------------------------------------------------------------------------

_TOP_FIELDS = frozenset({"v", "groups", "error", "expired"})
_GROUP_FIELDS = frozenset({"kind", "reason", "attempt", _TIME_FIELD, "confirm", "keys"})
_REQUIRED_GROUP_FIELDS = _GROUP_FIELDS - {"confirm"}


def _batch(body: str, document: Any) -> WorkBatch:
    if not isinstance(document, dict):
        _malformed(body, f"the body is a JSON {_json_type(document)}, not an object")
    _check_fields(body, "the body", document, _TOP_FIELDS, {"v", "groups"})
    version = document["v"]
    if type(version) is not int or version != FORMAT_VERSION:
        _malformed(body, f"format version {version!r} is not {FORMAT_VERSION}; upgrade the reader")
    groups = document["groups"]
    if not isinstance(groups, list) or not groups:
        _malformed(body, "'groups' must be a non-empty list")
    error = document.get("error")
    if "error" in document and not isinstance(error, str):
        _malformed(body, f"'error' must be text, got {_json_type(error)}")
    expired = _integer(body, "the body", "expired", document.get("expired", 0), MAX_ATTEMPT)
    items: list[WorkItem] = []
    for number, group in enumerate(groups, 1):
        items.extend(_group_items(body, number, group))
    return WorkBatch(tuple(items), error, expired)


def _group_items(body: str, number: int, group: Any) -> list[WorkItem]:
    where = f"group {number}"
    if not isinstance(group, dict):
        _malformed(body, f"{where} is a JSON {_json_type(group)}, not an object")
    _check_fields(body, where, group, _GROUP_FIELDS, _REQUIRED_GROUP_FIELDS)
    kind = _member(body, where, "kind", group["kind"], Kind)
    reason = _member(body, where, "reason", group["reason"], Reason)
    attempt = _integer(body, where, "attempt", group["attempt"], MAX_ATTEMPT)
    enqueued_at = _integer(body, where, _TIME_FIELD, group[_TIME_FIELD], MAX_TIME_MS)
    confirm = group.get("confirm", True)
    if type(confirm) is not bool:
        _malformed(body, f"{where}: 'confirm' must be true or false, got {confirm!r}")
    keys = group["keys"]
    if not isinstance(keys, list) or not keys:
        _malformed(body, f"{where}: 'keys' must be a non-empty list")
    return [
        WorkItem(kind, _key(body, where, kind, key), reason, enqueued_at, attempt, confirm)
        for key in keys
    ]


def _key(body: str, where: str, kind: Kind, key: Any) -> str:
    if not isinstance(key, str):
        _malformed(body, f"{where}: a key must be text, got {_json_type(key)} {key!r}")
    try:
        parsed = RecordKey.parse(kind, key)
    except InvalidKeyError as exc:
        _malformed(body, f"{where}: {exc}")
    if str(parsed) != key:
        _malformed(body, f"{where}: {kind} key {key!r} is not canonical (expected {parsed!s})")
    return key


def _member(body: str, where: str, field: str, value: Any, enum: type[_E]) -> _E:
    if not isinstance(value, str):
        _malformed(body, f"{where}: {field!r} must be text, got {_json_type(value)}")
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(member.value for member in enum)
        _malformed(body, f"{where}: unknown {field} {value!r} (known: {known})")


def _integer(body: str, where: str, field: str, value: Any, maximum: int) -> int:
    # JSON true is not 1 here, and 1.0 is not an integer: a writer sending either is broken.
    if type(value) is not int or not 0 <= value <= maximum:
        _malformed(
            body, f"{where}: {field!r} must be an integer from 0 to {maximum}, got {value!r}"
        )
    return value


def _check_fields(
    body: str, where: str, obj: dict[str, Any], allowed: frozenset[str], required: Set[str]
) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        _malformed(body, f"{where} has unknown field(s) {', '.join(map(repr, unknown))}")
    missing = sorted(required - set(obj))
    if missing:
        _malformed(body, f"{where} lacks field(s) {', '.join(map(repr, missing))}")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two "kind" fields in one object would make readers disagree about the item: refuse.
    result = dict(pairs)
    if len(result) != len(pairs):
        names = [name for name, _ in pairs]
        duplicate = next(name for name in names if names.count(name) > 1)
        raise MalformedMessageError(f"malformed work message: field {duplicate!r} appears twice")
    return result


def _no_constant(name: str) -> NoReturn:
    raise MalformedMessageError(f"malformed work message: {name} is not a JSON number")


_JSON_TYPES = {bool: "boolean", int: "number", float: "number", str: "string", list: "array"}


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), "object" if isinstance(value, dict) else "value")


def _malformed(body: object, problem: str) -> NoReturn:
    excerpt = body[:120] + "..." if isinstance(body, str) and len(body) > 120 else body
    raise MalformedMessageError(f"malformed work message: {problem} (body: {excerpt!r})")
