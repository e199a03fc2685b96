"""Seeds and the cheap per-id fields of the synthetic catalog.

Export files list 1.24 M movies and 4.5 M people, so the fields an export line carries (title or
name, popularity, adult, video) come from one 64-bit hash of the id, never from a full record.
``base()`` uses the very same functions, which is what keeps an export line and the record it
names in agreement.

Seeds are derived with blake2b and a fixed SplitMix64 finaliser, never with ``hash()`` on str,
which Python salts per process.
"""

from __future__ import annotations

import hashlib

from tmdb_collector.fake.synthetic._vocab import (
    COMPANY_STEMS,
    COMPANY_SUFFIXES,
    DEPARTMENTS,
    GENERIC_TITLE_WORDS,
    KEYWORD_QUALIFIERS,
    KEYWORD_WORDS,
    LANGUAGE_WEIGHTS,
    LANGUAGES,
    NAME_CULTURE_WEIGHTS,
    NAME_CULTURES,
    NETWORK_NAMES,
    NETWORK_SUFFIXES,
    TITLE_WORDS,
)

__all__ = [
    "MASK64",
    "collection_name",
    "company_name",
    "derive_seed",
    "id_hash",
    "image_path",
    "is_adult",
    "is_video",
    "keyword_name",
    "language_of",
    "mix64",
    "network_name",
    "original_title",
    "person_department",
    "person_gender",
    "person_name",
    "popularity",
    "popularity_text",
    "title_in",
]

MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def derive_seed(*parts: int | str) -> int:
    """A 64-bit seed from any parts, identical in every process (unlike ``hash()``)."""
    text = "\x1f".join(str(part) for part in parts).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")


def mix64(x: int) -> int:
    """SplitMix64's finaliser: a fast bijective scramble of a 64-bit integer."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def id_hash(kind_salt: int, record_id: int) -> int:
    """The stable 64-bit hash of one id of a kind (``kind_salt`` = derive_seed(seed, kind))."""
    return mix64((kind_salt + record_id * _GOLDEN) & MASK64)


# --- fields shared by exports and records -------------------------------------------------------


def is_adult(h: int) -> bool:
    """About 1.5 % of movies, series and people are adult."""
    return (h >> 8) % 1000 < 15


def is_video(h: int) -> bool:
    """TMDB's ``video`` flag (direct-to-video compilations): rare."""
    return (h >> 18) % 100 < 2


def _pareto_quantile(u: float) -> int:
    # Most ids sit near 0.05-2, a few reach the thousands, as on TMDB.
    return min(max(int((0.6 / (1.0 - u) ** 0.9 - 0.54) * 10000), 143), 30_000_000)


# Popularity is read for every export line, so the distribution is tabulated: 4096 quantiles
# and the width to the next one, interpolated with lower bits of the hash.
_QUANTILES: tuple[int, ...] = tuple(_pareto_quantile(i / 4097) for i in range(4097))
_WIDTHS: tuple[int, ...] = tuple(_QUANTILES[i + 1] - _QUANTILES[i] for i in range(4096))
# "1.8133", "0.5", "3.0": what repr() (hence json.dumps) writes for n / 10000.
_FRACTIONS: tuple[str, ...] = tuple(f".{i:04d}".rstrip("0") if i else ".0" for i in range(10000))


def popularity_ten_thousandths(h: int, version: int) -> int:
    """Popularity x 10 000; every new version moves it by -25 %..+25 %."""
    top = h >> 52
    value = _QUANTILES[top] + ((((h >> 24) & 0xFFFF) * _WIDTHS[top]) >> 16)
    if version:
        factor = 750 + mix64(h ^ (version * _GOLDEN & MASK64)) % 500
        value = max(value * factor // 1000, 1) + version % 7
    return value


def popularity(h: int, version: int) -> float:
    """Popularity with at most 4 decimals, as TMDB sends it since 2025."""
    return popularity_ten_thousandths(h, version) / 10000


def popularity_text(h: int, version: int) -> str:
    """``popularity`` exactly as json.dumps writes it (float repr), without formatting a float."""
    whole, fraction = divmod(popularity_ten_thousandths(h, version), 10000)
    return f"{whole}{_FRACTIONS[fraction]}"


_LANGUAGE_TABLE: tuple[int, ...] = tuple(
    index for index, weight in enumerate(LANGUAGE_WEIGHTS) for _ in range(weight)
)


def language_of(h: int) -> str:
    """The original language (iso_639_1) of a movie or series."""
    return LANGUAGES[_LANGUAGE_TABLE[(h >> 24) % len(_LANGUAGE_TABLE)]][0]


def title_in(language: str, bits: int) -> str:
    """A title in ``language`` from the bits of a hash: one part, two parts or with a number."""
    first, second, joiner = TITLE_WORDS.get(language, GENERIC_TITLE_WORDS)
    a = first[bits % len(first)]
    b = second[(bits >> 8) % len(second)]
    shape = (bits >> 16) % 16
    if shape == 0:
        return b.strip()[:1].upper() + b.strip()[1:] if joiner else a
    if shape == 1:
        return f"{a}{joiner}{b} {2 + (bits >> 20) % 3}"
    return f"{a}{joiner}{b}"


# (language, first parts, second parts, joiner) per language slot, so that the export's hot
# path does one tuple index instead of two lookups.
_TITLE_SLOTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str], ...] = tuple(
    (LANGUAGES[index][0], *TITLE_WORDS.get(LANGUAGES[index][0], GENERIC_TITLE_WORDS))
    for index in _LANGUAGE_TABLE
)


