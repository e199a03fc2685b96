"""What only the SQLite queue promises: a file that survives its process, shared by processes,
exact answers about stale receipts, retention, and clear errors for a file that is no queue."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tmdb_collector.queue import (
    QueueConfigurationError,
    QueueCounts,
    QueueError,
    SQLiteWorkQueue,
)

RETENTION_SECONDS = 60
WORK_SECONDS = 0.002


class ManualClock:
    """Epoch milliseconds that move only when a test says so."""

    def __init__(self, now_ms: int = 1_763_900_000_000) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, seconds: float) -> None:
        self.now_ms += int(seconds * 1000)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "queue.db"


def run_python(code: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter (another process on the same queue file)."""
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", textwrap.dedent(code), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


# --- durability ---------------------------------------------------------------------------------


def test_messages_and_their_state_survive_closing_and_reopening(path: Path) -> None:
    with SQLiteWorkQueue(path, name="work") as queue:
        queue.send(["kept", "in flight"])
        queue.send_dead(["dead"])
        (received,) = queue.receive(1, visibility_timeout=300)

    with SQLiteWorkQueue(path, name="work") as reopened:
        assert reopened.counts() == QueueCounts(visible=1, in_flight=1, delayed=0)
        assert reopened.dead_counts().visible == 1
        # A receipt stays good across a restart of the consumer's process.
        assert reopened.delete([received]) == 1
        assert [message.body for message in reopened.receive()] != [received.body]


def test_queues_of_different_names_share_a_file_without_mixing(path: Path) -> None:
    with (
        SQLiteWorkQueue(path, name="movies") as movies,
        SQLiteWorkQueue(path, name="people") as people,
    ):
        movies.send(["550"])
        people.send_dead(["287"])

        assert people.counts() == QueueCounts(0, 0, 0)
        assert movies.dead_counts() == QueueCounts(0, 0, 0)
        assert [message.body for message in movies.receive()] == ["550"]
        assert [message.body for message in people.peek_dead()] == ["287"]


def test_a_consumer_killed_mid_way_loses_nothing(path: Path) -> None:
    with SQLiteWorkQueue(path) as queue:
        queue.send(["survives a crash"])
        run_python(
            """
            import os, sys
            from tmdb_collector.queue import SQLiteWorkQueue
            queue = SQLiteWorkQueue(sys.argv[1])
            assert len(queue.receive(visibility_timeout=1)) == 1
            os._exit(0)  # dies without deleting or closing
            """,
            str(path),
        )
        assert queue.counts().in_flight == 1

        (again,) = queue.receive(wait_seconds=5)

        assert (again.body, again.receive_count) == ("survives a crash", 2)


def test_a_second_process_consumes_concurrently_without_duplicates(path: Path) -> None:
    bodies = [f"item {index}" for index in range(400)]
    with (
        SQLiteWorkQueue(path, visibility_timeout=300) as queue,
        subprocess.Popen(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "-c", _DRAIN, str(path), str(WORK_SECONDS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        ) as other,
    ):
        queue.send(bodies)
        assert other.stdin is not None
        assert other.stdout is not None
        assert other.stdout.readline() == "ready\n"
        other.stdin.write("go\n")
        other.stdin.close()  # both start draining now
        mine: list[str] = []
        while batch := queue.receive(2):
            mine.extend(message.body for message in batch)
            time.sleep(WORK_SECONDS)  # the work a consumer does, so neither can take it all
            queue.delete(batch)
        theirs = other.stdout.read().splitlines()
        assert other.wait(timeout=60) == 0
        assert queue.counts() == QueueCounts(0, 0, 0)

    assert mine
    assert theirs
    assert sorted(mine + theirs) == sorted(bodies)  # each exactly once, none lost


_DRAIN = textwrap.dedent(
    """
    import sys, time
    from tmdb_collector.queue import SQLiteWorkQueue
    with SQLiteWorkQueue(sys.argv[1], visibility_timeout=300) as queue:
        print("ready", flush=True)
        sys.stdin.readline()
        while batch := queue.receive(2):
            print("\\n".join(message.body for message in batch), flush=True)
            time.sleep(float(sys.argv[2]))
            queue.delete(batch)
    """
)


# --- consumers that died on this machine --------------------------------------------------------


def test_a_killed_consumers_messages_come_back_at_once(path: Path) -> None:
    with SQLiteWorkQueue(path, visibility_timeout=300) as queue:
        queue.send(["taken by a consumer that is then killed"])
        with subprocess.Popen(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "-c", _RECEIVE_AND_HANG, str(path)],
            stdout=subprocess.PIPE,
            text=True,
        ) as consumer:
            assert consumer.stdout is not None
            assert consumer.stdout.readline() == "received 1\n"
            # Alive: its lease holds.
            assert queue.receive() == []
            consumer.send_signal(signal.SIGKILL)
            assert consumer.wait(timeout=60) == -signal.SIGKILL
        assert queue.counts().in_flight == 1

        started = time.monotonic()
        (again,) = queue.receive()  # no wait: long before the 300 s timeout

        assert time.monotonic() - started < 5
        assert again.body == "taken by a consumer that is then killed"
        # The dead consumer's receive still counts: a message that kills every consumer it
        # meets still ends in the dead-letter queue after max_receives.
        assert again.receive_count == 2
        assert queue.delete([again]) == 1


