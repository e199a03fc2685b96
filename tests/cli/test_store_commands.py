"""``tmdb-collector query``, ``history`` and ``export`` against a real store — a local directory
and S3 on moto — filled with the shared TMDB fixtures through RecordStore.write_batch."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import stat
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from conftest import MOTO_BUCKET
from tmdb_collector.cli import _export, _render, main
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.schema import RecordCodec
from tmdb_collector.store import (
    ObjectStore,
    RecordDeletion,
    RecordWrite,
    SegmentRecordStore,
    StoreError,
    export_to_file,
    open_object_store,
    open_record_store,
)
from tmdb_collector.store import _export as store_export
from tmdb_collector.store import _records as store_records

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "tmdb" / "fixtures"
T0 = 1_763_936_000_000  # 2025-11-23T22:13:20Z
DAY = 86_400_000
MOVIE = RecordKey(Kind.MOVIE, 550)
GONE = RecordKey(Kind.MOVIE, 13)
SEASON = RecordKey(Kind.TV_SEASON, 1399, 1)
EPISODE = RecordKey(Kind.TV_EPISODE, 1399, 1, 1)


def fixture(relative: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / relative).read_text(encoding="utf-8"))
    return document


@dataclass(frozen=True)
class Location:
    """A store as a user names it (``--store``), and the environment it needs (AWS for S3)."""

    url: str
    env: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.url

    def objects(self) -> ObjectStore:
        return open_object_store(self.url, environ=self.env)


def write(location: Location, *items: RecordWrite | RecordDeletion) -> None:
    """A batch written as the collector writes one (a new store: in segments)."""

    async def batch() -> None:
        records = await open_record_store(location.objects(), writing=True)
        await records.write_batch(list(items))

    asyncio.run(batch())


def corrupt(location: Location, key: RecordKey) -> str:
    """Damage the block holding the record's current version; where it is, as messages say."""

    async def damage() -> str:
        objects = location.objects()
        records = await open_record_store(objects)
        assert isinstance(records, SegmentRecordStore)
        where = (await records.versions.versions(key))[-1]
        data = await objects.get(where.segment)
        assert data is not None
        garbled = bytearray(data)
        garbled[where.offset + where.length // 2] ^= 0xFF
        await objects.put(where.segment, bytes(garbled))
        return f"{where.segment}#{where.offset}+{where.length}/{where.ordinal}"

    return asyncio.run(damage())


def fetched(key: RecordKey, document: dict[str, Any], at_ms: int) -> RecordWrite:
    return RecordWrite(key, document, at_ms, key.api_path)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Location:
    """Movie 550 in two versions (the fixture is the newer), a season, an episode, and movie 13
    fetched then deleted; on a local directory, then on S3 (moto)."""
    if request.param == "local":
        location = Location(str(tmp_path / "store"))
    else:
        environ: dict[str, str] = request.getfixturevalue("s3_environ")
        location = Location(f"s3://{MOTO_BUCKET}/cli/{uuid.uuid4().hex}", environ)
    older = fixture("movie/550.json") | {"popularity": 1.5}
    gone = copy.deepcopy(fixture("movie/550.json")) | {"id": 13, "title": "Gone"}
    write(
        location,
        fetched(MOVIE, older, T0),
        fetched(SEASON, fixture("tv/1399/season/1.json"), T0),
        fetched(EPISODE, fixture("tv/1399/season/1/episode/1.json"), T0),
        fetched(GONE, gone, T0),
    )
    write(location, fetched(MOVIE, fixture("movie/550.json"), T0 + DAY))
    write(location, RecordDeletion(GONE, "404 on fetch", T0 + DAY))
    return location


def run(location: Location | str, *args: str, **env: str) -> Result:
    store_env = location.env if isinstance(location, Location) else {}
    return CliRunner(env=store_env | env).invoke(main, [*args, "--store", str(location)])


# --- query: one record -------------------------------------------------------------------------


def test_query_prints_the_record_as_tmdb_json(store: Location) -> None:
    result = run(store, "query", "--type=movie", "--id=550")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout_bytes.decode("utf-8")) == fixture("movie/550.json")
    assert result.stdout.startswith('{\n  "')  # indented


