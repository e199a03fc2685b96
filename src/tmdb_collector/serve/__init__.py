"""``tmdb-collector serve``: the mirror answers as TMDB does.

TMDB's ``/3/`` paths — every record and sub-resource, ``append_to_response``, ``/3/find`` by
external id, ``/3/search``, the changes feeds — and the daily export files, answered from a
store (local or S3) through the shared TMDB HTTP layer (``tmdbapi``). Another tmdb-collector
can mirror it (TMDB_API_URL and TMDB_EXPORTS_URL pointed at it). See docs/serve.md.
"""

from tmdb_collector.serve._documents import DEFAULT_CACHE_BYTES, DocumentCache, Pieces
from tmdb_collector.serve._lookup import IndexView
from tmdb_collector.serve._server import (
    LISTENING_PREFIX,
    MirrorServer,
    ServeStartError,
    summary_of,
)

__all__ = [
    "DEFAULT_CACHE_BYTES",
    "LISTENING_PREFIX",
    "DocumentCache",
    "IndexView",
    "MirrorServer",
    "Pieces",
    "ServeStartError",
    "summary_of",
]
