"""The WorkQueue contract: SQLite and SQS (on moto) pass all of it, with the real clock.

Timeouts are 1 s where the test must see one end, and waits are long polls, which return as soon
as a message is visible: no test sleeps a fixed time.
"""

from __future__ import annotations

import threading
import time

import pytest

from conftest import QueueCase
from tmdb_collector.queue import (
    MAX_MESSAGE_BYTES,
    InvalidMessageError,
    MessageTooLargeError,
    QueueCounts,
    QueueMessage,
    WorkQueue,
)


def drain(queue: WorkQueue, *, visibility_timeout: int = 60) -> list[QueueMessage]:
    """Receive until the queue answers empty (messages stay in flight: nothing is deleted)."""
    received: list[QueueMessage] = []
    while batch := queue.receive(10, visibility_timeout=visibility_timeout):
        received.extend(batch)
    return received


# --- send, receive, delete ----------------------------------------------------------------------


def test_sent_messages_are_received_then_deleted(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    assert queue.send(["one", "two", "three"]) == 3

    received = drain(queue)

    assert sorted(message.body for message in received) == ["one", "three", "two"]
    assert len({message.message_id for message in received}) == 3
    assert all(message.receive_count == 1 for message in received)
    assert all(message.sent_at_ms > 0 for message in received)
    assert queue.delete(received[:2]) == 2
    assert queue.counts() == QueueCounts(visible=0, in_flight=1, delayed=0)
    assert queue.delete(received[2:]) == 1
    assert queue.counts() == QueueCounts(visible=0, in_flight=0, delayed=0)


def test_a_received_message_is_hidden_from_other_consumers(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    other = queue_case.another(queue)
    queue.send(["only"])

    assert [message.body for message in queue.receive(visibility_timeout=60)] == ["only"]
    assert other.receive() == []


def test_receive_takes_at_most_max_messages(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    queue.send([f"m{index}" for index in range(5)])

    assert len(queue.receive(2)) == 2
    assert len(drain(queue)) == 3


def test_sending_nothing_sends_nothing(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    assert queue.send([]) == 0
    assert queue.send_dead([]) == 0
    assert queue.delete([]) == 0
    assert queue.counts() == QueueCounts(0, 0, 0)


def test_bodies_come_back_unchanged(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    bodies = ['{"v":1}', "ünïcødé 日本語 🎬", "tab\tnew\nline\rcr", " padded "]
    queue.send(bodies)
    assert sorted(message.body for message in drain(queue)) == sorted(bodies)


# --- visibility ---------------------------------------------------------------------------------


def test_an_undeleted_message_returns_after_its_visibility_timeout(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    queue.send(["retry me"])
    first = queue.receive(visibility_timeout=1)
    assert [message.receive_count for message in first] == [1]
    assert queue.receive() == []

    again = queue.receive(wait_seconds=5)

    assert [(message.body, message.receive_count) for message in again] == [("retry me", 2)]
    assert again[0].message_id == first[0].message_id
    assert again[0].receipt != first[0].receipt


def test_change_visibility_zero_releases_the_message_now(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    queue.send(["give back"])
    (message,) = queue.receive(visibility_timeout=300)
    assert queue.counts() == QueueCounts(visible=0, in_flight=1, delayed=0)

    assert queue.change_visibility(message, 0) is True

    again = queue.receive(wait_seconds=5)
    assert [(m.body, m.receive_count) for m in again] == [("give back", 2)]


def test_change_visibility_of_a_deleted_message_is_refused(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    queue.send(["gone"])
    (message,) = queue.receive()
    queue.delete([message])

    assert queue.change_visibility(message, 30) is False


def test_receive_count_counts_every_delivery(queue_case: QueueCase) -> None:
    queue = queue_case.new(max_receives=5)
    queue.send(["again and again"])

    counts = [queue.receive(visibility_timeout=0)[0].receive_count for _ in range(3)]

    assert counts == [1, 2, 3]


def test_a_long_poll_returns_as_soon_as_a_message_arrives(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    sender = threading.Timer(0.3, queue_case.another(queue).send, args=(["late"],))
    started = time.monotonic()
    sender.start()
    try:
        received = queue.receive(wait_seconds=10)
    finally:
        sender.join()
    assert [message.body for message in received] == ["late"]
    assert time.monotonic() - started < 5


def test_delayed_messages_are_delivered_after_their_delay(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    queue.send(["later"], delay_seconds=1)
    assert queue.counts() == QueueCounts(visible=0, in_flight=0, delayed=1)
    assert queue.receive() == []

    received = queue.receive(wait_seconds=5)

    assert [(message.body, message.receive_count) for message in received] == [("later", 1)]


def test_counts_tell_visible_in_flight_and_delayed_apart(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    queue.send(["a", "b"])
    queue.send(["c"], delay_seconds=60)
    queue.receive(1, visibility_timeout=60)

    assert queue.counts() == QueueCounts(visible=1, in_flight=1, delayed=1)
    assert queue.counts().total == 3
    assert queue.dead_counts() == QueueCounts(0, 0, 0)


# --- the dead-letter queue ----------------------------------------------------------------------


def test_after_max_receives_the_next_receive_moves_it_to_the_dead_letter_queue(
    queue_case: QueueCase,
) -> None:
    queue = queue_case.new(max_receives=2)
    assert queue.max_receives == 2
    queue.send(["poison"])
    assert queue.receive(visibility_timeout=0)[0].receive_count == 1
    assert queue.receive(visibility_timeout=0)[0].receive_count == 2

    assert queue.receive(visibility_timeout=0) == []

    assert queue.counts() == QueueCounts(0, 0, 0)
    assert queue.dead_counts().visible == 1
    (dead,) = queue.peek_dead()
    assert dead.body == "poison"
    assert dead.receive_count >= 2


def test_send_dead_goes_straight_to_the_dead_letter_queue(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    assert queue.send_dead(["gave up on this", "and this"]) == 2

    assert queue.counts() == QueueCounts(0, 0, 0)
    assert queue.dead_counts() == QueueCounts(visible=2, in_flight=0, delayed=0)
    peeked = {message.body for message in queue.peek_dead()}
    assert peeked == {"gave up on this", "and this"}
    # Peeking hides nothing: the messages are still there and visible, for a redrive.
    assert queue.dead_counts() == QueueCounts(visible=2, in_flight=0, delayed=0)
    assert len(queue.peek_dead(1)) == 1


def test_redrive_moves_dead_letters_back_oldest_first(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    for body in ("first", "second", "third"):
        queue.send_dead([body])

    assert queue.redrive(max_messages=1) == 1
    (moved,) = queue.receive(visibility_timeout=60)
    assert (moved.body, moved.receive_count) == ("first", 1)
    assert queue.dead_counts().visible == 2

    assert queue.redrive() == 2
    assert queue.dead_counts() == QueueCounts(0, 0, 0)
    rest = drain(queue)
    assert sorted(message.body for message in rest) == ["second", "third"]
    assert queue.delete([moved, *rest]) == 3
    assert queue.redrive() == 0


def test_a_redriven_message_gets_max_receives_deliveries_again(queue_case: QueueCase) -> None:
    queue = queue_case.new(max_receives=1)
    queue.send(["flaky"])
    queue.receive(visibility_timeout=0)
    assert queue.receive(visibility_timeout=0) == []
    assert queue.dead_counts().visible == 1

    assert queue.redrive() == 1

    (again,) = queue.receive(visibility_timeout=60)
    assert (again.body, again.receive_count) == ("flaky", 1)
    assert queue.delete([again]) == 1
    assert queue.counts() == QueueCounts(0, 0, 0)


# --- size limits --------------------------------------------------------------------------------


def test_many_bodies_are_sent_in_batches_of_ten(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    bodies = [f"body {index}" for index in range(25)]

    assert queue.send(bodies) == 25

    assert sorted(message.body for message in drain(queue)) == sorted(bodies)


def test_a_body_of_exactly_the_limit_is_accepted(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    ascii_body = "x" * MAX_MESSAGE_BYTES
    two_byte_body = "é" * (MAX_MESSAGE_BYTES // 2)  # the limit is in UTF-8 bytes

    assert queue.send([ascii_body, two_byte_body]) == 2

    assert sorted(message.body for message in drain(queue)) == sorted([ascii_body, two_byte_body])


@pytest.mark.parametrize(
    "too_large", ["x" * (MAX_MESSAGE_BYTES + 1), "é" * (MAX_MESSAGE_BYTES // 2) + "x"]
)
def test_one_byte_over_the_limit_is_refused_and_nothing_is_sent(
    queue_case: QueueCase, too_large: str
) -> None:
    queue = queue_case.new()

    with pytest.raises(MessageTooLargeError, match="nothing was sent"):
        queue.send(["fine", too_large, "fine too"])
    with pytest.raises(MessageTooLargeError):
        queue.send_dead([too_large])

    assert queue.counts() == QueueCounts(0, 0, 0)
    assert queue.dead_counts() == QueueCounts(0, 0, 0)


def test_large_bodies_are_split_across_batches(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    bodies = [f"{index:03d}" + "y" * 100_000 for index in range(25)]  # two per 256 KiB batch

    assert queue.send(bodies) == 25

    assert sorted(message.body for message in drain(queue)) == bodies


@pytest.mark.parametrize("body", ["", "nul\x00", "bell\x07", "lone \ud800 surrogate", "\ufffe"])
def test_a_body_sqs_would_refuse_is_refused_before_sending(
    queue_case: QueueCase, body: str
) -> None:
    queue = queue_case.new()
    with pytest.raises(InvalidMessageError):
        queue.send(["fine", body])
    assert queue.counts() == QueueCounts(0, 0, 0)


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"max_messages": 0}, "max_messages"),
        ({"max_messages": 11}, "max_messages"),
        ({"wait_seconds": 21}, "wait_seconds"),
        ({"visibility_timeout": -1}, "visibility_timeout"),
        ({"visibility_timeout": 43_201}, "visibility_timeout"),
    ],
)
def test_receive_arguments_outside_sqs_limits_are_refused(
    queue_case: QueueCase, arguments: dict[str, int], problem: str
) -> None:
    queue = queue_case.new()
    with pytest.raises(ValueError, match=problem):
        queue.receive(**arguments)


def test_other_arguments_outside_sqs_limits_are_refused(queue_case: QueueCase) -> None:
    queue = queue_case.new()
    with pytest.raises(ValueError, match="delay_seconds"):
        queue.send(["x"], delay_seconds=901)
    with pytest.raises(ValueError, match="max_messages"):
        queue.peek_dead(11)
    queue.send(["x"])
    (message,) = queue.receive()
    with pytest.raises(ValueError, match="timeout_seconds"):
        queue.change_visibility(message, 43_201)


# --- concurrency --------------------------------------------------------------------------------


def test_concurrent_consumers_lose_nothing(queue_case: QueueCase) -> None:
    producer = queue_case.new(visibility_timeout=300)
    bodies = [f"item {index}" for index in range(200)]
    producer.send(bodies)
    processed: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            queue = queue_case.another(producer)  # each consumer opens its own, in its thread
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with lock:
                    if len(set(processed)) >= len(bodies):  # SQS may deliver one twice
                        return
                batch = queue.receive(10)
                with lock:
                    processed.extend(message.body for message in batch)
                queue.delete(batch)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    consumers = [threading.Thread(target=consume) for _ in range(4)]
    for consumer in consumers:
        consumer.start()
    for consumer in consumers:
        consumer.join()

    assert errors == []
    assert set(processed) == set(bodies)  # none lost
    if queue_case.backend == "sqlite":
        assert sorted(processed) == sorted(bodies)  # and none twice: receives lock the file
    # SQS promises at least once: a standard queue (and moto's threaded server, now and then,
    # under load) may hand one message to two consumers; collectors are idempotent for it.
    assert producer.counts() == QueueCounts(0, 0, 0)


def test_closing_is_idempotent_and_a_queue_object_is_a_context_manager(
    queue_case: QueueCase,
) -> None:
    queue = queue_case.new()
    with queue_case.another(queue) as other:
        other.send(["x"])
    other.close()
    assert queue.counts().visible == 1
