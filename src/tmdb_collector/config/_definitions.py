"""Every setting tmdb-collector reads, in one place: the parsers, ``config``, the docs table
(docs/configuration.md), the example files and (later) the SAM template's parameters all come
from this list. A test checks that every environment variable the code reads is defined here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Literal, cast

from tmdb_collector.config._spec import (
    Setting,
    ValueProblem,
    integer_range,
    number_range,
    to_flag,
    to_integer,
    to_names,
    to_number,
    to_text,
)
from tmdb_collector.kinds import EXPORT_KINDS, SUB_RESOURCES, Kind

__all__ = [
    "ADULT",
    "APPENDS",
    "APPEND_KINDS",
    "AWS_SETTINGS",
    "CHANGES_MAX_GAP_DAYS",
    "COLLECTOR_CONCURRENCY",
    "COLLECTOR_INSTANCES",
    "CONFIG_FILE",
    "CONFIRM_DELETIONS",
    "DEFAULT_STORE",
    "DELETE_MAX_SHARE",
    "EPISODE_DETAILS",
    "FAKE_TMDB_API_KEY",
    "HARVESTER_RATE",
    "HARVEST_TODAY",
    "IN_FLIGHT_EXPIRY_HOURS",
    "ITEMS_IN_FLIGHT",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "MAX_BATCH_SIZE",
    "MAX_RECEIVES",
    "MEDIA_TYPES",
    "MESSAGES_IN_FLIGHT",
    "METRICS_BY_KIND",
    "METRICS_NAMESPACE",
    "METRICS_PUBLISHED",
    "RATE_LIMIT_REQUESTS",
    "REFRESH_MIN_AGE_HOURS",
    "REFRESH_PER_RUN",
    "RETRY_DELAY_SECONDS",
    "SEASON_DETAILS",
    "SERVE_ACCESS_KEY",
    "SERVE_CHECK_SECONDS",
    "SETTINGS",
    "TMDB_API_KEY",
    "TMDB_API_KEY_PARAMETER",
    "TMDB_API_KEY_SECRET",
    "TMDB_API_URL",
    "TMDB_EXPORTS_URL",
    "TMDB_MAX_ATTEMPTS",
    "TMDB_QUEUE",
    "TMDB_RATE_CEILING",
    "TMDB_REQUEST_TIMEOUT",
    "TMDB_STORE",
    "VISIBILITY_TIMEOUT",
    "WORK_BATCH_SIZE",
    "AdultPolicy",
    "LogFormat",
    "LogLevel",
    "Secret",
    "check_http_url",
    "is_credential_text",
    "parse_kinds",
]


class Secret:
    """A credential's text that never shows itself (repr, str, tracebacks' locals)."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def reveal(self) -> str:
        """The secret itself: hand it to the one object that sends it, nowhere else."""
        return self._text

    def __repr__(self) -> str:
        return "Secret(<redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._text == self._text

    def __hash__(self) -> int:
        return hash(("Secret", self._text))

    def __reduce__(self) -> str:
        raise TypeError("a Secret cannot be pickled; read it from its setting instead")


# Header-safe token characters: whitespace or control characters would allow header injection.
_TOKEN = re.compile(r"[\x21-\x7e]+")


def is_credential_text(text: str) -> bool:
    """Whether ``text`` can be a TMDB credential (printable ASCII without spaces): the one rule
    for the setting and for the client's ``Credential``."""
    return _TOKEN.fullmatch(text) is not None


def _to_secret(raw: object) -> Secret:
    text = to_text(raw)
    if not is_credential_text(text):
        raise ValueError("printable ASCII without spaces")
    return Secret(text)


def check_http_url(url: str) -> bool:
    """An http(s) base URL with a host (and a valid port), without user info, query or
    fragment, in printable ASCII."""
    return _http_url_problem(url) is None


