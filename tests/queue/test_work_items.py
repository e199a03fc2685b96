"""The message payload: WorkItems batched into compact JSON bodies, packed within the limits, and
decoded strictly (anything else is a MalformedMessageError, never a KeyError or TypeError)."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator

import pytest

from tmdb_collector.kinds import InvalidKeyError, Kind, RecordKey
from tmdb_collector.queue import (
    MAX_MESSAGE_BYTES,
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
from tmdb_collector.queue._work import MAX_ERROR_CHARS

T0 = 1_763_900_000_000


def movie(key: str, reason: Reason = Reason.NEW, **fields: object) -> WorkItem:
    return WorkItem(Kind.MOVIE, key, reason, T0, **fields)  # type: ignore[arg-type]


MIXED = [
    movie("550"),
    movie("551"),
    WorkItem(Kind.TV_SEASON, "1399/1", Reason.CHANGED, T0, attempt=2),
    WorkItem(Kind.TV_EPISODE, "1399/1/0", Reason.REFRESH, T0 + 1),
    WorkItem(Kind.PERSON, "287", Reason.DELETED, T0, confirm=False),
    WorkItem(Kind.PERSON, "288", Reason.DELETED, T0),
    WorkItem(Kind.KEYWORD, "9715", Reason.RECONCILE, 0),
    movie("552"),
]


# --- round trips and the format -----------------------------------------------------------------


def test_a_batch_round_trips_with_its_error() -> None:
    body = encode_batch(MIXED, error="HTTP 500 from TMDB")

    assert decode_batch(body) == WorkBatch(tuple(MIXED), "HTTP 500 from TMDB")
    assert decode_batch(encode_batch(MIXED)) == WorkBatch(tuple(MIXED), None)


def test_the_body_is_the_documented_compact_json() -> None:
    body = encode_batch([movie("550"), movie("551")], error="boom")

    assert body == (
        '{"v":1,"groups":[{"kind":"movie","reason":"new","attempt":0,"enqueued_at":1763900000000,'
        '"keys":["550","551"]}],"error":"boom"}'
    )


def test_consecutive_items_sharing_their_fields_share_a_group() -> None:
    document = json.loads(encode_batch(MIXED))

    assert [(group["kind"], group["keys"]) for group in document["groups"]] == [
        ("movie", ["550", "551"]),
        ("tv_season", ["1399/1"]),
        ("tv_episode", ["1399/1/0"]),
        ("person", ["287"]),
        ("person", ["288"]),  # confirm differs
        ("keyword", ["9715"]),
        ("movie", ["552"]),  # order is kept, so a later run is a new group
    ]
    assert document["groups"][3]["confirm"] is False
    assert all(
        "confirm" not in group for index, group in enumerate(document["groups"]) if index != 3
    )
    assert "error" not in document


def test_a_key_costs_its_text_and_three_bytes() -> None:
    one = encode_batch([movie("1000000")])
    many = encode_batch([movie(str(1_000_000 + index)) for index in range(1000)])

    assert (len(many) - len(one)) / 999 == len("1000000") + 3


def test_an_item_knows_its_record_key() -> None:
    assert MIXED[2].record_key == RecordKey(Kind.TV_SEASON, 1399, 1)


def test_a_long_error_is_cut_and_the_body_stays_ascii() -> None:
    error = "é" * (MAX_ERROR_CHARS * 2)
    body = encode_batch([movie("550")], error=error)

    assert body.isascii()
    decoded = decode_batch(body).error
    assert decoded is not None
    assert len(decoded) == MAX_ERROR_CHARS
    assert decoded.endswith("...")
    assert decode_batch(encode_batch([movie("1")], error='quote " and \\ and \n')).error == (
        'quote " and \\ and \n'
    )


# --- packing ------------------------------------------------------------------------------------


def million_items() -> Iterator[WorkItem]:
    reasons = itertools.cycle([Reason.NEW] * 7 + [Reason.CHANGED] * 3)
    for index in range(1, 1_000_001):
        yield WorkItem(Kind.MOVIE, str(index), next(reasons), T0)


def test_a_million_items_pack_within_both_limits_in_order() -> None:
    next_key = 1
    bodies = 0
    for body in pack_items(million_items(), max_items=100, max_bytes=600):
        assert len(body.encode()) <= 600
        keys = [key for group in json.loads(body)["groups"] for key in group["keys"]]
        assert 0 < len(keys) <= 100
        assert keys == [str(key) for key in range(next_key, next_key + len(keys))]
        next_key += len(keys)
        bodies += 1
    assert next_key == 1_000_001
    assert bodies >= 1_000_000 // 100


def test_packing_streams_an_endless_generator() -> None:
    endless = (movie(str(index)) for index in itertools.count(1))

    first, second = itertools.islice(pack_items(endless), 2)

    assert len(decode_batch(first).items) == 100
    assert decode_batch(second).items[0].key == "101"


def test_packing_fills_a_body_to_exactly_max_bytes() -> None:
    items = [movie(str(index)) for index in range(1, 60)]
    exact = len(encode_batch(items[:40], error="e"))

    bodies = list(pack_items(items, max_items=1000, max_bytes=exact, error="e"))

    assert len(bodies[0]) == exact
    assert [len(decode_batch(body).items) for body in bodies] == [40, 19]
    assert all(decode_batch(body).error == "e" for body in bodies)


def test_packing_mixed_groups_by_bytes_keeps_every_item() -> None:
    rng = random.Random(7)
    items = [rng.choice(MIXED) for _ in range(5000)]

    for max_bytes in (250, 1000, 4096, MAX_MESSAGE_BYTES):
        bodies = list(pack_items(items, max_items=10_000, max_bytes=max_bytes))
        assert all(len(body.encode()) <= max_bytes for body in bodies)
        assert [item for body in bodies for item in decode_batch(body).items] == items


def test_packing_nothing_yields_nothing() -> None:
    assert list(pack_items([])) == []
    with pytest.raises(InvalidWorkItemError, match="at least one item"):
        encode_batch([])


def test_pack_keys_makes_the_same_bodies_as_pack_items() -> None:
    keys = [str(index) for index in range(1, 2500)]
    items = [
        WorkItem(Kind.PERSON, key, Reason.DELETED, T0, attempt=1, confirm=False) for key in keys
    ]

    expected = list(pack_items(items, max_items=300, max_bytes=2000, error="x"))
    bodies = pack_keys(
        Kind.PERSON,
        Reason.DELETED,
        iter(keys),
        enqueued_at_ms=T0,
        attempt=1,
        confirm=False,
        max_items=300,
        max_bytes=2000,
        error="x",
    )

    assert list(bodies) == expected


@pytest.mark.parametrize(("max_items", "max_bytes"), [(0, 1000), (100, 0), (-1, 1000)])
def test_limits_must_be_positive_and_are_checked_at_once(max_items: int, max_bytes: int) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        pack_items([], max_items=max_items, max_bytes=max_bytes)


def test_a_max_bytes_too_small_for_one_item_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot hold one item"):
        list(pack_items([movie("550")], max_bytes=50))


# --- what the producer may not put on the queue -------------------------------------------------


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (movie("007"), "canonical form: write '7'"),
        (movie("0"), "positive"),
        (movie(""), "not a positive integer"),
        (movie("abc"), "not a positive integer"),
        (movie("1/2"), "not a positive integer"),
        (movie("٣"), "not a positive integer"),
        (movie("1234567890123"), "at most 12"),
        (movie('550","551'), "not a positive integer"),
        (movie(550), "not int"),  # type: ignore[arg-type]
        (WorkItem(Kind.TV_SEASON, "1399", Reason.NEW, T0), "SERIES_ID/SEASON_NUMBER"),
        (WorkItem(Kind.TV_EPISODE, "1399/01/1", Reason.NEW, T0), "canonical"),
        (movie("550", attempt=-1), "attempt"),
        (movie("550", attempt=True), "attempt"),
        (movie("550", attempt=1.0), "attempt"),
        (WorkItem(Kind.MOVIE, "550", Reason.NEW, -1), "enqueued_at_ms"),
        (WorkItem(Kind.MOVIE, "550", Reason.NEW, float(T0)), "enqueued_at_ms"),  # type: ignore[arg-type]
        (movie("550", confirm=0), "confirm"),
        (WorkItem("film", "550", Reason.NEW, T0), "Kind"),  # type: ignore[arg-type]
        (WorkItem(Kind.MOVIE, "550", "because", T0), "Reason"),  # type: ignore[arg-type]
    ],
)
def test_an_item_no_consumer_could_read_is_refused(item: WorkItem, problem: str) -> None:
    with pytest.raises(InvalidWorkItemError, match=problem):
        encode_batch([item])
    with pytest.raises(InvalidWorkItemError, match=problem):
        encode_batch([WorkItem(Kind.COMPANY, "1", Reason.NEW, T0), item])


def test_the_bodies_before_a_bad_item_are_still_yielded() -> None:
    items = [*(movie(str(index)) for index in range(1, 201)), movie("bad")]
    bodies = pack_items(items, max_items=100)

    assert len(decode_batch(next(bodies)).items) == 100
    assert len(decode_batch(next(bodies)).items) == 100
    with pytest.raises(InvalidWorkItemError):
        next(bodies)


def test_an_error_that_is_not_text_is_refused() -> None:
    with pytest.raises(InvalidWorkItemError, match="error must be text"):
        encode_batch([movie("1")], error=42)  # type: ignore[arg-type]


def test_the_fast_key_check_agrees_with_record_key() -> None:
    rng = random.Random(11)
    alphabet = "0123456789/0123456789x٣ "
    candidates = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9))) for _ in range(4000)
    ]
    candidates += ["0/0", "1/0", "1/0/0", "10/01", "999999999999", "1000000000000"]
    for kind in Kind:
        for key in candidates:
            try:
                canonical = str(RecordKey.parse(kind, key)) == key
            except InvalidKeyError:
                canonical = False
            try:
                encode_batch([WorkItem(kind, key, Reason.NEW, T0)])
                accepted = True
            except InvalidWorkItemError:
                accepted = False
            assert accepted == canonical, (kind, key)


# --- decoding strictly --------------------------------------------------------------------------

GOOD_GROUP = '{"kind":"movie","reason":"new","attempt":0,"enqueued_at":1,"keys":["550"]}'


def with_group(**changes: object) -> str:
    group = json.loads(GOOD_GROUP) | changes
    return json.dumps({"v": 1, "groups": [group]})


def without(field: str) -> str:
    group = json.loads(GOOD_GROUP)
    del group[field]
    return json.dumps({"v": 1, "groups": [group]})


MALFORMED = {
    "not JSON": "not json",
    "truncated": encode_batch([movie("550")])[:-1],
    "trailing garbage": encode_batch([movie("550")]) + "x",
    "empty": "",
    "array": "[]",
    "null": "null",
    "string": '"text"',
    "no version": '{"groups":[' + GOOD_GROUP + "]}",
    "version 2": '{"v":2,"groups":[' + GOOD_GROUP + "]}",
    "version true": '{"v":true,"groups":[' + GOOD_GROUP + "]}",
    "version 1.0": '{"v":1.0,"groups":[' + GOOD_GROUP + "]}",
    "version text": '{"v":"1","groups":[' + GOOD_GROUP + "]}",
    "no groups": '{"v":1}',
    "groups an object": '{"v":1,"groups":{}}',
    "empty groups": '{"v":1,"groups":[]}',
    "group a list": '{"v":1,"groups":[[]]}',
    "unknown top field": '{"v":1,"groups":[' + GOOD_GROUP + '],"extra":1}',
    "error null": '{"v":1,"groups":[' + GOOD_GROUP + '],"error":null}',
    "error number": '{"v":1,"groups":[' + GOOD_GROUP + '],"error":5}',
    "duplicate field": '{"v":1,"v":1,"groups":[' + GOOD_GROUP + "]}",
    "duplicate group field": '{"v":1,"groups":[' + GOOD_GROUP[:-1] + ',"kind":"tv"}]}',
    "unknown group field": with_group(priority=1),
    "no kind": without("kind"),
    "no reason": without("reason"),
    "no attempt": without("attempt"),
    "no enqueued_at": without("enqueued_at"),
    "no keys": without("keys"),
    "unknown kind": with_group(kind="film"),
    "kind number": with_group(kind=1),
    "kind enum name": with_group(kind="MOVIE"),
    "unknown reason": with_group(reason="because"),
    "reason null": with_group(reason=None),
    "negative attempt": with_group(attempt=-1),
    "attempt true": with_group(attempt=True),
    "attempt float": with_group(attempt=1.5),
    "attempt 1.0": with_group(attempt=1.0),
    "attempt text": with_group(attempt="1"),
    "attempt huge": with_group(attempt=10**7),
    "enqueued_at true": with_group(enqueued_at=True),
    "enqueued_at float": with_group(enqueued_at=1.5e12),
    "enqueued_at negative": with_group(enqueued_at=-1),
    "enqueued_at after 9999": with_group(enqueued_at=10**15),
    "enqueued_at NaN": GOOD_GROUP.join(['{"v":1,"groups":[', "]}"]).replace(
        '"enqueued_at":1', '"enqueued_at":NaN'
    ),
    "enqueued_at Infinity": GOOD_GROUP.join(['{"v":1,"groups":[', "]}"]).replace(
        '"enqueued_at":1', '"enqueued_at":Infinity'
    ),
    "enqueued_at 1e400": GOOD_GROUP.join(['{"v":1,"groups":[', "]}"]).replace(
        '"enqueued_at":1', '"enqueued_at":1e400'
    ),
    "enqueued_at 5000 digits": GOOD_GROUP.join(['{"v":1,"groups":[', "]}"]).replace(
        '"enqueued_at":1', '"enqueued_at":' + "9" * 5000
    ),
    "confirm text": with_group(confirm="no"),
    "confirm null": with_group(confirm=None),
    "keys empty": with_group(keys=[]),
    "keys an object": with_group(keys={"550": 1}),
    "keys a string": with_group(keys="550"),
    "key a number": with_group(keys=[550]),
    "key null": with_group(keys=[None]),
    "key nested": with_group(keys=[["550"]]),
    "key zero": with_group(keys=["0"]),
    "key padded": with_group(keys=["0550"]),
    "key negative": with_group(keys=["-5"]),
    "key with spaces": with_group(keys=[" 550"]),
    "key arabic digits": with_group(keys=["٥٥٠"]),
    "key season for movie": with_group(keys=["1399/1"]),
    "key too long": with_group(keys=["1" * 13]),
    "season key for series": with_group(kind="tv", keys=["1399/1"]),
    "series key for season": with_group(kind="tv_season", keys=["1399"]),
    "deep nesting": "[" * 100_000 + "]" * 100_000,
    "deep nesting in a group": '{"v":1,"groups":[' + "[" * 50_000 + "]" * 50_000 + "]}",
    "larger than any message": '{"v":1,"groups":[' + " " * (1024 * 1024) + "]}",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_body_raises_malformed_message_error(body: str) -> None:
    with pytest.raises(MalformedMessageError, match=r"^malformed work message: ") as raised:
        decode_batch(body)
    assert len(str(raised.value)) < 600  # an excerpt of the body, never all of it


def test_a_body_that_is_not_text_is_malformed() -> None:
    with pytest.raises(MalformedMessageError, match="text, not bytes"):
        decode_batch(b'{"v":1}')  # type: ignore[arg-type]


def test_confirm_true_written_out_is_accepted() -> None:
    (item,) = decode_batch(with_group(confirm=True, reason="deleted")).items
    assert item.confirm is True


def test_confirm_is_carried_for_every_reason() -> None:
    # Only deletions use it, but a producer setting it for all its items is not wrong.
    items = [movie("550", confirm=False), movie("551", Reason.DELETED, confirm=False)]
    assert decode_batch(encode_batch(items)).items == tuple(items)
