"""Where the record layer keeps things in an object store: pure key arithmetic, no I/O.

    records/{kind}/{shard}/{key}.rec                                   the current version
    history/{kind}/{shard}/{key}/{at_ms:013d}-{hash[:16]}.rec          every version written
    changelog/{YYYY-MM-DD}/{HH}/{time_ms:013d}-{writer}-{seq:06d}.jsonl.zst   change-log pieces

``key`` is ``550``, ``1399/1`` (a season) or ``1399/1/1`` (an episode); ``shard`` is the
(series) id modulo 1024, so a season's and an episode's objects sit beside their series'.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tmdb_collector.kinds import RecordKey

__all__ = [
    "CHANGELOG_ROOT",
    "HISTORY_ROOT",
    "RECORDS_ROOT",
    "changelog_piece_key",
    "changelog_piece_time",
    "current_key",
    "history_prefix",
    "history_version_key",
    "history_version_time",
    "record_key_of",
]

RECORDS_ROOT = "records"
HISTORY_ROOT = "history"
CHANGELOG_ROOT = "changelog"
#: Shards spread a kind's ~1M ids over 1024 folders: listings and local directories stay small.
SHARDS = 1024
SUFFIX = ".rec"
PIECE_SUFFIX = ".jsonl.zst"
#: Thirteen digits hold Unix milliseconds until the year 2286, so names sort by time.
_TIME_DIGITS = 13
_VERSION_NAME = re.compile(r"(?P<at>[0-9]{13})-(?P<hash>[0-9a-f]{16})\.rec")
_PIECE_NAME = re.compile(r"(?P<time>[0-9]{13})-[0-9a-f]+-[0-9]+\.jsonl\.zst")


def _record_path(key: RecordKey) -> str:
    return f"{key.kind.value}/{key.id % SHARDS:04d}/{key}"


def record_key_of(object_key: str) -> RecordKey | None:
    """The record whose current object is ``object_key`` (records/KIND/SHARD/KEY.rec); None
    for any other name."""
    parts = object_key.split("/", 3)
    if len(parts) != 4 or parts[0] != RECORDS_ROOT or not parts[3].endswith(SUFFIX):
        return None
    try:
        return RecordKey.parse(parts[1], parts[3].removesuffix(SUFFIX))
    except ValueError:
        return None


def current_key(key: RecordKey) -> str:
    """The object holding the record's current version."""
    return f"{RECORDS_ROOT}/{_record_path(key)}{SUFFIX}"


def history_prefix(key: RecordKey) -> str:
    """The folder of the record's versions (list it: segment-wise, so 550 never finds 5500)."""
    return f"{HISTORY_ROOT}/{_record_path(key)}"


def history_version_key(key: RecordKey, at_ms: int, content_hash: bytes) -> str:
    """One version's object: named by its time, then its hash, so names sort oldest first."""
    return f"{history_prefix(key)}/{at_ms:0{_TIME_DIGITS}d}-{content_hash.hex()[:16]}{SUFFIX}"


def history_version_time(object_key: str) -> int | None:
    """The time in a version's object key; None for an object that is not a version."""
    match = _VERSION_NAME.fullmatch(object_key.rsplit("/", 1)[-1])
    return int(match["at"]) if match else None


def changelog_piece_key(time_ms: int, writer: str, seq: int) -> str:
    """A change-log piece: dated folders (UTC) so a reader can list one day or hour."""
    moment = datetime.fromtimestamp(time_ms / 1000, tz=UTC)
    folder = f"{CHANGELOG_ROOT}/{moment:%Y-%m-%d}/{moment:%H}"
    return f"{folder}/{time_ms:0{_TIME_DIGITS}d}-{writer}-{seq:06d}{PIECE_SUFFIX}"


def changelog_piece_time(object_key: str) -> int | None:
    """The time in a piece's object key; None for an object that is not a piece."""
    match = _PIECE_NAME.fullmatch(object_key.rsplit("/", 1)[-1])
    return int(match["time"]) if match else None
