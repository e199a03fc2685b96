"""The work queue in one SQLite file: SQS's semantics for one machine, no AWS account needed.

Main queue and dead-letter queue are rows of one table, told apart by a flag, so moving a message
between them is one UPDATE in one transaction. Every receive runs under BEGIN IMMEDIATE: SQLite
lets one writer in at a time, across threads and processes, so two consumers never get the same
message while it is invisible. A consumer killed after receiving loses nothing: its messages
become visible again when their visibility timeout ends, as on SQS — or at once, when the
consumer was a process of this machine that no longer runs: each receive records its receiver,
and every receive first makes visible again what gone processes of this machine held (their
receives still count, as if the timeout had ended). A rerun after a SIGKILL so takes its
work up in seconds, not after the timeout (300 s by default).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from tmdb_collector._processes import LocalProcess, is_gone, this_process
from tmdb_collector.config import MAX_RECEIVES, VISIBILITY_TIMEOUT
from tmdb_collector.queue._errors import QueueConfigurationError, QueueError
from tmdb_collector.queue._queue import (
    MAX_DELAY_SECONDS,
    MAX_RECEIVE_MESSAGES,
    MAX_RECEIVES_LIMIT,
    MAX_RETENTION_SECONDS,
    MAX_VISIBILITY_TIMEOUT,
    MIN_RETENTION_SECONDS,
    QueueCounts,
    QueueMessage,
    body_sizes,
    check_queue_name,
    check_range,
    check_receive,
)

__all__ = ["SQLiteWorkQueue"]

_FORMAT: Final = "tmdb-collector work queue"
_VERSION: Final = "1"
#: How long a consumer waits for another one's transaction before giving up.
BUSY_TIMEOUT_SECONDS: Final = 30.0
#: Long polling checks for a visible message this often (a read: it takes no write lock).
POLL_SECONDS: Final = 0.05
# Rows moved per transaction by redrive, so a large redrive does not hold the lock for long.
_REDRIVE_CHUNK = 1000

_SCHEMA = (
    "CREATE TABLE work_queue_format (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE messages (
        seq INTEGER PRIMARY KEY,         -- arrival order, to break ties between equal times
        queue TEXT NOT NULL,             -- the main queue's name
        dead INTEGER NOT NULL,           -- 1: in the queue's dead-letter queue
        id TEXT NOT NULL,
        body TEXT NOT NULL,
        sent_at INTEGER NOT NULL,        -- epoch ms, where retention counts from
        visible_at INTEGER NOT NULL,     -- epoch ms; later than now: delayed or in flight
        receive_count INTEGER NOT NULL,  -- 0: never received, so a hidden one is delayed
        receipt TEXT,                    -- the latest delivery's receipt
        receiver_machine TEXT,           -- the latest delivery's process: host, boot, pid
        receiver_pid INTEGER,            --   namespace (_processes.LocalProcess.machine),
        receiver_started TEXT            --   pid and start time
    )""",
    "CREATE INDEX messages_due ON messages (queue, dead, visible_at, seq)",
    "CREATE INDEX messages_age ON messages (queue, sent_at)",
    "CREATE UNIQUE INDEX messages_receipt ON messages (receipt) WHERE receipt IS NOT NULL",
)
#: Columns added since format 1 was first written, with their types: a file without them gets
#: them on open (older versions of tmdb-collector ignore them, so the format stays 1).
_ADDED_COLUMNS = (
    ("receiver_machine", "TEXT"),
    ("receiver_pid", "INTEGER"),
    ("receiver_started", "TEXT"),
)

# A template whose only formatted part is a list of '?' marks (see _marks).
_DUE = (
    "SELECT seq, id, body, sent_at, receive_count FROM messages "
    "WHERE queue = ? AND dead = 0 AND visible_at <= ? AND seq NOT IN ({marks}) "
    "ORDER BY visible_at, seq LIMIT ?"
)


def _marks(count: int) -> str:
    return ",".join("?" * count)


def _epoch_ms() -> int:
    return time.time_ns() // 1_000_000


