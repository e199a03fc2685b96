"""``page``, ``start_date`` and ``end_date`` as TMDB reads them, and its page envelope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tmdb_collector.tmdbapi import (
    MAX_PAGE,
    ChangedEntry,
    ChangesWindow,
    ErrorAnswer,
    PageTooLargeError,
    page_of,
    parse_page,
)

TODAY = date(2026, 8, 27)


@pytest.mark.parametrize(
    ("text", "page"), [(None, 1), ("1", 1), ("007", 7), ("500", 500), (str(MAX_PAGE), MAX_PAGE)]
)
def test_pages_from_1_to_500(text: str | None, page: int) -> None:
    assert parse_page(text) == page


@pytest.mark.parametrize("text", ["0", "000", "", "-1", "1.5", "two", "٣"])
def test_a_page_that_is_no_positive_integer_is_400_code_22(text: str) -> None:
    with pytest.raises(ErrorAnswer) as raised:
        parse_page(text)
    assert (raised.value.status, raised.value.code) == (400, 22)


@pytest.mark.parametrize("text", ["501", "0501", "9" * 5000])
def test_a_page_past_500_is_422_in_its_own_envelope(text: str) -> None:
    with pytest.raises(PageTooLargeError) as raised:
        parse_page(text)
    assert raised.value.status == 422
    assert raised.value.to_json() == {"errors": ["page must be less than or equal to 500"]}


def test_page_of_cuts_pages_and_an_empty_list_has_one_page() -> None:
    entries = [ChangedEntry(i, False) for i in range(250)]
    third = page_of(entries, 3)
    assert third["results"][0] == {"id": 200, "adult": False}
    assert (len(third["results"]), third["page"], third["total_pages"]) == (50, 3, 3)
    assert third["total_results"] == 250
    assert page_of([], 1) == {"results": [], "page": 1, "total_pages": 1, "total_results": 0}


def test_changed_entry_has_softcore_only_when_known() -> None:
    assert ChangedEntry(1, None).to_json() == {"id": 1, "adult": None}
    assert ChangedEntry(1, True, False).to_json() == {"id": 1, "adult": True, "softcore": False}


def test_changes_window_defaults_to_yesterday_and_today() -> None:
    assert ChangesWindow.parse(None, None, TODAY) == ChangesWindow(TODAY - timedelta(1), TODAY)
    assert ChangesWindow.parse("2026-08-20", None, TODAY).end == TODAY
    end = ChangesWindow.parse(None, "2026-08-01", TODAY)
    assert end == ChangesWindow(date(2026, 7, 31), date(2026, 8, 1))
    assert ChangesWindow.parse(None, "0001-01-01", TODAY) == ChangesWindow(date.min, date.min)


@pytest.mark.parametrize(
    ("start", "end", "status", "code"),
    [
        ("2026-08-01", "2026-08-16", 422, 20),  # 15 days apart
        ("2026-08-02", "2026-08-01", 422, 20),  # reversed
        ("yesterday", None, 400, 47),
        ("2026-02-30", None, 400, 47),
        ("2026-8-1", None, 400, 47),
    ],
)
def test_bad_windows(start: str, end: str | None, status: int, code: int) -> None:
    with pytest.raises(ErrorAnswer) as raised:
        ChangesWindow.parse(start, end, TODAY)
    assert (raised.value.status, raised.value.code) == (status, code)


def test_a_window_of_14_days_is_accepted() -> None:
    window = ChangesWindow.parse("2026-08-01", "2026-08-15", TODAY)
    assert window.end - window.start == timedelta(days=14)
