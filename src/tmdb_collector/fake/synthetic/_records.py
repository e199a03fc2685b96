"""Synthetic records: movies and series here, people and the smaller kinds in ``_people``
and ``_groups``; ``record_base`` / ``record_block`` dispatch on the record key.

Every builder is a pure function of (catalog seed, id, version, day): stable fields come from a
Random seeded by (kind, id, block), volatile ones from the version. Nothing is cached.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tmdb_collector.fake.synthetic._blocks import (
    cast_entry,
    created_by,
    crew_entry,
    hex_id,
    image_list,
    lists_page,
    paged_cards,
    reviews_page,
    timestamp,
    translated_text,
    translations,
    videos,
    watch_providers,
)
from tmdb_collector.fake.synthetic._cards import (
    DAY0,
    JSONObject,
    World,
    collection_ref,
    company_ref,
    keyword_ref,
    movie_card,
    network_ref,
    tv_card,
)
from tmdb_collector.fake.synthetic._changes import changes_block, version_cast, version_image
from tmdb_collector.fake.synthetic._groups import (
    collection_base,
    collection_block,
    collection_of_movie,
    company_base,
    company_block,
    keyword_base,
    network_base,
    network_block,
)
from tmdb_collector.fake.synthetic._people import person_base, person_block
from tmdb_collector.fake.synthetic._tv import (
    aggregate_credits,
    episode_base,
    episode_block,
    episode_id,
    regular_cast,
    season_base,
    season_block,
    season_summary,
    series_shape,
)
from tmdb_collector.fake.synthetic._vocab import (
    CERTIFICATIONS,
    COUNTRIES,
    LANGUAGES,
    MOVIE_GENRES,
    RELEASE_NOTES,
    TAGLINES,
    TV_GENRES,
)
from tmdb_collector.kinds import SUB_RESOURCES, Kind, RecordKey

__all__ = ["record_base", "record_block"]

_MOVIE_GENRE_NAMES = dict(MOVIE_GENRES)
_TV_GENRE_NAMES = dict(TV_GENRES)
_LANGUAGE = {code: (english, native, country) for code, english, native, country in LANGUAGES}
_COUNTRY_NAMES = dict(COUNTRIES)


def record_base(world: World, key: RecordKey) -> JSONObject | None:
    """The details object of ``key`` on ``world.day``; None if it does not exist then."""
    owner = Kind.TV if key.kind in (Kind.TV_SEASON, Kind.TV_EPISODE) else key.kind
    if not world.exists(owner, key.id):
        return None
    if key.kind is Kind.TV_SEASON:
        return season_base(world, key.id, key.season or 0)
    if key.kind is Kind.TV_EPISODE:
        return episode_base(world, key.id, key.season or 0, key.episode or 0)
    return _BASES[key.kind](world, key.id)


def record_block(world: World, key: RecordKey, name: str) -> JSONObject | None:
    """Sub-resource ``name`` of ``key`` as appended (no ``id``); None if unknown or missing."""
    if name not in SUB_RESOURCES[key.kind] or record_base_exists(world, key) is False:
        return None
    if key.kind is Kind.TV_SEASON:
        return season_block(world, key.id, key.season or 0, name)
    if key.kind is Kind.TV_EPISODE:
        return episode_block(world, key.id, key.season or 0, key.episode or 0, name)
    return _BLOCKS[key.kind](world, key.id, name)


def record_base_exists(world: World, key: RecordKey) -> bool:
    owner = Kind.TV if key.kind in (Kind.TV_SEASON, Kind.TV_EPISODE) else key.kind
    return world.exists(owner, key.id)


# --- shared pieces ------------------------------------------------------------------------------


def _companies(world: World, rng_parts: tuple[int | str, ...], most: int) -> list[JSONObject]:
    if world.spaces[Kind.COMPANY] == 0:
        return []
    rng = world.rng(*rng_parts)
    count = rng.choice((0, 1, 1, 2, 2, 3, most))
    return [company_ref(world, world.pick(rng, Kind.COMPANY)) for _ in range(count)]


def _countries(codes: list[str]) -> list[JSONObject]:
    return [{"iso_3166_1": code, "name": _COUNTRY_NAMES.get(code, code)} for code in codes]


def _spoken(codes: list[str]) -> list[JSONObject]:
    return [
        {"english_name": _LANGUAGE[code][0], "iso_639_1": code, "name": _LANGUAGE[code][1]}
        for code in codes
    ]


def _alternative_titles(world: World, kind: Kind, record_id: int, wrapper: str) -> JSONObject:
    rng = world.rng(kind.value, record_id, "alternative_titles")
    titles = []
    for _ in range(rng.randint(0, 12)):
        _code, _, _, country = LANGUAGES[rng.randrange(len(LANGUAGES))]
        card = (
            movie_card(world, rng.randint(1, 10**6))
            if kind is Kind.MOVIE
            else tv_card(world, rng.randint(1, 10**6))
        )
        titles.append(
            {
                "iso_3166_1": country,
                "title": card["original_title" if kind is Kind.MOVIE else "original_name"],
                "type": rng.choice(
                    ("", "", "", "romanization", "working title", "Alternative title")
                ),
            }
        )
    return {wrapper: titles}


def _keywords(world: World, kind: Kind, record_id: int, wrapper: str) -> JSONObject:
    if world.spaces[Kind.KEYWORD] == 0:
        return {wrapper: []}
    rng = world.rng(kind.value, record_id, "keywords")
    count = rng.choice((0, 1, 3, 5, 8, 12, 20))
    ids = sorted({world.pick(rng, Kind.KEYWORD) for _ in range(count)})
    return {wrapper: [keyword_ref(world, k) for k in ids]}


def _images(world: World, kind: Kind, record_id: int, language: str) -> JSONObject:
    rng = world.rng(kind.value, record_id, "images")
    version = world.version(kind, record_id)
    posters = image_list(rng, "posters", rng.randint(1, 25), language)
    if version:
        posters.append(version_image(world, kind, record_id, version, "posters"))
    return {
        "backdrops": image_list(rng, "backdrops", rng.randint(0, 20), language),
        "logos": image_list(rng, "logos", rng.randint(0, 8), language),
        "posters": posters,
    }


def _credits(world: World, kind: Kind, record_id: int) -> JSONObject:
    rng = world.rng(kind.value, record_id, "credits")
    movie = kind is Kind.MOVIE
    cast = [
        cast_entry(world, rng, world.pick(rng, Kind.PERSON), order, cast_id=movie)
        for order in range(rng.randint(10, 60))
    ]
    version = world.version(kind, record_id)
    if version:
        cast.append(version_cast(world, kind, record_id, version, len(cast)))
    crew = [
        crew_entry(world, rng, world.pick(rng, Kind.PERSON)) for _ in range(rng.randint(10, 80))
    ]
    return {"cast": cast, "crew": crew}


def _video_block(world: World, kind: Kind, record_id: int, title: str) -> JSONObject:
    rng = world.rng(kind.value, record_id, "videos")
    return videos(rng, rng.randint(0, 8), title)


# --- movies ------------------------------------------------------------------------------------


def movie_base(world: World, movie_id: int) -> JSONObject:
    version = world.version(Kind.MOVIE, movie_id)
    card = movie_card(world, movie_id, version)
    rng = world.rng("movie", movie_id)
    language = card["original_language"]
    country = _LANGUAGE[language][2]
    released = card["release_date"]
    budget = 0 if rng.random() < 0.7 else rng.randrange(10_000, 300_000_000, 1000)
    collection = collection_of_movie(world, movie_id)
    spoken = [language] + ([rng.choice(list(_LANGUAGE))] if rng.random() < 0.2 else [])
    return {
        "adult": card["adult"],
        "backdrop_path": card["backdrop_path"],
        "belongs_to_collection": collection_ref(world, collection) if collection else None,
        "budget": budget,
        "genres": [{"id": g, "name": _MOVIE_GENRE_NAMES[g]} for g in card["genre_ids"]],
        "homepage": "" if rng.random() < 0.6 else f"https://www.example-{movie_id}.com/",
        "id": movie_id,
        "imdb_id": None if rng.random() < 0.25 else f"tt{rng.randint(1, 39_999_999):07d}",
        "origin_country": [country],
        "original_language": language,
        "original_title": card["original_title"],
        "overview": card["overview"],
        "popularity": card["popularity"],
        "poster_path": card["poster_path"],
        "production_companies": _companies(world, ("movie-companies", movie_id), 6),
        "production_countries": _countries([country]),
        "release_date": released,
        "revenue": 0 if not budget or rng.random() < 0.3 else budget * rng.randint(1, 8),
        "runtime": 0 if rng.random() < 0.05 else rng.randint(3, 200),
        "spoken_languages": _spoken(sorted(set(spoken))),
        "status": "Released" if released and released <= DAY0.isoformat() else "Post Production",
        "tagline": rng.choice(TAGLINES),
        "title": card["title"],
        "video": card["video"],
        "vote_average": card["vote_average"],
        "vote_count": card["vote_count"],
    }


@dataclass(frozen=True, slots=True)
class BlockSource:
    """What every block builder of one record gets: the world, the id, a Random seeded by
    (kind, id, block) and the record's card."""

    world: World
    id: int
    rng: random.Random
    card: JSONObject


