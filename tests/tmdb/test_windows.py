import itertools
from datetime import date, timedelta

import pytest

from tmdb_collector.tmdb import ChangesWindow, changes_windows


def test_a_40_day_range_makes_consecutive_windows_of_at_most_14_days() -> None:
    start, end = date(2026, 1, 1), date(2026, 2, 9)
    windows = changes_windows(start, end)
    assert [w.days for w in windows] == [14, 14, 12]
    assert windows[0].start == start
    assert windows[-1].end == end
    for window, following in itertools.pairwise(windows):
        assert following.start == window.end + timedelta(days=1)
    assert all(w.end - w.start <= timedelta(days=13) for w in windows)


def test_a_single_day() -> None:
    day = date(2026, 3, 1)
    assert changes_windows(day, day) == [ChangesWindow(day, day)]


@pytest.mark.parametrize(("days", "sizes"), [(14, [14]), (15, [14, 1]), (28, [14, 14])])
def test_window_sizes_at_the_limit(days: int, sizes: list[int]) -> None:
    start = date(2026, 1, 1)
    assert [w.days for w in changes_windows(start, start + timedelta(days=days - 1))] == sizes


def test_a_range_ending_on_the_last_representable_day() -> None:
    windows = changes_windows(date.max - timedelta(days=20), date.max)
    assert [w.days for w in windows] == [14, 7]
    assert windows[-1].end == date.max


def test_a_backwards_range_is_refused() -> None:
    with pytest.raises(ValueError, match="ends"):
        changes_windows(date(2026, 1, 2), date(2026, 1, 1))


@pytest.mark.parametrize("days", [2, 3, 7, 14])
def test_halves_cover_the_window_without_overlap(days: int) -> None:
    window = ChangesWindow(date(2026, 1, 1), date(2026, 1, days))
    first, second = window.halves()
    assert first.start == window.start
    assert second.end == window.end
    assert second.start == first.end + timedelta(days=1)
    assert first.days >= second.days >= 1
