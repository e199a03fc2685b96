"""Fuzzing id and key parsing: ``RecordKey.parse``, the CLI's ``--id`` and TMDB's ``/3/`` paths.

Whatever text comes in, it is either a key whose text form parses back to the same key, or the
documented error with a message a user can act on (InvalidKeyError; click's BadParameter naming
``--id``; TMDB's 404 envelope for a path) — never another exception.
"""

from __future__ import annotations

import click
from hypothesis import example, given
from hypothesis import strategies as st

from fuzz._support import outcome
from tmdb_collector.cli._options import parse_key
from tmdb_collector.kinds import InvalidKeyError, Kind, RecordKey
from tmdb_collector.tmdbapi import ErrorAnswer, RecordRoute, parse_api_path

KINDS = [kind.value for kind in Kind]

#: One part of a key: digits (some with leading zeros, some past 12 digits), and the near misses
#: a user types — signs, spaces, decimals, exponents, non-ASCII digits, nothing at all.
key_parts = (
    st.integers(0, 10**13).map(str)
    | st.integers(0, 10**6).map(lambda n: f"00{n}")
    | st.sampled_from(["", " 1", "1 ", "+1", "-1", "1.0", "1e3", "٣", "²", "0x1f", "1_000", "∞"])
    | st.text(max_size=4)
)
#: Key text: parts joined by slashes as keys are written, or any text at all.
key_texts = st.lists(key_parts, min_size=1, max_size=4).map("/".join) | st.text(max_size=30)
#: A kind as typed: the real names, in other cases, and anything.
kind_texts = (
    st.sampled_from(KINDS)
    | st.sampled_from(["Movie", "TV", "", "tv-season"])
    | st.text(max_size=10)
)
#: Keys of every kind, valid by construction.
record_keys = st.builds(
    lambda kind, numbers: RecordKey(
        kind, numbers[0], *numbers[1 : {Kind.TV_SEASON: 2, Kind.TV_EPISODE: 3}.get(kind, 1)]
    ),
    st.sampled_from(list(Kind)),
    st.tuples(st.integers(1, 10**12 - 1), st.integers(0, 10**12 - 1), st.integers(0, 10**12 - 1)),
)


@given(kind=kind_texts, text=key_texts)
@example(kind="tv_episode", text="1399/1/1")
@example(kind="movie", text="0")
@example(kind="movie", text="999999999999")
@example(kind="tv_season", text="1/" + "9" * 13)
@example(kind="movie", text="\ud800")
def test_any_text_is_a_key_that_reads_back_or_an_invalid_key_error(kind: str, text: str) -> None:
    """Budget: FUZZ_EXAMPLES (200) examples of arbitrary kind and key text."""
    key = outcome(lambda: RecordKey.parse(kind, text), InvalidKeyError)
    if isinstance(key, InvalidKeyError):
        assert str(key)
        return
    assert key.kind == Kind(kind)
    assert RecordKey.parse(kind, str(key)) == key
    assert int(text.split("/", 1)[0]) == key.id  # the same numbers, leading zeros aside


@given(key=record_keys)
def test_every_key_parses_back_from_its_text(key: RecordKey) -> None:
    """Budget: FUZZ_EXAMPLES (200) keys of every kind; ids up to RecordKey.parse's 12 digits."""
    assert RecordKey.parse(key.kind, str(key)) == key
    assert RecordKey.parse(key.kind.value, str(key)) == key


@given(kind=st.sampled_from(KINDS), text=key_texts)
def test_the_cli_id_option_gives_a_key_or_a_usage_error_naming_it(kind: str, text: str) -> None:
    """Budget: FUZZ_EXAMPLES (200) examples of ``--id`` text for each --type a user can pass."""
    key = outcome(lambda: parse_key(kind, text), click.BadParameter)
    if isinstance(key, click.BadParameter):
        message = key.format_message()
        assert "--id" in message
        assert message.split(":", 1)[-1].strip()  # and why
        return
    assert key == RecordKey.parse(kind, text)


#: /3/ paths: the shapes TMDB serves, with parts a client could send in their place.
api_paths = st.lists(
    st.sampled_from([*KINDS, "tv", "season", "episode", "changes", "configuration", "credits"])
    | st.sampled_from(["watch", "providers", "watch/providers", ""])
    | key_parts,
    max_size=7,
).map(lambda parts: "/3/" + "/".join(parts)) | st.text(max_size=40)


@given(path=api_paths)
@example(path="/3/tv/1399/season/1/episode/1/credits")
@example(path="/3/movie/550/watch/providers")
@example(path="/3/tv/1399/season/1/episode")
def test_any_api_path_is_a_route_that_reads_back_or_tmdbs_404(path: str) -> None:
    """Budget: FUZZ_EXAMPLES (200) examples of ``/3/`` paths a client could request."""
    route = outcome(lambda: parse_api_path(path), ErrorAnswer)
    if isinstance(route, ErrorAnswer):
        assert (route.status, route.code) in ((404, 6), (404, 34))
        return
    if isinstance(route, RecordRoute):
        again = route.key.api_path + (f"/{route.sub}" if route.sub else "")
        assert parse_api_path(again) == route
