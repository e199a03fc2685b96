"""Stored records as ``serve`` answers from them: each record's details and sub-resource blocks
as JSON bytes, ready to be put together, kept in a cache bounded in bytes.

Turning a stored record into TMDB JSON is the costly part of an answer (a movie with every
sub-resource: ~2 ms of protobuf-to-JSON conversion), and an answer is mostly the same few
pieces put together (the details, then the blocks asked for). So a record is converted once
per version into pieces — its details without any block, and each block — as JSON bytes, and
an answer is their concatenation. The cache is checked against the record's current content
hash (from the version map, no read) at every request, so a new version is served as soon as
the store's readers see it.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field

from tmdb_collector.kinds import SUB_RESOURCES, JSONObject, RecordKey, season_append_number
from tmdb_collector.store import CurrentVersion, RecordStore, StoredRecord
from tmdb_collector.tmdbapi import dump_json

__all__ = ["DocumentCache", "Pieces"]

#: Bytes of pieces kept by default: ~4,000 movies with every sub-resource.
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Pieces:
    """One stored version of a record, as answers are put together from it."""

    key: RecordKey
    content_hash: bytes
    #: The details without any block, as the members of a JSON object (no braces).
    base: bytes
    #: The same without ``id``: a season as a series' ``season/N`` carries it.
    base_without_id: bytes
    #: Each stored sub-resource block, as JSON.
    blocks: dict[str, bytes]
    #: The sub-resources asked of TMDB when it was fetched (a block asked for and not sent is
    #: TMDB's answer; one never asked for is not in the mirror).
    requested: frozenset[str]
    size: int = field(init=False)

    def __post_init__(self) -> None:
        size = len(self.base) + len(self.base_without_id) + sum(map(len, self.blocks.values()))
        object.__setattr__(self, "size", size)

    @classmethod
    def of(cls, stored: StoredRecord) -> Pieces:
        """The pieces of a live stored version."""
        document = stored.json()
        subs = SUB_RESOURCES[stored.key.kind]
        base: JSONObject = {}
        blocks: dict[str, bytes] = {}
        for name, value in document.items():
            if name in subs:
                blocks[name] = dump_json(value)
            elif season_append_number(name) is None:
                base[name] = value
        without_id = {name: value for name, value in base.items() if name != "id"}
        requested = frozenset(stored.record.request.appends)
        return cls(
            stored.key,
            stored.content_hash,
            _members(base),
            _members(without_id),
            blocks,
            requested,
        )

    def details(self) -> JSONObject:
        """The details without any block, as a JSON object."""
        document: JSONObject = json.loads(b"{" + self.base + b"}")
        return document

    def block(self, name: str) -> JSONObject | None:
        """A stored block, as a JSON object; None when the record has none of that name."""
        data = self.blocks.get(name)
        if data is None:
            return None
        block: JSONObject = json.loads(data)
        return block


def _members(document: JSONObject) -> bytes:
    return dump_json(document)[1:-1]


class DocumentCache:
    """Each record's pieces for its current version, read from ``records`` when the version
    changed or was never read, least recently used dropped beyond ``max_bytes``. Used from one
    event loop."""

    def __init__(self, records: RecordStore, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.records = records
        self._max_bytes = max_bytes
        self._pieces: OrderedDict[RecordKey, Pieces] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0

    async def current(self, key: RecordKey) -> CurrentVersion | None:
        """The record's current version (None: never stored)."""
        return await self.records.current_version(key)

    async def pieces(self, key: RecordKey, current: CurrentVersion) -> Pieces | None:
        """The pieces of ``current`` (a live version of ``key``); None when the record has
        gone or became a tombstone since ``current`` was read."""
        cached = self._pieces.get(key)
        if cached is not None and cached.content_hash == current.content_hash:
            self._pieces.move_to_end(key)
            self.hits += 1
            return cached
        self.misses += 1
        stored = await self.records.read(key)
        if stored is None or stored.deleted:
            return None
        pieces = Pieces.of(stored)
        self._keep(pieces)
        return pieces

    def _keep(self, pieces: Pieces) -> None:
        old = self._pieces.pop(pieces.key, None)
        if old is not None:
            self._bytes -= old.size
        if pieces.size > self._max_bytes:
            return
        self._pieces[pieces.key] = pieces
        self._bytes += pieces.size
        while self._bytes > self._max_bytes:
            _, dropped = self._pieces.popitem(last=False)
            self._bytes -= dropped.size
