"""Storage. Its foundation is the object store: whole objects under '/'-separated keys in a local
directory, S3 or memory, with atomic writes and race-safe create-only writes. On it, the record
store keeps each TMDB record's current version, its history and a change log, and the index a
queryable summary row per record (docs/storage.md)."""

from tmdb_collector.store._changelog import Change, ChangeEntry, CorruptChangeLogError
from tmdb_collector.store._errors import (
    InvalidObjectKeyError,
    StoreBusyError,
    StoreConfigurationError,
    StoreError,
    StoreLeaseLostError,
    StoreNotFoundError,
)
from tmdb_collector.store._export import (
    EXPORT_FORMATS,
    ExportFormat,
    ExportResult,
    ExportSink,
    ExportTargetError,
    JsonLinesSink,
    ParquetSink,
    export_records,
    export_to_file,
    iso_time,
)
from tmdb_collector.store._index import (
    INDEX_SCHEMA,
    CompactionResult,
    CorruptIndexError,
    IndexQueryError,
    IndexRow,
    RecordIndex,
    index_row,
)
from tmdb_collector.store._keys import MAX_KEY_BYTES, MAX_SEGMENT_BYTES, validate_object_key
from tmdb_collector.store._lease import (
    LEASE_PREFIX,
    LEASE_TTL_SECONDS,
    LeaseClock,
    LeaseHolder,
    StoreLease,
)
from tmdb_collector.store._objects import ObjectInfo, ObjectStore
from tmdb_collector.store._open import MEMORY_URL, check_store_location, open_object_store
from tmdb_collector.store._records import (
    EncodedWrite,
    RecordDeletion,
    RecordStore,
    RecordStoreError,
    RecordWrite,
    StoredRecord,
    UnreadableRecordError,
    VersionInfo,
    WriteResult,
)
from tmdb_collector.store._segment_records import (
    SegmentRecordStore,
    StoreLayoutError,
    open_record_store,
    use_segments,
)
from tmdb_collector.store._state_keys import (
    COMPACTION_LEASE_PREFIX,
    HARVEST_STATE_PREFIX,
    MIRROR_PROGRESS_KEY,
    QUEUE_RECORD_KEY,
    ROLL_CALL_PREFIX,
    STATE_PREFIX,
    STORE_LEASE_PREFIX,
)

__all__ = [
    "COMPACTION_LEASE_PREFIX",
    "EXPORT_FORMATS",
    "HARVEST_STATE_PREFIX",
    "INDEX_SCHEMA",
    "LEASE_PREFIX",
    "LEASE_TTL_SECONDS",
    "MAX_KEY_BYTES",
    "MAX_SEGMENT_BYTES",
    "MEMORY_URL",
    "MIRROR_PROGRESS_KEY",
    "QUEUE_RECORD_KEY",
    "ROLL_CALL_PREFIX",
    "STATE_PREFIX",
    "STORE_LEASE_PREFIX",
    "Change",
    "ChangeEntry",
    "CompactionResult",
    "CorruptChangeLogError",
    "CorruptIndexError",
    "EncodedWrite",
    "ExportFormat",
    "ExportResult",
    "ExportSink",
    "ExportTargetError",
    "IndexQueryError",
    "IndexRow",
    "InvalidObjectKeyError",
    "JsonLinesSink",
    "LeaseClock",
    "LeaseHolder",
    "ObjectInfo",
    "ObjectStore",
    "ParquetSink",
    "RecordDeletion",
    "RecordIndex",
    "RecordStore",
    "RecordStoreError",
    "RecordWrite",
    "SegmentRecordStore",
    "StoreBusyError",
    "StoreConfigurationError",
    "StoreError",
    "StoreLayoutError",
    "StoreLease",
    "StoreLeaseLostError",
    "StoreNotFoundError",
    "StoredRecord",
    "UnreadableRecordError",
    "VersionInfo",
    "WriteResult",
    "check_store_location",
    "export_records",
    "export_to_file",
    "index_row",
    "iso_time",
    "open_object_store",
    "open_record_store",
    "use_segments",
    "validate_object_key",
]
