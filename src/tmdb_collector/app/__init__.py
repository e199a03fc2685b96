"""Use cases every surface calls — the CLI, the Lambda handlers, a server — free of click and
rich: mirror, demo, harvest, status, compaction, a Lambda batch; and the one wiring
(``Wiring``) from settings (``tmdb_collector.config``) to a store, a queue, a client's settings
with its credential and pace, and the harvester's and collector's settings.

The wiring is imported at once; each use case on first use, so that a command that only reads
the store (``query``) does not pay for the TMDB client, aiohttp and the collector.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tmdb_collector.app._wiring import (
    QUEUE_RECORD_KEY,
    Pace,
    Surface,
    Wiring,
    apply_aws_environment,
)

if TYPE_CHECKING:
    from tmdb_collector.app._collect_batch import (
        BatchReport,
        collect_batch,
        idle_share,
        sqs_event_messages,
    )
    from tmdb_collector.app._compact import COMPACT_LEASE_PREFIX, CompactionDue, compact_index
    from tmdb_collector.app._costs import RequestCosts, request_costs
    from tmdb_collector.app._demo import (
        DEMO_CATALOG,
        DEMO_RATE,
        DemoReport,
        mirror_fake_tmdb,
        run_demo,
    )
    from tmdb_collector.app._harvest import (
        REASON_ORDER,
        HarvestReport,
        harvest_day,
        open_harvest_queue,
        run_harvest,
    )
    from tmdb_collector.app._migrate import MigrationReport, migrate_store, rebuild_store_index
    from tmdb_collector.app._mirror import (
        PROGRESS_KEY,
        MirrorProgress,
        MirrorReport,
        mirror_tmdb,
        progress_summary,
        run_mirror,
    )
    from tmdb_collector.app._read import (
        EXPORT_FORMATS,
        ExportFormat,
        StoredRecord,
        VersionInfo,
        drop_history_copies,
        export_kind,
        iso_time,
        query_index,
        read_record,
        read_record_bytes,
        record_history,
    )
    from tmdb_collector.app._serve import LISTENING_PREFIX, serving
    from tmdb_collector.app._session import Session
    from tmdb_collector.app._stack import (
        Check,
        DeployedStack,
        find_stack,
        stack_activity,
        stack_log_lines,
        subscribe_alerts,
        trigger_harvest,
        verify_stack,
    )
    from tmdb_collector.app._status import gather_status

__all__ = [
    "COMPACT_LEASE_PREFIX",
    "DEMO_CATALOG",
    "DEMO_RATE",
    "EXPORT_FORMATS",
    "LISTENING_PREFIX",
    "PROGRESS_KEY",
    "QUEUE_RECORD_KEY",
    "REASON_ORDER",
    "BatchReport",
    "Check",
    "CompactionDue",
    "DemoReport",
    "DeployedStack",
    "ExportFormat",
    "HarvestReport",
    "MigrationReport",
    "MirrorProgress",
    "MirrorReport",
    "Pace",
    "RequestCosts",
    "Session",
    "StoredRecord",
    "Surface",
    "VersionInfo",
    "Wiring",
    "apply_aws_environment",
    "collect_batch",
    "compact_index",
    "drop_history_copies",
    "export_kind",
    "find_stack",
    "gather_status",
    "harvest_day",
    "idle_share",
    "iso_time",
    "migrate_store",
    "mirror_fake_tmdb",
    "mirror_tmdb",
    "open_harvest_queue",
    "progress_summary",
    "query_index",
    "read_record",
    "read_record_bytes",
    "rebuild_store_index",
    "record_history",
    "request_costs",
    "run_demo",
    "run_harvest",
    "run_mirror",
    "serving",
    "sqs_event_messages",
    "stack_activity",
    "stack_log_lines",
    "subscribe_alerts",
    "trigger_harvest",
    "verify_stack",
]

#: Use cases imported on first use: name → module.
_LAZY = {
    **dict.fromkeys(
        ("DEMO_CATALOG", "DEMO_RATE", "DemoReport", "mirror_fake_tmdb", "run_demo"),
        "tmdb_collector.app._demo",
    ),
    **dict.fromkeys(
        (
            "REASON_ORDER",
            "HarvestReport",
            "harvest_day",
            "open_harvest_queue",
            "run_harvest",
        ),
        "tmdb_collector.app._harvest",
    ),
    **dict.fromkeys(
        (
            "EXPORT_FORMATS",
            "ExportFormat",
            "StoredRecord",
            "VersionInfo",
            "drop_history_copies",
            "export_kind",
            "iso_time",
            "query_index",
            "read_record",
            "read_record_bytes",
            "record_history",
        ),
        "tmdb_collector.app._read",
    ),
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
    "RequestCosts": "tmdb_collector.app._costs",
    "request_costs": "tmdb_collector.app._costs",
    **dict.fromkeys(
        ("LISTENING_PREFIX", "serving"),
        "tmdb_collector.app._serve",
    ),
    "Session": "tmdb_collector.app._session",
    **dict.fromkeys(
        (
            "Check",
            "DeployedStack",
            "find_stack",
            "stack_log_lines",
            "subscribe_alerts",
            "trigger_harvest",
            "stack_activity",
            "verify_stack",
        ),
        "tmdb_collector.app._stack",
    ),
    "BatchReport": "tmdb_collector.app._collect_batch",
    "collect_batch": "tmdb_collector.app._collect_batch",
    "idle_share": "tmdb_collector.app._collect_batch",
    "sqs_event_messages": "tmdb_collector.app._collect_batch",
    "COMPACT_LEASE_PREFIX": "tmdb_collector.app._compact",
    "CompactionDue": "tmdb_collector.app._compact",
    "compact_index": "tmdb_collector.app._compact",
    "MigrationReport": "tmdb_collector.app._migrate",
    "migrate_store": "tmdb_collector.app._migrate",
    "rebuild_store_index": "tmdb_collector.app._migrate",
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
