"""The ObjectStore contract: every backend (local directory, memory, S3 on moto) passes it all.

Then open_object_store's parsing of locations, and how backend failures are reported.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

import pytest

from tmdb_collector.store import (
    MAX_KEY_BYTES,
    InvalidObjectKeyError,
    ObjectInfo,
    ObjectStore,
    StoreConfigurationError,
    StoreError,
    open_object_store,
)

from .conftest import MOTO_BUCKET, StoreCase

# Odd but valid: each must round-trip unchanged and stay a literal name inside the root.
ODD_KEYS = [
    "films/ünïcødé/日本語.bin",
    "emoji/🎬🍿",
    "a b+c=d&e",
    "%2e%2e/x",
    "%2F/escaped",
    "q?x=1",
    "frag#ment",
    "x/y#1a",
    "semi;colon,comma'quote\"",
    "tilde~/.hidden/..dots/...",
]

MALFORMED_KEYS = [
    "",
    "/",
    "..",
    ".",
    "../x",
    "a/../../x",
    "a/..",
    "./a",
    "a/./b",
    "/etc/passwd",
    "a//b",
    "a/",
    "a\\b",
    "..\\x",
    "a\x00b",
    "a\nb",
    "tab\tkey",
    "del\x7f",
    "c1\x85control",
    "\ud800surrogate",
    "x" * (MAX_KEY_BYTES + 1),
    "é" * 513,  # 1026 bytes in UTF-8
    "a/" + "s" * 256,
    "staging#1",
    "dir/file#42/child",
]


async def collect(store: ObjectStore, prefix: str = "") -> dict[str, ObjectInfo]:
    return {info.key: info async for info in store.list(prefix)}


# --- get, put, head ------------------------------------------------------------------------


async def test_absent_key_reads_as_none(store_case: StoreCase) -> None:
    assert await store_case.store.get("movie/1") is None
    assert await store_case.store.head("movie/1") is None


async def test_put_then_get_and_overwrite(store_case: StoreCase) -> None:
    store = store_case.store
    await store.put("movie/550", b"first")
    assert await store.get("movie/550") == b"first"
    await store.put("movie/550", b"second, longer")
    assert await store.get("movie/550") == b"second, longer"
    await store.put("movie/550", b"3")
    assert await store.get("movie/550") == b"3"


async def test_head_describes_the_object(store_case: StoreCase) -> None:
    store = store_case.store
    before = datetime.now().astimezone()
    await store.put("person/287", b"x" * 1234)
    info = await store.head("person/287")
    assert info is not None
    assert (info.key, info.size) == ("person/287", 1234)
    assert info.modified.tzinfo is not None
    # S3 keeps whole seconds; the local clock and moto's share this machine.
    assert info.modified.timestamp() >= int(before.timestamp()) - 1
    assert info.etag is None or isinstance(info.etag, str)
    await store.put("person/287", b"y" * 1234)
    changed = await store.head("person/287")
    assert changed is not None
    assert changed.etag != info.etag or info.etag is None


async def test_a_range_reads_exactly_its_bytes(store_case: StoreCase) -> None:
    """A segment's block is read with one ranged read (docs/storage.md, "Segments")."""
    store = store_case.store
    data = bytes(range(256)) * 40
    await store.put("segments/movie/s1.seg", data)
    assert await store.get_range("segments/movie/s1.seg", 0, 1) == data[:1]
    assert await store.get_range("segments/movie/s1.seg", 1000, 2345) == data[1000:3345]
    assert await store.get_range("segments/movie/s1.seg", len(data) - 7, 7) == data[-7:]
    assert await store.get_range("segments/movie/absent.seg", 0, 10) is None
    with pytest.raises(StoreError):
        await store.get_range("segments/movie/s1.seg", len(data) - 3, 10)  # past its end
    with pytest.raises(ValueError, match="a range"):
        await store.get_range("segments/movie/s1.seg", -1, 10)


async def test_empty_object_is_present_not_absent(store_case: StoreCase) -> None:
    store = store_case.store
    await store.put("empty", b"")
    assert await store.get("empty") == b""
    info = await store.head("empty")
    assert info is not None
    assert info.size == 0
    assert await store.create("empty-created", b"") is True
    assert await store.get("empty-created") == b""