def original_title(h: int) -> str:
    """The original title (movie) or name (series): ``title_in(language_of(h), h >> 32)``."""
    _, first, second, joiner = _TITLE_SLOTS[(h >> 24) % len(_TITLE_SLOTS)]
    bits = h >> 32
    shape = (bits >> 16) % 16
    if shape > 1:
        return f"{first[bits % len(first)]}{joiner}{second[(bits >> 8) % len(second)]}"
    return title_in(_TITLE_SLOTS[(h >> 24) % len(_TITLE_SLOTS)][0], bits)


_CULTURE_TABLE: tuple[int, ...] = tuple(
    index for index, weight in enumerate(NAME_CULTURE_WEIGHTS) for _ in range(weight)
)


def person_name(h: int) -> str:
    """A person's name: Western order with a space, or family-name-first without one (CJK)."""
    given, family, family_first = NAME_CULTURES[_CULTURE_TABLE[(h >> 24) % len(_CULTURE_TABLE)]]
    g = given[(h >> 32) % len(given)]
    f = family[(h >> 40) % len(family)]
    if family_first:
        return f"{f}{g}"
    if (h >> 48) % 10 == 0:
        # A middle initial now and then, as in "D. B. Weiss".
        return f"{g} {chr(65 + (h >> 52) % 26)}. {f}"
    return f"{g} {f}"


def person_gender(h: int) -> int:
    """0 unknown (common on TMDB), 1 female, 2 male, 3 non-binary."""
    roll = (h >> 12) % 100
    return 0 if roll < 30 else 1 if roll < 62 else 2 if roll < 99 else 3


_DEPARTMENT_TABLE: tuple[str, ...] = ("Acting",) * 12 + tuple(name for name, _ in DEPARTMENTS)


def person_department(h: int) -> str:
    return _DEPARTMENT_TABLE[(h >> 56) % len(_DEPARTMENT_TABLE)]


def collection_name(h: int) -> str:
    return f"{title_in('en', h >> 32)} Collection"


def keyword_name(h: int) -> str:
    word = KEYWORD_WORDS[(h >> 24) % len(KEYWORD_WORDS)]
    qualifier = KEYWORD_QUALIFIERS[(h >> 32) % len(KEYWORD_QUALIFIERS)]
    return f"{word} {qualifier}" if qualifier else word


def company_name(h: int) -> str:
    stem = COMPANY_STEMS[(h >> 24) % len(COMPANY_STEMS)]
    suffix = COMPANY_SUFFIXES[(h >> 32) % len(COMPANY_SUFFIXES)]
    return f"{stem} {suffix}" if suffix else stem


def network_name(h: int) -> str:
    return (
        NETWORK_NAMES[(h >> 24) % len(NETWORK_NAMES)]
        + NETWORK_SUFFIXES[(h >> 32) % len(NETWORK_SUFFIXES)]
    )


def image_path(h: int, extension: str = ".jpg") -> str:
    """A TMDB-style image path, ``/`` + 27 base-62 characters + extension."""
    chars = []
    x = mix64(h ^ 0x5DEECE66D)
    for _ in range(27):
        x, digit = divmod(x, 62)
        chars.append(_PATH_ALPHABET[digit])
        if x < 62:
            x = mix64(x + h)
    return "/" + "".join(chars) + extension