BlockBuilder = Callable[[BlockSource], JSONObject]


def _build(
    table: Mapping[str, BlockBuilder], world: World, kind: Kind, record_id: int, name: str
) -> JSONObject | None:
    builder = table.get(name)
    if builder is None:
        return None
    card = movie_card(world, record_id) if kind is Kind.MOVIE else tv_card(world, record_id)
    return builder(BlockSource(world, record_id, world.rng(kind.value, record_id, name), card))


def movie_block(world: World, movie_id: int, name: str) -> JSONObject | None:
    return _build(_MOVIE_BLOCKS, world, Kind.MOVIE, movie_id, name)


def _movie_external_ids(src: BlockSource) -> JSONObject:
    rng, handle = src.rng, src.card["title"].replace(" ", "")
    return {
        "imdb_id": None if rng.random() < 0.25 else f"tt{rng.randint(1, 39_999_999):07d}",
        "wikidata_id": None if rng.random() < 0.5 else f"Q{rng.randint(1, 120_000_000)}",
        "facebook_id": None if rng.random() < 0.8 else handle,
        "instagram_id": None,
        "twitter_id": None if rng.random() < 0.9 else handle[:15],
    }


def _movie_translations(src: BlockSource) -> JSONObject:
    title = src.card["title"]

    def data(rng: random.Random, _code: str) -> JSONObject:
        return {
            "homepage": "" if rng.random() < 0.8 else "https://www.example.com/",
            "overview": translated_text(rng, ""),
            "runtime": 0 if rng.random() < 0.5 else rng.randint(60, 180),
            "tagline": translated_text(rng, "", 7),
            "title": translated_text(rng, title, 5),
        }

    return translations(src.rng, src.rng.randint(1, 12), data)


