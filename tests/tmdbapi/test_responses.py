"""TMDB's JSON bodies and error envelopes."""

from __future__ import annotations

import json

from tmdb_collector.kinds import dump_json
from tmdb_collector.tmdbapi import (
    JSON_CONTENT_TYPE,
    ErrorAnswer,
    PageTooLargeError,
    json_response,
)


def test_json_is_compact_utf8_with_tmdbs_content_type() -> None:
    assert dump_json({"name": "Amélie", "ids": [1, 2]}) == '{"name":"Amélie","ids":[1,2]}'.encode()
    response = json_response({"a": 1}, 201, {"Retry-After": "1"})
    assert (response.status, response.body) == (201, b'{"a":1}')
    assert response.headers["Content-Type"] == JSON_CONTENT_TYPE == "application/json;charset=utf-8"
    assert response.headers["Retry-After"] == "1"


def test_errors_in_tmdbs_envelope() -> None:
    cases = {
        ErrorAnswer.not_found(): (404, 34),
        ErrorAnswer.invalid_id(): (404, 6),
        ErrorAnswer.invalid_api_key(): (401, 7),
        ErrorAnswer.too_many_appends(): (400, 27),
        ErrorAnswer.invalid_date_range(): (422, 20),
        ErrorAnswer.invalid_input(): (400, 47),
        ErrorAnswer.invalid_page(): (400, 22),
    }
    for error, (status, code) in cases.items():
        response = error.response()
        assert response.status == status
        assert isinstance(response.body, bytes)
        body = json.loads(response.body)
        assert body == {"success": False, "status_code": code, "status_message": error.message}


def test_a_page_past_500_has_its_own_envelope() -> None:
    response = PageTooLargeError().response()
    assert response.status == 422
    assert response.body == b'{"errors":["page must be less than or equal to 500"]}'
