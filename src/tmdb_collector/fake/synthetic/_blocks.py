"""Builders for the sub-resources several kinds share: images, videos, translations, credits,
watch providers, reviews, lists and paged summaries. Each takes a seeded Random, so a block is a
pure function of (catalog seed, record, block, version)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from tmdb_collector.fake.synthetic._cards import (
    DAY0,
    JSONObject,
    World,
    fast_image_path,
    movie_card,
    person_stub,
    tv_card,
)
from tmdb_collector.fake.synthetic._vocab import (
    CHARACTER_NAMES,
    COUNTRIES,
    DEPARTMENTS,
    LANGUAGES,
    LIST_NAMES,
    OVERVIEW_SENTENCES,
    PROVIDERS,
    REVIEW_AUTHORS,
    VIDEO_TYPES,
)
from tmdb_collector.kinds import Kind

__all__ = [
    "cast_entry",
    "crew_entry",
    "hex_id",
    "image_list",
    "iso_date",
    "lists_page",
    "paged_cards",
    "reviews_page",
    "timestamp",
    "translations",
    "videos",
    "watch_providers",
]

#: (aspect ratio, widths) of each image type TMDB serves.
_IMAGE_SHAPES: dict[str, tuple[float, tuple[int, ...]]] = {
    "backdrops": (1.778, (1280, 1920, 3840)),
    "posters": (0.667, (500, 1000, 2000)),
    "logos": (2.5, (300, 500, 1200)),
    "profiles": (0.667, (400, 800, 1400)),
    "stills": (1.778, (1280, 1920, 3840)),
}


def hex_id(rng: random.Random) -> str:
    """A MongoDB-style 24-hex id, as TMDB uses for credits, videos, reviews and seasons."""
    return f"{rng.getrandbits(96):024x}"


def iso_date(rng: random.Random, oldest_year: int = 1950) -> str:
    first = DAY0.replace(year=oldest_year, month=1, day=1).toordinal()
    return DAY0.fromordinal(rng.randint(first, DAY0.toordinal())).isoformat()


def timestamp(rng: random.Random, oldest_year: int = 2008) -> str:
    """``2019-10-15T18:59:47.000Z`` (videos, reviews, release dates)."""
    day = iso_date(rng, oldest_year)
    return f"{day}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}.000Z"


def _language(rng: random.Random) -> str:
    return LANGUAGES[rng.randrange(len(LANGUAGES))][0]


def image_list(rng: random.Random, image_type: str, count: int, language: str) -> list[JSONObject]:
    """``count`` images; backdrops and stills are mostly untagged (iso_639_1 null)."""
    ratio, widths = _IMAGE_SHAPES[image_type]
    untagged = 0.7 if image_type in ("backdrops", "stills", "profiles") else 0.1
    extension = ".png" if image_type == "logos" else ".jpg"
    images = []
    for _ in range(count):
        width = rng.choice(widths)
        aspect = round(ratio * rng.uniform(0.98, 1.02), 3)
        tag = (
            None
            if rng.random() < untagged
            else (language if rng.random() < 0.6 else _language(rng))
        )
        votes = rng.choice((0, 0, 1, 2, 3, 5, 12, 30))
        images.append(
            {
                "aspect_ratio": aspect,
                "height": round(width / aspect),
                "iso_639_1": tag,
                "file_path": fast_image_path(rng.getrandbits(64), 7, extension),
                "vote_average": round(rng.uniform(5.1, 5.9), 3) if votes else 0.0,
                "vote_count": votes,
                "width": width,
            }
        )
    return images


def videos(rng: random.Random, count: int, title: str) -> JSONObject:
    results = []
    for _ in range(count):
        language = "en" if rng.random() < 0.7 else _language(rng)
        kind = rng.choice(VIDEO_TYPES)
        results.append(
            {
                "iso_639_1": language,
                "iso_3166_1": next(c for code, _, _, c in LANGUAGES if code == language),
                "name": f"{title} | Official {kind}"
                if rng.random() < 0.5
                else f"{kind} {rng.randint(1, 3)}",
                "key": "".join(
                    rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789-_")
                    for _ in range(11)
                ),
                "site": "YouTube" if rng.random() < 0.95 else "Vimeo",
                "size": rng.choice((360, 720, 1080, 2160)),
                "type": kind,
                "official": rng.random() < 0.8,
                "published_at": timestamp(rng),
                "id": hex_id(rng),
            }
        )
    return {"results": results}


def translations(
    rng: random.Random, count: int, data: Callable[[random.Random, str], JSONObject]
) -> JSONObject:
    """``count`` translations (always English first), ``data`` filling each one's fields."""
    picked = [0, *rng.sample(range(1, len(LANGUAGES)), min(count, len(LANGUAGES)) - 1)]
    out = []
    for index in picked:
        code, english, native, country = LANGUAGES[index]
        out.append(
            {
                "iso_3166_1": country,
                "iso_639_1": code,
                "name": native,
                "english_name": english,
                "data": data(rng, code),
            }
        )
    return {"translations": out}


