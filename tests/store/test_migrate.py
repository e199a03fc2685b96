"""``tmdb-collector migrate`` on a store the release before segments wrote
(tests/fixtures/store-objects-layout.tar.gz, scripts/make_store_fixture.py): every current record
and kept version reads back identical, resumable after a kill, safe to rerun, a dry run writes
nothing."""

from __future__ import annotations

import asyncio
import tarfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tmdb_collector.cli import main
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import (
    RecordIndex,
    RecordStore,
    SegmentRecordStore,
    open_object_store,
    open_record_store,
)
from tmdb_collector.store import _migrate as store_migrate
from tmdb_collector.store._migrate import migrate_kind, store_layout

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "store-objects-layout.tar.gz"


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    with tarfile.open(FIXTURE) as archive:
        archive.extractall(store, filter="data")
    return store


async def everything(records: RecordStore) -> dict[RecordKey, list[tuple[Any, ...]]]:
    """Every record's kept versions: time, hash, tombstone, reason, and its JSON."""
    out: dict[RecordKey, list[tuple[Any, ...]]] = {}
    for kind in Kind:
        async for record in records.current_records(kind):
            key = RecordKey.parse(kind, _key_text(record))
            versions = []
            for info in await records.history(key):
                stored = await records.read_version(key, info.number)
                assert stored is not None
                body = None if stored.deleted else stored.json()
                versions.append((info.at_ms, info.content_hash, info.deleted, info.reason, body))
            out[key] = versions
    return out


def _key_text(record: Any) -> str:
    parts = [record.key.id]
    if record.key.HasField("season_number"):
        parts.append(record.key.season_number)
    if record.key.HasField("episode_number"):
        parts.append(record.key.episode_number)
    return "/".join(str(p) for p in parts)


