"""ReceivedBatch: a Lambda batch as a work queue, and its hand-back of unstarted messages when
the real queue has nothing else to deliver (the end of a run)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tmdb_collector.queue import QueueError, QueueMessage, ReceivedBatch, SQLiteWorkQueue


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[SQLiteWorkQueue]:
    with SQLiteWorkQueue(tmp_path / "queue.sqlite3", max_receives=5) as opened:
        yield opened


def received(queue: SQLiteWorkQueue, count: int) -> list[QueueMessage]:
    queue.send([f"body {n}" for n in range(count)])
    messages = queue.receive(10, visibility_timeout=60)
    assert len(messages) == count
    return messages


def test_unstarted_messages_go_back_when_the_queue_is_drained(queue: SQLiteWorkQueue) -> None:
    messages = received(queue, 5)
    batch = ReceivedBatch(messages, queue, hand_back=lambda: True, enough=4)
    taken = batch.receive(2)
    assert [m.body for m in taken] == ["body 0", "body 1"]
    assert batch.hand_back_if_drained() == 3
    # The other three are on the queue again, as new messages, and finished here: the poller
    # deletes the originals.
    assert batch.handed_back == 3
    assert sorted(m.body for m in queue.receive(10, visibility_timeout=60)) == [
        "body 2",
        "body 3",
        "body 4",
    ]
    assert batch.receive(10) == []
    assert batch.unfinished() == [m.message_id for m in taken]
    assert set(batch.finished()) == {m.message_id for m in messages[2:]}


def test_a_queue_with_work_keeps_the_batch(queue: SQLiteWorkQueue) -> None:
    messages = received(queue, 4)
    queue.send(["more work", "and more"])
    batch = ReceivedBatch(messages, queue, hand_back=lambda: True, enough=2)
    assert len(batch.receive(2)) == 2
    assert batch.hand_back_if_drained() == 0
    assert batch.handed_back == 0
    assert len(batch.receive(10)) == 2
    assert queue.counts().visible == 2


def test_a_queue_running_dry_for_the_instances_takes_the_waiting_ones(
    queue: SQLiteWorkQueue,
) -> None:
    """Fewer visible than the instances fetch at once: some instance would find too little."""
    messages = received(queue, 4)
    queue.send(["more work"])
    batch = ReceivedBatch(messages, queue, hand_back=lambda: True, enough=8)
    batch.receive(1)
    assert batch.hand_back_if_drained() == 3
    assert queue.counts().visible == 4


def test_nothing_goes_back_before_it_is_safe(queue: SQLiteWorkQueue) -> None:
    """The collector function allows it once TMDB answered: not on a rejected credential."""
    safe = [False]
    batch = ReceivedBatch(received(queue, 3), queue, hand_back=lambda: safe[0])
    batch.receive(1)
    assert batch.hand_back_if_drained() == 0
    safe[0] = True
    assert batch.hand_back_if_drained() == 2


def test_without_hand_back_the_batch_stays_whole(queue: SQLiteWorkQueue) -> None:
    batch = ReceivedBatch(received(queue, 3), queue)
    assert len(batch.receive(1)) == 1
    assert batch.hand_back_if_drained() == 0
    assert batch.handed_back == 0
    assert queue.counts().visible == 0
    assert len(batch.unfinished()) == 3


def test_a_message_received_again_is_never_handed_back(queue: SQLiteWorkQueue) -> None:
    """Its collector must renew it (counting its consumer's stop), not pass it on unchanged."""
    queue.send(["first", "second", "again"])
    messages = sorted(queue.receive(10, visibility_timeout=60), key=lambda m: m.body)
    again = messages[0]
    assert again.body == "again"
    queue.change_visibility(again, 0)
    [again] = queue.receive(10, visibility_timeout=60)
    assert again.receive_count == 2
    batch = ReceivedBatch([messages[1], messages[2], again], queue, hand_back=lambda: True)
    assert [m.body for m in batch.receive(1)] == ["first"]
    assert batch.hand_back_if_drained() == 1
    assert [m.body for m in batch.receive(10)] == ["again"]
    assert [m.body for m in queue.receive(10, visibility_timeout=60)] == ["second"]


class _Refusing(SQLiteWorkQueue):
    def send(self, bodies: Sequence[str], *, delay_seconds: int = 0) -> int:
        raise QueueError("the queue refused the send")


def test_a_failed_hand_back_keeps_the_messages_here(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with _Refusing(tmp_path / "refusing.sqlite3") as queue:
        SQLiteWorkQueue.send(queue, ["a", "b", "c"])
        messages = queue.receive(10, visibility_timeout=60)
        batch = ReceivedBatch(messages, queue, hand_back=lambda: True)
        assert len(batch.receive(1)) == 1
        assert batch.hand_back_if_drained() == 0
        assert len(batch.receive(10)) == 2
    assert "could not hand unstarted messages back" in caplog.text