def _watch(src: BlockSource, kind: str) -> JSONObject:
    link = f"https://www.themoviedb.org/{kind}/{src.id}/watch"
    return watch_providers(src.rng, link, src.rng.randint(0, 12))


def _similar(kind: Kind) -> BlockBuilder:
    return lambda src: paged_cards(src.world, src.rng, kind, src.rng.randint(0, 20), src.id)


_MOVIE_BLOCKS: dict[str, BlockBuilder] = {
    "alternative_titles": lambda s: _alternative_titles(s.world, Kind.MOVIE, s.id, "titles"),
    "changes": lambda s: changes_block(s.world, Kind.MOVIE, s.id),
    "credits": lambda s: _credits(s.world, Kind.MOVIE, s.id),
    "external_ids": _movie_external_ids,
    "images": lambda s: _images(s.world, Kind.MOVIE, s.id, s.card["original_language"]),
    "keywords": lambda s: _keywords(s.world, Kind.MOVIE, s.id, "keywords"),
    "lists": lambda s: lists_page(s.rng, s.rng.randint(0, 20), "movie"),
    "recommendations": _similar(Kind.MOVIE),
    "release_dates": lambda s: _release_dates(s.world, s.id),
    "reviews": lambda s: reviews_page(s.rng, s.rng.choice((0, 0, 0, 1, 2, 5, 9))),
    "similar": _similar(Kind.MOVIE),
    "translations": _movie_translations,
    "videos": lambda s: _video_block(s.world, Kind.MOVIE, s.id, s.card["title"]),
    "watch/providers": lambda s: _watch(s, "movie"),
}


def _release_dates(world: World, movie_id: int) -> JSONObject:
    rng = world.rng("movie", movie_id, "release_dates")
    countries = rng.sample(sorted(CERTIFICATIONS), rng.randint(1, 8))
    results = []
    for country in sorted(countries):
        dates = []
        for _ in range(rng.randint(1, 4)):
            dates.append(
                {
                    "certification": rng.choice(CERTIFICATIONS[country]),
                    "descriptors": [],
                    "iso_639_1": "" if rng.random() < 0.8 else rng.choice(list(_LANGUAGE)),
                    "note": rng.choice(RELEASE_NOTES),
                    "release_date": timestamp(rng, 1950)[:11] + "00:00:00.000Z",
                    "type": rng.randint(1, 6),
                }
            )
        results.append({"iso_3166_1": country, "release_dates": dates})
    return {"results": results}


# --- tv series ---------------------------------------------------------------------------------


