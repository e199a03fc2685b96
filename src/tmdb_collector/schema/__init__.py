"""Protocol Buffer schemas of TMDB records (package ``tmdb.v1``), and lossless conversion.

``RecordCodec.encode`` turns a TMDB JSON record into stored bytes (a ``tmdb.v1.Record`` envelope,
zstd-compressed) with its content hash and the schema drift it showed; ``decode`` and
``to_json`` give it back, equal to what TMDB sent. See docs/schema.md.
"""

from tmdb_collector.schema._codec import (
    PAYLOAD_TYPES,
    SCHEMA_VERSION,
    CorruptRecordError,
    DeletedRecordError,
    EncodedRecord,
    RecordCodec,
)
from tmdb_collector.schema._convert import (
    ConversionError,
    SchemaDrift,
    json_to_message,
    message_to_json,
)

__all__ = [
    "PAYLOAD_TYPES",
    "SCHEMA_VERSION",
    "ConversionError",
    "CorruptRecordError",
    "DeletedRecordError",
    "EncodedRecord",
    "RecordCodec",
    "SchemaDrift",
    "json_to_message",
    "message_to_json",
]
