"""The kinds of TMDB record and how TMDB names them: pure data, no I/O.

Shared by the client (which sub-resources to append, which export file to read), the fake TMDB
server (which top-level keys of a record are appended blocks) and, later, planning and storage.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

from tmdb_collector.errors import InputError

__all__ = [
    "ADULT_EXPORT_NAMES",
    "CHANGES_KINDS",
    "EXPORT_KINDS",
    "EXPORT_NAMES",
    "MAX_APPENDS",
    "MAX_NUMBER_DIGITS",
    "SUB_RESOURCES",
    "InvalidKeyError",
    "JSONObject",
    "Kind",
    "RecordKey",
    "dump_json",
    "season_append_number",
]


#: A JSON object as TMDB sends it and the pipeline passes it on (one definition for every
#: package: the client, the converter, the collector's plan, the HTTP contract, the fake).
JSONObject = dict[str, Any]


def dump_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, as TMDB sends it (non-ASCII characters not escaped): what the
    fake, ``serve`` and ``export`` write. orjson, ~16 x the standard library's encoder on a
    movie with every sub-resource (the same bytes); the standard library for what orjson
    refuses (integers past 64 bits, nesting past 254 levels), which a record's verbatim
    extras may hold."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class Kind(StrEnum):
    MOVIE = "movie"
    TV = "tv"
    TV_SEASON = "tv_season"
    TV_EPISODE = "tv_episode"
    PERSON = "person"
    COLLECTION = "collection"
    COMPANY = "company"
    NETWORK = "network"
    KEYWORD = "keyword"


#: The seven kinds TMDB publishes a daily id export for (seasons and episodes live inside series).
EXPORT_KINDS: tuple[Kind, ...] = (
    Kind.MOVIE,
    Kind.TV,
    Kind.PERSON,
    Kind.COLLECTION,
    Kind.NETWORK,
    Kind.KEYWORD,
    Kind.COMPANY,
)

#: Export file stem per kind: ``<stem>_ids_MM_DD_YYYY.json.gz``.
EXPORT_NAMES: dict[Kind, str] = {
    Kind.MOVIE: "movie",
    Kind.TV: "tv_series",
    Kind.PERSON: "person",
    Kind.COLLECTION: "collection",
    Kind.NETWORK: "tv_network",
    Kind.KEYWORD: "keyword",
    Kind.COMPANY: "production_company",
}

#: Adult ids are listed only in these separate exports, never in the main ones.
ADULT_EXPORT_NAMES: dict[Kind, str] = {
    Kind.MOVIE: "adult_movie",
    Kind.TV: "adult_tv_series",
    Kind.PERSON: "adult_person",
}

#: Kinds with a ``/3/<kind>/changes`` feed. The others change silently (only exports reveal them).
CHANGES_KINDS: tuple[Kind, ...] = (Kind.MOVIE, Kind.TV, Kind.PERSON)

#: TMDB rejects a request with more than this many append_to_response items (400, code 27).
MAX_APPENDS = 20

#: Sub-resources each kind accepts in append_to_response (API-NOTES.md). The appended block comes
#: back as a top-level key of the same name, without the ``id`` its stand-alone endpoint carries.
#: Series additionally accept ``season/N`` (see RecordKey and the collector).
SUB_RESOURCES: dict[Kind, tuple[str, ...]] = {
    Kind.MOVIE: (
        "alternative_titles",
        "changes",
        "credits",
        "external_ids",
        "images",
        "keywords",
        "lists",
        "recommendations",
        "release_dates",
        "reviews",
        "similar",
        "translations",
        "videos",
        "watch/providers",
    ),
    Kind.TV: (
        "aggregate_credits",
        "alternative_titles",
        "changes",
        "content_ratings",
        "credits",
        "episode_groups",
        "external_ids",
        "images",
        "keywords",
        "lists",
        "recommendations",
        "reviews",
        "screened_theatrically",
        "similar",
        "translations",
        "videos",
        "watch/providers",
    ),
    Kind.TV_SEASON: (
        "aggregate_credits",
        "credits",
        "external_ids",
        "images",
        "translations",
        "videos",
        "watch/providers",
    ),
    Kind.TV_EPISODE: ("credits", "external_ids", "images", "translations", "videos"),
    Kind.PERSON: (
        "changes",
        "combined_credits",
        "external_ids",
        "images",
        "movie_credits",
        "tagged_images",
        "translations",
        "tv_credits",
    ),
    Kind.COLLECTION: ("images", "translations"),
    Kind.COMPANY: ("alternative_names", "images"),
    Kind.NETWORK: ("alternative_names", "images"),
    Kind.KEYWORD: (),
}

_SEASON_APPEND = re.compile(r"season/([0-9]{1,4})")  # ASCII: "season/٣" is no season


#: Digits an id, season or episode number may have: TMDB's largest ids have 7, so 12 leaves
#: decades of room while keeping every number far inside int64 and the store's key names short.
MAX_NUMBER_DIGITS = 12


class InvalidKeyError(InputError):
    """A record key that does not name a TMDB record (bad id, bad season/episode spec)."""


@dataclass(frozen=True, slots=True, order=True)
class RecordKey:
    """Identifies one TMDB record: a kind and an id, or series id + season (+ episode) number.

    Movie 550 and tv 550 are unrelated: TMDB's id spaces are per kind.
    """

    kind: Kind
    id: int
    season: int | None = None
    episode: int | None = None

    def __post_init__(self) -> None:
        wants_season = self.kind in (Kind.TV_SEASON, Kind.TV_EPISODE)
        wants_episode = self.kind is Kind.TV_EPISODE
        if self.id <= 0:
            raise InvalidKeyError(f"{self.kind} id must be a positive integer, got {self.id}")
        if wants_season != (self.season is not None) or wants_episode != (self.episode is not None):
            raise InvalidKeyError(f"{self.kind} key takes {_SPEC[self.kind]}")
        if (self.season is not None and self.season < 0) or (
            self.episode is not None and self.episode < 0
        ):
            raise InvalidKeyError("season and episode numbers are never negative")

    @classmethod
    def parse(cls, kind: Kind | str, spec: str) -> RecordKey:
        """Parse ``550``, ``1399/1`` or ``1399/1/1`` for the given kind; raise InvalidKeyError."""
        try:
            kind = Kind(kind)
        except ValueError:
            known = ", ".join(k.value for k in Kind)
            raise InvalidKeyError(f"unknown kind {kind!r}; use one of: {known}") from None
        parts = spec.split("/")
        if not all(p.isascii() and p.isdigit() for p in parts):
            raise InvalidKeyError(f"{kind} key {spec!r} is not {_SPEC[kind]}")
        too_long = [p for p in parts if len(p) > MAX_NUMBER_DIGITS]
        if too_long:
            raise InvalidKeyError(
                f"{kind} key {spec!r}: {too_long[0]} has {len(too_long[0])} digits; ids, season "
                f"and episode numbers have at most {MAX_NUMBER_DIGITS} (TMDB's ids are 7 today)"
            )
        numbers = [int(p) for p in parts]
        expected = {Kind.TV_SEASON: 2, Kind.TV_EPISODE: 3}.get(kind, 1)
        if len(numbers) != expected:
            raise InvalidKeyError(f"{kind} key {spec!r} is not {_SPEC[kind]}")
        return cls(kind, *numbers)

    def __str__(self) -> str:
        return "/".join(str(n) for n in (self.id, self.season, self.episode) if n is not None)

    @property
    def api_path(self) -> str:
        """The TMDB v3 details path of this record."""
        if self.kind is Kind.TV_SEASON:
            return f"/3/tv/{self.id}/season/{self.season}"
        if self.kind is Kind.TV_EPISODE:
            return f"/3/tv/{self.id}/season/{self.season}/episode/{self.episode}"
        return f"/3/{self.kind.value}/{self.id}"


_SPEC = dict.fromkeys(Kind, "a positive integer id, e.g. 550") | {
    Kind.TV_SEASON: "SERIES_ID/SEASON_NUMBER, e.g. 1399/1",
    Kind.TV_EPISODE: "SERIES_ID/SEASON_NUMBER/EPISODE_NUMBER, e.g. 1399/1/1",
}


def season_append_number(item: str) -> int | None:
    """The season number of a ``season/N`` append item, or None for any other item."""
    match = _SEASON_APPEND.fullmatch(item)
    return int(match.group(1)) if match else None