def _episode_stub(world: World, series_id: int, season: int, episode: int) -> JSONObject:
    listed = episode_base(world, series_id, season, episode)
    assert listed is not None  # noqa: S101 - taken from the series' own shape
    return {
        "id": listed["id"],
        "name": listed["name"],
        "overview": listed["overview"],
        "vote_average": listed["vote_average"],
        "vote_count": listed["vote_count"],
        "air_date": listed["air_date"],
        "episode_number": episode,
        "episode_type": listed["episode_type"],
        "production_code": listed["production_code"],
        "runtime": listed["runtime"],
        "season_number": season,
        "show_id": series_id,
        "still_path": listed["still_path"],
    }


def tv_base(world: World, series_id: int) -> JSONObject:
    version = world.version(Kind.TV, series_id)
    card = tv_card(world, series_id, version)
    shape = series_shape(world, series_id)
    rng = world.rng("tv", series_id)
    language = card["original_language"]
    regular = shape.regular()
    last_season, last_count = regular[-1][0], regular[-1][1]
    aired_last = last_count - 1 if shape.upcoming else last_count
    if aired_last == 0 and len(regular) > 1:
        last_season, aired_last = regular[-2][0], regular[-2][1]
    last_episode = _episode_stub(world, series_id, last_season, aired_last) if aired_last else None
    upcoming = _episode_stub(world, series_id, *shape.upcoming) if shape.upcoming else None
    networks_rng = world.rng("tv-networks", series_id)
    networks = (
        [
            network_ref(world, world.pick(networks_rng, Kind.NETWORK))
            for _ in range(networks_rng.choice((1, 1, 1, 2)))
        ]
        if world.spaces[Kind.NETWORK]
        else []
    )
    return {
        "adult": card["adult"],
        "backdrop_path": card["backdrop_path"],
        "created_by": created_by(world, rng, rng.choice((0, 0, 1, 1, 2)))
        if world.spaces[Kind.PERSON]
        else [],
        "episode_run_time": [] if rng.random() < 0.6 else [rng.choice((22, 30, 45, 60))],
        "first_air_date": card["first_air_date"],
        "genres": [{"id": g, "name": _TV_GENRE_NAMES[g]} for g in card["genre_ids"]],
        "homepage": "" if rng.random() < 0.5 else f"https://www.example-tv-{series_id}.com/",
        "id": series_id,
        "in_production": shape.status == "Returning Series",
        "languages": [language],
        "last_air_date": last_episode["air_date"] if last_episode else None,
        "last_episode_to_air": last_episode,
        "name": card["name"],
        "next_episode_to_air": upcoming,
        "networks": networks,
        "number_of_episodes": sum(s[1] for s in regular),
        "number_of_seasons": len(regular),
        "origin_country": card["origin_country"],
        "original_language": language,
        "original_name": card["original_name"],
        "overview": card["overview"],
        "popularity": card["popularity"],
        "poster_path": card["poster_path"],
        "production_companies": _companies(world, ("tv-companies", series_id), 5),
        "production_countries": _countries(card["origin_country"]),
        "seasons": [season_summary(world, shape, s[0]) for s in shape.seasons],
        "spoken_languages": _spoken([language]),
        "status": shape.status,
        "tagline": rng.choice(TAGLINES),
        "type": rng.choice(
            (
                "Scripted",
                "Scripted",
                "Scripted",
                "Reality",
                "Documentary",
                "Miniseries",
                "Talk Show",
            )
        ),
        "vote_average": card["vote_average"],
        "vote_count": card["vote_count"],
    }


def tv_block(world: World, series_id: int, name: str) -> JSONObject | None:
    return _build(_TV_BLOCKS, world, Kind.TV, series_id, name)


def _tv_aggregate_credits(src: BlockSource) -> JSONObject:
    shape = series_shape(src.world, src.id)
    episodes = sum(s[1] for s in shape.regular())
    return aggregate_credits(src.world, src.rng, regular_cast(src.world, src.id), episodes)


def _tv_changes(src: BlockSource) -> JSONObject:
    last_season = series_shape(src.world, src.id).regular()[-1][0]
    return changes_block(src.world, Kind.TV, src.id, last_season)


def _content_ratings(src: BlockSource) -> JSONObject:
    rng = src.rng
    countries = sorted(rng.sample(sorted(CERTIFICATIONS), rng.randint(0, 6)))
    return {
        "results": [
            {"descriptors": [], "iso_3166_1": c, "rating": rng.choice(CERTIFICATIONS[c])}
            for c in countries
        ]
    }


