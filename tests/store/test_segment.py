"""Segments (store/_segment.py): many versions in one object, read one at a time by a ranged
read of their block, or all in order; self-describing when the directory is lost, and a damaged
block loses only its own records."""

from __future__ import annotations

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from tmdb_collector.fake import with_every_block
from tmdb_collector.fake.synthetic import SyntheticCatalog
from tmdb_collector.kinds import EXPORT_KINDS, JSONObject, Kind, RecordKey
from tmdb_collector.schema import CorruptRecordError, RecordCodec
from tmdb_collector.store import open_object_store
from tmdb_collector.store._segment import (
    MAGIC,
    CorruptSegmentError,
    block_records,
    build_segment,
    read_directory,
    record_in_block,
    scan_segment,
)

CODEC = RecordCodec()
CATALOG = SyntheticCatalog(dict.fromkeys(EXPORT_KINDS, 40), seed=11)


def movies(count: int = 40) -> list[tuple[RecordKey, JSONObject, bytes]]:
    """Real stored Records (serialized, uncompressed) of the synthetic catalog's movies, the
    last one deleted (a tombstone)."""
    out = []
    for movie_id in range(1, count + 1):
        key = RecordKey(Kind.MOVIE, movie_id)
        document = with_every_block(CATALOG, key)
        if document is None:
            continue
        encoded = CODEC.encode(
            key, document, fetched_at_ms=1_796_000_000_000 + movie_id, path=f"/3/movie/{movie_id}"
        )
        out.append((key, document, CODEC.decompress(encoded.data)))
    key = out[-1][0]
    tombstone = CODEC.encode_tombstone(
        key, deleted_at_ms=1_796_100_000_000, reason="404 on fetch", last_content_hash=b"\x01" * 32
    )
    out.append((key, {}, CODEC.decompress(tombstone.data)))
    return out


RECORDS = movies()


