"""Stored records: a ``tmdb.v1.Record`` envelope around the payload, compressed with zstd.

The content hash covers the payload only (not when or how it was fetched), so fetching an
unchanged record again gives the same hash, and storage can skip the write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import zstandard
from google.protobuf.message import DecodeError, Message

from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.schema._convert import (
    ConversionError,
    JSONObject,
    SchemaDrift,
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
    "EncodedRecord",
    "RecordCodec",
]

#: Version of the tmdb.v1 schemas a record was written with (record.proto says when to bump it).
SCHEMA_VERSION = 1

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


class CorruptRecordError(ValueError):
    """Stored bytes that are not a zstd-compressed tmdb.v1.Record."""


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
        self._compressors: dict[Kind, zstandard.ZstdCompressor] = {}
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
    ) -> EncodedRecord:
        """Convert ``document`` (TMDB JSON of the record ``key``) into stored bytes."""
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
        field = _varint(number << 3 | _LENGTH_DELIMITED) + _varint(len(payload_bytes))
        data = self._compressor(key.kind).compress(envelope + field + payload_bytes)
        return EncodedRecord(data, content_hash, len(payload_bytes), drift)

    def decode(self, data: bytes) -> record_pb2.Record:
        """The Record stored as ``data``; CorruptRecordError when it is not one."""
        try:
            raw = self._decompressor(data).decompress(data)
            record = record_pb2.Record.FromString(raw)
        except (zstandard.ZstdError, DecodeError) as error:
            raise CorruptRecordError(f"not a stored tmdb-collector record: {error}") from None
        if record.WhichOneof("payload") is None:
            raise CorruptRecordError("the stored record has no payload")
        if record.schema_version > SCHEMA_VERSION:
            # Its fields this version lacks would be dropped from the JSON without a word.
            raise CorruptRecordError(
                f"the record was written with schema version {record.schema_version}, newer "
                f"than this tmdb-collector's {SCHEMA_VERSION}: upgrade tmdb-collector"
            )
        return record

    def to_json(self, record: record_pb2.Record) -> JSONObject:
        """The TMDB JSON of a decoded record's payload."""
        kind = record.WhichOneof("payload")
        if kind is None:
            raise CorruptRecordError("the stored record has no payload")
        try:
            return message_to_json(getattr(record, kind))
        except ConversionError as error:
            raise CorruptRecordError(str(error)) from None


_LENGTH_DELIMITED = 2
_PAYLOAD_FIELD_NUMBERS = {
    kind: record_pb2.Record.DESCRIPTOR.fields_by_name[kind.value].number for kind in PAYLOAD_TYPES
}


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
