"""Paged lists and changes windows: ``page``, ``start_date`` and ``end_date`` as TMDB reads them."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tmdb_collector.tmdbapi._responses import ErrorAnswer, JSONObject, PageTooLargeError

__all__ = [
    "MAX_PAGE",
    "MAX_WINDOW",
    "PAGE_SIZE",
    "ChangedEntry",
    "ChangesWindow",
    "page_of",
    "parse_page",
]

#: TMDB refuses to page past 500 on any list.
MAX_PAGE = 500
#: Results per page of a changes feed.
PAGE_SIZE = 100
#: The longest changes window TMDB accepts (end - start).
MAX_WINDOW = timedelta(days=14)

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class ChangedEntry:
    """One item of a ``/3/<kind>/changes`` feed page."""

    id: int
    adult: bool | None
    softcore: bool | None = None

    def to_json(self) -> JSONObject:
        item: JSONObject = {"id": self.id, "adult": self.adult}
        if self.softcore is not None:
            item["softcore"] = self.softcore
        return item


def parse_page(text: str | None) -> int:
    """The ``page`` parameter: 1 when absent; 400/22 when not a positive integer; 422 past 500."""
    if text is None:
        return 1
    if not (text.isascii() and text.isdigit()):
        raise ErrorAnswer.invalid_page()
    # Compare lengths before int(): Python refuses to convert a string of 4300+ digits.
    digits = text.lstrip("0")
    page = int(digits or "0") if len(digits) <= len(str(MAX_PAGE)) else MAX_PAGE + 1
    if page < 1:
        raise ErrorAnswer.invalid_page()
    if page > MAX_PAGE:
        raise PageTooLargeError()
    return page


def page_of(results: Sequence[ChangedEntry], page: int, page_size: int = PAGE_SIZE) -> JSONObject:
    """One page of ``results`` in TMDB's envelope. An empty list still has one (empty) page, so
    a client reading until ``page == total_pages`` stops."""
    start = (page - 1) * page_size
    return {
        "results": [entry.to_json() for entry in results[start : start + page_size]],
        "page": page,
        "total_pages": max(1, math.ceil(len(results) / page_size)),
        "total_results": len(results),
    }


@dataclass(frozen=True, slots=True)
class ChangesWindow:
    """The inclusive date range of a changes request."""

    start: date
    end: date

    @classmethod
    def parse(cls, start_text: str | None, end_text: str | None, today: date) -> ChangesWindow:
        """Read ``start_date``/``end_date``; absent ones mean the last 24 hours, i.e. yesterday
        and today. Raise ErrorAnswer 400/47 for a malformed date, 422/20 for a reversed window or
        one longer than 14 days."""
        end = _parse_date(end_text) if end_text else today
        # The day before 0001-01-01 does not exist: such a window starts on its end.
        default_start = end - timedelta(days=1) if end > date.min else end
        start = _parse_date(start_text) if start_text else default_start
        if start > end or end - start > MAX_WINDOW:
            raise ErrorAnswer.invalid_date_range()
        return cls(start, end)


def _parse_date(text: str) -> date:
    if not _DATE.fullmatch(text):
        raise ErrorAnswer.invalid_input()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ErrorAnswer.invalid_input() from None
