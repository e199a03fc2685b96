"""What a new version of a record adds, and the ``changes`` block that reports it.

A version (the day a record was created or changed) re-rolls popularity, votes and overview via
the cards, and adds one image and one cast member drawn from a Random seeded by that version.
The ``changes`` block of the same day reports exactly those additions, so a collector that
compares the two versions sees what the block says.
"""

from __future__ import annotations

from tmdb_collector.fake.synthetic._blocks import cast_entry, change_time, hex_id, image_list
from tmdb_collector.fake.synthetic._cards import JSONObject, World, overview_text
from tmdb_collector.fake.synthetic._light import mix64
from tmdb_collector.kinds import Kind

__all__ = ["changes_block", "version_cast", "version_image"]


def version_image(
    world: World, kind: Kind, record_id: int, version: int, image_type: str
) -> JSONObject:
    rng = world.rng("version-image", kind.value, record_id, version, image_type)
    return image_list(rng, image_type, 1, "en")[0]


def version_cast(world: World, kind: Kind, record_id: int, version: int, order: int) -> JSONObject:
    rng = world.rng("version-cast", kind.value, record_id, version)
    return cast_entry(world, rng, world.pick(rng, Kind.PERSON), order)


def person_biography(h: int, version: int) -> str:
    return overview_text(mix64(h ^ 0xB10), version)


def changes_block(
    world: World, kind: Kind, record_id: int, last_season: int | None = None
) -> JSONObject:
    """``{"changes": [...]}`` for today; empty unless the record was created or changed today."""
    day = world.day
    today = world.timeline.kind_day(kind, day)
    if today is None or world.version(kind, record_id) != day:
        return {"changes": []}
    created = record_id in today.new_ids
    rng = world.rng("changes", kind.value, record_id, day)
    action = "added"

    def item(value: object, **extra: object) -> JSONObject:
        entry: JSONObject = {"id": hex_id(rng), "action": action, "time": change_time(rng, day)}
        entry.update(extra)
        entry["value"] = value
        return entry

    if kind is Kind.PERSON:
        h = world.hash(kind, record_id)
        return {
            "changes": [
                {
                    "key": "biography",
                    "items": [
                        item(
                            person_biography(h, day),
                            action="created" if created else "updated",
                            iso_639_1="en",
                            iso_3166_1="US",
                        )
                    ],
                }
            ]
        }
    image_type = "posters"
    image = version_image(world, kind, record_id, day, image_type)
    cast = version_cast(world, kind, record_id, day, 0)
    changes = [
        {
            "key": "images",
            "items": [
                item(
                    {"poster": {"file_path": image["file_path"], "iso_639_1": image["iso_639_1"]}},
                    iso_639_1="",
                    iso_3166_1="",
                )
            ],
        },
        {
            "key": "cast",
            "items": [
                item(
                    {
                        "person_id": cast["id"],
                        "character": cast["character"],
                        "credit_id": cast["credit_id"],
                    }
                )
            ],
        },
    ]
    if kind is Kind.TV and last_season is not None:
        changes.append(
            {
                "key": "season",
                "items": [
                    item(
                        {"season_id": record_id * 32 + last_season, "season_number": last_season},
                        action="created" if created else "updated",
                    )
                ],
            }
        )
    return {"changes": changes}