def _http_url_problem(url: str, *, credential: str = "TMDB_API_KEY") -> str | None:
    """What keeps ``url`` from being a base URL the clients can use, in words; None if
    nothing. Caught here, a typo is one clear error; caught by aiohttp, it is retried as
    transient, or (user info beside a Bearer token) a traceback. ``credential`` names where
    the credential goes instead of the URL."""
    from urllib.parse import urlsplit  # noqa: PLC0415  (stdlib, only when a URL is checked)

    if not url.startswith(("http://", "https://")):
        return "it must start with http:// or https://"
    if not url.isascii():
        # A lookalike letter (a Cyrillic "о") would pass for the real host and fail every DNS
        # lookup; a real international host name has an ASCII (xn--) form.
        return "it holds a character that is not ASCII; write a host name in its xn-- form"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a bad port or an unclosed IPv6 bracket
        return "its host or port cannot be read"
    problems = (
        (not url.isprintable() or " " in url, "it holds a space or a control character"),
        (
            "@" in parts.netloc,
            "it holds a user name or password (user:password@), which is never sent: the "
            f"credential goes in {credential}",
        ),
        ("?" in url or "#" in url, "it has a query or fragment (? or #)"),
        (not parts.hostname, "it names no host"),
        (port == 0, "port 0 is no port"),
    )
    return next((problem for found, problem in problems if found), None)


def parse_kinds(names: tuple[str, ...]) -> tuple[Kind, ...]:
    """Export kind names → the kinds, in the canonical order; ValueError naming the unknown."""
    known = {kind.value: kind for kind in EXPORT_KINDS}
    unknown = [name for name in (name.lower() for name in names) if name not in known]
    if unknown:
        raise ValueProblem(
            f"unknown media type {', '.join(unknown)} (seasons and episodes come with their series)"
        )
    wanted = {name.lower() for name in names}
    return tuple(kind for kind in EXPORT_KINDS if kind.value in wanted)


_NO_KIND = "names no kind; leave it unset for all seven"


def _kinds(raw: object) -> tuple[Kind, ...]:
    kinds = parse_kinds(to_names(raw, nothing=_NO_KIND))
    if not kinds:
        raise ValueProblem(_NO_KIND)
    return kinds


def _choice_setting(
    name: str, section: str | None, default: str, choices: tuple[str, ...], help: str
) -> Setting[str]:
    def convert(raw: object) -> str:
        return to_text(raw).lower()

    return Setting(
        name,
        section,
        help,
        default,
        accepts=" or ".join(choices),
        convert=convert,
        check=lambda value: value in choices,
    )


def _integer(
    name: str, section: str, default: int, limits: tuple[int, int | None], help: str
) -> Setting[int]:
    low, high = limits
    accepts = f"an integer from {low} to {high}" if high is not None else f"an integer ≥ {low}"
    return Setting(
        name,
        section,
        help,
        default,
        accepts=accepts,
        convert=to_integer,
        check=integer_range(low, high),
    )


def _number(
    name: str,
    section: str,
    default: float,
    help: str,
    *,
    low: float,
    high: float | None = None,
    above: bool = False,
    accepts: str,
) -> Setting[float]:
    return Setting(
        name,
        section,
        help,
        default,
        accepts=accepts,
        convert=to_number,
        check=number_range(low, high, above=above),
    )


def _flag(name: str, section: str, default: bool, help: str) -> Setting[bool]:
    return Setting(
        name,
        section,
        help,
        default,
        accepts="true or false (also 1/0, yes/no, on/off)",
        convert=to_flag,
        check=lambda value: type(value) is bool,
    )


def _url(name: str, default: str, help: str, *, added: str) -> Setting[str]:
    """A base URL; ``added`` is the path the client puts after it, which the URL must not end
    with (https://api.themoviedb.org/3 would ask for /3/3/movie/550, and read 404s as
    deletions)."""

    def convert(raw: object) -> str:
        text = to_text(raw)
        problem = _http_url_problem(text)
        if problem is not None:
            raise ValueProblem(problem)
        url = text.rstrip("/") or text
        if _ends_with_path(url, added):
            raise ValueProblem(f"leave out {added}: the collector adds it")
        return url

    return Setting(
        name,
        "tmdb",
        help,
        default,
        accepts=f"an http(s) base URL without user info, query or a final {added}, e.g. {default}",
        convert=convert,
        check=lambda url: check_http_url(url) and not _ends_with_path(url, added),
    )


