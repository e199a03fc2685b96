"""A tmdb-collector mirrors another one's ``serve`` (TMDB_API_URL and TMDB_EXPORTS_URL pointed
at it) and ends with the same records: the server speaks TMDB's contract well enough for our
own harvester and collector — exports, details, appends, seasons and episodes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from serve.conftest import Running, mirror
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import RecordIndex, open_object_store, open_record_store


def everything(store: Path) -> dict[RecordKey, Any]:
    """Every current record of the store: its JSON, or "deleted"."""

    async def read() -> dict[RecordKey, Any]:
        objects = open_object_store(str(store))
        records = await open_record_store(objects)
        index = RecordIndex(objects)
        out: dict[RecordKey, Any] = {}
        for kind in Kind:
            for row in (await index.table(kind)).to_pylist():
                key = RecordKey(kind, row["id"], row["season_number"], row["episode_number"])
                stored = await records.read(key)
                assert stored is not None, key
                out[key] = "deleted" if stored.deleted else stored.json()
        return out

    return asyncio.run(read())


def test_a_mirror_of_the_mirror_holds_the_same_records(
    mirrored: Path, served: Running, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    mirror(copy, served.url, datetime.now(UTC).date())
    original, copied = everything(mirrored), everything(copy)
    assert sorted(copied) == sorted(original)
    for key, document in original.items():
        assert copied[key] == document, key
    assert len(original) >= 20  # every kind, the season and its ten episodes