_RECEIVE_AND_HANG = textwrap.dedent(
    """
    import sys, time
    from tmdb_collector.queue import SQLiteWorkQueue
    queue = SQLiteWorkQueue(sys.argv[1])
    print(f"received {len(queue.receive(visibility_timeout=300))}", flush=True)
    time.sleep(600)
    """
)


def test_only_gone_processes_of_this_machine_lose_their_messages(path: Path) -> None:
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    assert exited.wait(timeout=60) == 0
    with SQLiteWorkQueue(path, visibility_timeout=300) as queue:
        queue.send(["elsewhere", "here, gone", "here, running"])
        received = {message.body: message for message in queue.receive(3)}
        with sqlite3.connect(path) as db:
            # As if received by: a process of another machine (whatever its pid), the exited
            # child, and this test's own process (alive).
            db.execute(
                "UPDATE messages SET receiver_machine = 'another-host/boot/pid:[1]', "
                "receiver_pid = ? WHERE body = 'elsewhere'",
                (exited.pid,),
            )
            db.execute(
                "UPDATE messages SET receiver_pid = ?, receiver_started = '' "
                "WHERE body = 'here, gone'",
                (exited.pid,),
            )
        db.close()

        assert [message.body for message in queue.receive(10)] == ["here, gone"]
        assert queue.counts() == QueueCounts(visible=0, in_flight=3, delayed=0)
        assert queue.delete(list(received.values())) == 2  # the re-received one's is stale