def _ends_with_path(url: str, path: str) -> bool:
    from urllib.parse import urlsplit  # noqa: PLC0415  (stdlib, only when a URL is checked)

    return urlsplit(url).path.rstrip("/").endswith(path)


# -- the settings --------------------------------------------------------------------------------

CONFIG_FILE: Setting[str | None] = Setting(
    "TMDB_COLLECTOR_CONFIG",
    None,
    "The configuration file (TOML) to read; `--config FILE` overrides it. Unset: "
    "./tmdb-collector.toml when it exists.",
    None,
    accepts="the path of a TOML file",
    convert=to_text,
    check=bool,
    in_file=False,
)

LogLevel = Literal["debug", "info", "warning", "error"]
LogFormat = Literal["auto", "json", "text"]
LOG_LEVEL = cast(
    Setting[LogLevel],
    _choice_setting(
        "LOG_LEVEL",
        None,
        "info",
        ("debug", "info", "warning", "error"),
        "Least severe log messages shown (`-v` is debug).",
    ),
)
LOG_FORMAT = cast(
    Setting[LogFormat],
    _choice_setting(
        "LOG_FORMAT",
        None,
        "auto",
        ("auto", "json", "text"),
        "Log lines as JSON objects or as text for people; auto: text on a terminal, JSON "
        "otherwise.",
    ),
)

TMDB_API_KEY: Setting[Secret | None] = Setting(
    "TMDB_API_KEY",
    "tmdb",
    "Your TMDB v4 API read access token (sent as Bearer, preferred) or v3 API key (sent as "
    "api_key), from https://www.themoviedb.org/settings/api. Needed for API calls; never "
    "printed, logged or stored.",
    None,
    accepts="a TMDB v4 read access token or v3 API key exactly as TMDB shows it (printable "
    "ASCII without spaces)",
    convert=_to_secret,
    secret=True,
)
TMDB_API_URL = _url(
    "TMDB_API_URL", "https://api.themoviedb.org", "TMDB's API base URL.", added="/3"
)
TMDB_EXPORTS_URL = _url(
    "TMDB_EXPORTS_URL",
    "https://files.tmdb.org",
    "The host of TMDB's daily export files.",
    added="/p/exports",
)
#: TMDB's documented ceiling ("somewhere in the 40 range" per second).
TMDB_RATE_CEILING = 40.0


def _rate_advice(rate: float) -> str | None:
    if rate > TMDB_RATE_CEILING * 1.25:
        return (
            f"RATE_LIMIT_REQUESTS={rate:g} is above TMDB's limit of about "
            f"{TMDB_RATE_CEILING:g} requests/s: expect 429s, each of which pauses every request"
        )
    if rate < 1:
        return (
            f"RATE_LIMIT_REQUESTS={rate:g} is one request every {1 / rate:,.0f} s: a full mirror "
            "of TMDB (about 6.5 million requests) would take "
            f"{6.5e6 / rate / 86400 / 365:,.0f} years"
        )
    return None