def files(store: Path) -> dict[str, bytes]:
    return {str(p.relative_to(store)): p.read_bytes() for p in store.rglob("*") if p.is_file()}


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_the_old_store_migrates_with_every_version_identical(
    old_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Segments of 20 records: the small fixture makes several per kind.
    monkeypatch.setattr(store_migrate, "CHUNK_RECORDS", 20)
    objects = open_object_store(str(old_store))
    before = asyncio.run(everything(RecordStore(objects)))
    assert len(before) > 100
    assert any(len(versions) > 1 for versions in before.values())  # histories
    assert any(v[2] for versions in before.values() for v in versions)  # tombstones
    index_before = {
        kind: asyncio.run(RecordIndex(objects).table(kind)).to_pylist() for kind in Kind
    }

    status = run("status", "--store", str(old_store))
    assert (
        "layout: one object per record version (earlier releases'); `tmdb-collector migrate`"
        in (status.stdout.replace("\n", " "))
    )
    untouched = files(old_store)
    planned = run("migrate", "--store", str(old_store), "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert "would migrate" in planned.stdout
    movies = sum(1 for key in before if key.kind is Kind.MOVIE)
    assert f"movie: {movies} records" in planned.stdout
    assert files(old_store) == untouched

    some = run("migrate", "--store", str(old_store), "--types", "movie")
    assert some.exit_code == 0, some.output
    assert "not migrated yet: tv, tv_season" in some.stdout
    assert asyncio.run(store_layout(objects)) == "objects"  # still read the old way
    assert isinstance(asyncio.run(open_record_store(objects)), RecordStore)

    # A migration killed after its first segment of episodes resumes after it.
    class Killed(Exception):
        pass

    def kill(done: int, total: int) -> None:
        assert total > 1
        raise Killed

    with pytest.raises(Killed):
        asyncio.run(migrate_kind(objects, Kind.TV_EPISODE, on_chunk=kill))
    resumed = asyncio.run(migrate_kind(objects, Kind.TV_EPISODE))
    assert resumed.resumed_at_chunk == 1

    done = run("migrate", "--store", str(old_store))
    assert done.exit_code == 0, done.output
    assert "is in segments now" in done.stdout
    assert asyncio.run(store_layout(objects)) == "segments"
    records = asyncio.run(open_record_store(objects))
    assert isinstance(records, SegmentRecordStore)
    assert asyncio.run(everything(records)) == before
    left = [name for name in files(old_store) if name.startswith(("records/", "history/"))]
    assert left == []
    # The version map's migrated fragments (one a segment) are folded into snapshots.
    assert not [
        name for name in files(old_store) if name.startswith("versions/") and "/fragments/" in name
    ]
    for kind in Kind:  # the index is the same in both layouts
        assert asyncio.run(RecordIndex(objects).table(kind)).to_pylist() == index_before[kind]

    assert "layout: segments" in run("status", "--store", str(old_store)).stdout
    again = run("migrate", "--store", str(old_store))
    assert again.exit_code == 0, again.output
    assert "is in segments now; 0 objects" in again.stdout
    key = next(iter(before))
    shown = run("query", "--store", str(old_store), f"--type={key.kind}", f"--id={key}")
    assert shown.exit_code == 0, shown.output


def test_an_empty_or_missing_store_is_said_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    empty = run("migrate", "--store", str(tmp_path / "empty"))
    assert empty.exit_code == 0
    assert "holds no records: nothing to migrate" in empty.stdout
    missing = run("migrate", "--store", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2
    assert "no store" in missing.stderr


def test_the_index_and_version_map_are_rebuilt_from_the_segments(
    old_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleted whole, the index and the version map come back from the segments alone; a
    damaged block is named and only its records are missing (the next harvest refetches
    them). ``checked_at`` and ``stored_bytes`` are rebuilt from the versions themselves."""
    monkeypatch.setattr(store_migrate, "CHUNK_RECORDS", 20)
    assert run("migrate", "--store", str(old_store)).exit_code == 0
    objects = open_object_store(str(old_store))
    before = asyncio.run(everything(asyncio.run(open_record_store(objects))))

    def index_rows() -> dict[Kind, list[dict[str, Any]]]:
        def key(row: dict[str, Any]) -> tuple[int, int, int]:
            return (row["id"], row["season_number"] or -1, row["episode_number"] or -1)

        return {
            kind: sorted(
                (
                    {k: v for k, v in row.items() if k not in ("checked_at", "stored_bytes")}
                    | {"video": None, "external_ids": None, "other_titles": None}  # later columns
                    for row in asyncio.run(RecordIndex(objects).table(kind)).to_pylist()
                ),
                key=key,
            )
            for kind in Kind
        }

    index_before = index_rows()
    for folder in ("index", "versions"):
        for path in sorted((old_store / folder).rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    assert asyncio.run(everything(asyncio.run(open_record_store(objects)))) == {}
    rebuilt = run("rebuild-index", "--store", str(old_store))
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt from" in rebuilt.stdout
    assert asyncio.run(everything(asyncio.run(open_record_store(objects)))) == before
    assert index_rows() == index_before
    # The rebuilt index has the columns the fixture's release did not write.
    rebuilt_movies = asyncio.run(RecordIndex(objects).table(Kind.MOVIE)).to_pylist()
    assert any(row["external_ids"] for row in rebuilt_movies)

    # A damaged block: named, its records missing, every other record served.
    segment = sorted((old_store / "segments" / "movie").rglob("*.seg"))[0]
    data = bytearray(segment.read_bytes())
    data[200] ^= 0xFF  # inside the first block
    segment.write_bytes(bytes(data))
    damaged = run("rebuild-index", "--store", str(old_store))
    assert damaged.exit_code == 0, damaged.output
    assert f"damaged (its records are fetched again): segments/movie/{segment.name}" in (
        damaged.stdout.replace(f"migrated/{segment.name}", segment.name)
    )
    after = asyncio.run(everything(asyncio.run(open_record_store(objects))))
    lost = set(before) - set(after)
    assert lost
    assert all(key.kind is Kind.MOVIE for key in lost)
    assert {key: after[key] for key in after} == {key: before[key] for key in after}


def test_rebuild_index_refuses_a_store_of_the_old_layout(old_store: Path) -> None:
    refused = run("rebuild-index", "--store", str(old_store))
    assert refused.exit_code == 2
    assert "is not in segments (objects)" in refused.stderr
    assert "tmdb-collector migrate" in refused.stderr
