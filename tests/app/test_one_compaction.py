"""One compaction path: ``mirror``'s last step, ``compact`` and the compactor function all fold
under the compaction lease, so two of them never fold one kind at once (a race that could lose
rows from a snapshot, docs/storage.md)."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest

from tmdb_collector.app import _mirror, compact_index
from tmdb_collector.kinds import Kind
from tmdb_collector.store import RecordIndex, StoreBusyError, open_object_store


async def test_mirrors_compaction_and_a_compact_run_never_fold_one_kind_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = RecordIndex.compact
    folding: list[tuple[Kind, float, float]] = []

    async def slow_compact(self: RecordIndex, kind: Kind | str, *listed: Any) -> Any:
        started = time.monotonic()
        await asyncio.sleep(0.02)  # long enough for the other to start meanwhile
        result = await real(self, kind, *listed)
        folding.append((Kind(kind), started, time.monotonic()))
        return result

    monkeypatch.setattr(RecordIndex, "compact", slow_compact)
    objects = open_object_store("memory://")
    compacting = asyncio.create_task(compact_index(objects, command="compact"))
    await asyncio.sleep(0.01)  # `compact` holds the lease now
    mirrors = await _mirror._compact(objects)  # mirror's last step
    assert mirrors == {}  # the mirror left its fragments to the compaction under way
    with pytest.raises(StoreBusyError, match="compact"):
        await compact_index(objects, command="compact")  # a second `compact` is refused
    done = await compacting
    assert set(done) == set(Kind)
    for kind in Kind:
        spans = sorted((start, end) for k, start, end in folding if k is kind)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), kind
    # Once the lease is free, the mirror's step folds again.
    assert set(await compact_index(objects, command="mirror", skip_if_busy=True)) == set(Kind)