async def test_binary_data_round_trips(store_case: StoreCase) -> None:
    data = bytes(range(256)) * 257 + b"\x00\r\n\x1a"
    await store_case.store.put("blob.bin", data)
    assert await store_case.store.get("blob.bin") == data


async def test_odd_but_valid_keys_round_trip_inside_the_root(store_case: StoreCase) -> None:
    store = store_case.store
    for index, key in enumerate(ODD_KEYS):
        await store.put(key, f"value {index}".encode())
    for index, key in enumerate(ODD_KEYS):
        assert await store.get(key) == f"value {index}".encode(), key
    assert set(await collect(store)) == set(ODD_KEYS)
    if store_case.root is not None:
        # A percent sign is a literal character, never decoded into a path step.
        assert (store_case.root / "%2e%2e" / "x").read_bytes() == b"value 3"
        assert sorted(p.name for p in store_case.root.parent.iterdir()) == ["root"]


async def test_concurrent_readers_never_see_a_torn_object(store_case: StoreCase) -> None:
    """Overwrites of a large object race with readers; each read is one whole version."""
    store = store_case.store
    size = 1024 * 1024 if store_case.name == "s3" else 4 * 1024 * 1024
    versions = [bytes([fill]) * size for fill in b"ab"]
    await store.put("big", versions[0])
    writing = True
    seen: list[bytes] = []

    async def reader() -> None:
        while writing:
            data = await store.get("big")
            assert data in versions, f"torn read: {len(data or b'')} bytes"
            seen.append(data[:1] if data else b"")

    readers = [asyncio.create_task(reader()) for _ in range(4)]
    for round_number in range(12):
        await store.put("big", versions[(round_number + 1) % 2])
    writing = False
    await asyncio.gather(*readers)
    assert seen


# --- create-only ---------------------------------------------------------------------------


async def test_create_writes_only_a_free_key(store_case: StoreCase) -> None:
    store = store_case.store
    assert await store.create("change/1", b"original") is True
    assert await store.create("change/1", b"intruder") is False
    assert await store.get("change/1") == b"original"
    await store.put("change/2", b"put first")
    assert await store.create("change/2", b"intruder") is False
    assert await store.get("change/2") == b"put first"
    await store.delete("change/1")
    assert await store.create("change/1", b"again") is True
    assert await store.get("change/1") == b"again"


async def test_concurrent_creates_have_exactly_one_winner(store_case: StoreCase) -> None:
    store = store_case.store
    for round_number in range(5):
        key = f"race/{round_number}"
        payloads = [f"writer {n}".encode() * 100 for n in range(16)]
        results = await asyncio.gather(*(store.create(key, payload) for payload in payloads))
        assert results.count(True) == 1, results
        assert await store.get(key) == payloads[results.index(True)]


# --- delete --------------------------------------------------------------------------------


async def test_delete_removes_only_its_key_and_is_idempotent(store_case: StoreCase) -> None:
    store = store_case.store
    for key in ("a/b", "a/bc", "a/b2/c"):
        await store.put(key, key.encode())
    await store.delete("a/b")
    assert await store.get("a/b") is None
    assert await store.head("a/b") is None
    await store.delete("a/b")
    await store.delete("never/written")
    assert set(await collect(store)) == {"a/bc", "a/b2/c"}


# --- list ----------------------------------------------------------------------------------


async def test_list_follows_segments_of_nested_prefixes(store_case: StoreCase) -> None:
    store = store_case.store
    keys = ["a/b/c", "a/b/d/e", "a/bc", "a/e", "ab", "z"]
    for key in keys:
        await store.put(key, b"12345")
    assert set(await collect(store)) == set(keys)
    assert set(await collect(store, "a")) == {"a/b/c", "a/b/d/e", "a/bc", "a/e"}
    assert set(await collect(store, "a/b")) == {"a/b/c", "a/b/d/e"}
    assert set(await collect(store, "a/b/")) == {"a/b/c", "a/b/d/e"}
    assert set(await collect(store, "a/b/d")) == {"a/b/d/e"}
    assert await collect(store, "nothing/here") == {}
    info = (await collect(store, "a"))["a/bc"]
    assert (info.size, info.modified.tzinfo is not None) == (5, True)


