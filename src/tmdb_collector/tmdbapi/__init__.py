"""TMDB's HTTP contract as a server speaks it: the ``/3/`` API of api.themoviedb.org.

Routes, credentials, append_to_response, paging, changes windows and TMDB's error envelopes,
answered from an ``APISource``. The fake TMDB (``tmdb_collector.fake``) serves its catalogs
through it and adds rate limiting, faults, exports and its admin API; a server over another
source needs only::

    web.run_app(make_api_app(source, api_key="secret"))

``APIHandler`` is the same handler for an application of one's own (serve it behind
``answer_errors``, which renders every ErrorAnswer as TMDB does); the pieces it is built from
(``parse_api_path``, ``details_answer``, ``page_of``, ...) are public for tests and for answers
assembled differently.
"""

from tmdb_collector.tmdbapi._appends import (
    PlannedAppend,
    append_block,
    append_plan,
    details_answer,
    parse_appends,
    sub_resource_answer,
)
from tmdb_collector.tmdbapi._credentials import check_credentials
from tmdb_collector.tmdbapi._exports import (
    EXPORT_CONTENT_TYPE,
    EXPORT_FIELDS,
    EXPORTS_LARGEST_FIRST,
    KIND_OF_EXPORT,
    PUBLISHED_DAYS,
    ExportFile,
    gzip_chunks,
    gzip_lines,
    send_export,
    stream_export,
)
from tmdb_collector.tmdbapi._feeds import (
    MAX_PAGE,
    MAX_WINDOW,
    PAGE_SIZE,
    ChangedEntry,
    ChangesWindow,
    page_of,
    parse_page,
)
from tmdb_collector.tmdbapi._handler import APIHandler, listening, make_api_app, utc_today
from tmdb_collector.tmdbapi._responses import (
    JSON_CONTENT_TYPE,
    ErrorAnswer,
    JSONObject,
    PageTooLargeError,
    answer_errors,
    json_response,
)
from tmdb_collector.tmdbapi._routes import (
    PAGED_SUB_RESOURCES,
    ChangesRoute,
    ConfigurationRoute,
    RecordRoute,
    Route,
    parse_api_path,
    standalone_has_id,
)
from tmdb_collector.tmdbapi._source import APISource, RecordSource

__all__ = [
    "EXPORTS_LARGEST_FIRST",
    "EXPORT_CONTENT_TYPE",
    "EXPORT_FIELDS",
    "JSON_CONTENT_TYPE",
    "KIND_OF_EXPORT",
    "MAX_PAGE",
    "MAX_WINDOW",
    "PAGED_SUB_RESOURCES",
    "PAGE_SIZE",
    "PUBLISHED_DAYS",
    "APIHandler",
    "APISource",
    "ChangedEntry",
    "ChangesRoute",
    "ChangesWindow",
    "ConfigurationRoute",
    "ErrorAnswer",
    "ExportFile",
    "JSONObject",
    "PageTooLargeError",
    "PlannedAppend",
    "RecordRoute",
    "RecordSource",
    "Route",
    "answer_errors",
    "append_block",
    "append_plan",
    "check_credentials",
    "details_answer",
    "gzip_chunks",
    "gzip_lines",
    "json_response",
    "listening",
    "make_api_app",
    "page_of",
    "parse_api_path",
    "parse_appends",
    "parse_page",
    "send_export",
    "standalone_has_id",
    "stream_export",
    "sub_resource_answer",
    "utc_today",
]