RATE_LIMIT_REQUESTS = Setting(
    "RATE_LIMIT_REQUESTS",
    "tmdb",
    "Request starts per second, for the whole process (TMDB allows about 40; more earns 429s).",
    TMDB_RATE_CEILING,
    accepts="a number of requests per second from 0.01 to 100000",
    convert=to_number,
    check=number_range(0.01, 100_000),
    advice=_rate_advice,
)
COLLECTOR_CONCURRENCY = _integer(
    "COLLECTOR_CONCURRENCY",
    "tmdb",
    20,
    (1, 100),
    "Requests in flight at most (TMDB's CDN allows about 20 connections per IP); on Lambda, "
    "over all collector instances together.",
)
TMDB_REQUEST_TIMEOUT = _number(
    "TMDB_REQUEST_TIMEOUT",
    "tmdb",
    30.0,
    "Seconds per request before it counts as failed (and is retried).",
    low=1,
    high=600,
    accepts="a number of seconds from 1 to 600",
)
TMDB_MAX_ATTEMPTS = _integer(
    "TMDB_MAX_ATTEMPTS",
    "tmdb",
    8,
    (1, 20),
    "Tries of a request that fails transiently (5xx, reset, timeout) before its item is put back "
    "on the queue for later (with capped exponential backoff between tries: 8 take ~40 s).",
)
FAKE_TMDB_API_KEY: Setting[Secret | None] = Setting(
    "FAKE_TMDB_API_KEY",
    "tmdb",
    "`fake-tmdb` only: the one credential the fake TMDB accepts (as api_key or Bearer); unset: "
    "any non-empty one.",
    None,
    accepts="printable ASCII without spaces",
    convert=_to_secret,
    secret=True,
)
SERVE_ACCESS_KEY: Setting[Secret | None] = Setting(
    "SERVE_ACCESS_KEY",
    "tmdb",
    "`serve` only: the one credential the mirror's API accepts (as api_key or Bearer, as TMDB "
    "takes them; 401 without it); unset: requests need none.",
    None,
    accepts="printable ASCII without spaces",
    convert=_to_secret,
    secret=True,
)
SERVE_CHECK_SECONDS: Setting[float | None] = Setting(
    "SERVE_CHECK_SECONDS",
    "storage",
    "`serve` only: how often it checks the store for new versions and index rows (a listing "
    "or three and two HEADs per kind asked for: on S3, every 2 s costs ~$0.7 a day per kind, "
    "every 60 s ~$0.7 a month); unset: 2 s on local disk, 60 s on S3.",
    None,
    accepts="seconds, from 0 (at every request) to 3600",
    convert=to_number,
    check=lambda value: value is None or number_range(0.0, 3600.0)(value),
)

AdultPolicy = Literal["exclude", "include"]
#: Work items per message at most: 10,000 keys of up to 15 bytes fit in 256 KiB with room left.
MAX_BATCH_SIZE = 10_000

MEDIA_TYPES: Setting[tuple[Kind, ...]] = Setting(
    "MEDIA_TYPES",
    "harvester",
    "The kinds to harvest (`--types`); seasons and episodes come with their series.",
    EXPORT_KINDS,
    accepts="a comma-separated list of " + ", ".join(kind.value for kind in EXPORT_KINDS),
    convert=_kinds,
    check=lambda value: bool(value) and all(kind in EXPORT_KINDS for kind in value),
    show=lambda kinds: ",".join(kind.value for kind in kinds),
)
ADULT = cast(
    Setting[AdultPolicy],
    _choice_setting(
        "ADULT",
        "harvester",
        "exclude",
        ("exclude", "include"),
        "Whether records TMDB flags as adult are mirrored.",
    ),
)
DELETE_MAX_SHARE = _number(
    "DELETE_MAX_SHARE",
    "harvester",
    0.05,
    "Largest share of a kind's stored records one harvest may tombstone; more needs "
    "`--force-deletions` (a truncated export must not wipe the mirror).",
    low=0,
    high=1,
    accepts="a share between 0 and 1 (0.05 = 5 %)",
)
CONFIRM_DELETIONS = _flag(
    "CONFIRM_DELETIONS",
    "harvester",
    True,
    "Fetch a record missing from its export before tombstoning it (a 404 confirms).",
)
CHANGES_MAX_GAP_DAYS = _integer(
    "CHANGES_MAX_GAP_DAYS",
    "harvester",
    30,
    (1, 3650),
    "Most days of changes feed read after a long pause; older gaps are left to the exports "
    "and refreshes.",
)
REFRESH_PER_RUN = _integer(
    "REFRESH_PER_RUN",
    "harvester",
    1000,
    (0, 100_000_000),
    "The stalest records of each kind refetched per harvest (the only way to see changes to "
    "kinds without a changes feed).",
)
#: Hours settings stop here: longer is "never" in practice, and times beyond overflow.
_TEN_YEARS_HOURS = 87_600
REFRESH_MIN_AGE_HOURS = _number(
    "REFRESH_MIN_AGE_HOURS",
    "harvester",
    24.0,
    "A record is refreshed only when checked longer ago than this.",
    low=0,
    high=_TEN_YEARS_HOURS,
    accepts=f"a number of hours from 0 to {_TEN_YEARS_HOURS:g} (ten years)",
)
IN_FLIGHT_EXPIRY_HOURS = _number(
    "IN_FLIGHT_EXPIRY_HOURS",
    "harvester",
    14 * 24.0,
    "Hours after which planned work still not done is planned again.",
    low=1,
    high=_TEN_YEARS_HOURS,
    accepts=f"a number of hours from 1 to {_TEN_YEARS_HOURS:g} (ten years)",
)


