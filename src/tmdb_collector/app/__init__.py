"""Use cases every surface calls — the CLI, the Lambda handlers, a server — free of click and
rich: mirror, demo, harvest, status, and the wiring from settings (``tmdb_collector.config``) to
a client's settings, a store and a queue."""

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
from tmdb_collector.app._wiring import (
    apply_aws_environment,
    client_settings,
    collector_settings,
    default_queue,
    harvest_settings,
    open_queue,
    open_store,
    queue_spec,
)

__all__ = [
    "DEMO_CATALOG",
    "DEMO_RATE",
    "PROGRESS_KEY",
    "DemoReport",
    "MirrorProgress",
    "MirrorReport",
    "apply_aws_environment",
    "client_settings",
    "collector_settings",
    "default_queue",
    "gather_status",
    "harvest_settings",
    "mirror_fake_tmdb",
    "mirror_tmdb",
    "open_queue",
    "open_store",
    "progress_summary",
    "queue_spec",
    "run_demo",
    "run_harvest",
    "run_mirror",
]
