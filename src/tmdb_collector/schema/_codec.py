"""Stored records: a ``tmdb.v1.Record`` envelope around the payload, compressed with zstd.

The content hash covers the payload only (not when or how it was fetched), so fetching an
unchanged record again gives the same hash, and storage can skip the write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import zstandard
from google.protobuf.message import DecodeError, Message

from tmdb_collector.errors import CorruptDataError, InputError
from tmdb_collector.kinds import JSONObject, Kind, RecordKey
from tmdb_collector.schema._convert import (
    ConversionError,
    SchemaDrift,
    json_keys,
    json_to_message,
    message_to_json,
)
from tmdb_collector.schema._dictionaries import DICTIONARY_IDS, dictionary
from tmdb_collector.schema._pb.tmdb.v1 import (
    collection_pb2,
    company_pb2,
    keyword_pb2,
    movie_pb2,
    network_pb2,
    person_pb2,
    record_pb2,
    tv_pb2,
)

__all__ = [
    "PAYLOAD_TYPES",
    "SCHEMA_VERSION",
    "CorruptRecordError",
    "DeletedRecordError",
    "EncodedRecord",
    "RecordCodec",
]

_T = TypeVar("_T")

#: Version of the tmdb.v1 schemas a record was written with (record.proto says when to bump it).
SCHEMA_VERSION = 2

#: The message holding each kind's TMDB JSON; the Record's payload field has the kind's name.
PAYLOAD_TYPES: dict[Kind, type[Message]] = {
    Kind.MOVIE: movie_pb2.Movie,
    Kind.TV: tv_pb2.TvSeries,
    Kind.TV_SEASON: tv_pb2.TvSeason,
    Kind.TV_EPISODE: tv_pb2.TvEpisode,
    Kind.PERSON: person_pb2.Person,
    Kind.COLLECTION: collection_pb2.Collection,
    Kind.COMPANY: company_pb2.Company,
    Kind.NETWORK: network_pb2.Network,
    Kind.KEYWORD: keyword_pb2.Keyword,
}

#: zstd level 6: measured in benchmarks/schema_codec.py as the knee between size and CPU.
DEFAULT_LEVEL = 6

#: A trained dictionary helps a small input — one record, a block of small records — and
#: hurts a large one: a block of 32 movies took 1.03 × the bytes with the movie dictionary as
#: without it, one movie 0.70 ×. Frames of this many bytes or more are compressed without one
#: (measured with benchmarks/segment_size.py; docs/performance.md, "Segments").
DICTIONARY_BELOW = 512 * 1024


class CorruptRecordError(CorruptDataError):
    """Stored bytes that are not a zstd-compressed tmdb.v1.Record."""


class DeletedRecordError(InputError):
    """The record is a tombstone: it has no TMDB JSON. Check
    ``record.WhichOneof("payload") == "tombstone"`` before asking for it."""


@dataclass(frozen=True, slots=True)
class EncodedRecord:
    """A record ready to store."""

    data: bytes  # zstd frame of the serialized Record
    content_hash: bytes  # SHA-256 of the payload's deterministic serialization
    payload_size: int  # bytes of the serialized payload, before compression
    drift: SchemaDrift


class RecordCodec:
    """Converts TMDB JSON to stored bytes and back. Holds zstd contexts: one per worker.

    Records are compressed with their kind's shipped dictionary (``use_dictionaries``); reading
    takes the dictionary the frame names, so records written with any shipped dictionary, or
    none, stay readable.
    """

    def __init__(self, level: int = DEFAULT_LEVEL, *, use_dictionaries: bool = True) -> None:
        self._level = level
        self._use_dictionaries = use_dictionaries
        self._compressors: dict[Kind | None, zstandard.ZstdCompressor] = {}
        self._decompressors: dict[int, zstandard.ZstdDecompressor] = {}

    def _compressor(self, kind: Kind) -> zstandard.ZstdCompressor:
        compressor = self._compressors.get(kind)
        if compressor is None:
            trained = dictionary(DICTIONARY_IDS[kind]) if self._use_dictionaries else None
            # The frame's checksum (4 bytes) makes garbled bytes an error on reading: without
            # it, a flipped bit in a literal decodes to another, valid record.
            compressor = zstandard.ZstdCompressor(
                level=self._level, dict_data=trained, write_checksum=True
            )
            self._compressors[kind] = compressor
        return compressor

    def _decompressor(self, data: bytes) -> zstandard.ZstdDecompressor:
        dict_id = zstandard.get_frame_parameters(data).dict_id
        decompressor = self._decompressors.get(dict_id)
        if decompressor is None:
            trained = dictionary(dict_id) if dict_id else None
            if dict_id and trained is None:
                raise CorruptRecordError(
                    f"the record was compressed with zstd dictionary {dict_id}, which this "
                    "version of tmdb-collector does not ship: upgrade tmdb-collector"
                )
            decompressor = zstandard.ZstdDecompressor(dict_data=trained)
            self._decompressors[dict_id] = decompressor
        return decompressor

    def encode(
        self,
        key: RecordKey,
        document: JSONObject,
        *,
        fetched_at_ms: int,
        path: str,
        appends: Sequence[str] = (),
        compress: bool = True,
    ) -> EncodedRecord:
        """Convert ``document`` (TMDB JSON of the record ``key``) into stored bytes: one zstd
        frame, or with ``compress`` false the serialized Record (for a segment, which
        compresses its records together)."""
        drift = SchemaDrift()
        payload = json_to_message(document, PAYLOAD_TYPES[key.kind], drift)
        payload_bytes = payload.SerializeToString(deterministic=True)
        content_hash = hashlib.sha256(payload_bytes).digest()
        envelope = record_pb2.Record(
            kind=key.kind.value,
            key=_key_message(key),
            fetched_at_ms=fetched_at_ms,
            request=record_pb2.FetchRequest(path=path, appends=list(appends)),
            content_hash=content_hash,
            schema_version=SCHEMA_VERSION,
        ).SerializeToString(deterministic=True)
        # The payload is already serialized (for the hash): append it as the Record's payload
        # field rather than copy it into the message and serialize it a second time. Protobuf
        # readers accept fields in any order.
        number = _PAYLOAD_FIELD_NUMBERS[key.kind]
        data = envelope + _field(number, payload_bytes)
        if compress:
            data = self._compressor(key.kind).compress(data)
        return EncodedRecord(data, content_hash, len(payload_bytes), drift)

    def encode_tombstone(
        self,
        key: RecordKey,
        *,
        deleted_at_ms: int,
        reason: str,
        last_content_hash: bytes,
        compress: bool = True,
    ) -> EncodedRecord:
        """Stored bytes saying that the record ``key`` was deleted at ``deleted_at_ms``.

        Its ``fetched_at_ms`` is ``deleted_at_ms``, so it orders among the record's versions like
        any other; its content hash covers the Tombstone, so each deletion is a distinct version.
        """
        tombstone = record_pb2.Tombstone(
            deleted_at_ms=deleted_at_ms, reason=reason, last_content_hash=last_content_hash
        )
        payload_bytes = tombstone.SerializeToString(deterministic=True)
        content_hash = hashlib.sha256(payload_bytes).digest()
        record = record_pb2.Record(
            kind=key.kind.value,
            key=_key_message(key),
            fetched_at_ms=deleted_at_ms,
            content_hash=content_hash,
            schema_version=SCHEMA_VERSION,
            tombstone=tombstone,
        )
        data = record.SerializeToString(deterministic=True)
        if compress:
            data = self._compressor(key.kind).compress(data)
        return EncodedRecord(data, content_hash, len(payload_bytes), SchemaDrift())

    def decode(self, data: bytes) -> record_pb2.Record:
        """The Record stored as ``data``; CorruptRecordError when it is not one."""
        record = self._parse(self._decompress(data))
        if record.WhichOneof("payload") is None:
            raise CorruptRecordError("the stored record has no payload")
        return record

    def decode_envelope(self, data: bytes) -> record_pb2.Record:
        """The Record stored as ``data`` without its TMDB payload (a tombstone is kept).

        For deciding about a write (kind, content hash, fetch time, deleted or not) without
        building the messages of a whole TMDB record: the payload field is skipped unparsed.
        """
        return self.envelope_of_raw(self._decompress(data))

    def compress(self, kind: Kind, raw: bytes) -> bytes:
        """One zstd frame of ``raw`` (serialized Records of ``kind``, one or several), with a
        checksum, and with the kind's dictionary when ``raw`` is smaller than
        ``DICTIONARY_BELOW``."""
        compressor = self._compressor(kind) if len(raw) < DICTIONARY_BELOW else self._plain()
        data: bytes = compressor.compress(raw)
        return data

    def _plain(self) -> zstandard.ZstdCompressor:
        compressor = self._compressors.get(None)
        if compressor is None:
            compressor = zstandard.ZstdCompressor(level=self._level, write_checksum=True)
            self._compressors[None] = compressor
        return compressor

    def decompress(self, data: bytes) -> bytes:
        """What ``compress`` (or ``encode``) compressed; CorruptRecordError when it is not a
        frame this version can read."""
        try:
            return self._decompress(data)
        except zstandard.ZstdError as error:  # a header garbled before the frame's parameters
            raise CorruptRecordError(f"not a stored tmdb-collector record: {error}") from None

    def reader(self, data: bytes) -> zstandard.ZstdDecompressionReader:
        """A reader of what ``compress`` compressed, decompressing only as far as it is read
        (the frame's checksum is checked only if it is read to the end)."""
        try:
            return self._decompressor(data).stream_reader(data, read_across_frames=False)
        except zstandard.ZstdError as error:
            raise CorruptRecordError(f"not a stored tmdb-collector record: {error}") from None

    @staticmethod
    def intact(raw: bytes) -> bool:
        """Whether a serialized Record's payload (a TMDB record or a tombstone) hashes to its
        content hash: how a record taken from part of a frame is checked, where the frame's
        checksum covers the whole frame."""
        content_hash = payload = None
        position = 0
        try:
            while position < len(raw):
                tag, position = _read_varint(raw, position)
                start = position
                position = _skip_value(raw, position, tag & 7)
                number = tag >> 3
                if number in (_CONTENT_HASH, _TOMBSTONE_NUMBER) or number in _TMDB_PAYLOAD_NUMBERS:
                    start = _read_varint(raw, start)[1]
                    value = raw[start:position]
                    if number == _CONTENT_HASH:
                        content_hash = value
                    else:
                        payload = value
        except (IndexError, CorruptRecordError):
            return False
        return (
            content_hash is not None
            and payload is not None
            and hashlib.sha256(payload).digest() == content_hash
        )

    def decode_raw(self, raw: bytes) -> record_pb2.Record:
        """The Record serialized as ``raw`` (uncompressed)."""
        record = self._parse(raw)
        if record.WhichOneof("payload") is None:
            raise CorruptRecordError("the stored record has no payload")
        return record

    def envelope_of_raw(self, raw: bytes) -> record_pb2.Record:
        """``decode_envelope`` of an uncompressed serialized Record."""
        try:
            envelope, payload = _without_tmdb_payload(raw)
        except IndexError:
            raise CorruptRecordError("not a stored tmdb-collector record: truncated") from None
        record = self._parse(envelope)
        if payload is None and record.WhichOneof("payload") is None:
            raise CorruptRecordError("the stored record has no payload")
        return record

    def _decompress(self, data: bytes) -> bytes:
        try:
            raw: bytes = self._decompressor(data).decompress(data)
        except zstandard.ZstdError as error:
            raise CorruptRecordError(f"not a stored tmdb-collector record: {error}") from None
        return raw

    def _parse(self, raw: bytes) -> record_pb2.Record:
        try:
            record = record_pb2.Record.FromString(raw)
        except DecodeError as error:
            raise CorruptRecordError(f"not a stored tmdb-collector record: {error}") from None
        if record.schema_version > SCHEMA_VERSION:
            # Its fields this version lacks would be dropped from the JSON without a word.
            raise CorruptRecordError(
                f"the record was written with schema version {record.schema_version}, newer "
                f"than this tmdb-collector's {SCHEMA_VERSION}: upgrade tmdb-collector"
            )
        return record

    def to_json(
        self, record: record_pb2.Record, keep: Callable[[str], bool] | None = None
    ) -> JSONObject:
        """The TMDB JSON of a decoded record's payload; ``keep``: only the top-level keys it
        accepts (``message_to_json``)."""
        return self._convert(record, lambda payload: message_to_json(payload, keep))

    def json_keys(self, record: record_pb2.Record) -> list[str]:
        """The top-level keys of ``to_json(record)``, without converting their values."""
        return self._convert(record, json_keys)

    def _convert(self, record: record_pb2.Record, convert: Callable[[Message], _T]) -> _T:
        kind = record.WhichOneof("payload")
        if kind is None:
            raise CorruptRecordError("the stored record has no payload")
        if kind == _TOMBSTONE:
            key = key_text(record.key)
            raise DeletedRecordError(
                f"{record.kind} {key} was deleted at {record.tombstone.deleted_at_ms} "
                f"({record.tombstone.reason}): a tombstone has no TMDB JSON"
            )
        try:
            return convert(getattr(record, kind))
        except ConversionError as error:
            raise CorruptRecordError(str(error)) from None


_LENGTH_DELIMITED = 2
_PAYLOAD_FIELD_NUMBERS = {
    kind: record_pb2.Record.DESCRIPTOR.fields_by_name[kind.value].number for kind in PAYLOAD_TYPES
}


_TOMBSTONE = "tombstone"
_TOMBSTONE_NUMBER = record_pb2.Record.DESCRIPTOR.fields_by_name[_TOMBSTONE].number
_CONTENT_HASH = record_pb2.Record.DESCRIPTOR.fields_by_name["content_hash"].number
_TMDB_PAYLOAD_NUMBERS = frozenset(_PAYLOAD_FIELD_NUMBERS.values())
_VARINT, _FIXED64, _FIXED32 = 0, 1, 5


def _field(number: int, value: bytes) -> bytes:
    return _varint(number << 3 | _LENGTH_DELIMITED) + _varint(len(value)) + value


def _without_tmdb_payload(raw: bytes) -> tuple[bytes, int | None]:
    """The top-level fields of a serialized Record except a TMDB payload, and that payload's
    field number (None without one). IndexError when the bytes end inside a field."""
    kept = bytearray()
    payload = None
    position = 0
    while position < len(raw):
        start = position
        tag, position = _read_varint(raw, position)
        position = _skip_value(raw, position, tag & 7)
        if tag >> 3 in _TMDB_PAYLOAD_NUMBERS:
            payload = tag >> 3
        else:
            kept += raw[start:position]
    return bytes(kept), payload


def _skip_value(raw: bytes, position: int, wire_type: int) -> int:
    if wire_type == _VARINT:
        return _read_varint(raw, position)[1]
    if wire_type == _LENGTH_DELIMITED:
        length, position = _read_varint(raw, position)
        end = position + length
    elif wire_type in (_FIXED64, _FIXED32):
        end = position + (8 if wire_type == _FIXED64 else 4)
    else:
        raise CorruptRecordError(f"not a stored tmdb-collector record: wire type {wire_type}")
    if end > len(raw):
        raise IndexError(end)
    return end


def _read_varint(raw: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = raw[position]  # IndexError past the end: the caller reports a truncated record
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7


def key_text(key: record_pb2.RecordKey) -> str:
    """A stored key as the CLI names it: ``550``, ``1399/1`` or ``1399/1/1``."""
    numbers = [key.id]
    if key.HasField("season_number"):
        numbers.append(key.season_number)
    if key.HasField("episode_number"):
        numbers.append(key.episode_number)
    return "/".join(str(n) for n in numbers)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key_message(key: RecordKey) -> record_pb2.RecordKey:
    message = record_pb2.RecordKey(id=key.id)
    if key.season is not None:
        message.season_number = key.season
    if key.episode is not None:
        message.episode_number = key.episode
    return message
