"""Minimal catalogs for server tests that need exact control of one part of the data."""

from __future__ import annotations

from collections.abc import Iterator

from tmdb_collector.fake import ChangedEntry, JSONObject
from tmdb_collector.kinds import Kind, RecordKey


class RecordlessCatalog:
    """A Catalog with no records, no changes and empty exports; subclasses fill in one part."""

    def __init__(self, day: int = 0) -> None:
        self.day = day

    def advance(self, days: int) -> None:
        self.day += days

    def base(self, key: RecordKey) -> JSONObject | None:
        return None

    def block(self, key: RecordKey, name: str) -> JSONObject | None:
        return None

    def changed(self, kind: Kind, day: int) -> list[ChangedEntry]:
        return []

    def export_lines(self, export_name: str, day: int) -> Iterator[bytes]:
        return iter(())