def test_each_version_is_read_alone_by_a_ranged_read_of_its_block() -> None:
    data, entries = build_segment(Kind.MOVIE, [raw for *_, raw in RECORDS], CODEC, block_records=16)
    assert data.startswith(MAGIC)
    kind, blocks = read_directory(data)
    assert kind is Kind.MOVIE
    assert [(b.offset, b.length) for b in blocks] == sorted({(e.offset, e.length) for e in entries})
    assert sum(b.records for b in blocks) == len(entries) == len(RECORDS)
    # A block closes at 16 records (here; BLOCK_RECORDS by default) or 2 MiB of records,
    # whichever comes first.
    sizes: dict[int, list[int]] = {}
    for entry, (*_, raw) in zip(entries, RECORDS, strict=True):
        sizes.setdefault(entry.offset, []).append(len(raw))
    assert all(len(block) <= 16 for block in sizes.values())
    assert all(sum(block[:-1]) <= 2 * 1024 * 1024 for block in sizes.values())
    assert len(sizes) >= -(-len(RECORDS) // 16)
    assert len(sizes) > 1
    for entry, (key, document, raw) in zip(entries, RECORDS, strict=True):
        assert (entry.kind, entry.key) == (Kind.MOVIE, str(key.id))
        frame = data[entry.offset : entry.offset + entry.length]
        assert record_in_block(frame, entry.ordinal, CODEC) == raw
        record = CODEC.decode_raw(raw)
        assert entry.content_hash == record.content_hash
        assert entry.fetched_at_ms == record.fetched_at_ms
        assert entry.deleted == (record.WhichOneof("payload") == "tombstone")
        if not entry.deleted:
            assert CODEC.to_json(record) == document
    assert [entry.deleted for entry in entries] == [False] * (len(RECORDS) - 1) + [True]


async def test_a_block_is_one_ranged_read_on_every_store(tmp_path: object) -> None:
    objects = open_object_store("memory://")
    data, entries = build_segment(Kind.MOVIE, [raw for *_, raw in RECORDS], CODEC)
    await objects.put("segments/movie/one.seg", data)
    entry = entries[20]
    frame = await objects.get_range("segments/movie/one.seg", entry.offset, entry.length)
    assert frame is not None
    assert record_in_block(frame, entry.ordinal, CODEC) == RECORDS[20][2]


def test_blocks_are_compressed_together_smaller_than_records_alone() -> None:
    raws = [raw for *_, raw in RECORDS]
    data, _ = build_segment(Kind.MOVIE, raws, CODEC)
    alone = sum(len(CODEC.compress(Kind.MOVIE, raw)) for raw in raws)
    assert len(data) < 0.85 * alone


def test_a_scan_reads_every_version_in_order() -> None:
    data, entries = build_segment(Kind.MOVIE, [raw for *_, raw in RECORDS], CODEC)
    scan = scan_segment(data, CODEC)
    assert scan.directory_ok
    assert scan.damaged == []
    assert [entry for entry, _ in scan.records] == entries
    assert [raw for _, raw in scan.records] == [raw for *_, raw in RECORDS]


def test_without_its_directory_a_segment_still_names_and_gives_every_version() -> None:
    data, entries = build_segment(Kind.MOVIE, [raw for *_, raw in RECORDS], CODEC)
    lost_trailer = data[:-5]  # the directory cannot be found
    with pytest.raises(CorruptSegmentError, match="truncated or damaged segment"):
        read_directory(lost_trailer)
    scan = scan_segment(lost_trailer, CODEC)
    assert not scan.directory_ok
    assert [entry for entry, _ in scan.records] == entries
    garbled = bytearray(data)
    directory_at = int.from_bytes(data[-16:-8], "little")
    garbled[directory_at + 20] ^= 0xFF
    scan = scan_segment(bytes(garbled), CODEC)
    assert not scan.directory_ok
    assert [entry for entry, _ in scan.records] == entries


def test_a_damaged_block_loses_only_its_own_records() -> None:
    data, entries = build_segment(Kind.MOVIE, [raw for *_, raw in RECORDS], CODEC, block_records=8)
    second = sorted({entry.offset for entry in entries})[1]
    garbled = bytearray(data)
    garbled[second + 200] ^= 0xFF
    scan = scan_segment(bytes(garbled), CODEC)
    lost = [entry for entry in entries if entry.offset == second]
    assert [entry for entry, _ in scan.records] == [e for e in entries if e.offset != second]
    [damage] = scan.damaged  # where it is; the index names the versions it held
    assert f"the block at byte {second} ({lost[0].length} bytes)" in damage
    with pytest.raises(CorruptSegmentError, match="a damaged block"):
        block_records(bytes(garbled[second : second + lost[0].length]), CODEC)


def test_a_point_read_never_gives_other_bytes_than_were_written() -> None:
    # A point read decompresses its block only up to its record, so the frame's checksum is
    # not reached: the record's own content hash stands in, and the whole block decides when
    # it fails. Whatever byte of the block is garbled, a read gives the record or an error.
    data, entries = build_segment(Kind.MOVIE, [raw for *_, raw in RECORDS[:6]], CODEC)
    [offset] = {entry.offset for entry in entries}
    length = entries[0].length
    outcomes = set()
    for place in range(0, length, max(1, length // 97)):
        garbled = bytearray(data[offset : offset + length])
        garbled[place] ^= 0x55
        for entry, (*_, raw) in zip(entries, RECORDS[:6], strict=True):
            try:
                outcomes.add(record_in_block(bytes(garbled), entry.ordinal, CODEC) == raw)
            except CorruptSegmentError:
                outcomes.add("error")
    assert outcomes == {True, "error"}


def test_a_record_is_checked_against_its_content_hash() -> None:
    for *_, raw in RECORDS[:3] + RECORDS[-1:]:  # records and a tombstone
        assert CODEC.intact(raw)
        garbled = bytearray(raw)
        garbled[len(raw) // 2] ^= 0x01
        assert not CODEC.intact(bytes(garbled))
    assert not CODEC.intact(b"")
    assert not CODEC.intact(RECORDS[0][2][:-10])


def test_large_blocks_are_compressed_without_the_dictionary() -> None:
    # A trained dictionary helps small inputs and hurts large ones (DICTIONARY_BELOW).
    small = CODEC.compress(Kind.MOVIE, RECORDS[0][2])
    large = CODEC.compress(Kind.MOVIE, b"".join(raw for *_, raw in RECORDS) * 2)
    assert zstandard.get_frame_parameters(small).dict_id != 0
    assert zstandard.get_frame_parameters(large).dict_id == 0
    assert CODEC.decompress(large) == b"".join(raw for *_, raw in RECORDS) * 2


def test_a_truncated_segment_gives_its_whole_blocks() -> None:
    data, entries = build_segment(Kind.MOVIE, [raw for *_, raw in RECORDS], CODEC, block_records=8)
    third = sorted({entry.offset for entry in entries})[2]
    scan = scan_segment(data[: third + 10], CODEC)
    assert [entry for entry, _ in scan.records] == [e for e in entries if e.offset < third]
    assert any("runs past the segment's end" in damage for damage in scan.damaged)


def test_what_is_not_a_segment_is_named() -> None:
    with pytest.raises(CorruptSegmentError, match="not a tmdb-collector segment"):
        read_directory(b"PAR1" + b"\x00" * 40)
    scan = scan_segment(b"{}", CODEC)
    assert scan.records == []
    assert scan.damaged == ["not a tmdb-collector segment (no magic number)"]


def test_a_segment_holds_one_kind() -> None:
    person = RecordKey(Kind.PERSON, 1)
    document = with_every_block(CATALOG, person)
    assert document is not None
    raw = CODEC.decompress(CODEC.encode(person, document, fetched_at_ms=1, path="/3/person/1").data)
    with pytest.raises(CorruptRecordError, match="a person record in a segment of movie"):
        build_segment(Kind.MOVIE, [RECORDS[0][2], raw], CODEC)


@settings(max_examples=30, deadline=None)
@given(
    picks=st.lists(st.integers(0, len(RECORDS) - 1), max_size=25),
    block_records_=st.integers(1, 20),
    block_bytes=st.integers(1, 200_000),
)
def test_any_batch_and_block_size_round_trips(
    picks: list[int], block_records_: int, block_bytes: int
) -> None:
    raws = [RECORDS[i][2] for i in picks]
    data, entries = build_segment(
        Kind.MOVIE, raws, CODEC, block_records=block_records_, block_bytes=block_bytes
    )
    assert sum(block.records for block in read_directory(data)[1]) == len(entries)
    assert [raw for _, raw in scan_segment(data, CODEC).records] == raws
    for entry, raw in zip(entries, raws, strict=True):
        frame = data[entry.offset : entry.offset + entry.length]
        assert record_in_block(frame, entry.ordinal, CODEC) == raw
