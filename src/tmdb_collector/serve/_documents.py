"""Stored records as ``serve`` answers from them: each record's details and sub-resource blocks
as JSON bytes, ready to be put together, kept in a cache bounded in bytes.

Turning a stored record into TMDB JSON is the costly part of an answer (a movie with every
sub-resource: ~2 ms of protobuf-to-JSON conversion), and an answer is mostly the same few
pieces put together (the details, then the blocks asked for). So a record's details are
converted once per version, each block the first time an answer asks for it, as JSON bytes,
and an answer is their concatenation. The cache is checked against the record's current
content hash (from the version map, no read) at every request, so a new version is served as
soon as the store's readers see it.
"""

from __future__ import annotations

import json
from collections import OrderedDict

from tmdb_collector.kinds import (
    SUB_RESOURCES,
    JSONObject,
    RecordKey,
    dump_json,
    season_append_number,
)
from tmdb_collector.store import CurrentVersion, RecordStore, StoredRecord

__all__ = ["DocumentCache", "Pieces"]

#: Bytes of pieces kept by default: ~4,000 movies with every sub-resource.
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024


class Pieces:
    """One stored version of a record, as answers are put together from it: its details as
    JSON at once, each block converted to JSON the first time an answer asks for it (a movie's
    ~20 blocks are most of its conversion, and an answer asks for a few)."""

    __slots__ = (
        "_blocks",
        "_stored",
        "base",
        "base_without_id",
        "content_hash",
        "key",
        "present",
        "requested",
        "size",
    )

    def __init__(self, stored: StoredRecord) -> None:
        subs = SUB_RESOURCES[stored.key.kind]
        base = stored.json(lambda name: name not in subs and season_append_number(name) is None)
        self.key = stored.key
        self.content_hash = stored.content_hash
        #: The details without any block, as the members of a JSON object (no braces).
        self.base = _members(base)
        #: The same without ``id``: a season as a series' ``season/N`` carries it.
        self.base_without_id = _members({k: v for k, v in base.items() if k != "id"})
        #: The blocks the stored version holds.
        self.present = frozenset(name for name in stored.json_keys() if name in subs)
        #: The sub-resources asked of TMDB when it was fetched (a block asked for and not
        #: sent is TMDB's answer; one never asked for is not in the mirror).
        self.requested = frozenset(stored.record.request.appends)
        self._stored = stored
        self._blocks: dict[str, bytes] = {}
        # What it may come to hold: its details twice, and its blocks as JSON (about three
        # times their protobuf size).
        self.size = 2 * len(self.base) + 3 * stored.record.ByteSize()

    @classmethod
    def of(cls, stored: StoredRecord) -> Pieces:
        """The pieces of a live stored version."""
        return cls(stored)

    def block_bytes(self, name: str) -> bytes | None:
        """A stored block as JSON; None when the record has none of that name."""
        if name not in self.present:
            return None
        data = self._blocks.get(name)
        if data is None:
            data = dump_json(self._stored.json(lambda key: key == name)[name])
            self._blocks[name] = data
        return data

    def details(self) -> JSONObject:
        """The details without any block, as a JSON object."""
        document: JSONObject = json.loads(b"{" + self.base + b"}")
        return document

    def block(self, name: str) -> JSONObject | None:
        """A stored block, as a JSON object; None when the record has none of that name."""
        data = self.block_bytes(name)
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