@pytest.mark.parametrize(
    ("kind", "spec", "relative"),
    [
        ("tv_season", "1399/1", "tv/1399/season/1.json"),
        ("tv_episode", "1399/1/1", "tv/1399/season/1/episode/1.json"),
    ],
)
def test_query_reads_seasons_and_episodes(
    store: Location, kind: str, spec: str, relative: str
) -> None:
    result = run(store, "query", f"--type={kind}", f"--id={spec}")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == fixture(relative)


def test_query_text_is_a_short_summary(store: Location) -> None:
    result = run(store, "query", "--type=movie", "--id=550", "--format", "text")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "movie 550"
    assert "title:        Fight Club" in lines
    assert "date:         1999-10-15" in lines
    assert "fetched at:   2025-11-24T22:13:20.000Z" in lines
    assert "deleted:      no" in lines
    content_hash = (
        RecordCodec()
        .encode(MOVIE, fixture("movie/550.json"), fetched_at_ms=0, path="")
        .content_hash
    )
    assert f"content hash: {content_hash.hex()}" in lines


def test_query_pb_writes_the_stored_bytes(store: Location) -> None:
    result = run(store, "query", "--type=movie", "--id=550", "--format", "pb")
    assert result.exit_code == 0, result.output
    # The stored version as one zstd frame of its tmdb.v1.Record (docs/storage.md).
    assert RecordCodec().to_json(RecordCodec().decode(result.stdout_bytes)) == fixture(
        "movie/550.json"
    )


def test_query_pb_refuses_a_terminal(store: Location, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_render, "stdout_is_terminal", lambda: True)
    result = run(store, "query", "--type=movie", "--id=550", "--format", "pb")
    assert result.exit_code == 2
    assert "redirect stdout" in result.stderr
    assert result.stdout_bytes == b""


def test_query_pb_of_an_older_version(store: Location) -> None:
    result = run(store, "query", "--type=movie", "--id=550", "--format", "pb", "--version", "1")
    assert result.exit_code == 0, result.output
    assert RecordCodec().to_json(RecordCodec().decode(result.stdout_bytes))["popularity"] == 1.5


@pytest.mark.parametrize(
    ("selector", "popularity"),
    [
        (["--version", "1"], 1.5),
        (["--version", "-1"], None),
        (["--version", "2"], None),
        (["--at", "2025-11-24"], 1.5),  # a date: its midnight, UTC
        (["--at", "2025-11-24T22:13:20"], None),  # no zone: UTC
        (["--at", "2025-11-24T23:13:19+01:00"], 1.5),  # a second before, in another zone
    ],
)
def test_query_reads_history(
    store: Location, selector: list[str], popularity: float | None
) -> None:
    result = run(store, "query", "--type=movie", "--id=550", *selector)
    assert result.exit_code == 0, result.output
    expected = fixture("movie/550.json")
    if popularity is not None:
        expected["popularity"] = popularity
    assert json.loads(result.stdout) == expected


@pytest.mark.parametrize(
    "selector", [["--version", "3"], ["--version", "-3"], ["--at", "2025-11-23T22:13:19Z"]]
)
def test_query_of_a_missing_version_fails(store: Location, selector: list[str]) -> None:
    result = run(store, "query", "--type=movie", "--id=550", *selector)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: movie 550 has no version ")


@pytest.mark.parametrize(
    "selector", [["--version", "0"], ["--version", "1", "--at", "2025-11-24"], ["--at", "soon"]]
)
def test_query_rejects_a_bad_selector(store: Location, selector: list[str]) -> None:
    result = run(store, "query", "--type=movie", "--id=550", *selector)
    assert result.exit_code == 2


