"""Segments: many record versions in one immutable object (issue 20; docs/storage.md,
"Segments").

A segment holds the versions one batch wrote, all of one kind, compressed together in blocks,
so that a first mirror writes one object per batch instead of one per record, and the records
compress against each other (measured on a synthetic catalog of every kind: blocks of 32
records take 0.52 × the bytes of each record's JSON gzipped, where one frame per record takes
0.67 ×; benchmarks/segment_size.py, docs/performance.md).

    segment   := MAGIC block* directory trailer
    block     := u32 frame length | zstd frame       (the kind's dictionary, with a checksum)
    frame     := (varint length | serialized tmdb.v1.Record)*   once decompressed
    directory := zstd frame of one JSON object: the kind, and each block's offset, length and
                 number of records
    trailer   := u64 directory offset | u32 directory length | TRAILER_MAGIC   (little-endian)

Each block is its own frame, so reading one version is one ranged read of its block (the index
says where: ``SegmentEntry``) and one decompression. Every record in a block is a whole
``tmdb.v1.Record`` — kind, key, fetched time, content hash — so a segment describes itself and
the index can be rebuilt from segments alone (``scan_segment``); the directory only lists the
blocks (per-version names there cost ~100 bytes a record, more than a keyword record itself).
With the directory lost or damaged, the blocks are walked by their lengths; a damaged block
loses only its own records, which the index names.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

import zstandard

from tmdb_collector.errors import CorruptDataError
from tmdb_collector.kinds import Kind
from tmdb_collector.schema import CorruptRecordError, RecordCodec
from tmdb_collector.schema._codec import key_text

__all__ = [
    "MAGIC",
    "CorruptSegmentError",
    "SegmentBlock",
    "SegmentEntry",
    "SegmentScan",
    "block_records",
    "build_segment",
    "read_directory",
    "record_in_block",
    "scan_segment",
]

MAGIC = b"TMDBSEG\x01"
TRAILER_MAGIC = b"SEG1"
_TRAILER = struct.Struct("<QI4s")
_LENGTH = struct.Struct("<I")
#: A block closes at this many records or this many uncompressed bytes, whichever comes first.
#: Measured (docs/performance.md, "Segments"), with the dictionary only below
#: ``DICTIONARY_BELOW``: 32 records in 1 MiB take 0.50 × the gzipped JSON, 32 in 2 MiB 0.48 ×,
#: 48 in 2 MiB 0.47 ×. A point read decompresses its block up to its record (on average half
#: of it), so the record count bounds its cost: 48 records, and 2 MiB so that large series
#: still fill a block.
BLOCK_RECORDS = 48
BLOCK_BYTES = 2 * 1024 * 1024
#: A point read decompresses its block in steps of this many bytes, up to its record.
_READ_CHUNK = 64 * 1024
_DIRECTORY_VERSION = 1


class CorruptSegmentError(CorruptDataError):
    """Bytes that are not a segment, or a segment damaged where it is read."""


@dataclass(frozen=True, slots=True)
class SegmentEntry:
    """Where one record version lives in its segment, and what the index needs of it."""

    kind: Kind
    key: str  # "550", "1399/1", "1399/1/1"
    fetched_at_ms: int
    content_hash: bytes
    deleted: bool
    offset: int  # the block's frame: its first byte in the segment
    length: int  # the frame's length
    ordinal: int  # the record's place in the block, from 0
    #: The record's share of its block's bytes (by its size before compression): what it costs
    #: to store, as the index's ``stored_bytes`` reports it.
    stored_bytes: int = 0


@dataclass
class SegmentScan:
    """What a sequential read of a segment found: every readable version with its bytes, and
    what could not be read (each damaged block: where it is; the index names the versions it
    held)."""

    records: list[tuple[SegmentEntry, bytes]] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    directory_ok: bool = True


def build_segment(
    kind: Kind,
    records: Sequence[bytes],
    codec: RecordCodec,
    *,
    block_records: int = BLOCK_RECORDS,
    block_bytes: int = BLOCK_BYTES,
) -> tuple[bytes, list[SegmentEntry]]:
    """A segment of ``records`` (serialized ``tmdb.v1.Record``s of ``kind``, in the order
    given), and where each one is in it. CorruptRecordError if one is not a Record of
    ``kind``."""
    if block_records < 1 or block_bytes < 1:
        raise ValueError("a block holds at least one record")
    out = bytearray(MAGIC)
    entries: list[SegmentEntry] = []
    pending: list[tuple[bytes, dict[str, object]]] = []

    def close_block() -> None:
        if not pending:
            return
        frame = codec.compress(kind, b"".join(_varint(len(raw)) + raw for raw, _ in pending))
        raw_total = sum(len(raw) for raw, _ in pending) or 1
        offset = len(out) + _LENGTH.size
        out.extend(_LENGTH.pack(len(frame)))
        out.extend(frame)
        for ordinal, (raw, facts) in enumerate(pending):
            entries.append(
                SegmentEntry(
                    kind=kind,
                    key=str(facts["key"]),
                    fetched_at_ms=int(str(facts["fetched_at_ms"])),
                    content_hash=bytes.fromhex(str(facts["hash"])),
                    deleted=bool(facts["deleted"]),
                    offset=offset,
                    length=len(frame),
                    ordinal=ordinal,
                    stored_bytes=max(1, round(len(frame) * len(raw) / raw_total)),
                )
            )
        pending.clear()

    size = 0
    for raw in records:
        facts = _facts(codec, raw)
        if facts["kind"] != kind.value:
            raise CorruptRecordError(f"a {facts['kind']} record in a segment of {kind.value}")
        if pending and (len(pending) >= block_records or size + len(raw) > block_bytes):
            close_block()
            size = 0
        pending.append((raw, facts))
        size += len(raw)
    close_block()
    directory = zstandard.ZstdCompressor(level=6, write_checksum=True).compress(
        json.dumps(_directory(kind, entries), separators=(",", ":")).encode()
    )
    directory_offset = len(out)
    out.extend(directory)
    out.extend(_TRAILER.pack(directory_offset, len(directory), TRAILER_MAGIC))
    return bytes(out), entries


def block_records(frame: bytes, codec: RecordCodec) -> list[bytes]:
    """The serialized Records of one block's frame (the bytes a ranged read of
    ``entry.offset``, ``entry.length`` returns). CorruptSegmentError when it is damaged."""
    try:
        raw = codec.decompress(frame)
    except CorruptRecordError as error:
        raise CorruptSegmentError(f"a damaged block: {error}") from None
    records: list[bytes] = []
    position = 0
    try:
        while position < len(raw):
            length, position = _read_varint(raw, position)
            if position + length > len(raw):
                raise IndexError(position + length)
            records.append(raw[position : position + length])
            position += length
    except IndexError:
        raise CorruptSegmentError("a damaged block: a record runs past its end") from None
    return records


def record_in_block(frame: bytes, ordinal: int, codec: RecordCodec) -> bytes:
    """The serialized Record at ``ordinal`` in one block's frame.

    The block is decompressed only up to the record (on average half of it, for a point read),
    and the record is checked against its own content hash, since the frame's checksum is not
    reached; when that fails, the whole block is decompressed and its checksum decides."""
    try:
        raw = _record_in_prefix(codec.reader(frame), ordinal)
    except (zstandard.ZstdError, CorruptRecordError, IndexError):
        raw = None
    if raw is not None and codec.intact(raw):
        return raw
    records = block_records(frame, codec)
    if not 0 <= ordinal < len(records):
        raise CorruptSegmentError(f"the block holds {len(records)} records, not #{ordinal + 1}")
    return records[ordinal]


def _record_in_prefix(reader: zstandard.ZstdDecompressionReader, ordinal: int) -> bytes | None:
    """The record at ``ordinal``, decompressing no further than its end; None when the block
    ends before it."""
    buffer = bytearray()
    position = 0
    for _ in range(ordinal + 1):
        while True:
            try:
                length, start = _read_varint(buffer, position)
            except IndexError:
                start, length = len(buffer) + 1, 0  # the length itself is not all read yet
            if start + length <= len(buffer):
                break
            chunk = reader.read(max(_READ_CHUNK, start + length - len(buffer)))
            if not chunk:
                return None
            buffer += chunk
        position = start + length
    return bytes(buffer[start:position])


@dataclass(frozen=True, slots=True)
class SegmentBlock:
    """One block of a segment, as its directory lists it."""

    offset: int  # the frame's first byte
    length: int
    records: int


def read_directory(data: bytes) -> tuple[Kind, list[SegmentBlock]]:
    """The segment's kind and blocks. CorruptSegmentError when ``data`` is not a segment or its
    directory is damaged (``scan_segment`` still reads its blocks)."""
    if not data.startswith(MAGIC):
        raise CorruptSegmentError("not a tmdb-collector segment (no magic number)")
    if len(data) < len(MAGIC) + _TRAILER.size:
        raise CorruptSegmentError("a truncated segment (no trailer)")
    offset, length, magic = _TRAILER.unpack_from(data, len(data) - _TRAILER.size)
    if magic != TRAILER_MAGIC or offset + length != len(data) - _TRAILER.size:
        raise CorruptSegmentError("a truncated or damaged segment (its trailer is not there)")
    try:
        directory = json.loads(zstandard.ZstdDecompressor().decompress(data[offset:-16]))
        if directory.get("version") != _DIRECTORY_VERSION:
            raise CorruptSegmentError(
                f"a segment of directory version {directory.get('version')}, not "
                f"{_DIRECTORY_VERSION}: upgrade tmdb-collector"
            )
        blocks = [SegmentBlock(int(o), int(n), int(r)) for o, n, r in directory["blocks"]]
        return Kind(directory["kind"]), blocks
    except (zstandard.ZstdError, ValueError, KeyError, TypeError) as error:
        raise CorruptSegmentError(f"a damaged segment directory: {error}") from None


def scan_segment(data: bytes, codec: RecordCodec) -> SegmentScan:
    """Every readable version of a segment, in order, read sequentially (an export, a rebuild
    of the index). Damage is reported in the scan, never raised: a block that does not
    decompress loses its own records only; without a directory the blocks are walked by their
    lengths and each version is named from its record."""
    scan = SegmentScan()
    if not data.startswith(MAGIC):
        scan.damaged.append("not a tmdb-collector segment (no magic number)")
        scan.directory_ok = False
        return scan
    end = _blocks_end(data)
    try:
        read_directory(data)
    except CorruptSegmentError as error:
        scan.directory_ok = False
        scan.damaged.append(f"its directory: {error}")
    position = len(MAGIC)
    while position + _LENGTH.size <= end:
        (length,) = _LENGTH.unpack_from(data, position)
        offset = position + _LENGTH.size
        if offset + length > end:
            scan.damaged.append(f"bytes {position}–{end}: a block runs past the segment's end")
            break
        frame = data[offset : offset + length]
        try:
            records = block_records(frame, codec)
        except CorruptSegmentError as error:
            scan.damaged.append(f"the block at byte {offset} ({length} bytes): {error}")
        else:
            raw_total = sum(len(raw) for raw in records) or 1
            for ordinal, raw in enumerate(records):
                try:
                    facts = _facts(codec, raw)
                except CorruptRecordError as error:
                    scan.damaged.append(f"record {ordinal + 1} of the block at {offset}: {error}")
                    continue
                entry = SegmentEntry(
                    kind=Kind(str(facts["kind"])),
                    key=str(facts["key"]),
                    fetched_at_ms=int(str(facts["fetched_at_ms"])),
                    content_hash=bytes.fromhex(str(facts["hash"])),
                    deleted=bool(facts["deleted"]),
                    offset=offset,
                    length=length,
                    ordinal=ordinal,
                    stored_bytes=max(1, round(length * len(raw) / raw_total)),
                )
                scan.records.append((entry, raw))
        position = offset + length
    return scan


def _blocks_end(data: bytes) -> int:
    """Where the blocks end: at the directory, when the trailer can say where it is."""
    if len(data) >= len(MAGIC) + _TRAILER.size:
        offset, _, magic = _TRAILER.unpack_from(data, len(data) - _TRAILER.size)
        if magic == TRAILER_MAGIC and len(MAGIC) <= offset <= len(data) - _TRAILER.size:
            return int(offset)
    return len(data)


def _facts(codec: RecordCodec, raw: bytes) -> dict[str, object]:
    envelope = codec.envelope_of_raw(raw)
    return {
        "kind": envelope.kind,
        "key": key_text(envelope.key),
        "fetched_at_ms": envelope.fetched_at_ms,
        "hash": envelope.content_hash.hex(),
        "deleted": envelope.WhichOneof("payload") == "tombstone",
    }


def _directory(kind: Kind, entries: list[SegmentEntry]) -> dict[str, object]:
    blocks: dict[int, list[int]] = {}
    for entry in entries:
        blocks.setdefault(entry.offset, [entry.offset, entry.length, 0])[2] += 1
    return {"version": _DIRECTORY_VERSION, "kind": kind.value, "blocks": list(blocks.values())}


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_varint(raw: bytes | bytearray, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = raw[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7
        if shift > 63:
            raise IndexError(position)