def _day(raw: object) -> date:
    text = to_text(raw)
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueProblem("write YYYY-MM-DD")
    return date.fromisoformat(text)


HARVEST_TODAY: Setting[date | None] = Setting(
    "HARVEST_TODAY",
    "harvester",
    "The day the harvester takes for today (UTC); unset: the system clock's. Only for tests "
    "and rehearsals that play a later day against the fake TMDB: the harvester's clock moves "
    "by the difference, so a --date up to this day is accepted.",
    None,
    accepts="a day, YYYY-MM-DD",
    convert=_day,
    show=lambda day: None if day is None else day.isoformat(),
)
#: 200: a message is committed as one segment and one index fragment, so each item of a
#: message of 200 costs 0.01 object writes (docs/storage.md); a collector at its share of
#: TMDB's rate finishes one in seconds, and one lost to a kill refetches 200 items.
WORK_BATCH_SIZE = _integer(
    "WORK_BATCH_SIZE",
    "harvester",
    200,
    (1, MAX_BATCH_SIZE),
    "Work items per queue message (one segment each: larger messages, fewer S3 writes).",
)

#: Kinds whose appends are configurable: the seven exported kinds, and seasons and episodes
#: (fetched on their own with SEASON_DETAILS and EPISODE_DETAILS). Without SEASON_DETAILS
#: seasons come as ``season/N`` blocks of their series, and an appended block cannot carry
#: appends of its own.
APPEND_KINDS: tuple[Kind, ...] = (*EXPORT_KINDS, Kind.TV_SEASON, Kind.TV_EPISODE)


def _appends(kind: Kind) -> Setting[tuple[str, ...]]:
    known = SUB_RESOURCES[kind]

    def convert(raw: object) -> tuple[str, ...]:
        items = to_names(raw, nothing="names nothing; leave it empty for no appends")
        for item in items:
            if item not in known:
                # season/N is the collector's own business: it adds exactly the seasons that fit.
                hint = " (the collector adds season/N itself)" if item.startswith("season/") else ""
                raise ValueProblem(f"{item!r} is not a sub-resource of {kind}{hint}")
        if len(set(items)) != len(items):
            raise ValueProblem("an append is named twice")
        return items

    return Setting(
        f"APPENDS_{kind.value.upper()}",
        "collector",
        f"The sub-resources appended to each {kind} request; empty: none. Unset: all of them.",
        known,
        accepts=f"a comma-separated list of {', '.join(known) or 'nothing'}",
        convert=convert,
        check=lambda items: (
            isinstance(items, tuple)
            and all(item in known for item in items)
            and len(set(items)) == len(items)
        ),
        blank_is_unset=False,
        show=",".join,
    )