def test_query_of_a_deleted_record_says_so(store: Location) -> None:
    text = run(store, "query", "--type=movie", "--id=13", "--format", "text")
    assert text.exit_code == 0, text.output
    assert "deleted:      yes, at 2025-11-24T22:13:20.000Z (404 on fetch)" in text.stdout
    as_json = run(store, "query", "--type=movie", "--id=13")
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == {
        "deleted": True,
        "deleted_at": "2025-11-24T22:13:20.000Z",
        "reason": "404 on fetch",
    }
    before = run(store, "query", "--type=movie", "--id=13", "--version", "1")
    assert json.loads(before.stdout)["title"] == "Gone"


def test_query_of_an_absent_record_fails(store: Location) -> None:
    result = run(store, "query", "--type=movie", "--id=551")
    assert result.exit_code == 1
    assert f"movie 551 is not in {store.objects().url}" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("kind", "spec", "message"),
    [
        ("movie", "../x", "is not a positive integer id"),
        ("movie", "550/1", "is not a positive integer id"),
        ("tv_episode", "1399", "is not SERIES_ID/SEASON_NUMBER/EPISODE_NUMBER"),
        ("tv_season", "1399/../1", "is not SERIES_ID/SEASON_NUMBER"),
    ],
)
def test_a_malformed_id_is_a_usage_error(
    store: Location, kind: str, spec: str, message: str
) -> None:
    for command in ("query", "history"):
        result = run(store, command, f"--type={kind}", f"--id={spec}")
        assert result.exit_code == 2, result.output
        assert message in result.stderr


