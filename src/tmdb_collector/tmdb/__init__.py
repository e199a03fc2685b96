"""The async TMDB client: the only part of tmdb-collector that talks to TMDB.

It paces requests for the whole process (``Pacer``), retries what may pass (``RetryPolicy``),
returns ``NotFound`` for deleted records, reads every page of the changes feeds and streams the
daily id exports. The credential never appears in logs, errors or reprs.
"""

from tmdb_collector.tmdb._changes import ChangedId, ChangesWindow, changes_windows
from tmdb_collector.tmdb._client import TMDBClient
from tmdb_collector.tmdb._clock import Clock, SystemClock
from tmdb_collector.tmdb._credential import Credential
from tmdb_collector.tmdb._errors import (
    AuthenticationError,
    ConfigurationError,
    ExportNotFoundError,
    NotFound,
    RetriesExhaustedError,
    TMDBAPIError,
    TMDBError,
    TMDBUnreachableError,
    TransientError,
    UnsupportedKindError,
)
from tmdb_collector.tmdb._exports import (
    EXPORT_FILE_NAMES,
    ExportEntry,
    ExportFile,
    ExportReport,
    ExportStream,
    MalformedLine,
    export_file_name,
)
from tmdb_collector.tmdb._pacer import Pacer, RequestStart
from tmdb_collector.tmdb._retry import RetryPolicy
from tmdb_collector.tmdb._settings import ClientSettings
from tmdb_collector.tmdb._stats import ClientStats
from tmdb_collector.tmdb._types import JSONObject, QueryParams

__all__ = [
    "EXPORT_FILE_NAMES",
    "AuthenticationError",
    "ChangedId",
    "ChangesWindow",
    "ClientSettings",
    "ClientStats",
    "Clock",
    "ConfigurationError",
    "Credential",
    "ExportEntry",
    "ExportFile",
    "ExportNotFoundError",
    "ExportReport",
    "ExportStream",
    "JSONObject",
    "MalformedLine",
    "NotFound",
    "Pacer",
    "QueryParams",
    "RequestStart",
    "RetriesExhaustedError",
    "RetryPolicy",
    "SystemClock",
    "TMDBAPIError",
    "TMDBClient",
    "TMDBError",
    "TMDBUnreachableError",
    "TransientError",
    "UnsupportedKindError",
    "changes_windows",
    "export_file_name",
]
