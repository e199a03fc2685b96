"""The synthetic catalog: a deterministic TMDB of any size, for the fake TMDB server to serve.

``SyntheticCatalog(counts, seed=...)`` answers every record, sub-resource, changes feed and daily
export as TMDB would, and advances by days (records created, changed, deleted). The same
(counts, seed, day) give byte-identical answers in every process, so tests can pin them and
benchmarks can run at TMDB's full size (``REAL_COUNTS``) for a few MB: only the per-day sets of
ids are held, each record is rebuilt from its id and version when asked for.

Apart from the server (``tmdb_collector.fake``), which imports it only when a synthetic catalog
is asked for: fixture mode and clients do not pay for the generator.

Inside: ``_catalog`` (the catalog), ``_days`` (which ids each day touches), ``_export`` (the
streamed export files), ``_records`` (records by kind, dispatched on the key) with ``_tv``,
``_people`` and ``_groups``, the blocks several kinds share (``_blocks``, ``_cards``,
``_changes``), and what all draw from (``_light``: seeds and cheap per-id fields; ``_vocab``:
word lists and reference tables).
"""

from tmdb_collector.fake.synthetic._catalog import (
    REAL_COUNTS,
    DayRates,
    SyntheticCatalog,
    parse_counts,
)
from tmdb_collector.fake.synthetic._export import EXPORT_FORMAT

__all__ = ["EXPORT_FORMAT", "REAL_COUNTS", "DayRates", "SyntheticCatalog", "parse_counts"]
