"""A damaged stored object is named (record and object), never stops other work, and is
replaced by the next fetch of its record, with a copy kept in quarantine/."""

from __future__ import annotations

import pytest

from store.conftest import StoreCase
from store.test_records import fetched, movie
from tmdb_collector.errors import CorruptDataError
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import RecordStore, UnreadableRecordError
from tmdb_collector.store._record_layout import current_key

T0 = 1_763_936_000_000


def flipped(data: bytes) -> bytes:
    """Four bytes in the middle inverted, as a bad disk or a bad copy would."""
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 4]) + data[middle + 4 :]


async def damaged_store(store_case: StoreCase) -> tuple[RecordStore, RecordKey]:
    records = RecordStore(store_case.store)
    keys = [RecordKey(Kind.MOVIE, n) for n in (1, 2, 3)]
    await records.write_batch([fetched(key, movie(key.id, f"m{key.id}"), T0) for key in keys])
    name = current_key(keys[1])
    data = await store_case.store.get(name)
    assert data is not None
    await store_case.store.put(name, flipped(data))
    return records, keys[1]


async def test_reading_a_damaged_record_names_the_record_and_the_object(
    store_case: StoreCase,
) -> None:
    records, key = await damaged_store(store_case)
    with pytest.raises(UnreadableRecordError) as raised:
        await records.read(key)
    message = str(raised.value)
    assert "movie 2" in message
    assert current_key(key) in message
    assert store_case.store.url in message
    assert isinstance(raised.value, CorruptDataError)


async def test_listing_a_kind_skips_and_reports_the_damaged_record(store_case: StoreCase) -> None:
    records, key = await damaged_store(store_case)
    skipped: list[UnreadableRecordError] = []
    read = [
        r.key.id async for r in records.current_records(Kind.MOVIE, on_unreadable=skipped.append)
    ]
    assert sorted(read) == [1, 3]
    assert [error.key for error in skipped] == [key]
    with pytest.raises(UnreadableRecordError):
        _ = [r async for r in records.current_records(Kind.MOVIE)]


async def test_the_next_fetch_replaces_a_damaged_record_and_keeps_a_copy(
    store_case: StoreCase,
) -> None:
    records, key = await damaged_store(store_case)
    bad = await store_case.store.get(current_key(key))
    results = await records.write_batch([fetched(key, movie(2, "m2 again"), T0 + 1000)])
    assert [result.change for result in results] == ["created"]
    stored = await records.read(key)
    assert stored is not None
    assert stored.json()["title"] == "m2 again"
    copies = [info.key async for info in store_case.store.list("quarantine/")]
    assert len(copies) == 1
    assert copies[0].startswith(f"quarantine/{current_key(key)}.")
    assert await store_case.store.get(copies[0]) == bad
