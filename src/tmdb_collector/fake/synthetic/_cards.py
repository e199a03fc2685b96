"""The world a synthetic record is built in, and the small "cards" other records embed.

TMDB repeats a summary of a record wherever another record mentions it: a cast entry carries
the person's name and popularity, ``similar`` carries movie titles, ``production_companies``
carries logos. A card is derived from the referenced id's hash alone (no Random, no full
record), so it is cheap and agrees with the referenced record's own ``base()``. Cards show the
referenced record's first version: TMDB too serves such summaries from a cache that lags.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from tmdb_collector.fake.synthetic._days import Timeline
from tmdb_collector.fake.synthetic._light import (
    MASK64,
    collection_name,
    company_name,
    derive_seed,
    id_hash,
    is_adult,
    is_video,
    keyword_name,
    language_of,
    mix64,
    network_name,
    original_title,
    person_department,
    person_gender,
    person_name,
    popularity,
    title_in,
)
from tmdb_collector.fake.synthetic._vocab import (
    COUNTRIES,
    LANGUAGES,
    MOVIE_GENRES,
    OVERVIEW_SENTENCES,
    TV_GENRES,
)
from tmdb_collector.kinds import JSONObject, Kind

__all__ = [
    "DAY0",
    "JSONObject",
    "World",
    "collection_ref",
    "company_ref",
    "day_date",
    "fast_image_path",
    "keyword_ref",
    "movie_card",
    "network_ref",
    "overview_text",
    "person_stub",
    "tv_card",
]


#: The calendar date content dates are anchored to: day 0 of every synthetic catalog. The
#: server maps its own dates to days; records only need plausible, consistent dates.
DAY0 = date(2026, 8, 27)

_LANGUAGE_COUNTRY = {code: country for code, _, _, country in LANGUAGES}
_B64_FIX = bytes.maketrans(b"+/", b"xQ")


def day_date(day: int) -> date:
    return DAY0 + timedelta(days=day)


@dataclass(frozen=True, slots=True)
class World:
    """Everything a builder needs besides the record's id: seeds, id spaces and the day."""

    seed: int
    salts: Mapping[Kind, int]
    #: Size of each kind's id space that cross-references draw from (cast → person ids...).
    spaces: Mapping[Kind, int]
    timeline: Timeline
    day: int

    def hash(self, kind: Kind, record_id: int) -> int:
        return id_hash(self.salts[kind], record_id)

    def version(self, kind: Kind, record_id: int) -> int:
        return self.timeline.version(kind, record_id, self.day)

    def exists(self, kind: Kind, record_id: int) -> bool:
        return self.timeline.exists(kind, record_id, self.day)

    def rng(self, *parts: int | str) -> random.Random:
        return random.Random(derive_seed(self.seed, *parts))

    def pick(self, rng: random.Random, kind: Kind) -> int:
        """A random id of ``kind`` to refer to."""
        return rng.randint(1, self.spaces[kind])


def fast_image_path(h: int, salt: int, extension: str = ".jpg") -> str:
    """A TMDB-style image path (``/`` + 27 base-62-looking characters), a pure function of h."""
    raw = b"".join(
        mix64((h + salt * 0x9E3779B97F4A7C15 + i) & MASK64).to_bytes(8, "little") for i in range(3)
    )
    return "/" + base64.b64encode(raw)[:27].translate(_B64_FIX).decode("ascii") + extension


def _maybe_path(h: int, salt: int, null_per_100: int) -> str | None:
    return None if (mix64(h ^ salt) % 100) < null_per_100 else fast_image_path(h, salt)


def _date_from(h: int, oldest_year: int = 1920, empty_per_100: int = 2) -> str:
    if (h >> 2) % 100 < empty_per_100:
        return ""
    span = DAY0.year - oldest_year
    # Skewed toward recent years, like TMDB's catalogue.
    year = DAY0.year - int(((h >> 4) % 1000 / 1000) ** 1.8 * span)
    ordinal = date(year, 1, 1).toordinal() + (h >> 14) % 365
    return date.fromordinal(min(ordinal, DAY0.toordinal())).isoformat()


def _genre_ids(h: int, genres: tuple[tuple[int, str], ...]) -> list[int]:
    count = 1 + (h >> 28) % 3
    picked = {genres[(h >> (30 + 5 * i)) % len(genres)][0] for i in range(count)}
    return sorted(picked, key=[x for x, _ in genres].index)


