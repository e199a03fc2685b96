"""Schema drift seen while collecting is counted per kind and path (for `status`)."""

from __future__ import annotations

from pathlib import Path

from collect.conftest import COUNTS, _bench
from tmdb_collector.fake import JSONObject
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import Kind, RecordKey


class DriftingCatalog(SyntheticCatalog):
    """Movies carry a field TMDB might add tomorrow."""

    def base(self, key: RecordKey) -> JSONObject | None:
        document = super().base(key)
        if document is not None and key.kind is Kind.MOVIE:
            document = {**document, "brand_new_field": {"since": 2027}}
        return document


async def test_drift_is_counted_per_kind_and_path(tmp_path: Path) -> None:
    ran = False
    async for bench in _bench(DriftingCatalog(COUNTS, seed=1), tmp_path):
        ran = True
        bench.enqueue_keys(Kind.MOVIE, [1, 2, 3])
        bench.enqueue_keys(Kind.KEYWORD, [1])
        progress = await bench.collect()
        assert progress.drift == {"movie: unknown_key brand_new_field": 3}
        stored = await bench.records.read(RecordKey(Kind.MOVIE, 2))
        assert stored is not None
        assert stored.json()["brand_new_field"] == {"since": 2027}
    assert ran
