"""Synthetic people and their credits, images and translations."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from tmdb_collector.fake.synthetic._blocks import hex_id, image_list, translated_text, translations
from tmdb_collector.fake.synthetic._cards import (
    DAY0,
    JSONObject,
    World,
    movie_card,
    person_profile_path,
    tv_card,
)
from tmdb_collector.fake.synthetic._changes import changes_block, person_biography
from tmdb_collector.fake.synthetic._light import (
    is_adult,
    mix64,
    person_department,
    person_gender,
    person_name,
    popularity,
)
from tmdb_collector.fake.synthetic._tv import episode_base
from tmdb_collector.fake.synthetic._vocab import CHARACTER_NAMES, DEPARTMENTS, PLACES
from tmdb_collector.kinds import Kind

__all__ = ["person_base", "person_block"]


def person_base(world: World, person_id: int) -> JSONObject:
    h = world.hash(Kind.PERSON, person_id)
    version = world.version(Kind.PERSON, person_id)
    rng = world.rng("person", person_id)
    name = person_name(h)
    born = _birthday(rng)
    return {
        "adult": is_adult(h),
        # Other spellings of the name, e.g. in Cyrillic or Arabic on the real site.
        "also_known_as": sorted(
            {person_name(mix64(h + i)) for i in range(rng.choice((0, 0, 1, 2, 4)))}
        ),
        "biography": person_biography(h, version),
        "birthday": born,
        "deathday": _deathday(rng, born),
        "gender": person_gender(h),
        "homepage": None if rng.random() < 0.95 else f"https://www.example-person-{person_id}.com",
        "id": person_id,
        "imdb_id": None if rng.random() < 0.4 else f"nm{rng.randint(1, 16_000_000):07d}",
        "known_for_department": person_department(h),
        "name": name,
        "place_of_birth": None if rng.random() < 0.5 else rng.choice(PLACES),
        "popularity": popularity(h, version),
        "profile_path": person_profile_path(h),
    }


def _birthday(rng: random.Random) -> str | None:
    if rng.random() < 0.6:
        return None
    return date.fromordinal(
        rng.randint(date(1880, 1, 1).toordinal(), date(2015, 1, 1).toordinal())
    ).isoformat()


def _deathday(rng: random.Random, born: str | None) -> str | None:
    if born is None or rng.random() < 0.9:
        return None
    start = date.fromisoformat(born).toordinal() + 20 * 365
    return date.fromordinal(min(start + rng.randrange(60 * 365), DAY0.toordinal())).isoformat()


def person_block(world: World, person_id: int, name: str) -> JSONObject | None:
    builder = _PERSON_BLOCKS.get(name)
    return builder(world, person_id, world.rng("person", person_id, name)) if builder else None


def _translations(world: World, person_id: int, rng: random.Random) -> JSONObject:
    h = world.hash(Kind.PERSON, person_id)
    biography, person = person_biography(h, 0), person_name(h)

    def data(r: random.Random, _code: str) -> JSONObject:
        return {"biography": translated_text(r, biography), "name": translated_text(r, person, 6)}

    return translations(rng, rng.randint(1, 8), data)


def _external_ids(rng: random.Random, name: str) -> JSONObject:
    handle = name.replace(" ", "").replace(".", "")
    return {
        "freebase_mid": None if rng.random() < 0.7 else f"/m/0{rng.getrandbits(20):x}",
        "freebase_id": None if rng.random() < 0.8 else f"/en/{handle.lower()}",
        "imdb_id": None if rng.random() < 0.4 else f"nm{rng.randint(1, 16_000_000):07d}",
        "tvrage_id": None if rng.random() < 0.8 else rng.randint(1, 90_000),
        "wikidata_id": None if rng.random() < 0.6 else f"Q{rng.randint(1, 120_000_000)}",
        "facebook_id": None if rng.random() < 0.9 else handle,
        "instagram_id": None if rng.random() < 0.8 else handle.lower(),
        "tiktok_id": None if rng.random() < 0.95 else handle.lower(),
        "twitter_id": None if rng.random() < 0.85 else handle[:15],
        "youtube_id": None if rng.random() < 0.97 else handle,
    }


def _movie_credits(world: World, person_id: int) -> JSONObject:
    rng = world.rng("person", person_id, "movie_credits")
    cast = []
    crew = []
    if world.spaces[Kind.MOVIE]:
        for order in range(rng.choice((0, 1, 2, 4, 8, 15, 40))):
            entry = movie_card(world, world.pick(rng, Kind.MOVIE))
            entry.update(character=rng.choice(CHARACTER_NAMES), credit_id=hex_id(rng), order=order)
            cast.append(entry)
        for _ in range(rng.choice((0, 0, 0, 1, 3, 10))):
            entry = movie_card(world, world.pick(rng, Kind.MOVIE))
            department, jobs = rng.choice(DEPARTMENTS)
            entry.update(credit_id=hex_id(rng), department=department, job=rng.choice(jobs))
            crew.append(entry)
    return {"cast": cast, "crew": crew}


def _tv_credits(world: World, person_id: int) -> JSONObject:
    rng = world.rng("person", person_id, "tv_credits")
    cast = []
    crew = []
    if world.spaces[Kind.TV]:
        for _ in range(rng.choice((0, 0, 1, 2, 5, 12))):
            entry = tv_card(world, world.pick(rng, Kind.TV))
            entry.update(
                character=rng.choice(CHARACTER_NAMES),
                credit_id=hex_id(rng),
                episode_count=rng.randint(1, 80),
            )
            cast.append(entry)
        for _ in range(rng.choice((0, 0, 0, 1, 4))):
            entry = tv_card(world, world.pick(rng, Kind.TV))
            department, jobs = rng.choice(DEPARTMENTS)
            entry.update(
                credit_id=hex_id(rng),
                department=department,
                episode_count=rng.randint(1, 40),
                job=rng.choice(jobs),
            )
            crew.append(entry)
    return {"cast": cast, "crew": crew}


def _combined(world: World, person_id: int) -> JSONObject:
    """movie_credits and tv_credits together, each entry tagged with its media_type."""
    movies = _movie_credits(world, person_id)
    shows = _tv_credits(world, person_id)
    combined: JSONObject = {"cast": [], "crew": []}
    for part, media_type in ((movies, "movie"), (shows, "tv")):
        for role in ("cast", "crew"):
            for entry in part[role]:
                entry["media_type"] = media_type
                combined[role].append(entry)
    return combined


def _tagged_images(world: World, rng: random.Random) -> JSONObject:
    results = []
    if world.spaces[Kind.MOVIE]:
        for image in image_list(rng, "posters", rng.choice((0, 0, 1, 3, 13)), "en"):
            image["id"] = hex_id(rng)
            if rng.random() < 0.3 and world.spaces[Kind.TV]:
                image["image_type"] = "still"
                image["media"] = _episode_media(world, world.pick(rng, Kind.TV))
                image["media_type"] = "episode"
            else:
                image["image_type"] = "poster"
                image["media"] = movie_card(world, world.pick(rng, Kind.MOVIE)) | {
                    "media_type": "movie"
                }
                image["media_type"] = "movie"
            results.append(image)
    return {
        "page": 1,
        "results": results,
        "total_pages": 1 if results else 0,
        "total_results": len(results),
    }


def _episode_media(world: World, series_id: int) -> JSONObject:
    """An episode as tagged_images embeds it: the listed episode without its credits."""
    episode = episode_base(world, series_id, 1, 1) or {}
    media = {k: v for k, v in episode.items() if k not in ("crew", "guest_stars")}
    media["show_id"] = series_id
    media["media_type"] = "tv_episode"
    return media


_PERSON_BLOCKS: dict[str, Callable[[World, int, random.Random], JSONObject]] = {
    "changes": lambda w, i, _r: changes_block(w, Kind.PERSON, i),
    "combined_credits": lambda w, i, _r: _combined(w, i),
    "external_ids": lambda w, i, r: _external_ids(r, person_name(w.hash(Kind.PERSON, i))),
    "images": lambda _w, _i, r: {"profiles": image_list(r, "profiles", r.randint(0, 12), "en")},
    "movie_credits": lambda w, i, _r: _movie_credits(w, i),
    "tagged_images": lambda w, _i, r: _tagged_images(w, r),
    "translations": _translations,
    "tv_credits": lambda w, i, _r: _tv_credits(w, i),
}
