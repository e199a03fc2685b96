"""The fault suite's machinery: the fake TMDB and moto as child processes that can be stopped and
started again, the real ``tmdb-collector`` command as a subprocess, and a store's state read
through the store's own API, to compare with a clean mirror of the same catalog.

Everything listens on 127.0.0.1 and every wait is bounded: a child that outlives its deadline is
killed and the test fails, so the suite can never hang CI.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from moto_server import _LAUNCHER as MOTO_LAUNCHER
from moto_server import create_bucket, moto_environ
from tmdb_collector.fake import LISTENING_PREFIX
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.store import ObjectStore, RecordIndex, open_object_store, open_record_store

#: The catalog every scenario mirrors (unless it says otherwise): every kind, ~480 records with
#: seasons and episodes, a clean mirror in ~2 s.
CATALOG = "movie=150,person=80,tv=6,collection=6,company=6,network=4,keyword=6"
SEED = 7
#: The fake admits far more than the client asks for: only the injected fault limits the pace.
FAKE_RATE_LIMIT = 5000
#: The client's pace: high, so a scenario costs seconds (the pacing scenarios set their own).
FAST_PACE = 400
#: The API key the runs send (the fake accepts any non-empty one).
API_KEY = "fault-suite-key"
#: Every foreground command's output, for the credential scan at the end of the suite.
OUTPUTS_SCANNED: list[str] = []

#: Longest a single command may run before the test fails (most take a few seconds).
COMMAND_TIMEOUT = 120.0


# --- the fake TMDB --------------------------------------------------------------------------------

#: ``tmdb-collector fake-tmdb ARGS`` that also exits as soon as its stdin closes, so that no fake
#: outlives a test run that dies without its teardown (as tests/moto_server.py does for moto).
_FAKE_LAUNCHER = """
import os, sys, threading

def exit_with_parent():
    sys.stdin.read()
    os._exit(0)