APPENDS: Mapping[Kind, Setting[tuple[str, ...]]] = MappingProxyType(
    {kind: _appends(kind) for kind in APPEND_KINDS}
)
SEASON_DETAILS = _flag(
    "SEASON_DETAILS",
    "collector",
    False,
    "Fetch each season on its own (with APPENDS_TV_SEASON) instead of storing the season/N "
    "block its series carries: one more request per season, and each season is stored with "
    "its own sub-resources, as the season endpoint answers.",
)
EPISODE_DETAILS = _flag(
    "EPISODE_DETAILS",
    "collector",
    False,
    "Fetch each episode on its own (with APPENDS_TV_EPISODE) instead of storing the episode its "
    "season lists: one more request per episode.",
)
MESSAGES_IN_FLIGHT = _integer(
    "MESSAGES_IN_FLIGHT",
    "collector",
    4,
    (1, 1000),
    "Queue messages fetched at once (as many again may be being stored).",
)
ITEMS_IN_FLIGHT = _integer(
    "ITEMS_IN_FLIGHT",
    "collector",
    32,
    (1, 10_000),
    "Records fetched at once over all messages (the pacer still spaces the requests).",
)
COLLECTOR_INSTANCES = _integer(
    "COLLECTOR_INSTANCES",
    "collector",
    2,
    (1, 1000),
    "On AWS Lambda: collector functions that may run at once — the SQS event source's "
    "MaximumConcurrency (AWS's minimum is 2; the template sets both from one parameter). Each "
    "paces at (RATE_LIMIT_REQUESTS - HARVESTER_RATE) / COLLECTOR_INSTANCES.",
)
HARVESTER_RATE = _number(
    "HARVESTER_RATE",
    "collector",
    2.0,
    "On AWS Lambda: requests/s the harvester function takes for the changes feeds while "
    "collector functions are at work; the collectors always leave it free. Alone, the "
    "harvester paces at RATE_LIMIT_REQUESTS.",
    low=0.1,
    high=100_000,
    accepts="a number of requests per second from 0.1 below RATE_LIMIT_REQUESTS",
)
# SQS's limits, which the SQLite queue keeps too: leases up to 12 h, delays up to 15 min.
VISIBILITY_TIMEOUT = _integer(
    "VISIBILITY_TIMEOUT",
    "collector",
    300,
    (1, 43_200),
    "Seconds a received message stays hidden; extended while it is worked on.",
)
MAX_RECEIVES = _integer(
    "MAX_RECEIVES",
    "collector",
    5,
    (1, 1000),
    "Deliveries of a message before it goes to the dead-letter queue (an SQLite queue and "
    "sqs://NAME; an SQS queue URL keeps its own redrive policy's maxReceiveCount).",
)
RETRY_DELAY_SECONDS = _integer(
    "RETRY_DELAY_SECONDS",
    "collector",
    60,
    (0, 900),
    "Seconds before failed items put back on the queue are delivered again.",
)

DEFAULT_STORE = "./tmdb-data"
TMDB_STORE: Setting[str] = Setting(
    "TMDB_STORE",
    "storage",
    "Where the records are: a directory, s3://BUCKET/PREFIX or memory:// (`--store`).",
    DEFAULT_STORE,
    accepts="a directory, s3://BUCKET/PREFIX or memory://",
    convert=to_text,
    check=bool,
)
TMDB_QUEUE: Setting[str | None] = Setting(
    "TMDB_QUEUE",
    "storage",
    "The work queue (`--queue`): sqlite:PATH, sqs://NAME or an SQS queue URL. Unset: "
    "STORE/queue/work.sqlite3 for a local store, ./tmdb-queue.sqlite3 otherwise.",
    None,
    accepts="sqlite:PATH, sqs://NAME or an SQS queue URL",
    convert=to_text,
    check=bool,
)

SEGMENT_LIVE_FRACTION = _number(
    "SEGMENT_LIVE_FRACTION",
    "storage",
    0.5,
    "In a store of segments: `compact` rewrites a segment whose kept versions fill less than "
    'this share of its bytes, giving back the rest (docs/storage.md, "Segments").',
    low=0.0,
    high=1.0,
    accepts="a share from 0 (never rewrite) to 1",
)
SEGMENT_GRACE_SECONDS = _integer(
    "SEGMENT_GRACE_SECONDS",
    "storage",
    3600,
    (0, 7 * 86_400),
    "In a store of segments: how long a segment no version needs any more is kept before "
    "`compact` deletes it, for readers that looked at the version map before.",
)


def _aws(
    name: str,
    help: str,
    *,
    accepts: str = "text",
    check: Callable[[str], bool] = bool,
    convert: Callable[[object], str] = to_text,
    secret: bool = False,
) -> Setting[str | None]:
    return Setting(
        name,
        "aws",
        help,
        None,
        accepts=accepts,
        convert=convert,
        check=check,  # type: ignore[arg-type]  # None is the default, never checked
        secret=secret,
    )


