"""Object keys: the one place that decides which strings may address an object.

Validation happens before any backend is called, so that no key can reach outside the store's
root, and so that the three backends accept exactly the same keys (each of them alone would
accept a different set: obstore strips a leading '/' and keeps backslashes, and the local
directory store alone rejects names of its staging files).
"""

from __future__ import annotations

import re
import unicodedata

from tmdb_collector.store._errors import InvalidObjectKeyError

__all__ = ["MAX_KEY_BYTES", "MAX_SEGMENT_BYTES", "validate_object_key", "validate_prefix"]

#: S3's limit for a key; the local directory store also keeps whole keys below PATH_MAX.
MAX_KEY_BYTES = 1024
#: NAME_MAX of common filesystems (ext4, APFS, NTFS): a longer segment fails only on local disk.
MAX_SEGMENT_BYTES = 255

# obstore's local directory store writes `name#<n>` as the staging file of `name`, refuses such
# names as keys and hides them from listings; forbidding them everywhere keeps backends alike.
_STAGING_NAME = re.compile(r"#[0-9]+\Z")

_EXAMPLE = "keys are relative '/'-separated paths such as 'movie/550/record.bin'"


def validate_object_key(key: object, *, max_bytes: int = MAX_KEY_BYTES) -> str:
    """Return `key` if it is a valid object key, else raise InvalidObjectKeyError saying why.

    A key is a str of at most MAX_KEY_BYTES UTF-8 bytes made of non-empty '/'-separated
    segments; no segment is '.' or '..', longer than MAX_SEGMENT_BYTES, or ends in '#' and
    digits; no leading '/', backslash or control character. A store whose keys share a
    prefix (S3 counts it in its limit) passes the smaller `max_bytes` left to its keys.
    """
    if not isinstance(key, str):
        raise InvalidObjectKeyError(f"an object key must be a str, not {type(key).__name__}")
    problem = _key_problem(key) or _budget_problem(key, max_bytes)
    if problem is not None:
        raise InvalidObjectKeyError(f"invalid object key {_shown(key)}: {problem}; {_EXAMPLE}")
    return key


def validate_prefix(prefix: object, *, max_bytes: int = MAX_KEY_BYTES) -> str:
    """Return the listing prefix `prefix` without a trailing '/': '' (everything) or a key."""
    if prefix == "":
        return ""
    if isinstance(prefix, str) and prefix.endswith("/"):
        prefix = prefix[:-1]
    return validate_object_key(prefix, max_bytes=max_bytes)


def _key_problem(key: str) -> str | None:
    checks = (_size_problem, _character_problem, _segments_problem)
    return next(filter(None, (check(key) for check in checks)), None)


def _size_problem(key: str) -> str | None:
    if not key:
        return "it is empty"
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        return "it is not valid Unicode (it contains a lone surrogate)"
    if size > MAX_KEY_BYTES:
        return f"it is {size} bytes long in UTF-8, more than the limit of {MAX_KEY_BYTES}"
    return None


def _character_problem(key: str) -> str | None:
    if key.startswith("/"):
        return "it starts with '/', but keys are relative to the store's root"
    if "\\" in key:
        return "it contains a backslash, which Windows reads as a path separator"
    control = next((char for char in key if unicodedata.category(char) == "Cc"), None)
    if control is not None:
        return f"it contains the control character {control!r}"
    return None


def _segments_problem(key: str) -> str | None:
    return next(filter(None, map(_segment_problem, key.split("/"))), None)


def _budget_problem(key: str, max_bytes: int) -> str | None:
    size = len(key.encode("utf-8"))
    if size <= max_bytes:
        return None
    return (
        f"it is {size} bytes long in UTF-8, and this store's prefix leaves {max_bytes} of the "
        f"{MAX_KEY_BYTES} bytes S3 allows for a whole key"
    )


def _segment_problem(segment: str) -> str | None:
    if not segment:
        return "it has an empty segment (a '//', or a '/' at the end)"
    if segment in (".", ".."):
        return f"it has a {segment!r} segment, which could address outside the store's root"
    if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
        return f"a segment is longer than {MAX_SEGMENT_BYTES} bytes, which file systems refuse"
    if _STAGING_NAME.search(segment):
        return f"segment {segment!r} ends in '#' and digits, the local store's staging names"
    return None


def _shown(key: str) -> str:
    return repr(key) if len(key) <= 80 else f"{key[:77]!r}..."
