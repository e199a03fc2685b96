"""Storage. Its foundation is the object store: whole objects under '/'-separated keys in a local
directory, S3 or memory, with atomic writes and race-safe create-only writes (docs/storage.md)."""

from tmdb_collector.store._errors import InvalidObjectKeyError, StoreConfigurationError, StoreError
from tmdb_collector.store._keys import MAX_KEY_BYTES, MAX_SEGMENT_BYTES, validate_object_key
from tmdb_collector.store._objects import ObjectInfo, ObjectStore
from tmdb_collector.store._open import MEMORY_URL, open_object_store

__all__ = [
    "MAX_KEY_BYTES",
    "MAX_SEGMENT_BYTES",
    "MEMORY_URL",
    "InvalidObjectKeyError",
    "ObjectInfo",
    "ObjectStore",
    "StoreConfigurationError",
    "StoreError",
    "open_object_store",
    "validate_object_key",
]