def overview_text(h: int, version: int) -> str:
    """One to three sentences; a new version rewrites it. Some records have none."""
    x = mix64(h ^ (version * 0x2545F4914F6CDD1D & MASK64))
    if x % 40 == 0:
        return ""
    count = 1 + (x >> 8) % 3
    return " ".join(
        OVERVIEW_SENTENCES[(x >> (12 + 6 * i)) % len(OVERVIEW_SENTENCES)] for i in range(count)
    )


def _votes(h: int, version: int) -> tuple[float, int]:
    count = int(((h >> 44) % 1000 / 1000) ** 6 * 30000) + version * (1 + h % 5)
    if count == 0:
        return 0.0, 0
    average = 3.5 + ((h >> 20) % 5500) / 1000 + (version % 5) * 0.01
    return round(min(average, 10.0), 3), count


def movie_card(world: World, movie_id: int, version: int = 0) -> JSONObject:
    """The movie summary of similar/recommendations/collection parts/person credits."""
    h = world.hash(Kind.MOVIE, movie_id)
    language = language_of(h)
    original = original_title(h)
    vote_average, vote_count = _votes(h, version)
    return {
        "adult": is_adult(h),
        "backdrop_path": _maybe_path(h, 2, 15),
        "genre_ids": _genre_ids(h, MOVIE_GENRES),
        "id": movie_id,
        "original_language": language,
        "original_title": original,
        "overview": overview_text(h, version),
        "popularity": popularity(h, version),
        "poster_path": _maybe_path(h, 1, 8),
        "release_date": _date_from(h),
        "title": original if language == "en" else title_in("en", h >> 36),
        "video": is_video(h),
        "vote_average": vote_average,
        "vote_count": vote_count,
    }


def tv_card(world: World, series_id: int, version: int = 0) -> JSONObject:
    h = world.hash(Kind.TV, series_id)
    language = language_of(h)
    original = original_title(h)
    vote_average, vote_count = _votes(h, version)
    return {
        "adult": is_adult(h),
        "backdrop_path": _maybe_path(h, 2, 20),
        "genre_ids": _genre_ids(h, TV_GENRES),
        "id": series_id,
        "origin_country": [_LANGUAGE_COUNTRY[language]],
        "original_language": language,
        "original_name": original,
        "overview": overview_text(h, version),
        "popularity": popularity(h, version),
        "poster_path": _maybe_path(h, 1, 10),
        "first_air_date": _date_from(h, 1950, empty_per_100=0),
        "name": original if language == "en" else title_in("en", h >> 36),
        "vote_average": vote_average,
        "vote_count": vote_count,
    }


def person_stub(world: World, person_id: int) -> JSONObject:
    """The person fields every cast/crew/guest-star entry starts with."""
    h = world.hash(Kind.PERSON, person_id)
    name = person_name(h)
    return {
        "adult": is_adult(h),
        "gender": person_gender(h),
        "id": person_id,
        "known_for_department": person_department(h),
        "name": name,
        "original_name": name,
        "popularity": popularity(h, 0),
        "profile_path": _maybe_path(h, 3, 35),
    }


def person_profile_path(h: int) -> str | None:
    return _maybe_path(h, 3, 35)


def company_ref(world: World, company_id: int) -> JSONObject:
    h = world.hash(Kind.COMPANY, company_id)
    country = "" if h % 20 == 0 else COUNTRIES[(h >> 20) % len(COUNTRIES)][0]
    return {
        "id": company_id,
        "logo_path": None if (h >> 6) % 3 == 0 else fast_image_path(h, 4, ".png"),
        "name": company_name(h),
        "origin_country": country,
    }


def network_ref(world: World, network_id: int) -> JSONObject:
    h = world.hash(Kind.NETWORK, network_id)
    return {
        "id": network_id,
        "logo_path": None if (h >> 6) % 10 == 0 else fast_image_path(h, 4, ".png"),
        "name": network_name(h),
        "origin_country": COUNTRIES[(h >> 20) % len(COUNTRIES)][0],
    }


def collection_ref(world: World, collection_id: int) -> JSONObject:
    h = world.hash(Kind.COLLECTION, collection_id)
    return {
        "id": collection_id,
        "name": collection_name(h),
        "poster_path": _maybe_path(h, 1, 10),
        "backdrop_path": _maybe_path(h, 2, 20),
    }


def keyword_ref(world: World, keyword_id: int) -> JSONObject:
    return {"id": keyword_id, "name": keyword_name(world.hash(Kind.KEYWORD, keyword_id))}
