"""Write tests/fixtures/store-objects-layout.tar.gz: a store in the layout of one object per
record version, made by three days of ``tmdb-collector mirror`` on a small synthetic fake TMDB
(new, changed and deleted records, seasons and episodes, histories), for the migration's tests
(tests/store/test_migrate.py). Made once by the release before segments (commit 3a1e0c5's
tree); kept, not regenerated: it stands for the stores users have.

    python scripts/make_store_fixture.py
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from tmdb_collector.cli import main as cli
from tmdb_collector.fake import FakeSettings, FakeTMDB
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import Kind

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "store-objects-layout.tar.gz"
KEY = "fixture-key"
COUNTS = {
    Kind.MOVIE: 24,
    Kind.TV: 3,
    Kind.PERSON: 16,
    Kind.COLLECTION: 6,
    Kind.COMPANY: 6,
    Kind.NETWORK: 6,
    Kind.KEYWORD: 6,
}


def main() -> None:
    day = datetime.now(UTC).date()
    fake = FakeTMDB(SyntheticCatalog(COUNTS, seed=21), FakeSettings(api_key=KEY), today=lambda: day)
    with tempfile.TemporaryDirectory() as work, fake.run_in_thread() as running:
        store = Path(work) / "store"
        for step in range(3):
            env = {
                "TMDB_API_KEY": KEY,
                "TMDB_API_URL": running.url,
                "TMDB_EXPORTS_URL": running.url,
                "RATE_LIMIT_REQUESTS": "400",
                "REFRESH_PER_RUN": "0",
                "HARVEST_TODAY": day.isoformat(),
            }
            args = ["mirror", "--store", str(store), "--date", day.isoformat()]
            result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
            if result.exit_code != 0:
                raise SystemExit(result.output)
            if step < 2:
                running.advance(1)
                day += timedelta(days=1)
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for path in sorted(store.rglob("*")):
                if path.is_file() and "queue" not in path.relative_to(store).parts:
                    archive.add(path, arcname=str(path.relative_to(store)))
        OUT.write_bytes(buffer.getvalue())
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    os.environ.pop("TMDB_API_KEY", None)
    main()
