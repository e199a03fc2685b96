"""Validate TMDB-shaped JSON against TMDB's official OpenAPI document.

The document was generated from example responses and is stricter than TMDB itself
(shared/tmdb/API-NOTES.md): real captures carry ``null`` where it says string or boolean, and
floats where it says integer. So every schema is relaxed the same way before use — every type
also admits null, and ``integer`` admits any number — and otherwise holds the JSON to the
document: types, shapes, nesting.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

DOCUMENT = Path(__file__).resolve().parents[2] / "shared" / "tmdb" / "openapi" / "tmdb-api.json"


@cache
def _document() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def relax(schema: Any) -> Any:
    """A copy of ``schema`` where every type admits null and integer means number."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    declared = out.get("type")
    if declared is not None:
        names = [declared] if isinstance(declared, str) else list(declared)
        names = ["number" if n == "integer" else n for n in names]
        out["type"] = sorted({*names, "null"})
    if isinstance(out.get("properties"), dict):
        out["properties"] = {name: relax(sub) for name, sub in out["properties"].items()}
    if "items" in out:
        out["items"] = relax(out["items"])
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in out:
            out[combinator] = [relax(sub) for sub in out[combinator]]
    return out


def templates() -> list[str]:
    return sorted(_document()["paths"])


@cache
def _template_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for template, operations in _document()["paths"].items():
        if "get" not in operations:
            continue
        regex = re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template))
        patterns.append((re.compile(regex + "$"), template))
    # Literal segments beat placeholders: /3/movie/changes is not /3/movie/{movie_id}.
    patterns.sort(key=lambda item: item[1].count("{"))
    return patterns


def template_for(path: str) -> str:
    for pattern, template in _template_patterns():
        if pattern.match(path):
            return template
    raise LookupError(f"no GET path of TMDB's OpenAPI document matches {path}")


@cache
def validator(template: str) -> Draft202012Validator:
    operation = _document()["paths"][template]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return Draft202012Validator(relax(schema))


def violations(template: str, body: Any) -> list[str]:
    """Every way ``body`` breaks the relaxed schema of ``template``'s 200 answer."""
    errors = validator(template).iter_errors(body)
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:200]}" for e in errors]
