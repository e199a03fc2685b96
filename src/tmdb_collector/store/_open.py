"""open_object_store: from a location a user typed (a path or a URL) to an ObjectStore."""

from __future__ import annotations

import atexit
import functools
import os
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, unquote, urlsplit

from obstore.store import LocalStore, MemoryStore, S3Store

from tmdb_collector.store._errors import (
    InvalidObjectKeyError,
    StoreConfigurationError,
    StoreNotFoundError,
)
from tmdb_collector.store._keys import MAX_KEY_BYTES, validate_object_key
from tmdb_collector.store._objects import (
    LocalObjectStore,
    ObjectStore,
    ObstoreObjectStore,
    StoreLocation,
)

if TYPE_CHECKING:
    from obstore.store import S3Config

__all__ = ["MEMORY_URL", "check_store_location", "open_object_store"]

MEMORY_URL = "memory://"

_ACCEPTED = (
    "a directory path (e.g. ./tmdb-data), file:///absolute/path, s3://bucket or "
    "s3://bucket/prefix, or memory://"
)
# Two or more letters before ':' make a URL scheme; one letter is a Windows drive ("C:\data").
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")
# AWS's rules for bucket names (3-63 lowercase letters, digits, dots and hyphens).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# obstore's tokio threads wake the asyncio loop from outside Python. One still doing so when the
# interpreter finalizes is killed inside Rust, which aborts the process (exit status 134) after
# a run that succeeded. Pausing at exit lets those threads finish (tests/store/test_exit.py).
# Upstream: PyO3/pyo3-async-runtimes#40 (no shutdown API yet); drop this once obstore has one.
_EXIT_GRACE_SECONDS = 0.05


def open_object_store(
    location: str, *, environ: Mapping[str, str] = os.environ, create: bool = True
) -> ObjectStore:
    """The object store at `location`; see docs/storage.md, "Object stores".

    - a path (relative or absolute) or file:///absolute/path: a local directory, created if
      missing (unless ``create`` is false: then StoreNotFoundError);
    - s3://bucket[/prefix]: S3, configured from the AWS variables in `environ`;
    - memory://: a new, empty store in this process's memory.

    Raises StoreConfigurationError for anything else, saying which forms are accepted.
    """
    _settle_runtime_at_exit()
    match _scheme(location):
        case None:
            return _local_store(Path(location), create=create)
        case "file":
            return _local_store(_file_url_path(location), create=create)
        case "s3":
            return _s3_store(location, environ)
        case "memory" if location.lower() == MEMORY_URL:
            return _memory_store()
        case _:
            raise _unsupported(location)


def check_store_location(location: str) -> str:
    """``location`` itself when it is a form ``open_object_store`` takes, else
    StoreConfigurationError — without opening, creating or reaching anything."""
    match _scheme(location):
        case None:
            if "\x00" in location:
                raise StoreConfigurationError(
                    f"the store location {location!r} contains a NUL character, which no path "
                    "can hold"
                )
        case "file":
            _file_url_path(location)
        case "s3":
            parts = urlsplit(location)
            _s3_bucket(parts)
            _s3_prefix(parts)
        case "memory" if location.lower() == MEMORY_URL:
            pass
        case _:
            raise _unsupported(location)
    return location


@functools.cache  # once per process: atexit would run each registration
def _settle_runtime_at_exit() -> None:
    atexit.register(time.sleep, _EXIT_GRACE_SECONDS)


def _scheme(location: str) -> str | None:
    if not location:
        raise StoreConfigurationError(f"the store location is empty: use {_ACCEPTED}")
    match = _SCHEME.match(location)
    if match is None:
        return None
    if not location[match.end() :].startswith("//"):  # "s3:bucket" is a typo, not a directory
        raise _unsupported(location)
    return match.group(1).lower()


def _unsupported(location: str) -> StoreConfigurationError:
    return StoreConfigurationError(
        f"unsupported store location {_redacted(location)!r}: use {_ACCEPTED}"
    )


def _redacted(location: str) -> str:
    """The location without anything between '://' and '@', where URLs carry credentials."""
    return re.sub(r"://[^/]*@", "://<redacted>@", location)


def _memory_store() -> ObjectStore:
    location = StoreLocation(
        url=MEMORY_URL,
        access_hint="The memory store never refuses access; this is a bug.",
        failure_hint="The memory store does not fail; this is a bug.",
    )
    return ObstoreObjectStore(MemoryStore(), location)


def _file_url_path(location: str) -> Path:
    parts = urlsplit(location)
    if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
        raise StoreConfigurationError(
            f"{location!r} is not a local file URL: write file:///absolute/path (three slashes)"
        )
    return Path(unquote(parts.path))