threading.Thread(target=exit_with_parent, daemon=True).start()
from tmdb_collector.cli import main
main(["fake-tmdb", *sys.argv[1:]], prog_name="tmdb-collector")
"""


def _forward(stream: IO[str], lines: queue.Queue[str]) -> None:
    with stream:
        for line in stream:
            lines.put(line)
    lines.put("")  # it exited


class FakeProcess:
    """``tmdb-collector fake-tmdb`` in a child process that can be stopped and started again on
    the same port (the same catalog, seed and day), and driven through its admin API."""

    def __init__(self, *args: str) -> None:
        self.args = [
            "--synthetic",
            CATALOG,
            "--seed",
            str(SEED),
            "--rate-limit",
            str(FAKE_RATE_LIMIT),
            *args,
        ]
        self.port: int | None = None
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> str:
        """Start it (on its previous port, if it ran before); its base URL once it listens."""
        port = str(self.port or 0)
        process = subprocess.Popen(  # noqa: S603 (our interpreter, fixed arguments)
            [sys.executable, "-c", _FAKE_LAUNCHER, *self.args, "--port", port],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "LOG_LEVEL": "warning"},
        )
        self._process = process
        assert process.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        # A thread, because a pipe's readline cannot time out; it also keeps draining stdout.
        threading.Thread(target=_forward, args=(process.stdout, lines), daemon=True).start()
        try:
            line = lines.get(timeout=30)
        except queue.Empty:
            line = ""
        if not line.startswith(LISTENING_PREFIX):
            self.stop()
            raise RuntimeError(f"the fake TMDB did not start: {line!r}")
        self.url = line.removeprefix(LISTENING_PREFIX).strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        return self.url

    def stop(self) -> None:
        """Stop it as a service manager would (SIGTERM), and wait until it has."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdin is not None:
            process.stdin.close()

    def __enter__(self) -> FakeProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def admin(self, method: str, path: str, body: bytes | None = None) -> Any:
        request = urllib.request.Request(  # noqa: S310 (our fake on 127.0.0.1)
            f"{self.url}/_fake/{path}", data=body, method=method
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            data = response.read()
        return json.loads(data) if data else None

    def settings(self, **changes: object) -> None:
        self.admin("POST", "settings", json.dumps(changes).encode())

    def inject(self, fault: str, count: int, path_prefix: str = "/3/") -> None:
        body = {"fault": fault, "count": count, "path_prefix": path_prefix}
        self.admin("POST", "inject", json.dumps(body).encode())

    def advance(self, days: int = 1) -> None:
        self.admin("POST", f"advance?days={days}")

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.admin("GET", "stats")
        return stats

    def export_bytes(self, name: str, day: date) -> bytes:
        with urllib.request.urlopen(  # noqa: S310 (our fake on 127.0.0.1)
            f"{self.url}/p/exports/{export_file(name, day)}", timeout=30
        ) as response:
            data: bytes = response.read()
        return data


def wait_for_answers(fake: FakeProcess, count: int, timeout: float = 60.0) -> None:
    """Until the fake has had ``count`` movie requests (the collection is on)."""
    deadline = time.monotonic() + timeout
    while fake.stats()["by_endpoint"]["movie"] < count:
        assert time.monotonic() < deadline, f"fewer than {count} movie requests in {timeout} s"
        time.sleep(0.05)


def export_file(name: str, day: date) -> str:
    """TMDB's export file name: ``movie_ids_12_31_2026.json.gz``."""
    return f"{name}_ids_{day:%m_%d_%Y}.json.gz"


def today() -> date:
    """The fake's today: the real date in UTC."""
    return datetime.now(UTC).date()


# --- moto (S3) ------------------------------------------------------------------------------------


class MotoProcess:
    """moto's server on 127.0.0.1 with one bucket; its process can be paused (SIGSTOP) to make
    S3 unavailable without losing its state. Exits with its stdin, as tests/moto_server.py's."""

    bucket = "tmdb-fault"

    def __init__(self, log_path: Path) -> None:
        self._log_path = log_path
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our interpreter, fixed arguments)
                [sys.executable, "-c", MOTO_LAUNCHER, str(self.port)],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_answering()
        create_bucket(self.endpoint, self.bucket)

    def environ(self) -> dict[str, str]:
        return moto_environ(self.endpoint)

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        self.resume()
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto exited: {self._log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.endpoint, timeout=1):  # noqa: S310
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)  # another process binding its port: nothing to inject
        raise RuntimeError(f"moto did not answer at {self.endpoint} in 30 s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (connections are refused at once)."""
    return f"http://127.0.0.1:{_free_port()}"


# --- the command ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A finished ``tmdb-collector`` command."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self) -> str:
        return (
            f"tmdb-collector {' '.join(self.args)} -> exit {self.code} in {self.seconds:.1f} s\n"
            f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-6000:]}"
        )

    @property
    def error_lines(self) -> list[str]:
        """The CLI's one-line messages (``Error: ...``) on stderr."""
        return [line for line in self.stderr.splitlines() if line.startswith("Error: ")]


