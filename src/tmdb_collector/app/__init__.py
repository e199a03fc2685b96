"""Use cases every surface calls — the CLI, the Lambda handlers, a server — free of click and
rich: mirror, demo, harvest, status, and the wiring from settings (``tmdb_collector.config``) to
a client's settings, a store and a queue.

The wiring is imported at once; each use case on first use, so that a command that only reads
the store (``query``) does not pay for the TMDB client, aiohttp and the collector.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tmdb_collector.app._wiring import (
    QUEUE_RECORD_KEY,
    apply_aws_environment,
    client_settings,
    collector_settings,
    default_queue,
    harvest_settings,
    open_queue,
    open_store,
    queue_spec,
    store_queue_spec,
)

if TYPE_CHECKING:
    from tmdb_collector.app._collect_batch import BatchReport, collect_batch, idle_share
    from tmdb_collector.app._compact import COMPACT_LEASE_PREFIX, compact_index
    from tmdb_collector.app._demo import (
        DEMO_CATALOG,
        DEMO_RATE,
        DemoReport,
        mirror_fake_tmdb,
        run_demo,
    )
    from tmdb_collector.app._harvest import run_harvest
    from tmdb_collector.app._mirror import (
        PROGRESS_KEY,
        MirrorProgress,
        MirrorReport,
        mirror_tmdb,
        progress_summary,
        run_mirror,
    )
    from tmdb_collector.app._status import gather_status

__all__ = [
    "COMPACT_LEASE_PREFIX",
    "DEMO_CATALOG",
    "DEMO_RATE",
    "PROGRESS_KEY",
    "QUEUE_RECORD_KEY",
    "BatchReport",
    "DemoReport",
    "MirrorProgress",
    "MirrorReport",
    "apply_aws_environment",
    "client_settings",
    "collect_batch",
    "collector_settings",
    "compact_index",
    "default_queue",
    "gather_status",
    "harvest_settings",
    "idle_share",
    "mirror_fake_tmdb",
    "mirror_tmdb",
    "open_queue",
    "open_store",
    "progress_summary",
    "queue_spec",
    "run_demo",
    "run_harvest",
    "run_mirror",
    "store_queue_spec",
]

#: Use cases imported on first use: name → module.
_LAZY = {
    **dict.fromkeys(
        ("DEMO_CATALOG", "DEMO_RATE", "DemoReport", "mirror_fake_tmdb", "run_demo"),
        "tmdb_collector.app._demo",
    ),
    "run_harvest": "tmdb_collector.app._harvest",
    **dict.fromkeys(
        (
            "PROGRESS_KEY",
            "MirrorProgress",
            "MirrorReport",
            "mirror_tmdb",
            "progress_summary",
            "run_mirror",
        ),
        "tmdb_collector.app._mirror",
    ),
    "gather_status": "tmdb_collector.app._status",
    "BatchReport": "tmdb_collector.app._collect_batch",
    "collect_batch": "tmdb_collector.app._collect_batch",
    "idle_share": "tmdb_collector.app._collect_batch",
    "COMPACT_LEASE_PREFIX": "tmdb_collector.app._compact",
    "compact_index": "tmdb_collector.app._compact",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
