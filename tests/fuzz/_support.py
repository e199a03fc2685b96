"""What the fuzz tests share: strategies for JSON as Python's ``json`` module hands it over,
hostile parts included; the checks the round-trip properties need (exact equality, lone
surrogates, nesting depth, stack room); and ``outcome``, for "a result or a documented error"."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar, cast

from hypothesis import strategies as st

T = TypeVar("T")
E = TypeVar("E", bound=Exception)

#: Integers at the edges of what a double, an int64 and a uint64 hold exactly.
EDGE_INTEGERS = [
    0,
    -1,
    2**31,
    2**53,
    2**53 + 1,
    -(2**53) - 1,
    2**63 - 1,
    2**63,
    -(2**63),
    -(2**63) - 1,
    2**64,
    10**30,
    -(10**30),
]

#: Text TMDB sends, and text it could: empty, NUL, combining marks, emoji, right-to-left.
texts = st.text(max_size=12) | st.sampled_from(["", "a\x00b", "Jürgen — 日本語 ✓", "🎬", "עברית"])
#: Strings holding a lone surrogate: json.loads("\"\\ud800\"") gives one, UTF-8 cannot hold it.
surrogate_texts = st.builds(
    lambda before, surrogate, after: before + surrogate + after,
    st.text(max_size=3),
    st.characters(categories=["Cs"]),
    st.text(max_size=3),
)
integers = st.integers() | st.sampled_from(EDGE_INTEGERS)
# JSON itself has no NaN or infinity, but Python's json reads NaN and Infinity.
floats = st.floats() | st.sampled_from([-0.0, 5e-324, 1e308, math.nan, math.inf])
scalars = st.none() | st.booleans() | integers | floats | texts
#: Any JSON value, nested a few levels (surrogates are a mutation of their own: a document
#: holding one is refused whole, so they would hide everything else if they were common).
values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


def nested(value: Any, depth: int, *, objects: bool) -> Any:
    """``value`` inside ``depth`` lists, or objects of one key."""
    for _ in range(depth):
        value = {"a": value} if objects else [value]
    return value


def same_json(original: Any, back: Any) -> bool:
    """JSON equality that ``==`` is too lenient for (``True == 1``, ``-0.0 == 0.0``, NaN), key
    order aside. The one allowed difference, documented in docs/schema.md: a whole number held
    by a double field comes back as a float of the same value (``8`` → ``8.0``)."""
    stack = [(original, back)]
    while stack:  # a loop, not recursion: documents may nest hundreds of levels deep
        left, right = stack.pop()
        inside = _pairs_inside_if_alike(left, right)
        if inside is None:
            return False
        stack.extend(inside)
    return True


def _pairs_inside_if_alike(left: Any, right: Any) -> list[tuple[Any, Any]] | None:
    """The pairs of values inside two alike values, to compare next; None if they differ."""
    if type(left) is int and type(right) is float:
        return [] if float(left) == right else None
    if type(left) is not type(right):
        return None
    if type(left) is dict:
        alike = left.keys() == right.keys()
        return [(value, right[key]) for key, value in left.items()] if alike else None
    if type(left) is list:
        return list(zip(left, right, strict=True)) if len(left) == len(right) else None
    same = _same_float(left, right) if type(left) is float else left == right
    return [] if same else None


def _same_float(left: float, right: float) -> bool:
    if math.isnan(left):
        return math.isnan(right)
    return left == right and math.copysign(1, left) == math.copysign(1, right)


def _walk(value: Any) -> list[tuple[int, Any]]:
    """Every (depth, value) inside ``value``, the keys of objects included, without recursion."""
    found: list[tuple[int, Any]] = []
    stack = [(0, value)]
    while stack:
        depth, item = stack.pop()
        found.append((depth, item))
        if type(item) is dict:
            stack.extend((depth + 1, key) for key in item)
            stack.extend((depth + 1, child) for child in item.values())
        elif type(item) is list:
            stack.extend((depth + 1, child) for child in item)
    return found


def has_lone_surrogate(value: Any) -> bool:
    """Whether a string anywhere in ``value``, a key or a value, holds a lone surrogate."""
    return any(type(item) is str and _has_surrogate(item) for _, item in _walk(value))


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def nesting(value: Any) -> int:
    """How many lists and objects deep ``value`` nests (a scalar: 0, ``[]``: 1)."""
    return max(depth + (type(item) in (dict, list)) for depth, item in _walk(value))


#: Python's default recursion limit, which the product's callers run under. A hypothesis test
#: does not: hypothesis raises the limit while it runs, which would hide RecursionErrors.
DEFAULT_RECURSION_LIMIT = 1000


def at_depth(frames: int, call: Callable[[], T]) -> T:
    """``call()`` with the stack room left to a caller ``frames`` frames deep under Python's
    default recursion limit (a CLI command, a Lambda handler, a worker thread)."""
    here, frame = 0, cast(FrameType | None, sys._getframe())
    while frame is not None:
        here, frame = here + 1, frame.f_back
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(here + DEFAULT_RECURSION_LIMIT - frames)
    try:
        return call()
    finally:
        sys.setrecursionlimit(previous)


def outcome(call: Callable[[], T], *errors: type[E]) -> T | E:
    """``call()``'s result, or the exception of one of ``errors`` it raised; any other
    exception propagates (and fails the test): a property's "a result or a documented error"."""
    try:
        return call()
    except errors as error:
        return error
