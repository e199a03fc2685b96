"""Which movies, series and people changed over a date range: TMDB's changes feeds, all pages."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tmdb_collector.kinds import CHANGES_KINDS, Kind
from tmdb_collector.tmdb._errors import NotFound, TMDBAPIError, UnsupportedKindError
from tmdb_collector.tmdb._seen import SeenIds
from tmdb_collector.tmdb._types import GetJSON, JSONObject, QueryParams

__all__ = ["MAX_PAGES", "ChangedId", "ChangesWindow", "changes_windows", "iter_changes"]

_log = logging.getLogger("tmdb_collector.tmdb")

#: TMDB refuses ``page`` > 500 on paged lists (422, a different error envelope).
MAX_PAGES = 500
#: TMDB says "a range no longer than 14 days"; 14 days counted inclusively is end - start = 13,
#: the reading that can never be refused.
MAX_WINDOW_DAYS = 14


@dataclass(frozen=True, slots=True)
class ChangedId:
    """One id from a changes feed. ``adult`` is None when TMDB sends null."""

    id: int
    adult: bool | None


@dataclass(frozen=True, slots=True, order=True)
class ChangesWindow:
    """An inclusive range of days asked of a changes feed in one go."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def halves(self) -> tuple[ChangesWindow, ChangesWindow]:
        """Two windows covering this one (of at least two days), the first one no longer."""
        middle = self.start + timedelta(days=(self.days + 1) // 2 - 1)
        return ChangesWindow(self.start, middle), ChangesWindow(
            middle + timedelta(days=1), self.end
        )


def changes_windows(start: date, end: date, max_days: int = MAX_WINDOW_DAYS) -> list[ChangesWindow]:
    """Consecutive windows of at most ``max_days`` days covering ``start`` .. ``end`` inclusive."""
    if end < start:
        raise ValueError(f"the changes range ends ({end}) before it starts ({start})")
    if max_days < 1:
        raise ValueError("a changes window holds at least one day")
    windows = []
    while (end - start).days >= max_days:  # day arithmetic never steps past ``end`` (date.max)
        last = start + timedelta(days=max_days - 1)
        windows.append(ChangesWindow(start, last))
        start = last + timedelta(days=1)
    windows.append(ChangesWindow(start, end))
    return windows


async def iter_changes(
    get: GetJSON, kind: Kind | str, start: date, end: date
) -> AsyncIterator[ChangedId]:
    """Every id of ``kind`` changed from ``start`` to ``end`` (inclusive), each once."""
    feed = _changes_kind(kind)
    seen = SeenIds()
    for window in changes_windows(start, end):
        async for changed in _read_window(get, feed, window):
            if seen.add(changed.id):
                yield changed


def _changes_kind(kind: Kind | str) -> Kind:
    allowed = ", ".join(k.value for k in CHANGES_KINDS)
    try:
        feed = Kind(kind)
    except ValueError:
        raise UnsupportedKindError(
            f"unknown kind {kind!r}; changes feeds exist for {allowed}"
        ) from None
    if feed not in CHANGES_KINDS:
        raise UnsupportedKindError(
            f"TMDB has no changes feed for {feed.value}; feeds exist for {allowed} "
            "(the daily exports reveal the other kinds)"
        )
    return feed


@dataclass(frozen=True, slots=True)
class _Page:
    changed: list[ChangedId]
    total_pages: int
    total_results: int


async def _read_window(get: GetJSON, kind: Kind, window: ChangesWindow) -> AsyncIterator[ChangedId]:
    first = await _fetch_page(get, kind, window, 1)
    if first.total_pages > MAX_PAGES and window.days > 1:
        # Pages past 500 are refused, so read smaller windows whose pages all fit.
        for half in window.halves():
            async for changed in _read_window(get, kind, half):
                yield changed
        return
    if first.total_pages > MAX_PAGES:
        _warn_pages_lost(kind, window, first)
    for changed in first.changed:
        yield changed
    page, total = 1, first.total_pages
    while page < min(total, MAX_PAGES):
        page += 1
        answer = await _fetch_page(get, kind, window, page)
        total = answer.total_pages  # the feed is live: trust the newest count
        for changed in answer.changed:
            yield changed


async def _fetch_page(get: GetJSON, kind: Kind, window: ChangesWindow, page: int) -> _Page:
    path = f"/3/{kind.value}/changes"
    params: QueryParams = {
        "start_date": window.start.isoformat(),
        "end_date": window.end.isoformat(),
        "page": page,
    }
    answer = await get(path, params)
    if isinstance(answer, NotFound):
        raise TMDBAPIError(path, 404, answer.status_code, "the changes feed was not found")
    return _parse_page(path, answer)


def _parse_page(path: str, answer: JSONObject) -> _Page:
    results = answer.get("results")
    total_pages = _count(answer.get("total_pages"))
    if not isinstance(results, list) or total_pages is None:
        raise TMDBAPIError(path, 200, None, "the changes page lacks results or total_pages")
    changed = [c for c in (_changed_id(item) for item in results) if c is not None]
    return _Page(changed, total_pages, _count(answer.get("total_results")) or 0)


def _changed_id(item: Any) -> ChangedId | None:
    if not isinstance(item, dict) or not _count(item.get("id")):
        _log.warning("skipping a changes item without a positive integer id", extra={"item": item})
        return None
    adult = item.get("adult")
    return ChangedId(item["id"], adult if isinstance(adult, bool) else None)


def _count(value: object) -> int | None:
    """``value`` if it is a non-negative integer (JSON true is not one), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _warn_pages_lost(kind: Kind, window: ChangesWindow, first: _Page) -> None:
    read = MAX_PAGES * len(first.changed)
    lost = max(0, first.total_results - read)
    _log.warning(
        "%s changes on %s span %d pages but TMDB serves only %d: about %d ids are lost; "
        "the daily exports will still reveal new ids",
        kind.value,
        window.start.isoformat(),
        first.total_pages,
        MAX_PAGES,
        lost,
        extra={
            "kind": kind.value,
            "day": window.start.isoformat(),
            "total_pages": first.total_pages,
            "pages_lost": first.total_pages - MAX_PAGES,
            "ids_lost": lost,
        },
    )
