"""Fuzzing the work queue's message codec (queue/_work.py).

Valid batches come back from their bodies exactly, however they are packed, in bodies every queue
accepts. A producer's bad item is an InvalidWorkItemError before anything is sent; a body that is
not a valid batch, whatever its text, is a MalformedMessageError — which the consumer records in
the dead-letter queue — and nothing else.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import event, example, given
from hypothesis import strategies as st

from fuzz._support import outcome
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.queue import (
    InvalidWorkItemError,
    MalformedMessageError,
    Reason,
    WorkBatch,
    WorkItem,
    decode_batch,
    encode_batch,
    pack_items,
    pack_keys,
)
from tmdb_collector.queue._queue import body_sizes
from tmdb_collector.queue._work import MAX_ATTEMPT, MAX_ERROR_CHARS, MAX_TIME_MS

_NUMBERS = {Kind.TV_SEASON: 2, Kind.TV_EPISODE: 3}


@st.composite
def keys_of(draw: Any, kind: Kind) -> str:
    """Canonical key text of ``kind``: ids up to 12 digits, small ones more often."""
    first = draw(st.integers(1, 20) | st.integers(1, 10**12 - 1))
    more = _NUMBERS.get(kind, 1) - 1
    rest = [draw(st.integers(0, 20) | st.integers(0, 10**12 - 1)) for _ in range(more)]
    return str(RecordKey(kind, first, *rest))


@st.composite
def work_items(draw: Any) -> WorkItem:
    kind = draw(st.sampled_from(list(Kind)))
    return WorkItem(
        kind,
        draw(keys_of(kind)),
        draw(st.sampled_from(list(Reason))),
        draw(st.sampled_from([0, 1_763_900_000_000, MAX_TIME_MS]) | st.integers(0, MAX_TIME_MS)),
        draw(st.sampled_from([0, 1, MAX_ATTEMPT]) | st.integers(0, MAX_ATTEMPT)),
        draw(st.booleans()),
    )


# Runs of items that share their group fields, as a harvester makes them, and lone items.
item_lists = st.lists(
    st.tuples(work_items(), st.integers(1, 5)).map(lambda pair: [pair[0]] * pair[1]),
    min_size=1,
    max_size=6,
).map(lambda runs: [item for run in runs for item in run])
#: A consumer's recorded error: any text, lone surrogates and text past the limit included.
errors = st.none() | st.text() | st.text(st.characters(categories=["Cs", "Cc", "Lo"]))
errors |= st.integers(MAX_ERROR_CHARS - 2, MAX_ERROR_CHARS + 2).map("é".__mul__)


def _recorded(error: str | None) -> str | None:
    """The error as a body carries it: cut past MAX_ERROR_CHARS (docs of encode_batch)."""
    if error is None or len(error) <= MAX_ERROR_CHARS:
        return error
    return error[: MAX_ERROR_CHARS - 3] + "..."


@given(items=item_lists, error=errors)
def test_a_batch_comes_back_from_its_body(items: list[WorkItem], error: str | None) -> None:
    """Budget: FUZZ_EXAMPLES (200) batches of 1–30 items of every kind, with any error text."""
    body = encode_batch(items, error=error)
    assert decode_batch(body) == WorkBatch(tuple(items), _recorded(error))
    assert body_sizes([body])  # a body SQS and SQLite accept: ASCII, no refused characters


@given(
    items=item_lists,
    error=errors,
    max_items=st.integers(1, 12),
    max_bytes=st.integers(1, 400),
)
def test_packed_bodies_hold_every_item_in_order_within_both_limits(
    items: list[WorkItem], error: str | None, max_items: int, max_bytes: int
) -> None:
    """Budget: FUZZ_EXAMPLES (200) batches packed with limits of 1–12 items and 1–400 bytes: the
    bodies keep the limits and the items, or ValueError when one item cannot fit a body."""
    alone = max(len(encode_batch([item], error=error)) for item in items)
    try:
        bodies = list(pack_items(items, max_items=max_items, max_bytes=max_bytes, error=error))
    except ValueError:
        assert alone > max_bytes
        return
    assert alone <= max_bytes
    assert all(size <= max_bytes for size in body_sizes(bodies))
    batches = [decode_batch(body) for body in bodies]
    assert all(0 < len(batch.items) <= max_items for batch in batches)
    assert all(batch.error == _recorded(error) for batch in batches)
    assert [item for batch in batches for item in batch.items] == items
    first = items[0]
    run = [item for item in items if item == first]
    assert list(pack_items(run, max_items=max_items, max_bytes=max_bytes, error=error)) == list(
        pack_keys(
            first.kind,
            first.reason,
            [item.key for item in run],
            enqueued_at_ms=first.enqueued_at_ms,
            attempt=first.attempt,
            confirm=first.confirm,
            max_items=max_items,
            max_bytes=max_bytes,
            error=error,
        )
    )


#: Any value where a field of a WorkItem goes: a producer's bug must be caught, not sent.
anything = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.lists(st.integers(), max_size=2)
    | st.sampled_from([*Kind, *Reason, "550", "1399/1", "01", '5","6', 1.0, b"550"])
)


any_items = st.builds(
    WorkItem,
    kind=anything | st.sampled_from(list(Kind)),
    key=anything | st.sampled_from(["550", "1399/1", "1399/1/0"]),
    reason=anything | st.sampled_from(list(Reason)),
    enqueued_at_ms=anything | st.integers(0, MAX_TIME_MS),
    attempt=anything | st.integers(0, MAX_ATTEMPT),
    confirm=anything,
)


@given(item=any_items)
# Found by this test: an unhashable field (a list) escaped as TypeError from the header cache.
@example(item=WorkItem(Kind.MOVIE, "550", Reason.NEW, 0, attempt=[1]))  # type: ignore[arg-type]
@example(item=WorkItem([], "550", Reason.NEW, 0))  # type: ignore[arg-type]
@example(item=WorkItem(Kind.MOVIE, '5","6', Reason.NEW, 0))
def test_a_bad_item_is_an_invalid_work_item_error_before_anything_is_sent(item: WorkItem) -> None:
    """Budget: FUZZ_EXAMPLES (200) items with any value in any field (a producer's bug): the
    body reads back as the same item, or encode_batch raises InvalidWorkItemError."""
    body = outcome(lambda: encode_batch([item]), InvalidWorkItemError)
    if isinstance(body, InvalidWorkItemError):
        assert str(body)
        return
    assert decode_batch(body).items == (item,)


#: A group as the producer writes it: the near bodies start from it.
GROUP = {"kind": "movie", "reason": "new", "attempt": 0, "enqueued_at": 0, "keys": ["5"]}


#: Values a hand-written or corrupted body could put in a field.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=4,
)
field_names = st.sampled_from(["v", "groups", "error", "kind", "reason", "attempt", "enqueued_at"])
field_names |= st.sampled_from(["confirm", "keys"]) | st.text(max_size=4)
#: Edits that turn a body into a near miss, or leave it alone.
EDITS = [
    lambda body: body,
    lambda body: body[:-1],
    lambda body: body.replace("1", "1.0", 1),
    lambda body: body.replace('"5"', '"05"'),
    lambda body: body.replace("0", "NaN", 1),
    lambda body: body.replace("0", "-1", 1),
    lambda body: body.replace("{", '{"v":1,', 1),  # a field twice
    lambda body: body.replace('"keys":[', '"keys":[],"x":[', 1),
    lambda body: "[" * 5000 + body,
]
#: Bodies shaped like work messages: the producer's own, and hand-made ones with fields added
#: or given any value; then edited, or not.
near_bodies = st.builds(
    lambda body, edit: edit(body),
    st.builds(lambda items, error: encode_batch(items, error=error), item_lists, errors)
    | st.builds(
        lambda group, top: json.dumps({"v": 1, "groups": [group]} | top),
        st.dictionaries(field_names, json_values, max_size=1).map(GROUP.__or__),
        st.dictionaries(field_names, json_values, max_size=1),
    ),
    st.sampled_from(EDITS),
)


@given(body=st.text() | near_bodies | st.binary(max_size=20))
@example(
    body='{"v":1,"groups":[{"kind":"movie","reason":"new","attempt":0,"enqueued_at":0,"keys":["5"]}]}'
)
@example(body="[" * 100_000)
@example(body='{"v":1,"v":1}')
@example(body=b"{}")
def test_any_body_is_a_batch_or_a_malformed_message_error(body: Any) -> None:
    """Budget: FUZZ_EXAMPLES (200) bodies: arbitrary text and bytes, and work messages with
    fields swapped, added, retyped, doubled or cut. A batch that decodes encodes back the same."""
    batch = outcome(lambda: decode_batch(body), MalformedMessageError)
    if isinstance(batch, MalformedMessageError):
        assert str(batch).startswith("malformed work message: ")
        event("malformed")
        return
    event("a batch")
    assert decode_batch(encode_batch(batch.items, error=batch.error)).items == batch.items
