"""The harvester's memory, kept in the object store beside the records (so a Lambda has it too).

    state/harvest/watermarks.json              per changes kind: the last day read completely
    state/harvest/in-flight/{kind}.parquet     ids enqueued and not yet confirmed (id, planned_at)
    state/harvest/last-run.json                the last run's report (for ``status``)
    state/harvest/runs/{YYYYMMDDTHHMMSSfffZ}.json   every run's report, create-only

Only one harvester runs at a time (one schedule); collectors never write here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

# pyarrow ships no type information (no py.typed): its objects are Any to mypy.
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from tmdb_collector.kinds import Kind
from tmdb_collector.store import HARVEST_STATE_PREFIX, ObjectStore, StoreError

__all__ = [
    "IN_FLIGHT_SCHEMA",
    "HarvestState",
    "HarvestStateError",
    "Watermark",
]

STATE_ROOT = HARVEST_STATE_PREFIX
WATERMARKS_KEY = f"{STATE_ROOT}/watermarks.json"
LAST_RUN_KEY = f"{STATE_ROOT}/last-run.json"

IN_FLIGHT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("planned_at", pa.timestamp("ms", tz="UTC"), nullable=False),
    ]
)


class HarvestStateError(StoreError):
    """A state object the harvester cannot read; the message names it and what to do."""


@dataclass(frozen=True, slots=True)
class Watermark:
    """How far a changes feed has been read: every day up to ``through`` (inclusive) once its
    work was enqueued. The next run reads again from ``through`` (the day may have grown)."""

    through: date
    updated_at_ms: int


class HarvestState:
    """Reads and writes the harvester's state objects."""

    def __init__(self, objects: ObjectStore) -> None:
        self._objects = objects

    async def watermarks(self) -> dict[Kind, Watermark]:
        data = await self._objects.get(WATERMARKS_KEY)
        if data is None:
            return {}
        try:
            raw = json.loads(data)
            return {
                Kind(name): Watermark(
                    date.fromisoformat(entry["through"]), int(entry["updated_at"])
                )
                for name, entry in raw["kinds"].items()
            }
        except (ValueError, KeyError, TypeError) as error:
            raise HarvestStateError(
                f"{WATERMARKS_KEY} in {self._objects.url} is not a watermark file ({error}); "
                "delete it: the next harvest then reconciles every changes kind with its export"
            ) from None

    async def save_watermarks(self, marks: dict[Kind, Watermark]) -> None:
        body = {
            "kinds": {
                kind.value: {"through": mark.through.isoformat(), "updated_at": mark.updated_at_ms}
                for kind, mark in sorted(marks.items())
            }
        }
        await self._objects.put(WATERMARKS_KEY, _json_bytes(body))

    async def in_flight(self, kind: Kind) -> pa.Table:
        """The kind's ledger: ids enqueued by earlier runs, with when (IN_FLIGHT_SCHEMA)."""
        name = _in_flight_key(kind)
        data = await self._objects.get(name)
        if data is None:
            return IN_FLIGHT_SCHEMA.empty_table()
        try:
            return (
                pq.read_table(io.BytesIO(data))
                .select(IN_FLIGHT_SCHEMA.names)
                .cast(IN_FLIGHT_SCHEMA)
            )
        except (pa.ArrowException, ValueError, KeyError) as error:
            raise HarvestStateError(
                f"{name} in {self._objects.url} is not an in-flight ledger ({error}); delete it: "
                "the next harvest may then enqueue work already queued once more (harmless)"
            ) from None

    async def save_in_flight(self, kind: Kind, parts: Iterable[pa.Table]) -> None:
        """Replace the kind's ledger with the rows of ``parts`` (IN_FLIGHT_SCHEMA tables)."""
        sink = io.BytesIO()
        with pq.ParquetWriter(sink, IN_FLIGHT_SCHEMA, compression="zstd") as writer:
            for part in parts:
                if part.num_rows:
                    writer.write_table(part.cast(IN_FLIGHT_SCHEMA))
        await self._objects.put(_in_flight_key(kind), sink.getvalue())

    async def save_run(self, report: dict[str, Any], started_at_ms: int) -> None:
        """Keep the run's report: as the last run, and among all runs."""
        data = _json_bytes(report)
        stamp = datetime.fromtimestamp(started_at_ms / 1000, UTC).strftime("%Y%m%dT%H%M%S%f")
        await self._objects.create(f"{STATE_ROOT}/runs/{stamp[:-3]}Z.json", data)
        await self._objects.put(LAST_RUN_KEY, data)

    async def last_run(self) -> dict[str, Any] | None:
        data = await self._objects.get(LAST_RUN_KEY)
        if data is None:
            return None
        try:
            report: dict[str, Any] = json.loads(data)
        except ValueError:
            return None
        return report


def _in_flight_key(kind: Kind) -> str:
    return f"{STATE_ROOT}/in-flight/{kind.value}.parquet"


def _json_bytes(body: object) -> bytes:
    return json.dumps(body, indent=1, sort_keys=True).encode() + b"\n"
