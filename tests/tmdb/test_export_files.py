import dataclasses
import gzip
import json
import random
from datetime import date

import pytest

from tmdb_collector.kinds import ADULT_EXPORT_NAMES, EXPORT_NAMES, Kind
from tmdb_collector.tmdb import EXPORT_FILE_NAMES, UnsupportedKindError, export_file_name
from tmdb_collector.tmdb._exports import (
    ExportEntry,
    ExportReport,
    _Block,
    _decode_block,
    _decode_line,
    _GzipLines,
    export_name,
)
from tmdb_collector.tmdb._seen import SeenIds


def test_file_names_follow_tmdb() -> None:
    assert export_file_name("movie", date(2026, 8, 7)) == "movie_ids_08_07_2026.json.gz"
    assert (
        export_file_name("adult_tv_series", date(2026, 12, 31))
        == "adult_tv_series_ids_12_31_2026.json.gz"
    )


def test_every_export_name_is_known() -> None:
    assert set(EXPORT_NAMES.values()) | set(ADULT_EXPORT_NAMES.values()) == EXPORT_FILE_NAMES


@pytest.mark.parametrize(
    ("given", "name"),
    [
        (Kind.TV, "tv_series"),
        ("tv", "tv_series"),
        ("company", "production_company"),
        ("adult_person", "adult_person"),
        ("movie", "movie"),
    ],
)
def test_kinds_map_to_export_names(given: Kind | str, name: str) -> None:
    assert export_name(given) == name
    assert type(export_name(given)) is str


@pytest.mark.parametrize("given", [Kind.TV_SEASON, "tv_episode", "films"])
def test_no_export_for_other_kinds(given: Kind | str) -> None:
    with pytest.raises(UnsupportedKindError, match="no export"):
        export_name(given)


def _lines_of(data: bytes, chunk: int) -> list[bytes | None]:
    splitter = _GzipLines()
    blocks: list[bytes | None] = []
    for offset in range(0, len(data), chunk):
        blocks.extend(splitter.feed(data[offset : offset + chunk]))
    blocks.extend(splitter.finish())
    lines: list[bytes | None] = []
    for block in blocks:
        # A block is whole lines, each ending in a newline; None is one overlong line.
        assert block is None or (block and block.endswith(b"\n"))
        lines.extend([None] if block is None else block.split(b"\n")[:-1])
    return lines


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_gzip_lines_whatever_the_chunking(chunk: int) -> None:
    body = b"\n".join(json.dumps({"id": i}).encode() for i in range(300))
    assert _lines_of(gzip.compress(body), chunk) == body.split(b"\n")


def test_concatenated_gzip_members_are_one_file() -> None:
    data = gzip.compress(b'{"id":1}\n{"id":2}\n') + gzip.compress(b'{"id":3}\n')
    assert _lines_of(data, 5) == [b'{"id":1}', b'{"id":2}', b'{"id":3}']


def test_a_truncated_gzip_is_noticed() -> None:
    data = gzip.compress(b'{"id":1}\n' * 1000)
    with pytest.raises(Exception, match="truncated"):
        _lines_of(data[: len(data) // 2], 64)


def test_an_endless_line_does_not_grow_memory() -> None:
    data = gzip.compress(b"x" * (3 * 1024 * 1024) + b'\n{"id":1}\n')
    assert _lines_of(data, 65536) == [None, b'{"id":1}']


def _take_all(raw: bytes, seen: SeenIds, report: ExportReport) -> list[ExportEntry]:
    block = _Block(1, raw, raw.count(b"\n"), start=1)
    return block.take(len(raw), seen, report)


def test_line_parsing_reports_malformed_and_duplicates() -> None:
    seen, report = SeenIds(), ExportReport()
    lines = [
        b'{"id":5,"name":"a"}',
        b"{oops",
        b"[1]",
        b'{"id":"5"}',
        b'{"id":true}',
        b'{"id":5}',
        b"",
        b"[" * 100_000,  # json.loads gives up with RecursionError, not ValueError
        b'{"id":6}',
    ]
    entries = _take_all(b"\n".join(lines) + b"\n", seen, report)
    assert entries == [ExportEntry(5, {"id": 5, "name": "a"}), ExportEntry(6, {"id": 6})]
    with pytest.raises(dataclasses.FrozenInstanceError):  # built by the fast path, still frozen
        entries[0].id = 7  # type: ignore[misc]
    assert (report.lines, report.entries, report.duplicates, report.malformed) == (9, 2, 1, 5)
    assert [(s.line, s.reason) for s in report.samples] == [
        (2, "not valid JSON"),
        (3, "not a JSON object"),
        (4, "no positive integer id"),
        (5, "no positive integer id"),
        (8, "not valid JSON"),
    ]
    assert report.samples[0].text == "{oops"


# Lines each invalid alone that would make valid JSON together, joined as an array:
PAIRS_THAT_MERGE = [
    [b'{"id":1,"x":[0', b"0]}"],
    [b'{"id":1,"x":[{}', b"{}]}"],
    [b'{"id":1,"s":"a}', b'{b"}'],
    [b'{"id":1', b'"x":2}'],
    [b'{"id":6},{"id":7}'],
]
FRAGMENTS = [
    b'{"adult":false,"id":7,"name":"Aki Kaurism\xc3\xa4ki","popularity":2.4825}',
    b'{"id":8,"name":"{braces}"}',
    b'{"id":9,"name":"[brackets]","tags":[1,{"a":[]}]}',
    b'{"id":10}\r',
    b' {"id":11} ',
    b"\xef\xbb\xbf{}",
    b"{\xff}",
    b'{"id":12,"name":"\\ud800"}',
    b"[1]",
    b"null",
    b"",
    b"   ",
    b"{}",
]


def test_decoding_a_block_at_once_agrees_with_decoding_line_by_line() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        lines = [
            line
            for _ in range(rng.randrange(1, 6))
            for line in rng.choice([*PAIRS_THAT_MERGE, *([fragment] for fragment in FRAGMENTS)])
        ]
        raw = b"\n".join(lines) + b"\n"
        assert _decode_block(raw, len(lines)) == [_decode_line(line) for line in lines], lines


def test_seen_ids_bitmap() -> None:
    seen = SeenIds()
    assert seen.add(3_000_000)
    assert seen.add(1)
    assert not seen.add(3_000_000)
    assert seen.add(1 << 40)  # past the bitmap: kept in a set instead of a huge bitmap
    assert not seen.add(1 << 40)
    assert 1 in seen
    assert 2 not in seen
    assert (1 << 40) in seen
    assert len(seen) == 3
    with pytest.raises(ValueError, match="negative"):
        seen.add(-1)
