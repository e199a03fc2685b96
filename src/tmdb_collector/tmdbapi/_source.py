"""Where a TMDB-shaped server's answers come from: the data behind ``/3/``, without the HTTP.

The fake TMDB serves its catalogs through these protocols; a server over the stored mirror can
serve its records through the same ones.
"""

from __future__ import annotations

from typing import Protocol

from tmdb_collector.kinds import Kind, RecordKey
from tmdb_collector.tmdbapi._feeds import ChangesWindow
from tmdb_collector.tmdbapi._responses import JSONObject

__all__ = ["APISource", "RecordSource"]


class RecordSource(Protocol):
    """Records and their sub-resource blocks: what details, appends and stand-alone
    sub-resource answers are assembled from."""

    def base(self, key: RecordKey) -> JSONObject | None:
        """The record's details object without any appended block; None if there is no such
        record. For a season: the season object with its ``episodes``. A fresh dict the caller
        may modify."""
        ...

    def block(self, key: RecordKey, name: str) -> JSONObject | None:
        """The sub-resource ``name`` (one of SUB_RESOURCES[key.kind]) of an existing record,
        exactly as it appears appended, i.e. without the ``id`` of the stand-alone endpoint;
        None when the source does not have it."""
        ...


class APISource(RecordSource, Protocol):
    """Everything ``/3/`` answers from: records, changes feeds and the configuration."""

    def changes(self, kind: Kind, window: ChangesWindow, page: int) -> JSONObject:
        """Page ``page`` (1 to MAX_PAGE) of ``/3/<kind>/changes`` over ``window``: the ids of
        ``kind`` changed on a day of the window, each once, usually as ``page_of`` pages them."""
        ...

    def configuration(self) -> JSONObject:
        """The answer of ``/3/configuration``."""
        ...
