"""Synthetic TV series, seasons and episodes.

A series' shape (how many seasons, whether it has specials, episodes per season) comes from its
stable seed; a returning series gains one episode each time it changes, and its last listed
episode is the upcoming one (``next_episode_to_air``). Season and episode ids are arithmetic in
the series id, so they are unique across the catalog without any table:
``season id = series id * 32 + season number`` (≤ 30 seasons) and
``episode id = season id * 64 + episode number`` (≤ 63 episodes).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from tmdb_collector.fake.synthetic._blocks import (
    cast_entry,
    crew_entry,
    hex_id,
    image_list,
    translated_text,
    translations,
    videos,
    watch_providers,
)
from tmdb_collector.fake.synthetic._cards import (
    DAY0,
    JSONObject,
    World,
    fast_image_path,
    network_ref,
    person_stub,
    tv_card,
)
from tmdb_collector.fake.synthetic._vocab import CHARACTER_NAMES, EPISODE_NAMES, OVERVIEW_SENTENCES
from tmdb_collector.kinds import Kind

__all__ = [
    "SeriesShape",
    "episode_base",
    "episode_block",
    "episode_id",
    "season_base",
    "season_block",
    "season_id",
    "series_shape",
]

MAX_EPISODES = 63


def season_id(series_id: int, season_number: int) -> int:
    return series_id * 32 + season_number


def episode_id(series_id: int, season_number: int, episode_number: int) -> int:
    return season_id(series_id, season_number) * 64 + episode_number


@dataclass(frozen=True, slots=True)
class SeriesShape:
    """The seasons of a series today and when their episodes air."""

    series_id: int
    status: str
    #: (season_number, episode count, date of episode 1, days between episodes)
    seasons: tuple[tuple[int, int, date, int], ...]
    upcoming: tuple[int, int] | None  # (season, episode) not aired yet, or None
    upcoming_date: date | None
    #: No aired episode is later than this: day 0, moved on by each change (never by the
    #: calendar alone, so an unchanged series stays byte-identical from day to day).
    latest: date

    def season(self, number: int) -> tuple[int, int, date, int] | None:
        return next((s for s in self.seasons if s[0] == number), None)

    def air_date(self, season_number: int, episode_number: int) -> date:
        if self.upcoming == (season_number, episode_number) and self.upcoming_date:
            return self.upcoming_date
        season = self.season(season_number)
        assert season is not None  # noqa: S101 - callers only ask for listed episodes
        _, _, start, spacing = season
        return min(start + timedelta(days=spacing * (episode_number - 1)), self.latest)

    def regular(self) -> tuple[tuple[int, int, date, int], ...]:
        return tuple(s for s in self.seasons if s[0] > 0)


def _season_count(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.45:
        return 1
    if roll < 0.75:
        return rng.randint(2, 3)
    if roll < 0.93:
        return rng.randint(4, 8)
    return rng.randint(9, 30)


def series_shape(world: World, series_id: int) -> SeriesShape:
    rng = world.rng("tv-shape", series_id)
    card = tv_card(world, series_id)
    first = date.fromisoformat(card["first_air_date"])
    status = rng.choices(("Ended", "Returning Series", "Canceled"), (55, 35, 10))[0]
    count = _season_count(rng)
    counts = [rng.choice((1, 3, 6, 8, 10, 10, 12, 13, 13, 20, 22, 25)) for _ in range(count)]
    version = world.version(Kind.TV, series_id)
    latest = DAY0 + timedelta(days=version)
    changes = world.timeline.change_count(Kind.TV, series_id, world.day)
    upcoming = None
    upcoming_date = None
    if status == "Returning Series":
        # Each change airs one more episode; the last listed one is always still to come.
        counts[-1] = min(MAX_EPISODES, counts[-1] + changes + 1)
        upcoming = (count, counts[-1])
        upcoming_date = latest + timedelta(days=7)
    # Spread the seasons between the first air date and (nearly) today.
    span = max((latest - first).days - 14, count)
    gap = max(1, min(rng.randint(300, 430), span // count))
    seasons = []
    for index, episodes in enumerate(counts):
        start = first + timedelta(days=gap * index)
        spacing = max(1, min(7, (gap - 1) // max(episodes, 1)))
        seasons.append((index + 1, episodes, start, spacing))
    if rng.random() < 1 / 3:
        specials = rng.randint(1, 10)
        seasons.insert(0, (0, specials, first + timedelta(days=rng.randrange(span)), 30))
    return SeriesShape(series_id, status, tuple(seasons), upcoming, upcoming_date, latest)


# --- episodes ------------------------------------------------------------------------------------


def _episode_type(shape: SeriesShape, season_number: int, episode_number: int, count: int) -> str:
    if season_number > 0 and episode_number == count and shape.upcoming != (season_number, count):
        return "finale"
    if season_number > 0 and episode_number == count // 2 + 1 and count >= 12:
        return "mid_season"
    return "standard"


def _episode_core(
    world: World, shape: SeriesShape, season_number: int, episode_number: int
) -> JSONObject:
    """The episode as listed in its season (with show_id), crew and guest stars included."""
    series_id = shape.series_id
    version = world.version(Kind.TV, series_id)
    rng = world.rng("tv-episode", series_id, season_number, episode_number)
    season = shape.season(season_number)
    count = season[1] if season else 1
    aired = shape.upcoming != (season_number, episode_number)
    votes = rng.choice((0, 0, 1, 3, 12, 40, 190)) + (version % 5 if aired else 0)
    name = rng.choice(EPISODE_NAMES)
    return {
        "air_date": shape.air_date(season_number, episode_number).isoformat(),
        "episode_number": episode_number,
        "episode_type": _episode_type(shape, season_number, episode_number, count),
        "id": episode_id(series_id, season_number, episode_number),
        "name": f"Episode {episode_number}" if name == "Episode" else name,
        "overview": "" if rng.random() < 0.2 else rng.choice(OVERVIEW_SENTENCES),
        "production_code": "" if rng.random() < 0.6 else f"{season_number}{episode_number:02d}",
        "runtime": None if not aired else rng.choice((22, 24, 30, 42, 45, 53, 55, 60, 62)),
        "season_number": season_number,
        "show_id": series_id,
        "still_path": None
        if not aired or rng.random() < 0.1
        else fast_image_path(rng.getrandbits(64), 5),
        "vote_average": round(rng.uniform(5.5, 9.0) + version % 3 * 0.01, 3) if votes else 0.0,
        "vote_count": votes if aired else 0,
        "crew": [
            crew_entry(world, rng, world.pick(rng, Kind.PERSON)) for _ in range(rng.randint(2, 6))
        ],
        "guest_stars": [
            cast_entry(world, rng, world.pick(rng, Kind.PERSON), 50 + order)
            for order in range(rng.randint(0, 10))
        ],
    }


def episode_base(
    world: World, series_id: int, season_number: int, episode_number: int
) -> JSONObject | None:
    shape = series_shape(world, series_id)
    season = shape.season(season_number)
    if season is None or not 1 <= episode_number <= season[1]:
        return None
    episode = _episode_core(world, shape, season_number, episode_number)
    # The stand-alone episode carries no show_id (the season's list does).
    del episode["show_id"]
    return episode


def episode_block(
    world: World, series_id: int, season_number: int, episode_number: int, name: str
) -> JSONObject | None:
    episode = episode_base(world, series_id, season_number, episode_number)
    builder = _EPISODE_BLOCKS.get(name)
    if episode is None or builder is None:
        return None
    rng = world.rng("tv-episode-block", series_id, season_number, episode_number, name)
    return builder(Part(world, series_id, season_number, 1, rng, episode["name"]), episode)


def _episode_credits(part: Part, episode: JSONObject) -> JSONObject:
    world, rng = part.world, part.rng
    regulars = regular_cast(world, part.series_id)[: rng.randint(3, 18)]
    cast = [cast_entry(world, rng, pid, order) for order, pid in enumerate(regulars)]
    return {"cast": cast, "crew": episode["crew"], "guest_stars": episode["guest_stars"]}


def _episode_external_ids(part: Part, _episode: JSONObject) -> JSONObject:
    rng = part.rng
    return {
        "imdb_id": None if rng.random() < 0.4 else f"tt{rng.randint(100000, 39999999):07d}",
        "freebase_mid": None,
        "freebase_id": None,
        "tvdb_id": rng.randint(1, 10_000_000),
        "tvrage_id": None,
        "wikidata_id": None if rng.random() < 0.8 else f"Q{rng.randint(1, 120_000_000)}",
    }


_EPISODE_BLOCKS: dict[str, Callable[[Part, JSONObject], JSONObject]] = {
    "credits": _episode_credits,
    "external_ids": _episode_external_ids,
    "images": lambda p, _e: {"stills": image_list(p.rng, "stills", p.rng.randint(0, 4), "en")},
    "translations": lambda p, _e: _part_translations(p),
    "videos": lambda p, _e: videos(p.rng, p.rng.randint(0, 2), p.label),
}


# --- seasons ------------------------------------------------------------------------------------


def regular_cast(world: World, series_id: int) -> list[int]:
    rng = world.rng("tv-regulars", series_id)
    return [world.pick(rng, Kind.PERSON) for _ in range(rng.randint(10, 40))]


def season_summary(world: World, shape: SeriesShape, number: int) -> JSONObject:
    """The entry of ``seasons[]`` in the series object; agrees with ``season_base``."""
    series_id = shape.series_id
    rng = world.rng("tv-season", series_id, number)
    version = world.version(Kind.TV, series_id)
    season = shape.season(number)
    assert season is not None  # noqa: S101 - number comes from the shape itself
    return {
        "air_date": season[2].isoformat(),
        "episode_count": season[1],
        "id": season_id(series_id, number),
        "name": "Specials" if number == 0 else f"Season {number}",
        "overview": "" if rng.random() < 0.5 else rng.choice(OVERVIEW_SENTENCES),
        "poster_path": None if rng.random() < 0.15 else fast_image_path(rng.getrandbits(64), 6),
        "season_number": number,
        "vote_average": round(rng.uniform(0, 9) + (version % 4) * 0.1, 1) if number else 0.0,
    }


def season_base(world: World, series_id: int, number: int) -> JSONObject | None:
    shape = series_shape(world, series_id)
    season = shape.season(number)
    if season is None:
        return None
    summary = season_summary(world, shape, number)
    networks = _series_networks(world, series_id)
    return {
        "_id": hex_id(world.rng("tv-season-oid", series_id, number)),
        "air_date": summary["air_date"],
        "episodes": [_episode_core(world, shape, number, e) for e in range(1, season[1] + 1)],
        "name": summary["name"],
        "networks": networks,
        "overview": summary["overview"],
        "id": summary["id"],
        "poster_path": summary["poster_path"],
        "season_number": number,
        "vote_average": summary["vote_average"],
    }


def _series_networks(world: World, series_id: int) -> list[JSONObject]:
    rng = world.rng("tv-networks", series_id)
    if world.spaces[Kind.NETWORK] == 0:
        return []
    return [
        network_ref(world, world.pick(rng, Kind.NETWORK)) for _ in range(rng.choice((1, 1, 1, 2)))
    ]


@dataclass(frozen=True, slots=True)
class Part:
    """A season or an episode whose block is being built."""

    world: World
    series_id: int
    season: int
    episodes: int  # episodes in the season
    rng: random.Random
    label: str  # "Season 2" / the episode's name


def season_block(world: World, series_id: int, number: int, name: str) -> JSONObject | None:
    season = series_shape(world, series_id).season(number)
    builder = _SEASON_BLOCKS.get(name)
    if season is None or builder is None:
        return None
    rng = world.rng("tv-season-block", series_id, number, name)
    return builder(Part(world, series_id, number, season[1], rng, f"Season {number}"))


def _season_credits(part: Part) -> JSONObject:
    world, rng = part.world, part.rng
    regulars = regular_cast(world, part.series_id)[: rng.randint(5, 25)]
    return {
        "cast": [cast_entry(world, rng, pid, order) for order, pid in enumerate(regulars)],
        "crew": [
            crew_entry(world, rng, world.pick(rng, Kind.PERSON)) for _ in range(rng.randint(3, 20))
        ],
    }


def _season_external_ids(part: Part) -> JSONObject:
    rng = part.rng
    return {
        "freebase_mid": None if rng.random() < 0.7 else f"/m/0{rng.getrandbits(24):x}",
        "freebase_id": None,
        "tvdb_id": rng.randint(1, 2_000_000),
        "tvrage_id": None,
        "wikidata_id": None if rng.random() < 0.8 else f"Q{rng.randint(1, 120_000_000)}",
    }


def _season_images(part: Part) -> JSONObject:
    # A changed series shows one more poster on its seasons.
    extra = 1 if part.world.version(Kind.TV, part.series_id) else 0
    return {"posters": image_list(part.rng, "posters", part.rng.randint(0, 6) + extra, "en")}


def _part_translations(part: Part) -> JSONObject:
    def data(rng: random.Random, _code: str) -> JSONObject:
        return {"name": translated_text(rng, part.label, 4), "overview": translated_text(rng, "")}

    return translations(part.rng, part.rng.randint(1, 10), data)


def _season_watch(part: Part) -> JSONObject:
    link = f"https://www.themoviedb.org/tv/{part.series_id}/season/{part.season}/watch"
    return watch_providers(part.rng, link, part.rng.randint(0, 8))


_SEASON_BLOCKS: dict[str, Callable[[Part], JSONObject]] = {
    "aggregate_credits": lambda p: aggregate_credits(
        p.world, p.rng, regular_cast(p.world, p.series_id), p.episodes
    ),
    "credits": _season_credits,
    "external_ids": _season_external_ids,
    "images": _season_images,
    "translations": _part_translations,
    "videos": lambda p: videos(p.rng, p.rng.randint(0, 3), p.label),
    "watch/providers": _season_watch,
}


def aggregate_credits(
    world: World, rng: random.Random, regulars: list[int], episodes: int
) -> JSONObject:
    """Credits summed over episodes: one entry per person with roles[] / jobs[]."""
    cast = []
    for order, pid in enumerate(regulars):
        entry = person_stub(world, pid)
        roles = [
            {
                "credit_id": hex_id(rng),
                "character": rng.choice(CHARACTER_NAMES),
                "episode_count": rng.randint(1, max(episodes, 1)),
            }
            for _ in range(rng.choice((1, 1, 1, 2)))
        ]
        entry["roles"] = roles
        entry["total_episode_count"] = sum(r["episode_count"] for r in roles)
        entry["order"] = order
        cast.append(entry)
    crew = []
    for _ in range(rng.randint(10, 40)):
        entry = crew_entry(world, rng, world.pick(rng, Kind.PERSON))
        job = {
            "credit_id": entry.pop("credit_id"),
            "job": entry.pop("job"),
            "episode_count": rng.randint(1, max(episodes, 1)),
        }
        department = entry.pop("department")
        entry["jobs"] = [job]
        entry["department"] = department
        entry["total_episode_count"] = job["episode_count"]
        crew.append(entry)
    return {"cast": cast, "crew": crew}