def _tv_external_ids(src: BlockSource) -> JSONObject:
    rng, slug = src.rng, src.card["name"].replace(" ", "")
    return {
        "imdb_id": None if rng.random() < 0.3 else f"tt{rng.randint(1, 39_999_999):07d}",
        "freebase_mid": None if rng.random() < 0.7 else f"/m/0{rng.getrandbits(24):x}",
        "freebase_id": None if rng.random() < 0.8 else f"/en/{slug.lower()}",
        "tvdb_id": None if rng.random() < 0.2 else rng.randint(70_000, 500_000),
        "tvrage_id": None if rng.random() < 0.7 else rng.randint(1, 60_000),
        "wikidata_id": None if rng.random() < 0.5 else f"Q{rng.randint(1, 120_000_000)}",
        "facebook_id": None if rng.random() < 0.8 else slug,
        "instagram_id": None if rng.random() < 0.8 else slug.lower(),
        "twitter_id": None if rng.random() < 0.8 else slug[:15],
    }


def _tv_lists(src: BlockSource) -> JSONObject:
    page = lists_page(src.rng, src.rng.randint(0, 20), "tv")
    for entry in page["results"]:
        del entry["list_type"]  # TMDB's tv lists carry no list_type
    return page


def _tv_translations(src: BlockSource) -> JSONObject:
    name = src.card["name"]

    def data(rng: random.Random, _code: str) -> JSONObject:
        return {
            "name": translated_text(rng, name, 4),
            "overview": translated_text(rng, ""),
            "homepage": "",
            "tagline": translated_text(rng, "", 7),
        }

    return translations(src.rng, src.rng.randint(1, 15), data)


_TV_BLOCKS: dict[str, BlockBuilder] = {
    "aggregate_credits": _tv_aggregate_credits,
    "alternative_titles": lambda s: _alternative_titles(s.world, Kind.TV, s.id, "results"),
    "changes": _tv_changes,
    "content_ratings": _content_ratings,
    "credits": lambda s: _credits(s.world, Kind.TV, s.id),
    "episode_groups": lambda s: _episode_groups(s.world, s.id),
    "external_ids": _tv_external_ids,
    "images": lambda s: _images(s.world, Kind.TV, s.id, s.card["original_language"]),
    "keywords": lambda s: _keywords(s.world, Kind.TV, s.id, "results"),
    "lists": _tv_lists,
    "recommendations": _similar(Kind.TV),
    "reviews": lambda s: reviews_page(s.rng, s.rng.choice((0, 0, 0, 1, 3, 11))),
    "screened_theatrically": lambda s: _screened(s.world, s.id),
    "similar": _similar(Kind.TV),
    "translations": _tv_translations,
    "videos": lambda s: _video_block(s.world, Kind.TV, s.id, s.card["name"]),
    "watch/providers": lambda s: _watch(s, "tv"),
}


def _episode_groups(world: World, series_id: int) -> JSONObject:
    rng = world.rng("tv", series_id, "episode_groups")
    shape = series_shape(world, series_id)
    total = sum(s[1] for s in shape.seasons)
    groups = []
    for _ in range(rng.choice((0, 0, 0, 1, 2))):
        network = (
            network_ref(world, world.pick(rng, Kind.NETWORK))
            if world.spaces[Kind.NETWORK]
            else None
        )
        groups.append(
            {
                "description": rng.choice(("", "", "Production order", "Blu-ray")),
                "episode_count": total,
                "group_count": len(shape.seasons),
                "id": hex_id(rng),
                "name": rng.choice(("Aired Order", "DVD Order", "Story Arcs", "Absolute")),
                "network": network,
                "type": rng.randint(1, 7),
            }
        )
    return {"results": groups}


def _screened(world: World, series_id: int) -> JSONObject:
    rng = world.rng("tv", series_id, "screened_theatrically")
    shape = series_shape(world, series_id)
    regular = shape.regular()
    results = []
    if rng.random() < 0.1:
        for _ in range(rng.randint(1, 2)):
            season, count, _, _ = rng.choice(regular)
            number = rng.randint(1, count)
            results.append(
                {
                    "id": episode_id(series_id, season, number),
                    "episode_number": number,
                    "season_number": season,
                }
            )
    return {"results": results}


_BASES = {
    Kind.MOVIE: movie_base,
    Kind.TV: tv_base,
    Kind.PERSON: person_base,
    Kind.COLLECTION: collection_base,
    Kind.COMPANY: company_base,
    Kind.NETWORK: network_base,
    Kind.KEYWORD: keyword_base,
}

_BLOCKS = {
    Kind.MOVIE: movie_block,
    Kind.TV: tv_block,
    Kind.PERSON: person_block,
    Kind.COLLECTION: collection_block,
    Kind.COMPANY: company_block,
    Kind.NETWORK: network_block,
}
