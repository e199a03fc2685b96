"""Compact id collections for planning at TMDB's scale: millions of ids in tens of megabytes."""

from __future__ import annotations

from array import array
from collections.abc import Iterator

# pyarrow ships no type information (no py.typed): its objects are Any to mypy.
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from tmdb_collector.tmdb._seen import SeenIds

__all__ = ["IdList", "SeenIds", "ids_by_score", "int64_array"]

#: Ids converted to Python ints at a time when walking an Arrow array.
_SLICE = 65_536


class IdList:
    """An append-only list of ids (8 bytes each) that can also answer ``in`` through a bitmap."""

    __slots__ = ("_ids", "_seen")

    def __init__(self) -> None:
        self._ids = array("q")
        self._seen = SeenIds()

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, id_: object) -> bool:
        return id_ in self._seen

    def add(self, id_: int) -> bool:
        """Append ``id_`` unless it is there already; True when appended."""
        if self._seen.add(id_):
            self._ids.append(id_)
            return True
        return False

    def arrow(self) -> pa.Array:
        return int64_array(self._ids)


def int64_array(values: array[int]) -> pa.Array:
    """An Arrow integer array over an ``array('q')``'s (int64) or ``array('i')``'s (int32)
    memory, without copying it."""
    kind = {"q": pa.int64(), "i": pa.int32()}[values.typecode]
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


def ids_by_score(ids: array[int], scores: array[float]) -> pa.Array:
    """The ids by descending score (e.g. popularity: most popular first), ties in their given
    order; ``ids`` an ``array('q')`` or ``array('i')``, ``scores`` an ``array('f')``. Sorting
    the scores alone keeps a 4 M-id kind's sort within ~100 MB."""
    if not ids:
        return pa.array([], type=pa.int64())
    score_array = pa.Array.from_buffers(pa.float32(), len(scores), [None, pa.py_buffer(scores)])
    order = pc.sort_indices(score_array, sort_keys=[("", "descending")])
    del score_array
    return pc.take(int64_array(ids), order)


def iter_ids(values: pa.Array | pa.ChunkedArray) -> Iterator[int]:
    """The ids of an Arrow integer array as Python ints, a slice at a time."""
    for start in range(0, len(values), _SLICE):
        yield from values.slice(start, _SLICE).to_pylist()
