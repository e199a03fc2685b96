import inspect

from tmdb_collector import tmdbapi

EXPORTED = {
    "PlannedAppend",
    "append_plan",
    "EXPORTS_LARGEST_FIRST",
    "EXPORT_CONTENT_TYPE",
    "EXPORT_FIELDS",
    "KIND_OF_EXPORT",
    "PUBLISHED_DAYS",
    "ExportFile",
    "gzip_chunks",
    "gzip_lines",
    "send_export",
    "stream_export",
    "JSON_CONTENT_TYPE",
    "MAX_PAGE",
    "MAX_WINDOW",
    "PAGED_SUB_RESOURCES",
    "PAGE_SIZE",
    "APIHandler",
    "APISource",
    "ChangedEntry",
    "ChangesRoute",
    "ChangesWindow",
    "ConfigurationRoute",
    "JSONObject",
    "PageTooLargeError",
    "RecordRoute",
    "RecordSource",
    "Route",
    "ErrorAnswer",
    "answer_errors",
    "append_block",
    "check_credentials",
    "details_answer",
    "json_response",
    "listening",
    "make_api_app",
    "page_of",
    "parse_api_path",
    "parse_appends",
    "parse_page",
    "standalone_has_id",
    "sub_resource_answer",
    "utc_today",
}


def test_the_exported_names() -> None:
    assert set(tmdbapi.__all__) == EXPORTED


def test_every_public_name_comes_from_the_package_with_a_docstring() -> None:
    for name in tmdbapi.__all__:
        member = getattr(tmdbapi, name)
        if inspect.isclass(member) or inspect.isfunction(member):
            assert member.__module__.startswith("tmdb_collector.tmdbapi._"), name
            assert inspect.getdoc(member), name


def test_nothing_private_leaks() -> None:
    public = {name for name in vars(tmdbapi) if not name.startswith("_")}
    assert public == set(tmdbapi.__all__)