# botocore's rule for region names; obstore panics (a Rust traceback) on "eu west 1".
_REGION = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?")
_AWS_CREDENTIALS = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"


def _region(name: str, help: str) -> Setting[str | None]:
    return _aws(
        name,
        help,
        accepts="an AWS region name such as eu-west-1 (letters, digits and -)",
        check=lambda value: _REGION.fullmatch(value) is not None,
    )


def _to_endpoint(raw: object) -> str:
    text = to_text(raw)
    problem = _http_url_problem(text, credential=_AWS_CREDENTIALS)
    if problem is not None:
        raise ValueProblem(problem)
    return text


def _endpoint(name: str, help: str) -> Setting[str | None]:
    # Checked here: botocore's "ValueError: Invalid endpoint" is a traceback.
    return _aws(
        name,
        help,
        accepts="an http(s) URL without user info or query, e.g. http://127.0.0.1:5000",
        check=lambda value: _http_url_problem(value, credential=_AWS_CREDENTIALS) is None,
        convert=_to_endpoint,
    )


def _aws_secret(name: str, help: str) -> Setting[str | None]:
    return _aws(
        name,
        help,
        accepts="printable ASCII without spaces, as AWS gives it",
        check=is_credential_text,
        secret=True,
    )


AWS_SETTINGS: tuple[Setting[str | None], ...] = (
    _region("AWS_REGION", "The AWS region of the S3 bucket and SQS queue."),
    _region("AWS_DEFAULT_REGION", "Used when AWS_REGION is unset."),
    _endpoint(
        "AWS_ENDPOINT_URL",
        "Another endpoint for AWS (a local S3/SQS such as moto or MinIO); unset: AWS itself.",
    ),
    _endpoint("AWS_ENDPOINT_URL_S3", "Another endpoint for S3 only (over AWS_ENDPOINT_URL)."),
    _endpoint("AWS_ENDPOINT_URL_SQS", "Another endpoint for SQS only (over AWS_ENDPOINT_URL)."),
    _aws_secret(
        "AWS_ACCESS_KEY_ID",
        "AWS credentials; unset: the usual AWS chain (profile, instance or Lambda role).",
    ),
    _aws_secret("AWS_SECRET_ACCESS_KEY", "The secret of AWS_ACCESS_KEY_ID."),
    _aws_secret("AWS_SESSION_TOKEN", "A session token of temporary AWS credentials."),
    _aws("AWS_PROFILE", "A named profile of ~/.aws/config and ~/.aws/credentials to use."),
)

TMDB_API_KEY_SECRET: Setting[str | None] = Setting(
    "TMDB_API_KEY_SECRET",
    "aws",
    "On AWS: the Secrets Manager secret (name or ARN) holding the TMDB credential, as its plain "
    'text or as JSON {"TMDB_API_KEY": "..."}; read once per Lambda container. TMDB_API_KEY, '
    "when set, wins.",
    None,
    accepts="a Secrets Manager secret name or ARN (letters, digits and / _ + = . @ - :)",
    convert=to_text,
    check=lambda value: (
        value is not None and bool(re.fullmatch(r"[A-Za-z0-9/_+=.@:-]{1,2048}", value))
    ),
)
TMDB_API_KEY_PARAMETER: Setting[str | None] = Setting(
    "TMDB_API_KEY_PARAMETER",
    "aws",
    "On AWS: the SSM Parameter Store SecureString (name) holding the TMDB credential; read "
    "once per Lambda container. Used when TMDB_API_KEY and TMDB_API_KEY_SECRET are unset.",
    None,
    accepts="an SSM parameter name or ARN, e.g. /tmdb-collector/api-key (letters, digits and "
    "/ _ . - :)",
    convert=to_text,
    check=lambda value: (
        value is not None and bool(re.fullmatch(r"[A-Za-z0-9/_.:-]{1,2048}", value))
    ),
)
METRICS_NAMESPACE: Setting[str] = Setting(
    "METRICS_NAMESPACE",
    "aws",
    "The CloudWatch namespace of the Lambda functions' metrics (embedded metric format).",
    "TMDBCollector",
    accepts="a CloudWatch namespace: letters, digits and . - _ / # :, not starting with : or "
    "AWS/ (AWS's own)",
    convert=to_text,
    check=lambda value: (
        bool(re.fullmatch(r"[A-Za-z0-9.\-_/#:]{1,255}", value))
        and not value.startswith((":", "AWS/"))
    ),
)

