"""Synthetic collections, companies, networks and keywords.

Collections own movies by block arithmetic so both directions are cheap: collection c owns 2–8
movies among ids ``(c-1)*64+1 .. c*64``, and a movie finds its collection by the same rule.
"""

from __future__ import annotations

from tmdb_collector.fake.synthetic._blocks import hex_id, image_list, translated_text, translations
from tmdb_collector.fake.synthetic._cards import (
    JSONObject,
    World,
    collection_ref,
    company_ref,
    fast_image_path,
    movie_card,
    network_ref,
    overview_text,
)
from tmdb_collector.fake.synthetic._light import (
    collection_name,
    company_name,
    keyword_name,
    mix64,
    network_name,
)
from tmdb_collector.fake.synthetic._vocab import COMPANY_STEMS, NETWORK_NAMES, PLACES
from tmdb_collector.kinds import Kind

__all__ = [
    "collection_base",
    "collection_block",
    "collection_of_movie",
    "company_base",
    "company_block",
    "keyword_base",
    "network_base",
    "network_block",
]

PARTS_BLOCK = 64


def _part_ids(world: World, collection_id: int) -> list[int]:
    rng = world.rng("collection-parts", collection_id)
    offsets = sorted(rng.sample(range(PARTS_BLOCK), rng.randint(2, 8)))
    return [(collection_id - 1) * PARTS_BLOCK + offset + 1 for offset in offsets]


def collection_of_movie(world: World, movie_id: int) -> int | None:
    collection_id = (movie_id - 1) // PARTS_BLOCK + 1
    if not world.exists(Kind.COLLECTION, collection_id):
        return None
    return collection_id if movie_id in _part_ids(world, collection_id) else None


def collection_base(world: World, collection_id: int) -> JSONObject:
    h = world.hash(Kind.COLLECTION, collection_id)
    version = world.version(Kind.COLLECTION, collection_id)
    ref = _collection_paths(world, collection_id)
    name = collection_name(h)
    parts = []
    for movie_id in _part_ids(world, collection_id):
        # Only movies that exist today: a part appears when its movie is created.
        if world.exists(Kind.MOVIE, movie_id):
            part = movie_card(world, movie_id)
            part["media_type"] = "movie"
            parts.append(part)
    return {
        "id": collection_id,
        "name": name,
        "original_language": "en",
        "original_name": name,
        "overview": overview_text(h, version),
        "poster_path": ref[0],
        "backdrop_path": ref[1],
        "parts": parts,
    }


def _collection_paths(world: World, collection_id: int) -> tuple[str | None, str | None]:
    ref = collection_ref(world, collection_id)
    return ref["poster_path"], ref["backdrop_path"]


def collection_block(world: World, collection_id: int, name: str) -> JSONObject | None:
    rng = world.rng("collection", collection_id, name)
    if name == "images":
        version = world.version(Kind.COLLECTION, collection_id)
        return {
            "backdrops": image_list(rng, "backdrops", rng.randint(0, 10), "en"),
            "posters": image_list(rng, "posters", rng.randint(1, 12) + (1 if version else 0), "en"),
        }
    if name == "translations":
        title = collection_name(world.hash(Kind.COLLECTION, collection_id))
        return translations(
            rng,
            rng.randint(1, 12),
            lambda r, _code: {
                "title": translated_text(r, title, 4),
                "overview": translated_text(r, ""),
                "homepage": "",
            },
        )
    return None


def company_base(world: World, company_id: int) -> JSONObject:
    ref = company_ref(world, company_id)
    rng = world.rng("company", company_id)
    version = world.version(Kind.COMPANY, company_id)
    parent = None
    if rng.random() < 0.1 and world.spaces[Kind.COMPANY] > 1:
        parent_ref = company_ref(world, world.pick(rng, Kind.COMPANY))
        parent = {
            "id": parent_ref["id"],
            "logo_path": parent_ref["logo_path"],
            "name": parent_ref["name"],
        }
    return {
        "description": ""
        if version == 0 and rng.random() < 0.8
        else overview_text(mix64(company_id), version),
        "headquarters": "" if rng.random() < 0.5 else rng.choice(PLACES),
        "homepage": "" if rng.random() < 0.5 else f"https://www.example-company-{company_id}.com",
        "id": company_id,
        "logo_path": ref["logo_path"],
        "name": ref["name"],
        "origin_country": ref["origin_country"],
        "parent_company": parent,
    }


def _alternative_names(
    world: World, kind: Kind, record_id: int, stems: tuple[str, ...]
) -> JSONObject:
    rng = world.rng(kind.value, record_id, "alternative_names")
    h = world.hash(kind, record_id)
    own = company_name(h) if kind is Kind.COMPANY else network_name(h)
    names = [
        rng.choice(
            (
                f"{own} {rng.choice(('LLC', 'Inc.', 'Limited', 'HD'))}",
                f"{rng.choice(stems)} {own}",
                own.upper(),
            )
        )
        for _ in range(rng.choice((0, 0, 1, 2, 3)))
    ]
    return {"results": [{"name": n, "type": ""} for n in names]}


def _logos(world: World, kind: Kind, record_id: int, logo_path: str | None) -> JSONObject:
    rng = world.rng(kind.value, record_id, "images")
    version = world.version(kind, record_id)
    logos = []
    paths = [logo_path] if logo_path else []
    paths += [
        fast_image_path(rng.getrandbits(64), 9, ".png")
        for _ in range(rng.randint(0, 2) + (1 if version else 0))
    ]
    for path in paths:
        width = rng.choice((295, 422, 1000, 1200))
        height = rng.choice((99, 174, 329, 495))
        logos.append(
            {
                "aspect_ratio": width / height,
                "file_path": path,
                "height": height,
                "id": hex_id(rng),
                "file_type": rng.choice((".png", ".svg")),
                "vote_average": round(rng.uniform(5.1, 5.5), 3),
                "vote_count": rng.randint(0, 3),
                "width": width,
            }
        )
    return {"logos": logos}


def company_block(world: World, company_id: int, name: str) -> JSONObject | None:
    if name == "alternative_names":
        return _alternative_names(world, Kind.COMPANY, company_id, COMPANY_STEMS)
    if name == "images":
        return _logos(world, Kind.COMPANY, company_id, company_ref(world, company_id)["logo_path"])
    return None


def network_base(world: World, network_id: int) -> JSONObject:
    ref = network_ref(world, network_id)
    rng = world.rng("network", network_id)
    version = world.version(Kind.NETWORK, network_id)
    return {
        "headquarters": "" if rng.random() < 0.3 else rng.choice(PLACES),
        "homepage": ""
        if rng.random() < 0.2
        else f"https://www.example-network-{network_id}-{version}.com",
        "id": network_id,
        "logo_path": ref["logo_path"],
        "name": ref["name"],
        "origin_country": ref["origin_country"],
    }


def network_block(world: World, network_id: int, name: str) -> JSONObject | None:
    if name == "alternative_names":
        return _alternative_names(world, Kind.NETWORK, network_id, NETWORK_NAMES)
    if name == "images":
        return _logos(world, Kind.NETWORK, network_id, network_ref(world, network_id)["logo_path"])
    return None


def keyword_base(world: World, keyword_id: int) -> JSONObject:
    """A keyword's only content is its name, so a change renames it (as TMDB editors do)."""
    return {"id": keyword_id, "name": keyword_name(keyword_hash(world, keyword_id))}


def keyword_hash(world: World, keyword_id: int) -> int:
    h = world.hash(Kind.KEYWORD, keyword_id)
    version = world.version(Kind.KEYWORD, keyword_id)
    return mix64(h + version) if version else h