def test_a_queue_file_without_receiver_columns_gets_them(path: Path) -> None:
    """A file written before receivers were recorded opens, keeps its messages and works."""
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE work_queue_format (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.executemany(
            "INSERT INTO work_queue_format VALUES (?, ?)",
            [("format", "tmdb-collector work queue"), ("version", "1")],
        )
        db.execute(
            "CREATE TABLE messages (seq INTEGER PRIMARY KEY, queue TEXT NOT NULL, dead INTEGER "
            "NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, sent_at INTEGER NOT NULL, "
            "visible_at INTEGER NOT NULL, receive_count INTEGER NOT NULL, receipt TEXT)"
        )
        db.execute(
            "INSERT INTO messages (queue, dead, id, body, sent_at, visible_at, receive_count, "
            "receipt) VALUES ('work', 0, 'm-1', 'from an older version', ?, ?, 1, 'r-1')",
            (int(time.time() * 1000), int(time.time() * 1000) + 300_000),
        )
    db.close()

    with SQLiteWorkQueue(path) as queue:
        # In flight with no receiver recorded: it waits for its timeout, as before.
        assert queue.counts() == QueueCounts(visible=0, in_flight=1, delayed=0)
        assert queue.receive() == []
        queue.send(["new"])
        (message,) = queue.receive()
        assert message.body == "new"
    with sqlite3.connect(path) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(messages)")}
    db.close()
    assert {"receiver_machine", "receiver_pid", "receiver_started"} <= columns


# --- receipts -----------------------------------------------------------------------------------


def test_a_stale_receipt_deletes_nothing_and_says_so(path: Path) -> None:
    with SQLiteWorkQueue(path) as queue:
        queue.send(["twice"])
        (first,) = queue.receive(visibility_timeout=0)
        (second,) = queue.receive(visibility_timeout=300)

        assert queue.delete([first]) == 0
        assert queue.change_visibility(first, 0) is False
        assert queue.counts() == QueueCounts(visible=0, in_flight=1, delayed=0)
        assert queue.delete([second, second]) == 1
        assert queue.delete([second]) == 0


def test_the_receipt_of_a_message_moved_to_the_dead_letter_queue_is_stale(path: Path) -> None:
    with SQLiteWorkQueue(path, max_receives=1) as queue:
        queue.send(["poison"])
        (message,) = queue.receive(visibility_timeout=0)
        assert queue.receive() == []

        assert queue.delete([message]) == 0
        assert queue.dead_counts().visible == 1


def test_the_visibility_of_a_message_whose_timeout_ended_cannot_change(
    path: Path, clock: ManualClock
) -> None:
    with SQLiteWorkQueue(path, clock=clock) as queue:
        queue.send(["slow"])
        (message,) = queue.receive(visibility_timeout=10)
        assert queue.change_visibility(message, 60) is True
        clock.advance(59)
        assert queue.receive() == []
        clock.advance(2)

        assert queue.change_visibility(message, 60) is False  # as SQS: not in flight any more
        assert queue.delete([message]) == 1  # but its receipt is still the latest


# --- time: delays, timeouts, retention (with an injected clock) ---------------------------------


def test_visibility_and_delays_follow_the_injected_clock(path: Path, clock: ManualClock) -> None:
    with SQLiteWorkQueue(path, visibility_timeout=30, clock=clock) as queue:
        queue.send(["now"])
        queue.send(["in a minute"], delay_seconds=60)
        queue.receive()
        clock.advance(29.999)
        assert queue.receive() == []
        clock.advance(0.001)
        assert [message.body for message in queue.receive()] == ["now"]
        clock.advance(30)

        assert sorted(message.body for message in queue.receive()) == ["in a minute", "now"]


def test_messages_past_retention_disappear(path: Path, clock: ManualClock) -> None:
    with SQLiteWorkQueue(path, retention_seconds=RETENTION_SECONDS, clock=clock) as queue:
        queue.send(["old"])
        queue.send_dead(["old dead"])
        clock.advance(RETENTION_SECONDS / 2)
        queue.send(["young"])
        clock.advance(RETENTION_SECONDS / 2)

        assert queue.counts() == QueueCounts(visible=1, in_flight=0, delayed=0)
        assert queue.dead_counts() == QueueCounts(0, 0, 0)
        assert queue.peek_dead() == []
        assert [message.body for message in queue.receive()] == ["young"]


def test_dead_letters_keep_their_original_send_time_for_retention(
    path: Path, clock: ManualClock
) -> None:
    with SQLiteWorkQueue(
        path, max_receives=1, retention_seconds=RETENTION_SECONDS, clock=clock
    ) as queue:
        queue.send(["poison"])
        sent_at = queue.receive(visibility_timeout=0)[0].sent_at_ms
        clock.advance(RETENTION_SECONDS - 1)
        assert queue.receive() == []
        assert queue.peek_dead()[0].sent_at_ms == sent_at

        clock.advance(1)

        assert queue.dead_counts() == QueueCounts(0, 0, 0)


def test_peek_dead_changes_nothing(path: Path) -> None:
    with SQLiteWorkQueue(path) as queue:
        queue.send_dead(["a", "b"])
        first = queue.peek_dead()
        assert queue.peek_dead() == first
        assert all(message.receipt == "" for message in first)


def test_a_large_redrive_moves_everything_in_chunks(path: Path) -> None:
    with SQLiteWorkQueue(path) as queue:
        queue.send_dead([f"dead {index}" for index in range(2500)])

        assert queue.redrive() == 2500

        assert queue.dead_counts() == QueueCounts(0, 0, 0)
        assert queue.counts().visible == 2500


# --- errors -------------------------------------------------------------------------------------


def test_a_file_that_is_not_a_database_is_refused_clearly(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is a text file, not a queue\n" * 200)

    with pytest.raises(QueueConfigurationError, match="is not a work queue database"):
        SQLiteWorkQueue(path)


def test_another_sqlite_database_is_refused_clearly(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE films (id INTEGER)")
    other.close()

    with pytest.raises(QueueConfigurationError, match=r"not a work queue.*films"):
        SQLiteWorkQueue(path)


def test_a_queue_file_of_another_format_version_is_refused(path: Path) -> None:
    SQLiteWorkQueue(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE work_queue_format SET value = '99' WHERE name = 'version'")
    db.close()

    with pytest.raises(QueueConfigurationError, match="upgrade tmdb-collector"):
        SQLiteWorkQueue(path)


def test_a_path_under_a_file_is_refused_clearly(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")

    with pytest.raises(QueueConfigurationError, match="cannot create the directory"):
        SQLiteWorkQueue(tmp_path / "file" / "queue.db")


def test_a_directory_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(QueueConfigurationError, match="is a directory"):
        SQLiteWorkQueue(tmp_path)


def test_a_closed_queue_says_so(path: Path) -> None:
    queue = SQLiteWorkQueue(path)
    queue.close()
    queue.close()

    with pytest.raises(QueueError, match="is closed"):
        queue.send(["x"])


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"name": "bad name"}, "queue name"),
        ({"name": "x" * 77}, "queue name"),
        ({"max_receives": 0}, "max_receives"),
        ({"visibility_timeout": -1}, "visibility_timeout"),
        ({"retention_seconds": 59}, "retention_seconds"),
        ({"retention_seconds": 14 * 86_400 + 1}, "retention_seconds"),
    ],
)
def test_settings_outside_sqs_limits_are_refused(
    path: Path, settings: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        SQLiteWorkQueue(path, **settings)  # type: ignore[arg-type]
