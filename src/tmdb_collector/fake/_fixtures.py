"""``FixtureCatalog``: the fake TMDB's data read from a directory of real captured responses.

The directory has the layout of shared/tmdb/fixtures (see its README):

    <kind>/<id>.json                      details with the appended blocks as top-level keys
    tv/<id>/season/<n>.json               season details plus its appends
    tv/<id>/season/<n>/episode/<m>.json   episode details plus its appends
    changes/<movie|tv|person>.json        page 1 of /3/<kind>/changes
    configuration.json                    /3/configuration

The content is fixed: ``advance()`` only moves the day; nothing is added, changed or deleted.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from tmdb_collector.kinds import (
    CHANGES_KINDS,
    EXPORT_KINDS,
    SUB_RESOURCES,
    InvalidKeyError,
    Kind,
    RecordKey,
)
from tmdb_collector.tmdbapi import EXPORT_FIELDS, KIND_OF_EXPORT, ChangedEntry, JSONObject

__all__ = ["FixtureCatalog", "FixtureError", "RecordedResponses", "UnknownExportError"]


class FixtureError(ValueError):
    """A fixture directory or file that cannot be served (missing, not JSON, misplaced)."""


class UnknownExportError(ValueError):
    """An export name that TMDB does not publish."""


@runtime_checkable
class RecordedResponses(Protocol):
    """Optional catalog capability: whole answers recorded from the real API.

    The server serves them as they are instead of assembling its own, so a test sees exactly the
    captured bytes' content (including totals that claim more pages than were recorded).
    """

    def recorded_changes(self, kind: Kind) -> JSONObject | None:
        """Page 1 of ``/3/<kind>/changes`` as recorded, or None to let the server build it."""
        ...

    def recorded_configuration(self) -> JSONObject | None:
        """``/3/configuration`` as recorded, or None for the server's built-in copy."""
        ...


class FixtureCatalog:
    """A Catalog over a fixture directory. Lists the files when created and reads each one the
    first time it is needed, so a big directory starts fast; each answer is a fresh copy."""

    def __init__(self, directory: Path | str) -> None:
        self._directory = Path(directory)
        if not self._directory.is_dir():
            raise FixtureError(f"fixture directory {self._directory} does not exist")
        self._day = 0
        self._paths: dict[RecordKey, Path] = {}
        self._records: dict[RecordKey, JSONObject] = {}
        # The seven exported kinds are stored as <kind>/<id>.json; seasons and episodes under tv/.
        for kind in EXPORT_KINDS:
            self._load_kind(kind)
        self._check_series()
        self._changes = {
            kind: self._load_optional(self._directory / "changes" / f"{kind.value}.json")
            for kind in CHANGES_KINDS
        }
        self._configuration = self._load_optional(self._directory / "configuration.json")

    def __repr__(self) -> str:
        return f"FixtureCatalog({str(self._directory)!r}, records={len(self._paths)})"

    # -- the Catalog protocol ---------------------------------------------------------------

    @property
    def day(self) -> int:
        return self._day

    def advance(self, days: int) -> None:
        if days < 1:
            raise ValueError(f"advance takes a positive number of days, got {days}")
        self._day += days

    def base(self, key: RecordKey) -> JSONObject | None:
        record = self._record(key)
        if record is None:
            return None
        blocks = set(SUB_RESOURCES[key.kind])
        return {name: copy.deepcopy(value) for name, value in record.items() if name not in blocks}

    def block(self, key: RecordKey, name: str) -> JSONObject | None:
        record = self._record(key)
        if record is None or name not in SUB_RESOURCES[key.kind]:
            return None
        value = record.get(name)
        # A fixture block is always an object; anything else means the fixture lacks it.
        return copy.deepcopy(value) if isinstance(value, dict) else None

    def changed(self, kind: Kind, day: int) -> list[ChangedEntry]:
        """The recorded page's ids, the same on every day: the fixtures hold one capture."""
        page = self._changes.get(kind)
        if page is None:
            return []
        seen: set[int] = set()
        entries = []
        for item in page.get("results", []):
            if item["id"] not in seen:
                seen.add(item["id"])
                entries.append(ChangedEntry(item["id"], item.get("adult"), item.get("softcore")))
        return entries

    def export_lines(self, export_name: str, day: int) -> Iterator[bytes]:
        try:
            kind, adult = KIND_OF_EXPORT[export_name]
        except KeyError:
            raise UnknownExportError(f"TMDB publishes no export named {export_name!r}") from None
        fields = EXPORT_FIELDS[kind]
        for key in [key for key in self._paths if key.kind is kind]:
            record = self._record(key)
            if record is not None and bool(record.get("adult", False)) == adult:
                line = {field: record.get(field) for field in fields}
                yield json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode()

    # -- RecordedResponses --------------------------------------------------------------------

    def recorded_changes(self, kind: Kind) -> JSONObject | None:
        page = self._changes.get(kind)
        return copy.deepcopy(page) if page is not None else None

    def recorded_configuration(self) -> JSONObject | None:
        return copy.deepcopy(self._configuration) if self._configuration is not None else None

    # -- loading -------------------------------------------------------------------------------

    def _load_kind(self, kind: Kind) -> None:
        folder = self._directory / kind.value
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.json")):
            self._add(kind, path.stem, path)
        if kind is Kind.TV:
            for path in sorted(folder.glob("*/season/*.json")):
                self._add(Kind.TV_SEASON, f"{path.parts[-3]}/{path.stem}", path)
            for path in sorted(folder.glob("*/season/*/episode/*.json")):
                self._add(Kind.TV_EPISODE, f"{path.parts[-5]}/{path.parts[-3]}/{path.stem}", path)

    def _check_series(self) -> None:
        for key, path in self._paths.items():
            # A season or episode file belongs to a series; without it the record is unreachable.
            series = RecordKey(Kind.TV, key.id)
            if key.kind in (Kind.TV_SEASON, Kind.TV_EPISODE) and series not in self._paths:
                raise FixtureError(f"{path} belongs to series {key.id}, which has no file")

    def _add(self, kind: Kind, spec: str, path: Path) -> None:
        try:
            key = RecordKey.parse(kind, spec)
        except InvalidKeyError as error:
            raise FixtureError(f"{path} is not named like a {kind} record: {error}") from error
        self._paths[key] = path

    def _record(self, key: RecordKey) -> JSONObject | None:
        """The whole file of ``key`` (details and appended blocks), read once."""
        record = self._records.get(key)
        if record is None and key in self._paths:
            record = self._records[key] = self._read_record(key)
        return record

    def _read_record(self, key: RecordKey) -> JSONObject:
        path = self._paths[key]
        record = _read_object(path)
        if key.kind not in (Kind.TV_SEASON, Kind.TV_EPISODE) and record.get("id") != key.id:
            raise FixtureError(f"{path} holds id {record.get('id')!r}, not {key.id}")
        return record

    def _load_optional(self, path: Path) -> JSONObject | None:
        return _read_object(path) if path.is_file() else None


def _read_object(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FixtureError(f"cannot read fixture {path}: {error}") from error
    if not isinstance(value, dict):
        raise FixtureError(f"fixture {path} is not a JSON object")
    return value
