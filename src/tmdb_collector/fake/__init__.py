"""A fake TMDB: an HTTP server that answers like api.themoviedb.org and files.tmdb.org.

Tests, benchmarks, the demo and users all use it::

    async with FakeTMDB(FixtureCatalog("shared/tmdb/fixtures")).run() as fake:
        ...  # GET f"{fake.url}/3/movie/550?api_key=anything"

or from synchronous code ``with FakeTMDB(catalog).run_in_thread() as fake``, or as a separate
process (``tmdb-collector fake-tmdb``, ``start_fake_process``).

Fixture mode (``FixtureCatalog``) serves real captures as they are:

- a record asked for with exactly the appends its file holds comes back equal to the file;
  a sub-resource the capture lacks is absent when appended and 404 when asked stand-alone;
- ``/3/<kind>/changes`` returns the captured page 1 unchanged for every valid window. Its
  ``total_pages``/``total_results`` claim more pages than were captured: pages 2 and beyond answer
  with the same totals and an empty ``results`` list. Most of its ids are not in the fixtures,
  so fetching them gives 404, as for records deleted since they changed;
- nothing changes from day to day: ``advance`` only moves the dates the exports are named by.

Synthetic mode (``SyntheticCatalog`` in ``tmdb_collector.fake.synthetic``, or
``synthetic_catalog("movie=1000,tv=200")``) serves a deterministic catalog of any size that
advances by days.

Admin API (no credentials, never counted, limited or faulted): ``GET /_fake/stats``,
``POST /_fake/reset-stats``, ``POST /_fake/advance?days=N``, ``GET``/``POST /_fake/settings``
(a JSON object of FakeSettings fields), ``GET``/``POST /_fake/inject``
(``{"fault": "503", "count": 1, "path_prefix": "/3/"}``), ``PUT``/``DELETE
/_fake/exports/<file name>`` (exact bytes to serve for an export file), ``POST
/_fake/exports/warm?day=YYYY-MM-DD`` (generate that day's export files into the export cache).

Export cache: ``FakeTMDB(catalog, export_cache=DIR)`` (``fake-tmdb --export-cache DIR``) generates
each export file of a synthetic catalog once, in a worker thread, and serves it from DIR after
that, as files.tmdb.org serves static files; without it every download generates its file.

The ``/3/`` API itself is ``tmdb_collector.tmdbapi`` over the catalog (``ChangedEntry`` and
``JSONObject`` are its names, re-exported here because the Catalog protocol speaks them).
"""

from tmdb_collector.fake._catalog import CacheableExports, Catalog, with_every_block
from tmdb_collector.fake._export_cache import ExportCacheError
from tmdb_collector.fake._faults import Fault, UnknownFaultError
from tmdb_collector.fake._fixtures import (
    FixtureCatalog,
    FixtureError,
    RecordedResponses,
    UnknownExportError,
)
from tmdb_collector.fake._process import LISTENING_PREFIX, FakeProcessError, start_fake_process
from tmdb_collector.fake._server import MAX_ADVANCE_DAYS, FakeStartError, FakeTMDB
from tmdb_collector.fake._settings import FakeSettings, SettingsError
from tmdb_collector.tmdbapi import ChangedEntry, ExportFile, JSONObject

__all__ = [
    "LISTENING_PREFIX",
    "MAX_ADVANCE_DAYS",
    "CacheableExports",
    "Catalog",
    "ChangedEntry",
    "ExportCacheError",
    "ExportFile",
    "FakeProcessError",
    "FakeSettings",
    "FakeStartError",
    "FakeTMDB",
    "Fault",
    "FixtureCatalog",
    "FixtureError",
    "JSONObject",
    "RecordedResponses",
    "SettingsError",
    "UnknownExportError",
    "UnknownFaultError",
    "start_fake_process",
    "synthetic_catalog",
    "with_every_block",
]


def synthetic_catalog(counts: str, *, seed: int = 0) -> Catalog:
    """A deterministic synthetic catalog, e.g. ``synthetic_catalog("movie=1000,tv=200")``.

    The generator is imported only when asked for: fixture mode and clients do not need it.
    """
    from tmdb_collector.fake.synthetic import SyntheticCatalog, parse_counts  # noqa: PLC0415

    return SyntheticCatalog(parse_counts(counts), seed=seed)