class SQLiteWorkQueue:
    """A WorkQueue in the SQLite file at `path` (created with its parent directories if missing).

    Several queues may share a file under different names. `clock` (epoch milliseconds) is for
    tests of retention and timeouts; long polling always waits in real time. One object may be
    shared by threads; other processes open their own.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        name: str = "work",
        max_receives: int = MAX_RECEIVES.default,
        visibility_timeout: int = VISIBILITY_TIMEOUT.default,
        retention_seconds: int = MAX_RETENTION_SECONDS,
        clock: Callable[[], int] | None = None,
    ) -> None:
        self._name = check_queue_name(name)
        self._max_receives = check_range("max_receives", max_receives, 1, MAX_RECEIVES_LIMIT)
        self._visibility_timeout = check_range(
            "visibility_timeout", visibility_timeout, 0, MAX_VISIBILITY_TIMEOUT
        )
        self._retention_ms = 1000 * check_range(
            "retention_seconds", retention_seconds, MIN_RETENTION_SECONDS, MAX_RETENTION_SECONDS
        )
        self._clock = clock or _epoch_ms
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = _connect(self.path)

    def __repr__(self) -> str:
        return f"SQLiteWorkQueue({str(self.path)!r}, name={self._name!r})"

    @property
    def name(self) -> str:
        return self._name

    @property
    def max_receives(self) -> int:
        return self._max_receives

    @property
    def visibility_timeout(self) -> int:
        return self._visibility_timeout

    # --- the main queue ----------------------------------------------------------------------

    def send(self, bodies: Sequence[str], *, delay_seconds: int = 0) -> int:
        check_range("delay_seconds", delay_seconds, 0, MAX_DELAY_SECONDS)
        return self._insert(bodies, dead=False, delay_ms=1000 * delay_seconds)

    def receive(
        self,
        max_messages: int = 10,
        *,
        visibility_timeout: int | None = None,
        wait_seconds: int = 0,
    ) -> list[QueueMessage]:
        check_receive(max_messages, visibility_timeout, wait_seconds)
        hidden_ms = 1000 * (
            self._visibility_timeout if visibility_timeout is None else visibility_timeout
        )
        deadline = time.monotonic() + wait_seconds
        while True:
            self._release_abandoned()
            if self._any_visible(dead=False):
                messages = self._deliver(max_messages, hidden_ms)
                if messages:
                    return messages
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            time.sleep(min(POLL_SECONDS, remaining))  # a read every 50 ms: cheap, no lock

    def delete(self, messages: Sequence[QueueMessage]) -> int:
        """Remove the messages whose receipt is still their latest; return how many. A stale
        receipt (received again since, moved to the dead-letter queue, already deleted) is
        skipped and not counted."""
        receipts = list(dict.fromkeys(message.receipt for message in messages))
        if not receipts:
            return 0
        with self._transaction("delete messages from") as db:
            # One equality per receipt: SQLite then uses the receipt index, not a scan.
            cursor = db.executemany(
                "DELETE FROM messages WHERE receipt = ? AND queue = ? AND dead = 0",
                [(receipt, self._name) for receipt in receipts],
            )
            return cursor.rowcount

    def change_visibility(self, message: QueueMessage, timeout_seconds: int) -> bool:
        """Like SQS, only an in-flight message with its latest receipt can be changed: False for
        one whose timeout already ended, or that was received again, moved or deleted."""
        check_range("timeout_seconds", timeout_seconds, 0, MAX_VISIBILITY_TIMEOUT)
        with self._transaction("change the visibility of a message in") as db:
            now = self._clock()
            cursor = db.execute(
                "UPDATE messages SET visible_at = ? "
                "WHERE queue = ? AND dead = 0 AND receipt = ? AND visible_at > ?",
                (now + 1000 * timeout_seconds, self._name, message.receipt, now),
            )
            return cursor.rowcount == 1

    def counts(self) -> QueueCounts:
        return self._counts(dead=False)

    # --- the dead-letter queue ---------------------------------------------------------------

    def send_dead(self, bodies: Sequence[str]) -> int:
        return self._insert(bodies, dead=True, delay_ms=0)

    def dead_counts(self) -> QueueCounts:
        return self._counts(dead=True)

    def peek_dead(self, max_messages: int = 10) -> list[QueueMessage]:
        """The oldest dead-letter messages, read without changing anything (receipt is '')."""
        check_range("max_messages", max_messages, 1, MAX_RECEIVE_MESSAGES)
        with self._reading("read the dead-letter queue of") as db:
            now = self._clock()
            rows = db.execute(
                "SELECT id, body, receive_count, sent_at FROM messages "
                "WHERE queue = ? AND dead = 1 AND visible_at <= ? AND sent_at > ? "
                "ORDER BY visible_at, seq LIMIT ?",
                (self._name, now, now - self._retention_ms, max_messages),
            ).fetchall()
        return [QueueMessage(id_, body, "", count, sent) for id_, body, count, sent in rows]

    def redrive(self, max_messages: int | None = None) -> int:
        """Move dead-letter messages back, oldest first, a thousand per transaction: each move is
        atomic, so none is lost or doubled even if the process dies part-way."""
        if max_messages is not None:
            check_range("max_messages", max_messages, 0, 2**62)
        moved = 0
        while max_messages is None or moved < max_messages:
            limit = (
                _REDRIVE_CHUNK
                if max_messages is None
                else min(_REDRIVE_CHUNK, max_messages - moved)
            )
            with self._transaction("redrive the dead-letter queue of") as db:
                now = self._purge(db)
                rows = db.execute(
                    "SELECT seq FROM messages WHERE queue = ? AND dead = 1 AND visible_at <= ? "
                    "ORDER BY visible_at, seq LIMIT ?",
                    (self._name, now, limit),
                ).fetchall()
                db.executemany(
                    "UPDATE messages SET dead = 0, id = ?, sent_at = ?, visible_at = ?, "
                    "receive_count = 0, receipt = NULL WHERE seq = ?",
                    [(str(uuid.uuid4()), now, now, seq) for (seq,) in rows],
                )
            moved += len(rows)
            if len(rows) < limit:
                break
        return moved

    # --- life cycle --------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- internals ---------------------------------------------------------------------------

    def _insert(self, bodies: Sequence[str], *, dead: bool, delay_ms: int) -> int:
        body_sizes(bodies)  # every body is checked before any is written
        if not bodies:
            return 0
        queue = "dead-letter queue" if dead else "queue"
        with self._transaction(f"send to the {queue}") as db:
            now = self._purge(db)
            db.executemany(
                "INSERT INTO messages (queue, dead, id, body, sent_at, visible_at, receive_count) "
                "VALUES (?, ?, ?, ?, ?, ?, 0)",
                [
                    (self._name, dead, str(uuid.uuid4()), body, now, now + delay_ms)
                    for body in bodies
                ],
            )
        return len(bodies)

    def _deliver(self, max_messages: int, hidden_ms: int) -> list[QueueMessage]:
        """Receive now: hide up to `max_messages` visible messages, moving those already
        received max_receives times to the dead-letter queue instead (SQS's redrive policy)."""
        delivered: list[QueueMessage] = []
        taken: list[int] = []  # with a 0 s timeout a delivered message stays visible: skip it
        receiver = this_process()
        with self._transaction("receive from") as db:
            now = self._purge(db)
            while len(delivered) < max_messages:
                rows = db.execute(
                    _DUE.format(marks=_marks(len(taken))),
                    (self._name, now, *taken, max_messages - len(delivered)),
                ).fetchall()
                if not rows:
                    break
                for seq, message_id, body, sent_at, count in rows:
                    if count >= self._max_receives:
                        db.execute(
                            "UPDATE messages SET dead = 1, visible_at = ?, receipt = NULL "
                            "WHERE seq = ?",
                            (now, seq),
                        )
                        continue
                    receipt = secrets.token_urlsafe(18)
                    db.execute(
                        "UPDATE messages SET receive_count = ?, receipt = ?, visible_at = ?, "
                        "receiver_machine = ?, receiver_pid = ?, receiver_started = ? "
                        "WHERE seq = ?",
                        (
                            count + 1,
                            receipt,
                            now + hidden_ms,
                            receiver.machine,
                            receiver.pid,
                            receiver.started,
                            seq,
                        ),
                    )
                    taken.append(seq)
                    delivered.append(QueueMessage(message_id, body, receipt, count + 1, sent_at))
        return delivered

    def _release_abandoned(self) -> int:
        """Make the messages in flight with a gone process of this machine visible now, as if
        their timeout had ended (receive count and receipt kept); return how many. A read finds
        the receivers; only when one is gone does it write."""
        here = this_process()
        with self._reading("look for abandoned messages in") as db:
            receivers = db.execute(
                "SELECT DISTINCT receiver_pid, receiver_started FROM messages "
                "WHERE queue = ? AND dead = 0 AND visible_at > ? AND receive_count > 0 "
                "AND receiver_machine = ?",
                (self._name, self._clock(), here.machine),
            ).fetchall()
        gone = [
            (pid, started)
            for pid, started in receivers
            if is_gone(LocalProcess(here.host, here.machine, pid, started or ""))
        ]
        if not gone:
            return 0
        with self._transaction("release abandoned messages in") as db:
            now = self._clock()
            cursor = db.executemany(
                "UPDATE messages SET visible_at = ? WHERE queue = ? AND dead = 0 "
                "AND visible_at > ? AND receive_count > 0 AND receiver_machine = ? "
                "AND receiver_pid = ? AND receiver_started IS ?",
                [(now, self._name, now, here.machine, pid, started) for pid, started in gone],
            )
            return cursor.rowcount

    def _any_visible(self, *, dead: bool) -> bool:
        with self._reading("poll") as db:
            row = db.execute(
                "SELECT 1 FROM messages WHERE queue = ? AND dead = ? AND visible_at <= ? LIMIT 1",
                (self._name, dead, self._clock()),
            ).fetchone()
        return row is not None

    def _counts(self, *, dead: bool) -> QueueCounts:
        with self._reading("count the messages of") as db:
            now = self._clock()
            visible, in_flight, delayed = db.execute(
                "SELECT coalesce(sum(visible_at <= :now), 0), "
                "coalesce(sum(visible_at > :now AND receive_count > 0), 0), "
                "coalesce(sum(visible_at > :now AND receive_count = 0), 0) "
                "FROM messages WHERE queue = :queue AND dead = :dead AND sent_at > :oldest",
                {"now": now, "queue": self._name, "dead": dead, "oldest": now - self._retention_ms},
            ).fetchone()
        return QueueCounts(visible=visible, in_flight=in_flight, delayed=delayed)

    def _purge(self, db: sqlite3.Connection) -> int:
        """Drop messages past the retention period (counted from when they were sent, as SQS
        does, also in the dead-letter queue); return the time of the transaction."""
        now = self._clock()
        db.execute(
            "DELETE FROM messages WHERE queue = ? AND sent_at <= ?",
            (self._name, now - self._retention_ms),
        )
        return now

    @contextmanager
    def _transaction(self, operation: str) -> Iterator[sqlite3.Connection]:
        """A write transaction, taking SQLite's write lock first (waiting up to the busy
        timeout for other writers), so what it reads cannot change before it writes."""
        with self._reading(operation) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextmanager
    def _reading(self, operation: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._db is None:
                raise QueueError(f"{self!r} is closed; open the queue again")
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise self._failure(operation, exc) from exc

    def _failure(self, operation: str, exc: sqlite3.Error) -> QueueError:
        where = f"{operation} the work queue {self._name!r} in {self.path}"
        if "locked" in str(exc) or "busy" in str(exc):
            return QueueError(
                f"could not {where}: the file stayed locked by another consumer for "
                f"{BUSY_TIMEOUT_SECONDS:.0f} s ({exc}); retry, or look for a stuck process"
            )
        return QueueError(f"could not {where}: {exc}. {_access_hint(self.path)}")


def _connect(path: Path) -> sqlite3.Connection:
    """A connection to the queue file, with the schema created or checked."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise QueueConfigurationError(
            f"cannot create the directory of the work queue {path}: {exc}. Choose a path "
            "whose parent is a directory you may write to"
        ) from exc
    if path.is_dir():
        raise QueueConfigurationError(f"the work queue path {path} is a directory; name a file")
    try:
        db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise QueueConfigurationError(
            f"cannot open the work queue {path}: {exc}. {_access_hint(path)}"
        ) from exc
    try:
        _prepare(db, path)
    except BaseException:
        db.close()
        raise
    # isolation_level=None: sqlite3 opens no transaction of its own; ours are explicit.
    return db


def _prepare(db: sqlite3.Connection, path: Path) -> None:
    try:
        # WAL: readers (counts, polls) never block the writer; FULL: a sent message survives a
        # power cut, not only a crash of the process.
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("BEGIN IMMEDIATE")
        try:
            _create_or_check(db, path)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        message = str(exc)
        if "not a database" in message or "malformed" in message:
            raise QueueConfigurationError(
                f"{path} is not a work queue database ({exc}); name a new file, or the file a "
                "work queue created"
            ) from exc
        raise QueueConfigurationError(
            f"cannot use the work queue {path}: {exc}. {_access_hint(path)}"
        ) from exc


def _create_or_check(db: sqlite3.Connection, path: Path) -> None:
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables:
        # Statement by statement: executescript would commit our transaction first.
        for statement in _SCHEMA:
            db.execute(statement)
        db.executemany(
            "INSERT INTO work_queue_format VALUES (?, ?)",
            [("format", _FORMAT), ("version", _VERSION)],
        )
        return
    if "work_queue_format" not in tables:
        raise QueueConfigurationError(
            f"{path} is an SQLite database, but not a work queue (tables: "
            f"{', '.join(sorted(tables))}); name a new file for the queue"
        )
    found = dict(db.execute("SELECT name, value FROM work_queue_format").fetchall())
    if found.get("format") != _FORMAT:
        raise QueueConfigurationError(f"{path} is not a work queue database; name a new file")
    if found.get("version") != _VERSION:
        raise QueueConfigurationError(
            f"{path} holds a work queue in format {found.get('version')!r}, and this version of "
            f"tmdb-collector reads format {_VERSION!r}: upgrade tmdb-collector"
        )
    columns = {row[1] for row in db.execute("PRAGMA table_info(messages)")}
    for name, kind in _ADDED_COLUMNS:
        if name not in columns:
            db.execute(f"ALTER TABLE messages ADD COLUMN {name} {kind}")


def _access_hint(path: Path) -> str:
    return (
        f"Check that {path} and its directory are writable (SQLite also writes "
        f"{path.name}-wal and {path.name}-shm beside it) and that the disk is not full"
    )
