import pytest

from tmdb_collector.kinds import InvalidKeyError, Kind, RecordKey, season_append_number


@pytest.mark.parametrize(
    ("kind", "spec", "path"),
    [
        ("movie", "550", "/3/movie/550"),
        ("tv_season", "1399/1", "/3/tv/1399/season/1"),
        ("tv_episode", "1399/0/12", "/3/tv/1399/season/0/episode/12"),
        ("company", "1", "/3/company/1"),
    ],
)
def test_parse_round_trips(kind: str, spec: str, path: str) -> None:
    key = RecordKey.parse(kind, spec)
    assert str(key) == spec
    assert key.api_path == path


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("movie", "0"),
        ("movie", "-1"),
        ("movie", "../x"),
        ("movie", "1/2"),
        ("tv_season", "1399"),
        ("tv_episode", "1399/1"),
        ("movie", "٣"),  # a non-ASCII digit is still not an id
        ("film", "550"),
    ],
)
def test_parse_rejects_malformed(kind: str, spec: str) -> None:
    with pytest.raises(InvalidKeyError):
        RecordKey.parse(kind, spec)


def test_kinds_have_separate_id_spaces() -> None:
    assert RecordKey(Kind.MOVIE, 550) != RecordKey(Kind.TV, 550)


@pytest.mark.parametrize(
    ("item", "number"),
    [("season/0", 0), ("season/12", 12), ("season/٣", None), ("season/", None), ("credits", None)],
)
def test_season_append_numbers_are_ascii_digits_only(item: str, number: int | None) -> None:
    assert season_append_number(item) == number


def test_a_too_long_id_says_what_the_limit_is() -> None:
    with pytest.raises(InvalidKeyError, match=r"has 15 digits; .* at most 12"):
        RecordKey.parse("movie", "999999999999999")
