"""The zstd dictionaries stored records are compressed with, one per kind, by dictionary id.

A stored record names its dictionary in its zstd frame header (0: none), so reading never needs
to guess. Ids are permanent: a dictionary once shipped stays here, and retraining adds new ids
(the next DICTIONARY_VERSION) instead of changing the content behind an old one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import zstandard

from tmdb_collector.kinds import Kind

__all__ = ["DICTIONARY_IDS", "DICTIONARY_VERSION", "dictionary", "dictionary_path"]

DICTIONARY_VERSION = 1
_FOLDER = Path(__file__).resolve().parent / "dictionaries"

#: The dictionary each kind is written with now: 1000 × version + the kind's position.
DICTIONARY_IDS: dict[Kind, int] = {
    kind: 1000 * DICTIONARY_VERSION + position for position, kind in enumerate(Kind, start=1)
}
#: Every dictionary that was ever shipped, readable forever: id → file name.
_SHIPPED: dict[int, str] = {
    dict_id: f"{kind.value}.v{DICTIONARY_VERSION}.zstd-dict"
    for kind, dict_id in DICTIONARY_IDS.items()
}


def dictionary_path(kind: Kind) -> Path:
    return _FOLDER / _SHIPPED[DICTIONARY_IDS[kind]]


@cache  # immutable files of the package: load each once per process
def dictionary(dict_id: int) -> zstandard.ZstdCompressionDict | None:
    """The shipped dictionary with this id; None if there is none (never shipped, or missing)."""
    name = _SHIPPED.get(dict_id)
    if name is None or not (_FOLDER / name).is_file():
        return None
    return zstandard.ZstdCompressionDict((_FOLDER / name).read_bytes())
