"""``serve`` beside writers and on S3: a new version is answered within seconds of being
written, compaction does not disturb it, and a store on S3 serves as a local one does."""

from __future__ import annotations

import asyncio
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FAKE_TODAY, MOTO_BUCKET
from serve.conftest import Running, get, mirror, serve_in_thread
from tmdb_collector.app import Wiring, _serve, serving
from tmdb_collector.cli import main
from tmdb_collector.config import load_config
from tmdb_collector.fake import FakeTMDB
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import RecordWrite, open_object_store, open_record_store


def test_a_new_version_is_answered_and_compaction_changes_nothing(
    mirrored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "live"
    shutil.copytree(mirrored, store)
    key = RecordKey(Kind.KEYWORD, 1701)
    # Checked at every request here, instead of every few seconds.
    with serve_in_thread(store, check_seconds=0.0) as running:
        before = get(f"{running.url}/3/keyword/1701").json()
        etag = get(f"{running.url}/3/keyword/1701").headers["ETag"]

        async def write() -> None:
            records = await open_record_store(open_object_store(str(store)), writing=True)
            at = int(datetime.now(UTC).timestamp() * 1000)
            changed = {**before, "name": "renamed by a later fetch"}
            await records.write_batch([RecordWrite(key, changed, at, key.api_path)])

        asyncio.run(write())
        after = get(f"{running.url}/3/keyword/1701")
        assert after.json()["name"] == "renamed by a later fetch"
        assert after.headers["ETag"] != etag
        assert get(f"{running.url}/3/search/keyword?query=renamed").json()["total_results"] == 1
        compacted = CliRunner().invoke(main, ["compact", "--store", str(store)])
        assert compacted.exit_code == 0, compacted.output
        assert get(f"{running.url}/3/keyword/1701").json()["name"] == "renamed by a later fetch"
        assert get(f"{running.url}/3/movie/550").json()["id"] == 550


def test_a_store_on_s3_is_served(
    fake: FakeTMDB, s3_environ: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = f"s3://{MOTO_BUCKET}/serve-{time.time_ns()}"
    for name, value in s3_environ.items():
        monkeypatch.setenv(name, value)
    # The queue beside the test, not in the working directory (a store on S3 has no directory
    # of its own to hold one).
    queue = f"sqlite:{tmp_path / 'q.sqlite3'}"
    mirror(store, fake.url, FAKE_TODAY, "--types", "movie,tv", TMDB_QUEUE=queue)
    with serve_in_thread(store, s3_environ) as running:
        movie = get(f"{running.url}/3/movie/550?append_to_response=credits")
        assert movie.status == 200
        assert movie.json()["title"] == "Fight Club"
        assert "credits" in movie.json()
        season = get(f"{running.url}/3/tv/1399/season/1/credits").json()
        assert season["cast"]
        found = get(f"{running.url}/3/find/tt0944947?external_source=imdb_id").json()
        assert [r["id"] for r in found["tv_results"]] == [1399]


def test_the_store_is_checked_every_2_s_on_disk_and_every_60_s_on_s3(mirrored: Path) -> None:
    """Each check lists and HEADs per kind: free on disk, paid per request on S3."""
    assert _serve.check_seconds(None, f"file://{mirrored}") == 2.0
    assert _serve.check_seconds(None, "memory://") == 2.0
    assert _serve.check_seconds(None, "s3://bucket/tmdb") == 60.0
    assert _serve.check_seconds(15.0, "s3://bucket/tmdb") == 15.0

    async def served(environ: dict[str, str]) -> tuple[float, float]:
        wiring = Wiring(load_config(environ={"TMDB_STORE": str(mirrored), **environ}))
        async with serving(wiring, host="127.0.0.1", port=0, cache_bytes=1 << 20) as server:
            return server.index.check_seconds, server.documents.records.read_check_seconds

    assert asyncio.run(served({})) == (2.0, 2.0)
    assert asyncio.run(served({"SERVE_CHECK_SECONDS": "30"})) == (30.0, 30.0)


def test_a_taken_port_is_one_clear_error(served: Running) -> None:
    port = served.url.rsplit(":", 1)[1]
    result = CliRunner().invoke(
        main, ["serve", "--store", str(served.server.documents.records.objects.url), "--port", port]
    )
    assert result.exit_code == 2, result.output
    assert "cannot listen on 127.0.0.1:" in result.stderr
    assert "Traceback" not in result.output