async def test_list_from_a_name_on_gives_only_the_keys_after_it(store_case: StoreCase) -> None:
    store = store_case.store
    keys = ["f/frags/0001-a", "f/frags/0002-a", "f/frags/0002-b", "f/frags/0003-a", "f/snap", "g/x"]
    for key in keys:
        await store.put(key, b"1")
    after = [info.key async for info in store.list("f", start_after="f/frags/0002")]
    assert sorted(after) == ["f/frags/0002-a", "f/frags/0002-b", "f/frags/0003-a", "f/snap"]
    after = [info.key async for info in store.list("f", start_after="f/frags/0002-b")]
    assert sorted(after) == ["f/frags/0003-a", "f/snap"]
    assert [i.key async for i in store.list("f", start_after="f/zzz")] == []
    with pytest.raises(InvalidObjectKeyError):
        [i async for i in store.list("f", start_after="../f")]


async def test_list_returns_every_key_across_pages(store_case: StoreCase) -> None:
    """More keys than one S3 page (1000) holds."""
    store = store_case.store
    keys = {f"many/{n // 100:02d}/{n:05d}" for n in range(1100)}
    limit = asyncio.Semaphore(32)

    async def put(key: str) -> None:
        async with limit:
            await store.put(key, key.encode())

    await asyncio.gather(*(put(key) for key in [*keys, "other/1", "manyx"]))
    listed = await collect(store, "many")
    assert set(listed) == keys
    assert all(info.size == len(key) for key, info in listed.items())
    assert len(await collect(store)) == 1102


async def test_an_empty_store_lists_nothing(store_case: StoreCase) -> None:
    assert await collect(store_case.store) == {}


# --- keys ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", MALFORMED_KEYS, ids=repr)
async def test_malformed_keys_are_rejected_before_the_backend(
    store_case: StoreCase, key: str
) -> None:
    store = store_case.store
    operations: list[Callable[[], Awaitable[object]]] = [
        lambda: store.get(key),
        lambda: store.head(key),
        lambda: store.put(key, b"escape"),
        lambda: store.create(key, b"escape"),
        lambda: store.delete(key),
    ]
    for operation in operations:
        with pytest.raises(InvalidObjectKeyError, match="object key"):
            await operation()
    if key not in ("", "a/"):  # valid listing prefixes: everything, and "a" with a slash
        with pytest.raises(InvalidObjectKeyError):
            await collect(store, key)
    assert await collect(store) == {}
    if store_case.root is not None:
        assert [p.name for p in store_case.root.parent.iterdir()] == ["root"]
        assert list(store_case.root.iterdir()) == []


async def test_a_key_that_is_not_a_string_is_rejected(store_case: StoreCase) -> None:
    with pytest.raises(InvalidObjectKeyError, match="must be a str, not bytes"):
        await store_case.store.get(b"movie/1")  # type: ignore[arg-type]


async def test_longest_key_and_segment_are_accepted(store_case: StoreCase) -> None:
    store = store_case.store
    key = "/".join(["s" * 255, "t" * 255, "é" * 100])  # 255 + 255 + 200 bytes + 2 slashes
    await store.put(key, b"long")
    assert await store.get(key) == b"long"
    assert set(await collect(store)) == {key}


async def test_error_message_says_what_is_wrong_and_what_a_key_looks_like() -> None:
    store = open_object_store("memory://")
    with pytest.raises(InvalidObjectKeyError) as caught:
        await store.get("a/../../x")
    message = str(caught.value)
    assert "'a/../../x'" in message
    assert "'..' segment" in message
    assert "relative '/'-separated paths" in message


# --- open_object_store ---------------------------------------------------------------------


def test_relative_path_is_a_local_directory_created_if_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_object_store("tmdb-data/nested")
    assert (tmp_path / "tmdb-data" / "nested").is_dir()
    assert store.url == (tmp_path / "tmdb-data" / "nested").resolve().as_uri()


async def test_absolute_path_and_file_url_open_the_same_directory(tmp_path: Path) -> None:
    by_path = open_object_store(str(tmp_path / "data dir"))
    by_url = open_object_store((tmp_path / "data dir").as_uri())  # percent-encodes the space
    assert by_path.url == by_url.url
    await by_path.put("k", b"v")
    assert await by_url.get("k") == b"v"
    assert (tmp_path / "data dir" / "k").read_bytes() == b"v"


