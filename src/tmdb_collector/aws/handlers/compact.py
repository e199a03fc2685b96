"""The compaction function, scheduled: folds each kind's index fragments into its snapshot,
holding the compaction lease (two compactions of one store never race)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from tmdb_collector import app
from tmdb_collector.aws._runtime import LambdaContext, runtime

__all__ = ["handler"]

_log = logging.getLogger("tmdb_collector.aws.compact")


def handler(event: Mapping[str, Any], context: LambdaContext | None = None) -> dict[str, Any]:
    wiring = runtime()
    results = asyncio.run(app.compact_index(wiring.objects))
    summary = {
        str(kind): {"fragments_merged": result.fragments_merged, "rows": result.rows}
        for kind, result in results.items()
    }
    metrics = wiring.metrics("compact")
    for kind, result in results.items():
        metrics.count("compact.fragments_merged", result.fragments_merged, kind=kind)
    metrics.flush()
    _log.info("index compacted", extra={"kinds": summary})
    return summary
