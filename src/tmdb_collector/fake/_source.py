"""A Catalog as the ``/3/`` API serves it (``tmdbapi.APISource``): calendar dates mapped to
catalog days, and a fixture's recorded answers served as they were recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from tmdb_collector.fake._catalog import Catalog
from tmdb_collector.fake._configuration import CONFIGURATION
from tmdb_collector.fake._fixtures import RecordedResponses
from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.tmdbapi import ChangedEntry, ChangesWindow, JSONObject, page_of

__all__ = ["CatalogSource"]

# Changes windows whose merged results are kept: a client pages through one window at a time,
# so a few suffice to avoid merging up to 15 days of changes again for every page.
_WINDOW_CACHE_SIZE = 16


class CatalogSource:
    """The answers of ``catalog``, whose current day is the UTC date ``today()``. Used from the
    server's event loop only."""

    def __init__(self, catalog: Catalog, today: Callable[[], date]) -> None:
        self.catalog = catalog
        self._today = today
        # Entries, not their JSON: a real-scale 15-day window holds ~100 k of them, and only
        # the page asked for is rendered.
        self._windows: dict[tuple[Kind, int, int, int], list[ChangedEntry]] = {}

    def __repr__(self) -> str:
        return f"CatalogSource({self.catalog!r})"

    def advance(self, days: int) -> int:
        """Move the catalog ``days`` forward; return the new day."""
        self.catalog.advance(days)
        self._windows.clear()
        return self.catalog.day

    def day_of(self, when: date, today: date) -> int:
        """Today is the catalog's current day, yesterday the day before, and so on."""
        return self.catalog.day - (today - when).days

    def base(self, key: RecordKey) -> JSONObject | None:
        return self.catalog.base(key)

    def block(self, key: RecordKey, name: str) -> JSONObject | None:
        return self.catalog.block(key, name)

    def configuration(self) -> JSONObject:
        if isinstance(self.catalog, RecordedResponses):
            recorded = self.catalog.recorded_configuration()
            if recorded is not None:
                return recorded
        return CONFIGURATION

    def changes(self, kind: Kind, window: ChangesWindow, page: int) -> JSONObject:
        recorded = self._recorded_changes(kind)
        if recorded is not None:
            if page == 1:
                return recorded
            # The recorded totals claim more pages than were captured: later pages are empty.
            return {**recorded, "results": [], "page": page}
        return page_of(self._window_results(kind, window), page)

    def _recorded_changes(self, kind: Kind) -> JSONObject | None:
        if isinstance(self.catalog, RecordedResponses):
            return self.catalog.recorded_changes(kind)
        return None

    def _window_results(self, kind: Kind, window: ChangesWindow) -> list[ChangedEntry]:
        """Every id changed on a day of ``window``, each once, in a stable order."""
        today = self._today()
        day = self.catalog.day
        first = self.day_of(window.start, today)
        last = min(self.day_of(window.end, today), day)  # the future has no changes yet
        cache_key = (kind, first, last, day)
        cached = self._windows.get(cache_key)
        if cached is not None:
            return cached
        seen: dict[int, ChangedEntry] = {}
        for catalog_day in range(first, last + 1):
            for entry in self.catalog.changed(kind, catalog_day):
                seen.setdefault(entry.id, entry)
        results = list(seen.values())
        if len(self._windows) >= _WINDOW_CACHE_SIZE:
            self._windows.pop(next(iter(self._windows)))
        self._windows[cache_key] = results
        return results
