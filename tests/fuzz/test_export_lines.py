"""Fuzzing the daily export parser (tmdb/_exports.py): gunzip and line split, then the lines.

Whatever the bytes of a file, the parser never raises: each line is an entry (the first with its
id), a duplicate, blank, or a malformed line counted and sampled with its number and reason. A
gzip stream that is not one is the one error, and a documented one (the download is retried).
Decoding a block of lines at once must agree with decoding them one by one.
"""

from __future__ import annotations

import gzip
import json
from typing import Any
from unittest import mock

from hypothesis import example, given
from hypothesis import strategies as st

from fuzz._support import outcome, values
from tmdb_collector.tmdb import _exports
from tmdb_collector.tmdb._exports import (
    ExportReport,
    _Block,
    _decode_block,
    _decode_line,
    _GzipLines,
    _TruncatedGzipError,
)
from tmdb_collector.tmdb._seen import SeenIds

REASONS = {"not valid JSON", "not a JSON object", "no positive integer id"}

# Small ids mostly: an id just under the bitmap's limit costs a 32 MiB bitmap per example.
ids = st.integers(-3, 50) | st.sampled_from([2**28, 2**63, 10**30]) | values
#: Lines as TMDB writes them, with other fields of any JSON value and ids of any type.
object_lines = st.builds(
    lambda id_, fields: json.dumps({"id": id_, **fields}).encode(),
    ids,
    st.dictionaries(st.text(max_size=6), values, max_size=3),
)
#: Pieces that break the one-json.loads-per-block shortcut: lines that pair up into JSON, braces
#: in strings, a BOM, UTF-16, deep nesting, stray carriage returns and NUL bytes.
tricky_lines = st.sampled_from(
    [
        b'{"id":1,"x":[0',
        b"0]}",
        b'{"id":1,"s":"a}',
        b'{b"}',
        b'{"id":6},{"id":7}',
        b'{"id":8,"name":"{braces}"}',
        b'{"id":10}\r',
        b' {"id":11} ',
        b"\xef\xbb\xbf{}",
        b'{"id":12,"name":"\\ud800"}',
        b"{\xff}",
        '{"id":13}'.encode("utf-16-le"),
        b'{"id":NaN}',
        b'{"id":1e400}',
        b'{"id":' + b"9" * 5000 + b"}",  # more digits than int() converts
        b"[" * 100_000,
        b"{" * 3000 + b"}" * 3000,
        b"null",
        b"",
        b"   ",
        b"\x00",
    ]
)
lines = (object_lines | tricky_lines | st.binary(max_size=20)).map(
    lambda line: line.replace(b"\n", b"")
)


def _same(left: list[object], right: list[object]) -> bool:
    # repr, not ==: NaN is not equal to itself, and -0.0 == 0.0 would hide a difference.
    return repr(left) == repr(right)


def _take(raw: bytes, limit: int) -> tuple[list[Any], ExportReport]:
    count = raw.count(b"\n")
    block, seen, report = _Block(1, raw, count, start=1), SeenIds(), ExportReport()
    entries = []
    while not block.done:
        entries.extend(block.take(limit, seen, report))
    return entries, report


@given(batch=st.lists(lines, min_size=1, max_size=8))
@example(batch=[b'{"id":1,"x":[0', b"0]}"])
@example(batch=['{"id":13}'.encode("utf-16-le"), b'{"id":13}'])
def test_any_lines_are_entries_duplicates_blanks_or_counted_malformed(batch: list[bytes]) -> None:
    """Budget: FUZZ_EXAMPLES (200) blocks of 1–8 lines; each is read at once and entry by entry
    (the per_entry path of ExportStream), and the two must agree."""
    raw = b"\n".join(batch) + b"\n"
    assert _same(_decode_block(raw, len(batch)), [_decode_line(line) for line in batch])

    entries, report = _take(raw, limit=2**62)
    one_by_one, per_entry = _take(raw, limit=1)
    assert [(e.id, repr(e.fields)) for e in entries] == [(e.id, repr(e.fields)) for e in one_by_one]
    assert repr(report) == repr(per_entry)

    blanks = sum(1 for line in batch if not line.strip())
    assert report.lines == len(batch)
    assert report.entries + report.duplicates + report.malformed + blanks == len(batch)
    assert len({entry.id for entry in entries}) == len(entries)
    for entry in entries:
        assert type(entry.id) is int
        assert entry.id > 0
        assert entry.fields["id"] == entry.id
    for sample in report.samples:
        assert sample.reason in REASONS
        assert 1 <= sample.line <= len(batch)


@given(
    data=st.binary(max_size=300) | st.builds(gzip.compress, st.binary(max_size=300)),
    cut=st.integers(0, 400),
    chunk=st.integers(1, 64),
)
def test_any_bytes_are_lines_or_a_gzip_error(data: bytes, cut: int, chunk: int) -> None:
    """Budget: FUZZ_EXAMPLES (200) byte strings, gzip or not, cut anywhere and fed in chunks:
    whole lines come out, or the documented gzip error (corrupt or truncated); nothing else."""
    data = data[:cut]
    splitter = _GzipLines()

    def split() -> list[bytes | None]:
        step = range(0, len(data), chunk)
        blocks = [block for at in step for block in splitter.feed(data[at : at + chunk])]
        return blocks + list(splitter.finish())

    blocks = outcome(split, _TruncatedGzipError)
    if isinstance(blocks, _TruncatedGzipError):
        assert str(blocks) in ("corrupt gzip data", "truncated gzip data")
        return
    for block in blocks:
        assert block is None or block.endswith(b"\n")


@given(
    text=st.lists(lines, max_size=10).map(b"\n".join),
    chunk=st.integers(1, 64),
    block_text=st.integers(1, 40),
    max_line=st.integers(1, 40),
)
def test_a_whole_gzip_file_gives_back_its_lines_however_it_is_chunked(
    text: bytes, chunk: int, block_text: int, max_line: int
) -> None:
    """Budget: FUZZ_EXAMPLES (200) files of up to 10 lines, in chunks of 1–64 bytes, with the
    text step and the line limit shrunk from 16 KiB and 1 MiB to 1–40 bytes, so that lines
    straddle steps and overlong lines occur: each line comes out whole, or as None (skipped as
    overlong) when it is longer than the limit."""
    data = gzip.compress(text)
    splitter = _GzipLines()
    with (
        mock.patch.object(_exports, "_BLOCK_TEXT", block_text),
        mock.patch.object(_exports, "_MAX_LINE", max_line),
    ):
        blocks = [
            block
            for start in range(0, len(data), chunk)
            for block in splitter.feed(data[start : start + chunk])
        ]
        blocks += list(splitter.finish())
    got: list[bytes | None] = []
    for block in blocks:
        got.extend([None] if block is None else block.split(b"\n")[:-1])
    expected = text.split(b"\n")
    if expected[-1] == b"":  # a file's last newline ends its last line; it starts none
        expected.pop()
    assert len(got) == len(expected)
    for line, original in zip(got, expected, strict=True):
        assert line == original or (line is None and len(original) > max_line)
