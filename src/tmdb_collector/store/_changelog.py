"""The change log's entries and the bytes of a piece: JSON lines, zstd-compressed. No I/O."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import zstandard

from tmdb_collector.errors import CorruptDataError
from tmdb_collector.kinds import Kind, RecordKey

__all__ = ["Change", "ChangeEntry", "CorruptChangeLogError", "decode_piece", "encode_piece"]

#: What a write did to a record. Only the first four are logged; the others wrote nothing.
Change = Literal[
    "created", "updated", "revived", "deleted", "unchanged", "stale", "absent", "rejected"
]
_LOGGED = frozenset({"created", "updated", "revived", "deleted"})


class CorruptChangeLogError(CorruptDataError):
    """A change-log piece that cannot be read: not zstd, not JSON lines, or missing a field."""


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """One change of one record, as the change log holds it.

    At-least-once: the same change may be logged twice (a retried batch). It is identified by
    (kind, key, new_hash): a consumer dedupes on that.
    """

    key: RecordKey
    time_ms: int  # when the batch was written (Unix milliseconds)
    change: Change
    old_hash: bytes | None  # the content hash of the version replaced (None: created)
    new_hash: bytes  # the content hash of the version written (a tombstone's for deleted)
    reason: str  # "fetched", "missing from export", "404 on fetch", ...

    @property
    def kind(self) -> Kind:
        """The kind of the record changed."""
        return self.key.kind


def encode_piece(entries: Iterable[ChangeEntry]) -> bytes:
    """A piece's bytes: one JSON object per line, in a zstd frame with its checksum."""
    lines = (json.dumps(_as_json(entry), separators=(",", ":")) + "\n" for entry in entries)
    text = "".join(lines).encode("utf-8")
    return zstandard.ZstdCompressor(write_checksum=True).compress(text)


def decode_piece(data: bytes) -> list[ChangeEntry]:
    """The entries of a piece; CorruptChangeLogError when it is not one."""
    try:
        text = zstandard.ZstdDecompressor().decompress(data).decode("utf-8")
        return [_from_json(json.loads(line)) for line in text.splitlines() if line]
    except (zstandard.ZstdError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise CorruptChangeLogError(f"not a change-log piece: {error!r}") from None


def _as_json(entry: ChangeEntry) -> dict[str, object]:
    return {
        "kind": entry.key.kind.value,
        "key": str(entry.key),
        "time_ms": entry.time_ms,
        "change": entry.change,
        "old_hash": entry.old_hash.hex() if entry.old_hash is not None else None,
        "new_hash": entry.new_hash.hex(),
        "reason": entry.reason,
    }


def _from_json(line: dict[str, object]) -> ChangeEntry:
    change = str(line["change"])
    if change not in _LOGGED:
        raise ValueError(f"unknown change {change!r}")
    old_hash = line["old_hash"]
    return ChangeEntry(
        key=RecordKey.parse(str(line["kind"]), str(line["key"])),
        time_ms=int(str(line["time_ms"])),
        change=change,  # type: ignore[arg-type]  # checked against _LOGGED above
        old_hash=bytes.fromhex(str(old_hash)) if old_hash is not None else None,
        new_hash=bytes.fromhex(str(line["new_hash"])),
        reason=str(line["reason"]),
    )
