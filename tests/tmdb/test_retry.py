import random
from datetime import UTC, datetime

import pytest

from tmdb_collector.tmdb import RetryPolicy
from tmdb_collector.tmdb._retry import backoff_delay, parse_retry_after


@pytest.mark.parametrize(
    ("failures", "ceiling"), [(1, 0.5), (2, 1.0), (4, 4.0), (7, 30.0), (50, 30.0)]
)
def test_backoff_doubles_with_equal_jitter_up_to_the_cap(failures: int, ceiling: float) -> None:
    rng = random.Random(1)
    delays = [backoff_delay(failures, 0.5, 30.0, rng) for _ in range(200)]
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert len(set(delays)) > 1  # jittered


def test_policy_delays_use_their_own_bases() -> None:
    policy = RetryPolicy()
    rng = random.Random(2)
    assert 0.25 <= policy.transient_delay(1, rng) <= 0.5
    assert 0.125 <= policy.rate_limit_delay(1, rng) <= 0.25
    assert 30 <= policy.rate_limit_delay(10, rng) <= 60


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="at least one attempt"):
        RetryPolicy(max_attempts=0)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("7", 7.0),
        (" 0 ", 0.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # in the past: go now
        ("soon", None),
        ("-5", None),
        ("\u00b2", None),  # a latin-1 header byte that str.isdigit() accepts but float() refuses
        ("1.5", None),
    ],
)
def test_retry_after_in_seconds_or_http_date(header: str | None, seconds: float | None) -> None:
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)
    assert parse_retry_after(header, now) == seconds