METRICS_BY_KIND = _flag(
    "METRICS_BY_KIND",
    "aws",
    True,
    "Whether the Lambda functions' CloudWatch metrics have the record kind as a dimension "
    "(each published metric then becomes one series per kind; each series is billed).",
)
#: What the template's alarms watch: the fixed monthly cost of a deployment stays under $3.
DEFAULT_PUBLISHED = (
    "harvest_seconds",
    "harvest_errors",
    "collect_requests",
    "collect_rate_limited",
)


def _metric_names(raw: object) -> tuple[str, ...]:
    names = to_names(raw, nothing="names no metric; `all` publishes every one")
    if not names:
        raise ValueProblem("names no metric; `all` publishes every one")
    for name in names:
        if name != "all" and not re.fullmatch(r"[a-z][a-z0-9_]{0,250}", name):
            raise ValueProblem(f"{name!r} is no metric name (lower case, digits and _)")
    return names


METRICS_PUBLISHED: Setting[tuple[str, ...]] = Setting(
    "METRICS_PUBLISHED",
    "aws",
    "The metrics the Lambda functions publish to CloudWatch (as named there, e.g. "
    "collect_requests), or `all`. Each published metric is a billed series; the others stay in "
    "the same log line as plain fields, free, for Logs Insights. Unset: what the template's "
    "alarms watch.",
    DEFAULT_PUBLISHED,
    accepts="a comma-separated list of metric names, or all",
    convert=_metric_names,
    check=lambda names: bool(names) and all(isinstance(name, str) for name in names),
    show=",".join,
)

#: Every setting, in the order the docs and examples list them.
SETTINGS: tuple[Setting[object], ...] = cast(
    tuple[Setting[object], ...],
    (
        CONFIG_FILE,
        LOG_LEVEL,
        LOG_FORMAT,
        TMDB_API_KEY,
        TMDB_API_URL,
        TMDB_EXPORTS_URL,
        RATE_LIMIT_REQUESTS,
        COLLECTOR_CONCURRENCY,
        TMDB_REQUEST_TIMEOUT,
        TMDB_MAX_ATTEMPTS,
        FAKE_TMDB_API_KEY,
        SERVE_ACCESS_KEY,
        MEDIA_TYPES,
        ADULT,
        DELETE_MAX_SHARE,
        CONFIRM_DELETIONS,
        CHANGES_MAX_GAP_DAYS,
        REFRESH_PER_RUN,
        REFRESH_MIN_AGE_HOURS,
        IN_FLIGHT_EXPIRY_HOURS,
        HARVEST_TODAY,
        WORK_BATCH_SIZE,
        *APPENDS.values(),
        SEASON_DETAILS,
        EPISODE_DETAILS,
        MESSAGES_IN_FLIGHT,
        ITEMS_IN_FLIGHT,
        COLLECTOR_INSTANCES,
        HARVESTER_RATE,
        VISIBILITY_TIMEOUT,
        MAX_RECEIVES,
        RETRY_DELAY_SECONDS,
        TMDB_STORE,
        TMDB_QUEUE,
        SEGMENT_LIVE_FRACTION,
        SEGMENT_GRACE_SECONDS,
        SERVE_CHECK_SECONDS,
        *AWS_SETTINGS,
        TMDB_API_KEY_SECRET,
        TMDB_API_KEY_PARAMETER,
        METRICS_NAMESPACE,
        METRICS_BY_KIND,
        METRICS_PUBLISHED,
    ),
)
