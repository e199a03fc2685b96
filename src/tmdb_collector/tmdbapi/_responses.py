"""TMDB's response envelopes: JSON bodies with TMDB's content type, and its error answers."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from tmdb_collector.kinds import JSONObject, dump_json

__all__ = [
    "JSON_CONTENT_TYPE",
    "ErrorAnswer",
    "JSONObject",
    "PageTooLargeError",
    "answer_errors",
    "json_response",
]


#: What api.themoviedb.org sends (no space before charset).
JSON_CONTENT_TYPE = "application/json;charset=utf-8"


def json_response(
    value: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """``value`` as TMDB sends JSON: compact, UTF-8, with its exact content type."""
    all_headers = {"Content-Type": JSON_CONTENT_TYPE, **(headers or {})}
    return web.Response(body=dump_json(value), status=status, headers=all_headers)


class ErrorAnswer(Exception):
    """An error answer in TMDB's envelope; raised by handlers, rendered by ``answer_errors``."""

    def __init__(
        self, status: int, code: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status}/{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def to_json(self) -> JSONObject:
        return {"success": False, "status_code": self.code, "status_message": self.message}

    def response(self) -> web.Response:
        return json_response(self.to_json(), self.status, self.headers)

    @classmethod
    def not_found(cls) -> ErrorAnswer:
        return cls(404, 34, "The resource you requested could not be found.")

    @classmethod
    def invalid_id(cls) -> ErrorAnswer:
        return cls(404, 6, "Invalid id: The pre-requisite id is invalid or not found.")

    @classmethod
    def invalid_api_key(cls) -> ErrorAnswer:
        return cls(401, 7, "Invalid API key: You must be granted a valid key.")

    @classmethod
    def too_many_appends(cls) -> ErrorAnswer:
        return cls(
            400,
            27,
            "Too many append to response objects: The maximum number of remote calls is 20.",
        )

    @classmethod
    def invalid_date_range(cls) -> ErrorAnswer:
        return cls(422, 20, "Invalid date range: Should be a range no longer than 14 days.")

    @classmethod
    def invalid_input(cls) -> ErrorAnswer:
        # Code 47 is TMDB's generic answer to a malformed parameter (e.g. a date that is no date).
        return cls(400, 47, "The input is not valid.")

    @classmethod
    def invalid_page(cls) -> ErrorAnswer:
        # TMDB's code 22, for a page that is not a positive integer (page > 500 is page_error).
        return cls(
            400,
            22,
            "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.",
        )


class PageTooLargeError(ErrorAnswer):
    """page > 500 on any paged list: TMDB answers in a different envelope than its other errors."""

    def __init__(self) -> None:
        super().__init__(422, 0, "page must be less than or equal to 500")

    def to_json(self) -> JSONObject:
        return {"errors": [self.message]}


async def answer_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Run ``handler``; a ErrorAnswer becomes its envelope, and an HTTP error of the router (a path
    or method nothing serves) TMDB's 404 envelope. Usable as aiohttp middleware as it is."""
    try:
        response = await handler(request)
    except ErrorAnswer as error:
        return error.response()
    except web.HTTPException:
        # Paths TMDB does not know: its "not found" envelope rather than aiohttp's text.
        return ErrorAnswer.not_found().response()
    return response