@dataclass
class Setup:
    """Where a scenario's runs go: the fake, the store, the working directory and settings."""

    fake_url: str
    store: str
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)

    def environ(self, **overrides: str) -> dict[str, str]:
        base = {
            key: value
            for key, value in os.environ.items()
            # The suite decides these; a developer's own settings must not leak in.
            if not key.startswith(("TMDB_", "AWS_", "RATE_LIMIT", "VISIBILITY", "MEDIA_"))
        }
        return {
            **base,
            "TMDB_API_KEY": API_KEY,
            "TMDB_API_URL": self.fake_url,
            "TMDB_EXPORTS_URL": self.fake_url,
            "TMDB_STORE": self.store,
            "RATE_LIMIT_REQUESTS": str(FAST_PACE),
            "LOG_FORMAT": "json",
            **self.env,
            **overrides,
        }

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "tmdb_collector", *args]

    def run(self, *args: str, timeout: float = COMMAND_TIMEOUT, **env: str) -> Run:
        started = time.monotonic()
        done = subprocess.run(  # noqa: S603 (our own command)
            self.command(*args),
            cwd=self.cwd,
            env=self.environ(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        OUTPUTS_SCANNED.append(done.stdout + done.stderr)
        return Run(args, done.returncode, done.stdout, done.stderr, time.monotonic() - started)

    def mirror(self, *args: str, timeout: float = COMMAND_TIMEOUT, **env: str) -> Run:
        return self.run("mirror", *args, timeout=timeout, **env)

    @contextmanager
    def started(self, *args: str, **env: str) -> Iterator[Started]:
        """The command running in the background; killed at the end of the block if it is
        still running."""
        started = self.start(*args, **env)
        try:
            yield started
        finally:
            started.stop()

    def start(self, *args: str, **env: str) -> Started:
        """The command running in the background (the caller stops it)."""
        logs = self.cwd / "logs"
        logs.mkdir(exist_ok=True)
        name = f"{time.monotonic_ns()}"
        out, err = logs / f"{name}.out", logs / f"{name}.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen(  # noqa: S603 (our own command)
                self.command(*args),
                cwd=self.cwd,
                env=self.environ(**env),
                stdout=stdout,
                stderr=stderr,
                text=True,
            )
        started = Started(tuple(args), process, out, err, time.monotonic())
        # When it ends, not when someone asks: a background run is waited for much later.
        threading.Thread(target=started.watch, daemon=True).start()
        return started


@dataclass
class Started:
    args: tuple[str, ...]
    process: subprocess.Popen[str]
    out: Path
    err: Path
    at: float
    ended_at: float | None = None

    def watch(self) -> None:
        self.process.wait()
        self.ended_at = time.monotonic()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Kill it if it still runs."""
        if self.process.poll() is None:
            self.kill()

    def wait(self, timeout: float = COMMAND_TIMEOUT) -> Run:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(
                f"tmdb-collector {' '.join(self.args)} ran longer than {timeout} s:\n"
                f"{self.err.read_text()[-4000:]}"
            ) from None
        ended = self.ended_at
        return Run(
            self.args,
            code,
            self.out.read_text(),
            self.err.read_text(),
            (time.monotonic() if ended is None else ended) - self.at,
        )


_TEMPORARY = re.compile(r"(?:file://)?/\S*?/pytest-of-[^/]+/pytest-\d+/[^/\s'\"]+")
_LOOPBACK = re.compile(r"http://127\.0\.0\.1:\d+")


def quote(text: str, limit: int = 110) -> str:
    """A message for the results table: without the CLI's ``Error:``, the test's temporary
    directory or the port of the day, cut at ``limit`` characters."""
    text = _TEMPORARY.sub("…", text.removeprefix("Error: "))
    text = _LOOPBACK.sub("http://127.0.0.1:PORT", text)
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr, run.describe()
    assert "Traceback" not in run.stdout, run.describe()


def status(setup: Setup, **env: str) -> dict[str, Any]:
    run = setup.run("status", "--json", timeout=60, **env)
    assert run.code == 0, run.describe()
    report: dict[str, Any] = json.loads(run.stdout)
    return report


# --- the store's state ----------------------------------------------------------------------------


@dataclass
class StoreState:
    """What a store holds, read through its record store (open_record_store) and RecordIndex."""

    #: kind → key → (content hash hex, tombstone) of the current version.
    current: dict[Kind, dict[str, tuple[str, bool]]]
    #: (kind, key) → the content hashes of its kept versions, oldest first (the current last).
    versions: dict[tuple[Kind, str], list[str]]
    #: (kind, key, new_hash) of every change-log entry, deduplicated.
    logged: set[tuple[Kind, str, str]]
    #: kind → key → content hash of the index's row (after compaction).
    index: dict[Kind, dict[str, str]]
    #: Objects that could not be read (with their error).
    unreadable: list[str]

    def live(self, kind: Kind) -> set[str]:
        return {key for key, (_, dead) in self.current.get(kind, {}).items() if not dead}

    def tombstones(self, kind: Kind) -> set[str]:
        return {key for key, (_, dead) in self.current.get(kind, {}).items() if dead}

    def counts(self) -> dict[str, int]:
        return {kind.value: len(self.live(kind)) for kind in Kind if self.live(kind)}


def read_store(location: str, environ: Mapping[str, str] | None = None) -> StoreState:
    """The state of the store at ``location`` (its index compacted first by the caller)."""
    objects = open_object_store(location, environ=dict(environ or {}))
    return asyncio.run(_read_store(objects))


async def _read_store(objects: ObjectStore) -> StoreState:
    records = await open_record_store(objects)
    unreadable: list[str] = []
    current: dict[Kind, dict[str, tuple[str, bool]]] = {}
    keys: list[RecordKey] = []
    for kind in Kind:
        found: dict[str, tuple[str, bool]] = {}
        async for record in records.current_records(
            kind, on_unreadable=lambda error: unreadable.append(str(error))
        ):
            key = _key_of(record)
            found[str(key)] = (
                record.content_hash.hex(),
                record.WhichOneof("payload") == "tombstone",
            )
            keys.append(key)
        current[kind] = found
    versions: dict[tuple[Kind, str], list[str]] = {}
    gate = asyncio.Semaphore(32)

    async def history(key: RecordKey) -> None:
        async with gate:
            kept = await records.history(key)
        versions[(key.kind, str(key))] = [info.content_hash.hex() for info in kept]

    await asyncio.gather(*(history(key) for key in keys))
    logged = {
        (entry.key.kind, str(entry.key), entry.new_hash.hex()) async for entry in records.changes()
    }
    index: dict[Kind, dict[str, str]] = {}
    table_reader = RecordIndex(objects)
    for kind in Kind:
        table = await table_reader.table(kind, columns=["content_hash"])
        rows: dict[str, str] = {}
        for row in table.to_pylist():
            key = RecordKey(kind, row["id"], row.get("season_number"), row.get("episode_number"))
            rows[str(key)] = row["content_hash"]
        index[kind] = rows
    return StoreState(current, versions, logged, index, unreadable)


def _key_of(record: Any) -> RecordKey:
    key = record.key
    season = key.season_number if key.HasField("season_number") else None
    episode = key.episode_number if key.HasField("episode_number") else None
    return RecordKey(Kind(record.kind), key.id, season, episode)


@dataclass(frozen=True)
class Comparison:
    """A store against a clean mirror of the same catalog."""

    problems: list[str]
    #: Records of the clean mirror missing from the store or with other content.
    lost: int


def compare(state: StoreState, clean: StoreState) -> Comparison:
    """Same ids per kind, same content hashes, one version per record, change log entries =
    versions, index rows = current objects, nothing unreadable."""
    problems: list[str] = []
    lost = 0
    for kind in Kind:
        mine, theirs = state.current.get(kind, {}), clean.current.get(kind, {})
        missing = sorted(set(theirs) - set(mine))
        extra = sorted(set(mine) - set(theirs))
        differ = sorted(k for k in set(mine) & set(theirs) if mine[k] != theirs[k])
        lost += len(missing) + len(differ)
        if missing:
            problems.append(f"{kind}: {len(missing)} records missing, e.g. {missing[:5]}")
        if extra:
            problems.append(f"{kind}: {len(extra)} records too many, e.g. {extra[:5]}")
        if differ:
            problems.append(f"{kind}: {len(differ)} records with other content, e.g. {differ[:5]}")
        rows = state.index.get(kind, {})
        wrong_rows = {k for k in set(rows) | set(mine) if rows.get(k) != mine.get(k, (None,))[0]}
        if wrong_rows:
            problems.append(
                f"{kind}: {len(rows)} index rows for {len(mine)} current objects, "
                f"{len(wrong_rows)} disagree, e.g. {sorted(wrong_rows)[:5]}"
            )
    several = {key: hashes for key, hashes in state.versions.items() if len(hashes) != 1}
    if several:
        sample = sorted(several.items())[:3]
        problems.append(f"{len(several)} records with other than one version, e.g. {sample}")
    versions = {
        (kind, key, digest) for (kind, key), hashes in state.versions.items() for digest in hashes
    }
    if state.logged != versions:
        problems.append(
            f"change log: {len(state.logged)} distinct entries for {len(versions)} versions "
            f"({len(state.logged - versions)} not a version, {len(versions - state.logged)} "
            "versions not logged)"
        )
    if state.unreadable:
        problems.append(f"unreadable objects: {state.unreadable[:3]}")
    return Comparison(problems, lost)


def queue_is_empty(report: Mapping[str, Any]) -> list[str]:
    """Problems with the work queue ``status --json`` reports: anything waiting, in flight,
    delayed or dead."""
    queue = report["queue"]
    counts = {name: queue[name] for name in ("waiting", "in_flight", "delayed", "dead")}
    return [] if not any(counts.values()) else [f"queue not empty: {counts}"]


@dataclass
class Final:
    """The run after the faults, against the clean mirror."""

    run: Run
    lost: int
    problems: list[str]

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems)
        assert self.lost == 0


def finish_and_compare(setup: Setup, clean: StoreState, *args: str, **env: str) -> Final:
    """The final `mirror` (exit 0, no traceback), compaction, then the store against the clean
    mirror and the queue (empty, no dead letters)."""
    final = setup.mirror(*args, **env)
    assert_no_traceback(final)
    problems = [] if final.code == 0 else [f"final mirror: {final.describe()}"]
    compacted = setup.run("compact", **env)
    assert compacted.code == 0, compacted.describe()
    problems += queue_is_empty(status(setup, **env))
    comparison = compare(read_store(setup.store, setup.environ(**env)), clean)
    return Final(final, comparison.lost, problems + comparison.problems)


def clean_mirror(where: Path, *fake_args: str) -> StoreState:
    """A clean mirror (then compaction) of the catalog the fake serves with ``fake_args``."""
    where.mkdir(parents=True, exist_ok=True)
    with FakeProcess(*fake_args) as fake:
        setup = Setup(fake.url, str(where / "data"), where)
        run = setup.mirror()
        assert run.code == 0, run.describe()
        compacted = setup.run("compact")
        assert compacted.code == 0, compacted.describe()
    state = read_store(setup.store)
    assert state.counts()["movie"] > 100, state.counts()
    return state


def stored_objects(store: Path) -> int:
    """Records stored so far in a local store: its current objects (the per-object layout of
    earlier releases), or its index rows (segments: a batch's rows come with its segment)."""
    if (store / "records").is_dir():
        return sum(1 for _ in (store / "records").rglob("*.rec"))
    if not (store / "index").is_dir():
        return 0
    index = RecordIndex(open_object_store(str(store)))
    return sum(asyncio.run(index.table(kind, columns=["deleted"])).num_rows for kind in Kind)


# --- timing ---------------------------------------------------------------------------------------


class StatsRecorder:
    """Polls the fake's counters every ``every`` seconds in the background: when requests
    succeeded, to measure a recovery from outside the client."""

    def __init__(self, fake: FakeProcess, every: float = 0.1) -> None:
        self._fake = fake
        self._every = every
        self.samples: list[tuple[float, int]] = []  # (monotonic time, 2xx answers so far)
        self._stop = False
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> StatsRecorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self._thread.join(10)

    def _poll(self) -> None:
        while not self._stop:
            try:
                by_status = self._fake.stats().get("by_status", {})
            except (OSError, ValueError):
                by_status = None
            if by_status is not None:
                ok = sum(n for code, n in by_status.items() if str(code).startswith("2"))
                self.samples.append((time.monotonic(), ok))
            time.sleep(self._every)

    def first_success_after(self, moment: float) -> float | None:
        """Seconds from ``moment`` to the first sample with more successes than at ``moment``."""
        before = max((ok for at, ok in self.samples if at <= moment), default=0)
        for at, ok in self.samples:
            if at > moment and ok > before:
                return at - moment
        return None

    def successes_between(self, start: float, end: float) -> int:
        inside = [ok for at, ok in self.samples if start <= at <= end]
        return inside[-1] - inside[0] if inside else 0

    def full_pace_after(self, moment: float, pace: float, share: float = 0.8) -> float | None:
        """Seconds from ``moment`` until a whole second after it holds ``share`` of ``pace``
        successes (the end of that second is when full pace is shown to be back)."""
        later = [(at, ok) for at, ok in self.samples if at >= moment]
        for i, (at, ok) in enumerate(later):
            for at2, ok2 in later[i:]:
                if at2 - at >= 1.0:
                    if ok2 - ok >= share * pace * (at2 - at):
                        return at2 - moment
                    break
        return None