async def test_each_memory_store_is_its_own() -> None:
    first, second = open_object_store("memory://"), open_object_store("memory://")
    await first.put("k", b"v")
    assert first.url == "memory://"
    assert await second.get("k") is None


@pytest.mark.parametrize(
    "location",
    ["gs://bucket/x", "https://example.com/x", "s3a://bucket", "memory://named", "S3:bucket"],
)
def test_unknown_forms_say_which_are_accepted(location: str) -> None:
    with pytest.raises(StoreConfigurationError, match=r"s3://bucket/prefix, or memory://"):
        open_object_store(location)


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("", "empty"),
        ("file://host/share", "three slashes"),
        ("s3://", "not an S3 bucket name"),
        ("s3://Bad_Bucket/x", "not an S3 bucket name"),
        ("s3://bucket/a/../b", "prefix of 's3://bucket/a/../b' is invalid"),
        ("s3://bucket/x?versionId=1", "query or fragment"),
    ],
)
def test_malformed_locations_are_explained(location: str, message: str) -> None:
    with pytest.raises(StoreConfigurationError, match=message):
        open_object_store(location, environ={})


@pytest.mark.parametrize("location", ["file:///data/x%00y", "/data/x\x00y", "relative\x00/dir"])
def test_a_nul_character_in_a_path_is_explained(location: str) -> None:
    """A file URL's %00 (or a TOML file's "\\u0000") was pathlib's "embedded null byte"."""
    with pytest.raises(StoreConfigurationError, match="contains a NUL character"):
        open_object_store(location)