def test_the_store_comes_from_tmdb_store(store: Location) -> None:
    result = CliRunner(env=store.env | {"TMDB_STORE": store.url}).invoke(
        main, ["query", "--type=movie", "--id=550"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"] == "Fight Club"


def test_an_empty_memory_store_has_nothing() -> None:
    result = run("memory://", "query", "--type=movie", "--id=550")
    assert result.exit_code == 2
    assert "no store at memory:// (memory:// is new and empty in every process)" in result.stderr


def test_a_bad_store_location_is_one_line(tmp_path: Path) -> None:
    for command in (
        ["query", "--type=movie", "--id=550"],
        ["history", "--type=movie", "--id=550"],
        ["export", "--type=movie", "--format=jsonl", "--out", str(tmp_path / "x.jsonl")],
    ):
        result = run("gs://bucket", *command)
        assert result.exit_code == 2, result.output  # a setting to fix
        assert len(result.stderr.splitlines()) == 1
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_record_is_one_line(store: Location) -> None:
    where = corrupt(store, MOVIE)
    result = run(store, "query", "--type=movie", "--id=550")
    assert result.exit_code == 2  # a damaged object to replace: retrying as is cannot help
    assert "a damaged block" in result.stderr
    assert "movie 550" in result.stderr  # the record
    assert where in result.stderr  # and where it is
    assert len(result.stderr.splitlines()) == 1


def test_export_skips_and_counts_what_it_cannot_read(store: Location, tmp_path: Path) -> None:
    where = corrupt(store, MOVIE)
    out = tmp_path / "movies.jsonl"
    result = run(
        store, "export", "--type=movie", "--format=jsonl", "--out", str(out), "--include-deleted"
    )
    assert result.exit_code == 1, result.output
    assert [json.loads(line)["key"] for line in out.read_text().splitlines()] == ["13"]
    url = store.objects().url
    assert f"skipped: movie 550: the object {url}/{where}" in result.stderr
    assert "1 movie records could not be read and were skipped" in result.stderr


def test_export_to_standard_output(store: Location) -> None:
    result = run(store, "export", "--type=movie", "--format=jsonl", "--out", "-")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [550]
    assert "exported 1 movie records to standard output" in result.stderr


@pytest.mark.parametrize("output", ["jsonl", "parquet"])
def test_export_writes_through_a_device_and_leaves_it_a_device(
    store: Location, output: str
) -> None:
    full = Path("/dev/full")
    if not full.exists():
        pytest.skip("no /dev/full here")
    # Parquet's last bytes are flushed as the device is closed: that failure was a traceback.
    result = run(store, "export", "--type=movie", f"--format={output}", "--out", str(full))
    assert result.exit_code == 2, result.output  # no room: free some or choose another --out
    assert result.stderr == "Error: cannot write /dev/full: No space left on device\n"
    assert full.is_char_device()
    null = run(store, "export", "--type=movie", "--format=parquet", "--out", "/dev/null")
    assert null.exit_code == 0, null.output
    assert Path("/dev/null").is_char_device()


def test_export_writes_through_a_named_pipe(store: Location, tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    result = run(store, "export", "--type=movie", "--format=jsonl", "--out", str(pipe))
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert json.loads(received[0])["id"] == 550
    assert stat.S_ISFIFO(pipe.stat().st_mode)


# --- history -----------------------------------------------------------------------------------


def test_history_lists_the_versions(store: Location) -> None:
    result = run(store, "history", "--type=movie", "--id=550")
    assert result.exit_code == 0, result.output
    header, first, second = result.stdout.splitlines()
    assert header.split() == ["version", "time", "content", "hash", "state"]
    assert first.split()[:2] == ["1", "2025-11-23T22:13:20.000Z"]
    assert first.split()[3] == "live"
    newest = RecordCodec().encode(MOVIE, fixture("movie/550.json"), fetched_at_ms=0, path="")
    assert second.split() == [
        "2",
        "2025-11-24T22:13:20.000Z",
        newest.content_hash.hex()[:16],
        "live",
    ]


def test_history_shows_deletions(store: Location) -> None:
    result = run(store, "history", "--type=movie", "--id=13")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].endswith("deleted (404 on fetch)")


def test_history_of_an_absent_record_fails(store: Location) -> None:
    result = run(store, "history", "--type=tv_episode", "--id=1399/1/2")
    assert result.exit_code == 1
    assert "tv_episode 1399/1/2 is not in" in result.stderr


# --- export ------------------------------------------------------------------------------------


def test_export_jsonl_writes_every_current_record(store: Location, tmp_path: Path) -> None:
    out = tmp_path / "out" / "movies.jsonl"
    out.parent.mkdir()
    result = run(store, "export", "--type=movie", "--format=jsonl", "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [fixture("movie/550.json")]
    assert f"exported 1 movie records to {out}" in result.stderr
    assert list(out.parent.iterdir()) == [out]  # no temporary file left


def test_export_jsonl_can_include_tombstones(store: Location, tmp_path: Path) -> None:
    out = tmp_path / "movies.jsonl"
    args = ["export", "--type=movie", "--format=jsonl", "--out", str(out), "--include-deleted"]
    result = run(store, *args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert fixture("movie/550.json") in rows
    assert {
        "kind": "movie",
        "key": "13",
        "deleted": True,
        "deleted_at": "2025-11-24T22:13:20.000Z",
        "reason": "404 on fetch",
    } in rows


def test_export_parquet_writes_rows(store: Location, tmp_path: Path) -> None:
    out = tmp_path / "episodes.parquet"
    result = run(store, "export", "--type=tv_episode", "--format=parquet", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = pq.read_table(out).to_pylist()
    assert len(rows) == 1
    row = rows[0]
    assert (row["id"], row["season_number"], row["episode_number"]) == (1399, 1, 1)
    assert row["fetched_at"].isoformat() == "2025-11-23T22:13:20+00:00"
    assert len(row["content_hash"]) == 64
    assert row["deleted"] is False
    assert json.loads(row["json"]) == fixture("tv/1399/season/1/episode/1.json")
    # Nothing beside the output: no temporary file left (a local store's folder is there too).
    assert [p for p in tmp_path.iterdir() if p.name != "store"] == [out]


def test_export_parquet_streams_in_row_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = Location(str(tmp_path / "store"))
    base = fixture("movie/550.json")
    write(location, *(fetched(RecordKey(Kind.MOVIE, i), base | {"id": i}, T0) for i in range(1, 8)))
    monkeypatch.setattr(store_export, "_ROW_GROUP", 3)
    monkeypatch.setattr(store_records, "_READ_WINDOW", 2)
    monkeypatch.setattr(_export, "_PROGRESS_EVERY", 2)
    monkeypatch.setattr(_render, "stderr_is_terminal", lambda: True)
    out = tmp_path / "movies.parquet"
    args = ["export", "--type=movie", "--format=parquet", "--out", str(out), "--include-deleted"]
    result = run(location, *args)
    assert result.exit_code == 0, result.output
    parquet = pq.ParquetFile(out)
    assert parquet.metadata.num_row_groups == 3
    assert sorted(parquet.read().column("id").to_pylist()) == list(range(1, 8))
    assert result.stderr.splitlines() == [
        "... 2 movie records",
        "... 4 movie records",
        "... 6 movie records",
        f"exported 7 movie records to {out}",
    ]


class FailingReads:
    """An object store whose reads fail after the first few: a store going away mid-export."""

    def __init__(self, inner: ObjectStore, good_reads: int) -> None:
        self._inner = inner
        self._left = good_reads

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def get(self, key: str) -> bytes | None:
        self._left -= 1
        if self._left < 0:
            raise StoreError(f"{self._inner.url}: connection reset reading {key}")
        return await self._inner.get(key)


def test_a_failing_export_leaves_nothing(store: Location, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for output in ("jsonl", "parquet"):
        out = out_dir / f"movies.{output}"
        records = SegmentRecordStore(FailingReads(store.objects(), 1))  # type: ignore[arg-type]
        with pytest.raises(StoreError, match="connection reset"):
            asyncio.run(
                export_to_file(records, Kind.MOVIE, output, out, include_deleted=True)  # type: ignore[arg-type]
            )
        assert list(out_dir.iterdir()) == []


def test_an_export_to_a_missing_directory_fails(store: Location, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "movies.jsonl"
    result = run(store, "export", "--type=movie", "--format=jsonl", "--out", str(out))
    assert result.exit_code == 2  # a path to fix
    assert f"cannot write {out}" in result.stderr


# --- query: the index --------------------------------------------------------------------------


def test_id_and_where_are_exclusive(store: Location) -> None:
    result = run(store, "query", "--type=movie", "--id=550", "--where", "popularity > 5")
    assert result.exit_code == 2
    assert "--id reads one record" in result.stderr


def test_history_options_need_an_id(store: Location) -> None:
    result = run(store, "query", "--type=movie", "--where", "popularity > 5", "--version", "1")
    assert result.exit_code == 2


def test_the_index_answers_where_queries(store: Location) -> None:
    args = ["query", "--type=movie", "--where", "popularity > 5", "--order", "popularity"]
    result = run(store, *args, "--desc", "--limit", "10", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(row["id"], row["title"]) for row in rows] == [(550, "Fight Club")]
    table = run(store, *args, COLUMNS="400")
    assert table.exit_code == 0, table.output
    assert "Fight Club" in table.stdout


#: The README's example.
POPULAR = ["query", "--type", "movie", "--where", "popularity > 10", "--order", "popularity"]


def terminal(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    monkeypatch.setattr(_render, "stdout_console", lambda: Console(width=width))


def test_an_index_table_fits_an_80_column_terminal(
    store: Location, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal(monkeypatch, 80)
    result = run(store, *POPULAR, "--desc", "--limit", "10")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), result.stdout
    assert lines[0].split() == ["id", "title", "date", "popularity", "vote_average"]
    [row] = [line for line in lines if "Fight Club" in line]
    assert row.split() == ["550", "Fight", "Club", "1999-10-15", "24.174", "8.438"]


def test_a_tv_episode_table_shows_its_key_and_title(
    store: Location, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal(monkeypatch, 80)
    result = run(store, "query", "--type=tv_episode", "--where", "id = 1399")
    assert result.exit_code == 0, result.output
    header, _, row = result.stdout.splitlines()[:3]
    assert header.split() == ["id", "season_number", "episode_number", "title", "date"]
    assert row.split()[:4] == ["1399", "1", "1", "Winter"]


def test_columns_choose_what_an_index_table_and_json_show(
    store: Location, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal(monkeypatch, 80)
    result = run(store, *POPULAR, "--columns", "id, vote_count,title")
    assert result.exit_code == 0, result.output
    header, _, row = result.stdout.splitlines()[:3]
    assert header.split() == ["id", "vote_count", "title"]
    assert row.split() == ["550", "30717", "Fight", "Club"]
    lines = run(store, *POPULAR, "--columns", "id,title", "--format", "json").stdout
    assert [json.loads(line) for line in lines.splitlines()] == [{"id": 550, "title": "Fight Club"}]


def test_an_unknown_column_is_one_error_naming_the_columns(store: Location) -> None:
    result = run(store, *POPULAR, "--columns", "id,nope,title")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    [error] = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert "unknown column 'nope'" in error
    assert "the index has: id, season_number, episode_number, title, " in error
    assert "content_hash" in error


def test_columns_need_an_index_query(store: Location) -> None:
    result = run(store, "query", "--type=movie", "--id=550", "--columns", "id")
    assert result.exit_code == 2
    assert "--columns query the index" in result.stderr


def test_a_bad_index_query_is_one_line(store: Location) -> None:
    result = run(store, "query", "--type=movie", "--where", "no_such_column > 1")
    assert result.exit_code == 2, result.output  # the user's query to fix
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: ")


def test_an_export_beside_a_file_fails(store: Location, tmp_path: Path) -> None:
    # Unwritable even for root: the "directory" is a file.
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    out = blocker / "movies.parquet"
    result = run(store, "export", "--type=movie", "--format=parquet", "--out", str(out))
    assert result.exit_code == 2  # a path to fix
    assert f"cannot write {out}" in result.stderr
    assert "Traceback" not in result.output


def test_help_lists_the_store_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("query", "history", "export"):
        assert command in result.output


# --- compact -----------------------------------------------------------------------------------


def test_compact_folds_the_fragments_and_queries_answer_the_same(store: Location) -> None:
    where = ["query", "--type=movie", "--where", "popularity > 0", "--format", "json"]
    before = run(store, *where)
    assert before.exit_code == 0, before.output

    result = run(store, "compact", "--type=movie", "--type=tv_episode")
    assert result.exit_code == 0, result.output
    # The fixture wrote three batches with movies (three fragments) and one with the episode.
    assert result.stdout.splitlines() == [
        "movie: 3 fragments folded, 2 rows indexed",
        "tv_episode: 1 fragments folded, 1 rows indexed",
    ]
    objects = store.objects()

    async def fragments(kind: str) -> list[str]:
        return [info.key async for info in objects.list(f"index/{kind}/fragments")]

    assert asyncio.run(fragments("movie")) == []
    assert run(store, *where).stdout == before.stdout  # deleted movie 13 still left out

    again = run(store, "compact", "--type=movie")
    assert again.stdout.splitlines() == ["movie: 0 fragments folded, 2 rows indexed"]
    # --types, as mirror and harvest spell it (seasons and episodes are kinds here too).
    listed = run(store, "compact", "--types", "tv_episode,movie")
    assert [line.split(":")[0] for line in listed.stdout.splitlines()] == ["movie", "tv_episode"]
    wrong = run(store, "compact", "--types", "movie,films")
    assert wrong.exit_code == 2
    assert "films: kinds are movie, tv, tv_season" in wrong.output


def test_compact_of_every_kind_of_an_empty_store_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    location = Location(str(tmp_path / "empty"))
    result = run(location, "compact")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == len(Kind)
    assert not (tmp_path / "empty" / "index").exists()
