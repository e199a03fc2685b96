"""History holds only superseded versions: a new record is one object, a redelivered write
duplicates nothing, and stores written with the older layout (a copy of the current version in
history) read the same and can be migrated."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from store.conftest import StoreCase
from store.test_records import fetched, movie
from tmdb_collector.cli import main
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import RecordStore, StoreError
from tmdb_collector.store._record_layout import current_key, history_version_key

T0 = 1_763_936_000_000
MOVIE = RecordKey(Kind.MOVIE, 550)


class FailingCurrents:
    """A store whose current-object puts fail (a full disk) while small objects still fit."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def put(self, key: str, data: bytes) -> None:
        raise StoreError(f"No space left on device writing {key}")


async def listed(case: StoreCase, prefix: str) -> list[str]:
    return sorted([info.key async for info in case.store.list(prefix)])


async def test_a_new_record_is_one_object(store_case: StoreCase) -> None:
    records = RecordStore(store_case.store)
    await records.write_batch([fetched(MOVIE, movie(550, "a"), T0)])
    assert await listed(store_case, "records/") == [current_key(MOVIE)]
    assert await listed(store_case, "history/") == []
    assert len(await records.history(MOVIE)) == 1


async def test_a_failed_write_and_its_redelivery_duplicate_no_version(
    store_case: StoreCase,
) -> None:
    """Failure 4 of issue 12: after a failed write the rerun must not keep two versions of the
    same content, and the index must never count what is not stored."""
    records = RecordStore(store_case.store)
    await records.write_batch([fetched(MOVIE, movie(550, "a"), T0)])
    failing = RecordStore(FailingCurrents(store_case.store))  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="No space left"):
        await failing.write_batch([fetched(MOVIE, movie(550, "b"), T0 + 10)])
    # The rerun fetches again (a later fetch time), and stores the update once.
    [result] = await records.write_batch([fetched(MOVIE, movie(550, "b"), T0 + 20)])
    assert result.change == "updated"
    versions = await records.history(MOVIE)
    assert [v.at_ms for v in versions] == [T0, T0 + 20]
    assert len({v.content_hash for v in versions}) == 2
    assert len(await listed(store_case, "history/")) == 1  # "a", superseded, once


async def test_an_older_stores_copy_of_the_current_version_is_read_once_and_migrated(
    store_case: StoreCase,
) -> None:
    records = RecordStore(store_case.store)
    [result] = await records.write_batch([fetched(MOVIE, movie(550, "a"), T0)])
    assert result.new_hash is not None
    data = await store_case.store.get(current_key(MOVIE))
    assert data is not None
    copy = history_version_key(MOVIE, T0, result.new_hash)
    assert await store_case.store.create(copy, data)  # what the older layout wrote
    assert len(await records.history(MOVIE)) == 1
    assert (await records.read_version(MOVIE, 1)) is not None
    assert await records.drop_current_copies(Kind.MOVIE) == 1
    assert await listed(store_case, "history/") == []
    assert len(await records.history(MOVIE)) == 1
    assert await records.drop_current_copies(Kind.MOVIE) == 0


def test_the_migration_command(tmp_path: object) -> None:
    import asyncio  # noqa: PLC0415

    from tmdb_collector.store import open_object_store  # noqa: PLC0415

    location = f"{tmp_path}/store"
    objects = open_object_store(location)
    records = RecordStore(objects)
    [result] = asyncio.run(records.write_batch([fetched(MOVIE, movie(550, "a"), T0)]))
    assert result.new_hash is not None
    data = asyncio.run(objects.get(current_key(MOVIE)))
    assert data is not None
    asyncio.run(objects.create(history_version_key(MOVIE, T0, result.new_hash), data))
    run = CliRunner().invoke(main, ["migrate-history", "--store", location, "--type", "movie"])
    assert run.exit_code == 0, run.output
    assert "movie: 1 copies of current versions deleted" in run.stdout