def test_a_path_that_resolves_to_nothing_is_explained(tmp_path: Path) -> None:
    """pathlib's RuntimeError for a symbolic link loop or an unknown ~user was a traceback."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    # Python 3.13 resolves a loop without complaint; then mkdir meets it.
    with pytest.raises(StoreConfigurationError, match=r"names no directory|cannot create"):
        open_object_store(str(tmp_path / "a" / "store"))
    with pytest.raises(StoreConfigurationError, match="names no directory"):
        open_object_store("~no-such-user-here/store")


def test_credentials_in_a_location_are_refused_and_not_repeated() -> None:
    with pytest.raises(StoreConfigurationError) as caught:
        open_object_store("s3://AKIDEXAMPLE:s3cr3t@bucket/x", environ={})
    assert "AWS_ACCESS_KEY_ID" in str(caught.value)
    assert "s3cr3t" not in str(caught.value)
    assert "AKIDEXAMPLE" not in str(caught.value)
    with pytest.raises(StoreConfigurationError) as unknown:
        open_object_store("ftp://user:pa55@host/x")
    assert "pa55" not in str(unknown.value)


def test_a_file_in_the_way_of_the_directory_is_explained(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a directory")
    with pytest.raises(StoreConfigurationError, match="not a directory"):
        open_object_store(str(tmp_path / "data"))


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"AWS_ACCESS_KEY_ID": "AKID"}, "only one of AWS_ACCESS_KEY_ID"),
        ({"AWS_SECRET_ACCESS_KEY": "secret"}, "only one of AWS_ACCESS_KEY_ID"),
        ({"AWS_ENDPOINT_URL": "ftp://127.0.0.1:21"}, "not an http:// or https:// URL"),
        ({"AWS_ENDPOINT_URL": "http://user:pw@127.0.0.1"}, "without credentials"),
    ],
)
def test_incomplete_aws_environment_is_explained(environ: dict[str, str], message: str) -> None:
    with pytest.raises(StoreConfigurationError, match=message) as caught:
        open_object_store("s3://bucket/x", environ=environ)
    assert "pw@" not in str(caught.value)


async def test_s3_url_names_bucket_and_prefix_only(s3_environ: dict[str, str]) -> None:
    prefix = f"tests/{uuid.uuid4().hex}"
    store = open_object_store(f"s3://{MOTO_BUCKET}/{prefix}/", environ=s3_environ)
    assert store.url == f"s3://{MOTO_BUCKET}/{prefix}"
    assert open_object_store(f"s3://{MOTO_BUCKET}", environ=s3_environ).url == (
        f"s3://{MOTO_BUCKET}"
    )
    await store.put("k", b"v")
    # Keys are relative to the prefix, which is part of the object's name in the bucket.
    whole_bucket = open_object_store(f"s3://{MOTO_BUCKET}", environ=s3_environ)
    assert await whole_bucket.get(f"{prefix}/k") == b"v"
    assert [info.key async for info in store.list()] == ["k"]


async def test_s3_endpoint_for_s3_wins_over_the_general_one(s3_environ: dict[str, str]) -> None:
    environ = {
        **s3_environ,
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # discard port: nothing answers there
        "AWS_ENDPOINT_URL_S3": s3_environ["AWS_ENDPOINT_URL"],
    }
    store = open_object_store(f"s3://{MOTO_BUCKET}/tests/{uuid.uuid4().hex}", environ=environ)
    await store.put("k", b"v")
    assert await store.get("k") == b"v"


async def test_environ_defaults_to_the_process_environment(
    s3_environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in s3_environ.items():
        monkeypatch.setenv(name, value)
    store = open_object_store(f"s3://{MOTO_BUCKET}/tests/{uuid.uuid4().hex}")
    assert await store.create("k", b"v") is True
    assert os.environ["AWS_ENDPOINT_URL"] == s3_environ["AWS_ENDPOINT_URL"]


async def test_s3_key_budget_counts_the_prefix(s3_environ: dict[str, str]) -> None:
    store = open_object_store(f"s3://{MOTO_BUCKET}/p/q", environ=s3_environ)  # 'p/q/': 4 bytes
    longest = "/".join(["k" * 255] * 4)  # 1023 bytes: too long behind the prefix
    with pytest.raises(InvalidObjectKeyError, match="prefix leaves 1020 of the 1024 bytes"):
        await store.put(longest, b"v")
    await store.put(longest[:1020], b"v")


# --- failures ------------------------------------------------------------------------------


async def test_missing_bucket_is_a_store_error_naming_it(s3_environ: dict[str, str]) -> None:
    environ = {
        **s3_environ,
        "AWS_ACCESS_KEY_ID": "AKIDLEAKCHECK",
        "AWS_SECRET_ACCESS_KEY": "S3cr3t",
    }
    store = open_object_store("s3://no-such-bucket/pre", environ=environ)
    operations: list[Callable[[], Awaitable[object]]] = [
        lambda: store.get("k"),
        lambda: store.head("k"),  # S3 answers HEAD with a bare 404: not "absent"
        lambda: store.put("k", b"v"),
        lambda: store.create("k", b"v"),
        lambda: store.delete("k"),
        lambda: collect(store),
    ]
    for operation in operations:
        with pytest.raises(StoreError) as caught:
            await operation()
        message = str(caught.value)
        assert "bucket 'no-such-bucket' does not exist" in message
        assert "s3://no-such-bucket/pre" in message
        for secret in ("AKIDLEAKCHECK", "S3cr3t"):
            assert secret not in message
            assert secret not in repr(caught.value.__cause__)


async def test_local_key_that_is_also_a_directory_is_a_store_error(tmp_path: Path) -> None:
    store = open_object_store(str(tmp_path / "root"))
    await store.put("a", b"file")
    with pytest.raises(StoreError) as caught:
        await store.put("a/b", b"under a file")
    message = str(caught.value)
    assert "put 'a/b' in file://" in message
    assert "'a' and 'a/b' cannot both exist" in message


async def test_local_staging_files_are_not_objects(tmp_path: Path) -> None:
    """obstore writes `key#<n>` and renames it over `key`; a leftover one (a crash mid-write)
    is neither listed nor read."""
    store = open_object_store(str(tmp_path))
    await store.put("movie/1", b"whole")
    (tmp_path / "movie" / "1#7").write_bytes(b"half")
    assert set(await collect(store)) == {"movie/1"}
    assert await store.get("movie/1") == b"whole"


def test_store_repr_shows_only_the_url(s3_environ: dict[str, str]) -> None:
    environ = {**s3_environ, "AWS_SECRET_ACCESS_KEY": "S3cr3t"}
    store = open_object_store(f"s3://{MOTO_BUCKET}/x", environ=environ)
    assert repr(store) == f"ObstoreObjectStore('s3://{MOTO_BUCKET}/x')"
