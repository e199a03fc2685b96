"""What the fake TMDB server serves: a catalog of records that can advance by days.

A catalog owns the data; HTTP is not its business: ``tmdb_collector.tmdbapi`` speaks TMDB's
contract (routing, credentials, append_to_response, paging, changes windows), ``_source.py`` maps
calendar dates to catalog days for it, and the server (``_server.py``) adds faults, exports and
the admin endpoints. Two catalogs implement this protocol: ``FixtureCatalog`` (a directory in the
layout of shared/tmdb/fixtures) and ``SyntheticCatalog`` (deterministic, generated on demand, any
size).

Days: day 0 is the catalog as created. ``advance(n)`` moves it n days forward; each day adds ids,
changes some records and deletes some. The server maps calendar dates to days: today is
``catalog.day``, yesterday ``catalog.day - 1``, and so on. Days before 0 look like day 0 with no
changes, so an export "from last week" exists even for a fresh catalog.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from tmdb_collector.kinds import SUB_RESOURCES, Kind, RecordKey
from tmdb_collector.tmdbapi import ChangedEntry, JSONObject, append_block

__all__ = ["CacheableExports", "Catalog", "with_every_block"]


class Catalog(Protocol):
    @property
    def day(self) -> int:
        """The current day: 0 when created, +n after ``advance(n)``."""
        ...

    def advance(self, days: int) -> None:
        """Move the catalog ``days`` (>= 1) days forward."""
        ...

    def base(self, key: RecordKey) -> JSONObject | None:
        """The record's details object as of today, without any appended block; None if the
        record does not exist today (never existed, or deleted). For a season: the season object
        with its ``episodes``; for an episode: the episode object. A fresh dict the caller may
        modify."""
        ...

    def block(self, key: RecordKey, name: str) -> JSONObject | None:
        """The appended sub-resource ``name`` (one of SUB_RESOURCES[key.kind]) of an existing
        record, exactly as it appears under its key in an append_to_response answer, i.e. without
        the ``id`` of the stand-alone endpoint. None when the catalog cannot provide it (fixture
        mode: the fixture lacks that block). ``changes`` covers the last 24 hours."""
        ...

    def changed(self, kind: Kind, day: int) -> list[ChangedEntry]:
        """Ids of ``kind`` (movie, tv or person) created or changed on ``day``, each once."""
        ...

    def export_lines(self, export_name: str, day: int) -> Iterator[bytes]:
        """The lines (JSON objects, no newline) of export ``export_name`` (e.g. ``tv_series``,
        ``adult_movie``) as published on ``day``: not sorted by id, possibly with a duplicate id,
        main exports without adult ids and adult exports with only those. Streams: never builds
        the whole file in memory."""
        ...


@runtime_checkable
class CacheableExports(Protocol):
    """A catalog whose export files the server may cache (``FakeTMDB(export_cache=DIR)``).

    The server then reads ``export_lines`` of a day in a worker thread, perhaps while the
    catalog advances on the event loop: the lines of a day already published must not change.
    """

    def export_identity(self, export_name: str, day: int) -> str:
        """A text naming the exact lines ``export_lines(export_name, day)`` gives, in any process
        and version: equal texts, equal lines. Raises what ``export_lines`` raises."""
        ...


def with_every_block(catalog: Catalog, key: RecordKey) -> JSONObject | None:
    """The record as the collector fetches it: details with every sub-resource appended, and a
    series with all its seasons under ``season/N`` (without their ids, as TMDB appends them).
    None if the record does not exist today."""
    document = catalog.base(key)
    if document is None:
        return None
    items = list(SUB_RESOURCES[key.kind])
    if key.kind is Kind.TV:
        items += [f"season/{summary['season_number']}" for summary in document.get("seasons", [])]
    for item in items:
        block = append_block(catalog, key, item)
        if block is not None:
            document[item] = block
    return document