def _local_store(path: Path, *, create: bool = True) -> ObjectStore:
    root = _local_root(path)
    if not create and not root.is_dir():
        raise StoreNotFoundError(
            f"there is no store at {root}: check --store (TMDB_STORE); `tmdb-collector mirror` "
            "creates one"
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise StoreConfigurationError(
            f"the store location {root} exists but is not a directory: choose another path"
        ) from exc
    except OSError as exc:
        raise StoreConfigurationError(
            f"cannot create the store directory {root}: {exc.strerror}. Check that the parent "
            "directory exists and is writable by this process."
        ) from exc
    location = StoreLocation(
        url=root.as_uri(),
        access_hint="Check that this process may read and write the directory and its files.",
        failure_hint=(
            "Check that the directory's file system is mounted, writable and not full, and "
            "that no key is also the first part of another (on disk 'a' and 'a/b' cannot both "
            "exist)."
        ),
    )
    return LocalObjectStore(LocalStore(root), location, root)


def _local_root(path: Path) -> Path:
    """``path`` made absolute, or StoreConfigurationError saying why it names no directory."""
    if "\x00" in str(path):
        # No file name holds one; a file URL's %00 or a TOML file's "\u0000" can bring it here.
        raise StoreConfigurationError(
            f"the store location {str(path)!r} contains a NUL character, which no path can "
            "hold: fix --store (TMDB_STORE)"
        )
    try:
        return path.expanduser().resolve()
    except RuntimeError as exc:  # "~nobody" (no such user), a symbolic link loop
        raise StoreConfigurationError(
            f"the store location {str(path)!r} names no directory ({str(exc).rstrip('.')}): "
            "fix --store (TMDB_STORE)"
        ) from None
    except OSError as exc:
        raise StoreConfigurationError(
            f"the store location {str(path)!r} cannot be resolved ({exc.strerror or exc}): "
            "fix --store (TMDB_STORE)"
        ) from None


def _s3_store(location: str, environ: Mapping[str, str]) -> ObjectStore:
    parts = urlsplit(location)
    bucket, prefix = _s3_bucket(parts), _s3_prefix(parts)
    config = _s3_config(environ)
    endpoint = config.get("endpoint", "")
    url = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
    store_location = StoreLocation(
        url=url,
        bucket=bucket,
        max_key_bytes=MAX_KEY_BYTES - len(f"{prefix}/".encode()) if prefix else MAX_KEY_BYTES,
        access_hint=(
            "Check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, "
            "or the role this process runs as) and that their policy allows s3:GetObject, "
            f"s3:PutObject, s3:DeleteObject and s3:ListBucket on {bucket}."
        ),
        failure_hint=(
            f"Check the network, AWS_REGION (now {config.get('region', 'not set')}) and "
            f"AWS_ENDPOINT_URL (now {endpoint or 'not set: AWS itself'})."
        ),
        secrets=_secrets(config),
    )
    backend = S3Store(
        bucket,
        prefix=prefix or None,
        config=config,
        # obstore refuses plain HTTP unless told; only a local endpoint (moto, MinIO) uses it.
        client_options={"allow_http": endpoint.startswith("http://")},
    )
    return ObstoreObjectStore(backend, store_location)


def _s3_bucket(parts: SplitResult) -> str:
    if "@" in parts.netloc:
        raise StoreConfigurationError(
            "an s3:// location must not carry credentials: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY in the environment instead"
        )
    if parts.query or parts.fragment:
        raise StoreConfigurationError(
            f"s3 location {parts.geturl()!r} has a query or fragment: write s3://bucket/prefix"
        )
    if not _BUCKET.fullmatch(parts.netloc):
        raise StoreConfigurationError(
            f"{parts.netloc!r} is not an S3 bucket name (3-63 lowercase letters, digits, dots "
            "and hyphens): write s3://bucket or s3://bucket/prefix"
        )
    return parts.netloc


def _s3_prefix(parts: SplitResult) -> str:
    prefix = parts.path.strip("/")
    if not prefix:
        return ""
    try:
        return validate_object_key(prefix)
    except InvalidObjectKeyError as exc:
        raise StoreConfigurationError(
            f"the prefix of {parts.geturl()!r} is invalid: {exc}"
        ) from exc


def _s3_config(environ: Mapping[str, str]) -> S3Config:
    # "etag" (If-None-Match: *) is obstore's default today; set here because create() depends on
    # it, and so that an AWS_CONDITIONAL_PUT in the environment cannot turn it into something else.
    config: S3Config = {"conditional_put": "etag"}
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if region:
        config["region"] = region
    endpoint = environ.get("AWS_ENDPOINT_URL_S3") or environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        config["endpoint"] = _checked_endpoint(endpoint)
    key_id, secret = environ.get("AWS_ACCESS_KEY_ID"), environ.get("AWS_SECRET_ACCESS_KEY")
    if bool(key_id) != bool(secret):
        raise StoreConfigurationError(
            "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set: set both, or "
            "neither to use the role this process runs as"
        )
    if key_id and secret:
        config["access_key_id"], config["secret_access_key"] = key_id, secret
        if token := environ.get("AWS_SESSION_TOKEN"):
            config["session_token"] = token
    return config


def _checked_endpoint(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise StoreConfigurationError(
            f"AWS_ENDPOINT_URL {_redacted(endpoint)!r} is not an http:// or https:// URL "
            "without credentials, e.g. http://127.0.0.1:5000"
        )
    return endpoint


def _secrets(config: S3Config) -> tuple[str, ...]:
    values = (config.get(name) for name in ("access_key_id", "secret_access_key", "session_token"))
    return tuple(value for value in values if isinstance(value, str) and value)
