"""Every key under ``state/``: the bookkeeping the pipeline keeps in a store beside the records
(docs/storage.md, "Layout"). Named here and nowhere else, so that the layout can be read — and
changed — in one place; the modules that own each piece import its name from here."""

from __future__ import annotations

from typing import Final

__all__ = [
    "COMPACTION_LEASE_PREFIX",
    "HARVEST_STATE_PREFIX",
    "LAYOUT_KEY",
    "MIRROR_PROGRESS_KEY",
    "QUEUE_RECORD_KEY",
    "ROLL_CALL_PREFIX",
    "STATE_PREFIX",
    "STORE_LEASE_PREFIX",
    "TMDB_CONFIGURATION_KEY",
]

STATE_PREFIX: Final = "state/"
#: The runs' lease (``mirror``, ``harvest``): generations ``<prefix>/<generation>.json``.
STORE_LEASE_PREFIX: Final = "state/lease"
#: The compaction lease, apart from the runs' (compaction is safe beside writers, not beside
#: another compaction). Its name predates this module; a store keeps it as it is.
COMPACTION_LEASE_PREFIX: Final = "state/leases/compact"
#: The harvester's watermarks, in-flight ledgers and last-run summary.
HARVEST_STATE_PREFIX: Final = "state/harvest"
#: The roll call of collector functions at work: ``<prefix><expiry>-<messages>-<id>.json``.
ROLL_CALL_PREFIX: Final = "state/collectors/"
#: The work queue this store's runs send to.
QUEUE_RECORD_KEY: Final = "state/queue.json"
#: The last (or running) mirror's progress, for ``status``.
MIRROR_PROGRESS_KEY: Final = "state/mirror/progress.json"
#: Which record layout the store is written in (absent: one object per record version;
#: ``{"layout": "segments", "version": 1}``: segments and the version map).
LAYOUT_KEY: Final = "state/layout.json"
#: TMDB's ``/3/configuration`` (image base URLs and sizes) as the harvester last fetched it,
#: with when: ``{"fetched_at_ms": ..., "configuration": {...}}``; ``serve`` answers from it.
TMDB_CONFIGURATION_KEY: Final = "state/tmdb/configuration.json"
