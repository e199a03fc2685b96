"""TMDB's map of ``/3/`` paths: which record and sub-resource a path names.

Routing is done here rather than by aiohttp's router because TMDB distinguishes a malformed id
(404, code 6) from an unknown one (404, code 34), and a sub-path like ``watch/providers`` holds a
slash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tmdb_collector.kinds import CHANGES_KINDS, EXPORT_KINDS, SUB_RESOURCES, Kind, RecordKey
from tmdb_collector.tmdbapi._responses import ErrorAnswer

__all__ = [
    "PAGED_SUB_RESOURCES",
    "ChangesRoute",
    "ConfigurationRoute",
    "RecordRoute",
    "Route",
    "parse_api_path",
    "standalone_has_id",
]

#: Kinds addressed as ``/3/<path segment>/<id>``.
_PATH_KINDS: dict[str, Kind] = {kind.value: kind for kind in EXPORT_KINDS}

#: Stand-alone sub-resource endpoints whose answer carries no ``id`` of the record, per TMDB's
#: OpenAPI document (openapi/tmdb-api.json); every other one starts with ``id``. Static on
#: purpose: the document is reference material, not a runtime dependency. A test checks this
#: table against the document.
_WITHOUT_ID: dict[Kind, frozenset[str]] = {
    Kind.MOVIE: frozenset({"changes", "recommendations", "similar"}),
    Kind.TV: frozenset({"changes", "recommendations", "similar"}),
    Kind.PERSON: frozenset({"changes"}),
}

#: Sub-resources that are paged lists (``page``, ``results``, ``total_pages``, ...).
PAGED_SUB_RESOURCES = frozenset({"lists", "recommendations", "reviews", "similar", "tagged_images"})

_NUMBER = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True, slots=True)
class ConfigurationRoute:
    """``/3/configuration``."""


@dataclass(frozen=True, slots=True)
class ChangesRoute:
    """``/3/<movie|tv|person>/changes``."""

    kind: Kind


@dataclass(frozen=True, slots=True)
class RecordRoute:
    """A record's details (``sub`` None) or one of its stand-alone sub-resources."""

    key: RecordKey
    sub: str | None = None


Route = ConfigurationRoute | ChangesRoute | RecordRoute


def parse_api_path(path: str) -> Route:
    """The route of a ``/3/...`` path; raise ErrorAnswer 404 (code 6 or 34) for anything else."""
    parts = path.removeprefix("/3/").split("/")
    if parts == ["configuration"]:
        return ConfigurationRoute()
    kind = _PATH_KINDS.get(parts[0])
    if kind is None or len(parts) < 2:
        raise ErrorAnswer.not_found()
    if parts[1:] == ["changes"] and kind in CHANGES_KINDS:
        return ChangesRoute(kind)
    record_id = _number(parts[1], positive=True)
    key, rest = _record_key(kind, record_id, parts[2:])
    sub = "/".join(rest) or None
    if sub is not None and sub not in SUB_RESOURCES[key.kind]:
        raise ErrorAnswer.not_found()
    return RecordRoute(key, sub)


def _record_key(kind: Kind, record_id: int, rest: list[str]) -> tuple[RecordKey, list[str]]:
    """Consume ``season/N`` and ``episode/M`` after a series id."""
    if kind is not Kind.TV or len(rest) < 2 or rest[0] != "season":
        return RecordKey(kind, record_id), rest
    season = _number(rest[1], positive=False)
    if len(rest) >= 4 and rest[2] == "episode":
        episode = _number(rest[3], positive=False)
        return RecordKey(Kind.TV_EPISODE, record_id, season, episode), rest[4:]
    return RecordKey(Kind.TV_SEASON, record_id, season), rest[2:]


def _number(text: str, *, positive: bool) -> int:
    if not _NUMBER.fullmatch(text):
        raise ErrorAnswer.invalid_id()
    value = int(text)
    if positive and value == 0:
        raise ErrorAnswer.invalid_id()
    return value


def standalone_has_id(kind: Kind, sub: str) -> bool:
    """Whether ``/3/<kind>/<id>/<sub>`` answers with the record's ``id`` as its first key."""
    return sub not in _WITHOUT_ID.get(kind, frozenset())
