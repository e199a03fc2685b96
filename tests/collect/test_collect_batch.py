"""collect_batch, the collector function's use case: a batch received by someone else, and the
end of a run — the pace grows when no other instance can have work."""

from __future__ import annotations

import pytest

from collect.conftest import TEST_SETTINGS, Bench
from tmdb_collector.app import Pace, _collect_batch, collect_batch, idle_share
from tmdb_collector.app._roll_call import ROLL_PREFIX, RollCall
from tmdb_collector.kinds import Kind
from tmdb_collector.queue import QueueCounts
from tmdb_collector.tmdb import ClientSettings, Credential, TMDBClient

RATE = 4000.0
INSTANCES = 4
#: Four instances sharing RATE (the wiring's pace of a collector function).
PACE = Pace(RATE / INSTANCES, 8, RATE, INSTANCES)


@pytest.mark.parametrize(
    ("counts", "held", "share"),
    [
        # Work to deliver: any instance may start, the fixed share.
        (QueueCounts(visible=1, in_flight=3, delayed=0), 3, RATE / 4),
        (QueueCounts(visible=0, in_flight=3, delayed=2), 3, RATE / 4),
        # Nothing to deliver, every message in flight is this batch's: alone.
        (QueueCounts(visible=0, in_flight=3, delayed=0), 3, RATE),
        # One other message in flight: at most one other instance works.
        (QueueCounts(visible=0, in_flight=4, delayed=0), 3, RATE / 2),
        # Many others: never below the fixed share.
        (QueueCounts(visible=0, in_flight=40, delayed=0), 3, RATE / 4),
        # Counts that lag behind (fewer in flight than held): alone, not more than the rate.
        (QueueCounts(visible=0, in_flight=1, delayed=0), 3, RATE),
    ],
)
def test_the_share_of_the_idle(counts: QueueCounts, held: int, share: float) -> None:
    assert idle_share(counts, held, PACE) == pytest.approx(share)


@pytest.mark.parametrize(
    ("roll", "share"),
    [
        # The roll call names exactly the 10 messages in flight elsewhere: its count is used.
        ((1, 10), RATE / 2),
        ((2, 10), RATE / 3),
        # It names fewer: someone at work is not on it (just started): the messages bound it.
        ((1, 4), RATE / 4),
        # More: one listed has ended and its messages are gone: the messages bound it too.
        ((3, 12), RATE / 4),
    ],
)
def test_the_roll_call_counts_only_when_it_accounts_for_every_message_in_flight(
    roll: tuple[int, int], share: float
) -> None:
    drained = QueueCounts(visible=0, in_flight=13, delayed=0)
    assert idle_share(drained, 3, PACE, roll) == pytest.approx(share)


def _client(bench: Bench) -> TMDBClient:
    # As on Lambda: the client paces at the instance's fixed share.
    return TMDBClient(
        ClientSettings(
            credential=Credential(bench.credential),
            api_url=bench.fake.url,
            exports_url=bench.fake.url,
            rate_limit=RATE / INSTANCES,
            concurrency=8,
        )
    )


@pytest.fixture(autouse=True)
def quick_looks(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    """Looks at the queue every 20 ms, and answers slow enough for several of them."""
    monkeypatch.setattr(_collect_batch, "TAIL_LOOK_SECONDS", 0.02)
    bench.fake.settings.update({"latency_ms": 150.0, "latency_jitter_ms": 0.0})


async def _batch(bench: Bench, *, others: int = 0, left: int = 0) -> tuple[float, float]:
    """Collect the queue's messages as one batch, with ``others`` messages held by another
    consumer and ``left`` still to deliver; return the top pace and the pace after."""
    bench.enqueue_keys(Kind.MOVIE, range(1, 7), max_items=1)
    messages = bench.queue.inner.receive(10, visibility_timeout=60)
    bench.enqueue_keys(Kind.MOVIE, range(7, 7 + others + left), max_items=1)
    if others:
        assert len(bench.queue.inner.receive(others, visibility_timeout=60)) == others
    async with _client(bench) as client:
        report = await collect_batch(
            client=client,
            objects=bench.records.objects,
            queue=bench.queue,
            messages=messages,
            settings=TEST_SETTINGS,
            pace=PACE,
        )
        after = client.pacer.rate
    assert sorted(report.finished) == sorted(m.message_id for m in messages)
    assert report.progress.items == {Kind.MOVIE: 6}
    return report.top_rate, after


async def test_alone_with_the_last_messages_an_instance_takes_the_whole_rate(
    bench: Bench,
) -> None:
    top, after = await _batch(bench)
    assert top == pytest.approx(RATE)
    assert after == pytest.approx(RATE / INSTANCES)  # the next batch starts at the fixed share


async def test_messages_to_deliver_keep_the_fixed_share(bench: Bench) -> None:
    top, _ = await _batch(bench, left=1)
    assert top == pytest.approx(RATE / INSTANCES)


async def test_the_roll_call_counts_the_instances_at_work_and_forgets_the_dead(
    bench: Bench,
) -> None:
    """Another instance at work, holding three messages: by the messages in flight up to four
    instances could be working (the fixed share); the roll call says two: half the rate. An
    instance whose entry expired (it died) is removed, not counted."""
    objects = bench.records.objects
    working = RollCall(objects, 60.0, 3)
    await working.enter()
    dead = RollCall(objects, 0.0, 5, now_ms=1_000_000_000_000)
    await dead.enter()
    top, _ = await _batch(bench, others=3)
    assert top == pytest.approx(RATE / 2)
    left = sorted([info.key async for info in objects.list(ROLL_PREFIX)])
    assert left == [working.key]  # this batch left, the dead entry was removed
    await working.leave()
    assert [info.key async for info in objects.list(ROLL_PREFIX)] == []


async def test_an_instance_not_yet_on_the_roll_call_is_not_overlooked(bench: Bench) -> None:
    """Three messages are held elsewhere, the roll call accounts for two: someone at work is
    not on it yet, so the messages bound the count (four instances: the fixed share)."""
    objects = bench.records.objects
    working = RollCall(objects, 60.0, 2)
    await working.enter()
    top, _ = await _batch(bench, others=3)
    assert top == pytest.approx(RATE / INSTANCES)
    await working.leave()


async def test_without_the_roll_call_the_messages_in_flight_bound_the_share(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch whose roll-call entry the store refused does not read the roll call: one
    message held elsewhere means at most one other instance."""

    async def refuse(self: RollCall) -> None:
        self.present = False

    monkeypatch.setattr(RollCall, "enter", refuse)
    top, _ = await _batch(bench, others=1)
    assert top == pytest.approx(RATE / 2)
