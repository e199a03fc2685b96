"""Type names shared by the client's modules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from tmdb_collector.kinds import JSONObject
from tmdb_collector.tmdb._errors import NotFound

__all__ = ["GetJSON", "JSONObject", "QueryParams"]

#: A decoded TMDB answer: always a JSON object at the top level.

#: Query parameters of a TMDB request (aiohttp accepts no bools: say "true"/"false").
QueryParams = Mapping[str, str | int | float]

#: What the changes reader needs from a client: ``TMDBClient.get``.
GetJSON = Callable[[str, QueryParams | None], Awaitable[JSONObject | NotFound]]
