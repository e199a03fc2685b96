"""append_to_response and stand-alone sub-resources: how TMDB assembles an answer from a record's
base object and its blocks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from tmdb_collector.kinds import MAX_APPENDS, SUB_RESOURCES, Kind, RecordKey, season_append_number
from tmdb_collector.tmdbapi._responses import ErrorAnswer, JSONObject
from tmdb_collector.tmdbapi._routes import PAGED_SUB_RESOURCES, standalone_has_id
from tmdb_collector.tmdbapi._source import RecordSource

__all__ = [
    "PlannedAppend",
    "append_block",
    "append_plan",
    "details_answer",
    "parse_appends",
    "sub_resource_answer",
]


def parse_appends(text: str | None) -> list[str]:
    """The distinct append_to_response items, in order; 400/27 past 20 items. Duplicates count
    towards the 20 (TMDB counts the list it is given; not confirmed for duplicates)."""
    items = [item.strip() for item in (text or "").split(",") if item.strip()]
    if len(items) > MAX_APPENDS:
        raise ErrorAnswer.too_many_appends()
    return list(dict.fromkeys(items))


async def details_answer(
    source: RecordSource, key: RecordKey, appends: Iterable[str]
) -> JSONObject:
    """The details of ``key`` with each append item's block under its own key; items that name
    nothing of this record are left out. 404/34 if there is no such record."""
    answer = _base(source, key)
    for item in appends:
        # Yield between blocks: a series with every season costs tens of ms to build, and a
        # loop stalled that long admits the requests that arrived meanwhile late and all at
        # once, so a rate limiter would see bursts the client never sent.
        await asyncio.sleep(0)
        block = append_block(source, key, item)
        if block is not None:
            answer[item] = block
    return answer


@dataclass(frozen=True, slots=True)
class PlannedAppend:
    """What one append item adds to a record's details: the sub-resource ``sub`` of ``key``,
    or (``sub`` None) the whole season ``key`` without its ``id`` — a series' ``season/N``."""

    item: str
    key: RecordKey
    sub: str | None


def append_plan(key: RecordKey, appends: Iterable[str]) -> list[PlannedAppend]:
    """The blocks the append items ask of ``key``'s details, in order; items that name nothing
    of this record (unknown, another kind's, ``season/N`` on anything but a series) are
    silently ignored, as TMDB does."""
    plan = []
    for item in appends:
        if item in SUB_RESOURCES[key.kind]:
            plan.append(PlannedAppend(item, key, item))
            continue
        season = season_append_number(item) if key.kind is Kind.TV else None
        if season is not None:
            plan.append(PlannedAppend(item, RecordKey(Kind.TV_SEASON, key.id, season), None))
    return plan


def append_block(source: RecordSource, key: RecordKey, item: str) -> JSONObject | None:
    """What the append item ``item`` adds to the details of ``key``: a sub-resource block, or
    for a series ``season/N`` the whole season; None for an item TMDB ignores here."""
    planned = append_plan(key, [item])
    if not planned:
        return None
    if planned[0].sub is not None:
        return source.block(key, planned[0].sub)
    answer = source.base(planned[0].key)
    if answer is not None:
        # The series' seasons[] carries the season id; the appended season omits it.
        answer.pop("id", None)
    return answer


def sub_resource_answer(
    source: RecordSource, key: RecordKey, sub: str, page: int = 1
) -> JSONObject:
    """The answer of the stand-alone ``/3/<record>/<sub>`` endpoint: the block, led by the
    record's own ``id`` where TMDB puts one. 404/34 without the record or the block."""
    base = _base(source, key)
    block = source.block(key, sub)
    if block is None:
        # The source lacks this block (a fixture that did not capture it): none is invented.
        raise ErrorAnswer.not_found()
    if page > 1 and sub in PAGED_SUB_RESOURCES:
        # Only page 1 of a sub-resource is known; later pages keep its totals, empty.
        block = {**block, "page": page, "results": []}
    if not standalone_has_id(key.kind, sub):
        return block
    # The stand-alone endpoint carries the record's own id (a season's or episode's id, not the
    # series id), first.
    return {"id": base.get("id", key.id), **block}


def _base(source: RecordSource, key: RecordKey) -> JSONObject:
    base = source.base(key)
    if base is None:
        raise ErrorAnswer.not_found()
    return base