def translated_text(rng: random.Random, original: str, empty_per_10: int = 3) -> str:
    """A translated field: often empty (TMDB sends "" for untranslated), else some text."""
    if rng.randrange(10) < empty_per_10:
        return ""
    return original if rng.random() < 0.3 else rng.choice(OVERVIEW_SENTENCES)


def cast_entry(
    world: World, rng: random.Random, person_id: int, order: int, *, cast_id: bool = False
) -> JSONObject:
    entry = person_stub(world, person_id)
    if cast_id:
        entry["cast_id"] = rng.randint(1, 300)
    entry["character"] = rng.choice(CHARACTER_NAMES)
    entry["credit_id"] = hex_id(rng)
    entry["order"] = order
    return entry


def crew_entry(world: World, rng: random.Random, person_id: int) -> JSONObject:
    entry = person_stub(world, person_id)
    department, jobs = rng.choice(DEPARTMENTS)
    entry["credit_id"] = hex_id(rng)
    entry["department"] = department
    entry["job"] = rng.choice(jobs)
    return entry


def watch_providers(rng: random.Random, link: str, countries: int) -> JSONObject:
    results: JSONObject = {}
    for code, _ in sorted(rng.sample(COUNTRIES, min(countries, len(COUNTRIES)))):
        entry: JSONObject = {"link": link}
        for offer in ("flatrate", "rent", "buy", "ads", "free"):
            if rng.random() < (
                0.7 if offer in ("flatrate", "buy") else 0.4 if offer == "rent" else 0.08
            ):
                entry[offer] = [
                    {
                        "logo_path": logo,
                        "provider_id": provider_id,
                        "provider_name": name,
                        "display_priority": rng.randrange(40),
                    }
                    for provider_id, name, logo in rng.sample(PROVIDERS, rng.randint(1, 3))
                ]
        results[code] = entry
    return {"results": results}


def reviews_page(rng: random.Random, count: int) -> JSONObject:
    results = []
    for _ in range(count):
        author = rng.choice(REVIEW_AUTHORS)
        review_id = hex_id(rng)
        created = timestamp(rng, 2012)
        results.append(
            {
                "author": author,
                "author_details": {
                    "name": author if rng.random() < 0.6 else "",
                    "username": author.replace(" ", ""),
                    "avatar_path": None
                    if rng.random() < 0.3
                    else fast_image_path(rng.getrandbits(64), 8),
                    "rating": None if rng.random() < 0.2 else float(rng.randint(1, 10)),
                },
                "content": " ".join(rng.sample(OVERVIEW_SENTENCES, 3)),
                "created_at": created,
                "id": review_id,
                "updated_at": created if rng.random() < 0.5 else timestamp(rng, 2021),
                "url": f"https://www.themoviedb.org/review/{review_id}",
            }
        )
    return _page(results, len(results))


def lists_page(rng: random.Random, count: int, list_type: str) -> JSONObject:
    results = [
        {
            "description": rng.choice(("", "", "Master List In Progress", "desc", "Movies I own")),
            "favorite_count": 0,
            "id": rng.randint(1000, 8_400_000),
            "item_count": rng.randint(1, 15000),
            "iso_639_1": "en",
            "iso_3166_1": "US",
            "list_type": list_type,
            "name": rng.choice(LIST_NAMES),
            "poster_path": None,
        }
        for _ in range(count)
    ]
    return _page(results, rng.randint(count, count * 60) if count else 0)


def paged_cards(
    world: World, rng: random.Random, kind: Kind, count: int, own_id: int
) -> JSONObject:
    """Page 1 of recommendations/similar: summaries of other records of ``kind``."""
    card = movie_card if kind is Kind.MOVIE else tv_card
    media_type = "movie" if kind is Kind.MOVIE else "tv"
    results = []
    space = world.spaces[kind]
    for other in rng.sample(range(1, space + 1), min(count, space)):
        if other == own_id:
            continue  # a record is never similar to itself
        entry = card(world, other)
        entry["media_type"] = media_type
        results.append(entry)
    return _page(results, rng.randint(len(results), len(results) * 200) if results else 0)


def _page(results: list[JSONObject], total: int) -> JSONObject:
    total = max(total, len(results))
    pages = max(1, -(-total // 20)) if total else 0
    return {"page": 1, "results": results, "total_pages": pages, "total_results": total}


def created_by(world: World, rng: random.Random, count: int) -> list[JSONObject]:
    people = []
    for _ in range(count):
        stub = person_stub(world, world.pick(rng, Kind.PERSON))
        people.append(
            {
                "id": stub["id"],
                "credit_id": hex_id(rng),
                "name": stub["name"],
                "original_name": stub["original_name"],
                "gender": stub["gender"],
                "profile_path": stub["profile_path"],
            }
        )
    return people


def change_time(rng: random.Random, day: int) -> str:
    """The ``time`` of a change item on ``day``: ``2023-04-08 16:35:05 UTC``."""
    when = DAY0 + timedelta(days=day)
    clock = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
    return f"{when.isoformat()} {clock} UTC"
