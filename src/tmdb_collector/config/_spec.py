"""``Setting``: one definition per setting — its environment variable, type, default, allowed
values and help — with the parsing and the checks every source goes through."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from tmdb_collector.errors import ConfigurationError

__all__ = [
    "SECTIONS",
    "Setting",
    "SettingValueError",
    "ValueProblem",
    "check_fields",
    "setting_field",
    "settings_field",
    "to_integer",
    "to_number",
]

T = TypeVar("T")
K = TypeVar("K")

#: Field metadata naming the setting (or the mapping of settings) a field takes its value from.
_SETTING = "tmdb_collector.setting"
_SETTINGS = "tmdb_collector.settings"

#: The tables of a configuration file; a key means the same in any of them (or at the top).
SECTIONS = ("tmdb", "harvester", "collector", "storage", "aws")

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class SettingValueError(ConfigurationError):
    """A value a setting does not accept; the message names the setting and what it accepts."""


class ValueProblem(ValueError):
    """Raised by a converter with words for the user (a Python error's text is not shown)."""


@dataclass(frozen=True, slots=True)
class Setting(Generic[T]):
    """One setting. ``name`` is its environment variable, and in lower case its key in a
    configuration file. ``convert`` turns a raw value (text from the environment or an option,
    or a TOML value) into the typed value or raises ValueError saying what is wrong; ``check``
    validates a typed value however it was made (the dataclasses built from settings call it
    too, so a value passed in code meets the same rules).
    """

    name: str
    #: The file table it is listed under (None: the top level). Docs and examples only.
    section: str | None
    help: str
    default: T
    #: What the setting accepts, in words: "an integer from 1 to 1000".
    accepts: str
    convert: Callable[[object], T] = field(repr=False)
    check: Callable[[T], bool] = field(repr=False, default=lambda _value: True)
    #: A credential: shown as set/unset, never echoed, not even in an error.
    secret: bool = False
    #: Unset when the environment (or an option) gives an empty string. False for settings where
    #: empty means something (APPENDS_MOVIE="" is "no appends").
    blank_is_unset: bool = True
    #: How the value is shown by ``config`` and in docs (JSON-ready).
    show: Callable[[T], object] = field(repr=False, default=lambda value: value)
    #: Whether a configuration file may set it (the file's own path cannot come from the file).
    in_file: bool = True
    #: A warning for an accepted value that is probably not what the user wants (None: fine).
    advice: Callable[[T], str | None] = field(repr=False, default=lambda _value: None)

    @property
    def key(self) -> str:
        """Its key in a configuration file."""
        return self.name.lower()

    def parse(self, raw: object) -> T:
        """``raw`` as the typed value, checked; SettingValueError naming the setting if not."""
        try:
            value = self.convert(raw)
        except ValueProblem as problem:
            raise self._refused(raw, str(problem) or None) from None
        except (ValueError, TypeError):
            raise self._refused(raw, None) from None
        if not self._accepts(value):
            raise self._refused(raw, None)  # as written ("1e308"), not as parsed (1e+308)
        return value

    def validate(self, value: T) -> T:
        """``value`` itself if the setting accepts it, else SettingValueError."""
        if not self._accepts(value):
            raise self._refused(value, None)
        return value

    def _accepts(self, value: T) -> bool:
        try:
            return bool(self.check(value))
        except (TypeError, ValueError):
            return False

    def shown(self, value: T | None) -> object:
        """The value as ``config`` prints it: a credential only as set or unset."""
        if self.secret:
            return "set" if value is not None else "unset"
        return None if value is None else self.show(value)

    def _refused(self, raw: object, detail: str | None) -> SettingValueError:
        got = "" if self.secret else f", got {_without_user_info(raw)!r}"
        extra = f" ({detail})" if detail and not self.secret else ""
        return SettingValueError(f"{self.name} must be {self.accepts}{got}{extra}")


# A URL's user info (user:password@) is a credential: an error shows the URL without it.
_USER_INFO = re.compile(r"(?<=://)[^/?#]*@")  # to the last @: a password may hold one


def _without_user_info(raw: object) -> object:
    return _USER_INFO.sub("***@", raw) if isinstance(raw, str) else raw


# -- converters: raw text (environment, options) or a TOML value → typed -------------------------

# Numbers are written in ASCII digits: Python's int() and float() also take "1_000", "４０" or
# "٤٠", which no operator means to type and no other tool reads the same way.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NOT_ASCII_DIGITS = "write it in ASCII digits 0-9, without '_'"


def _number_text(raw: str, pattern: re.Pattern[str]) -> str:
    text = raw.strip()
    if not pattern.fullmatch(text):
        if "_" in text or any(char.isdigit() and not char.isascii() for char in text):
            raise ValueProblem(_NOT_ASCII_DIGITS)
        raise ValueError("not a number")
    return text


def to_integer(raw: object) -> int:
    """An int, or text of one in ASCII digits (``-3``, ``40``); ValueError otherwise (a
    ValueProblem saying so for "1_000" or "４０")."""
    if isinstance(raw, bool):
        raise ValueError("a flag is not a number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        return int(_number_text(raw, _INTEGER))
    raise TypeError(type(raw).__name__)


def to_number(raw: object) -> float:
    """A number, or text of one in ASCII digits (``0.5``, ``1e3``; not ``nan`` or ``inf``)."""
    if isinstance(raw, bool):
        raise ValueError("a flag is not a number")
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str):
        return float(_number_text(raw, _NUMBER))
    raise TypeError(type(raw).__name__)


def to_flag(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueError("not a flag")


def to_text(raw: object) -> str:
    if isinstance(raw, str):
        return raw.strip()
    raise TypeError(type(raw).__name__)


def to_names(raw: object, *, nothing: str) -> tuple[str, ...]:
    """``"a, b"`` or a TOML list ``["a", "b"]`` → ("a", "b"); empty for ``""`` or ``[]``.

    Separators alone (``","``, ``[""]``) are refused with the words ``nothing``: someone wrote
    a list and it names nothing, which is a slip, not a way to say "none".
    """
    if isinstance(raw, str):
        given: list[str] = raw.split(",") if raw.strip() else []
    elif isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        given = raw
    else:
        raise TypeError(type(raw).__name__)
    names = tuple(item.strip() for item in given if item.strip())
    if given and not names:
        raise ValueProblem(nothing)
    return names


def integer_range(low: int, high: int | None = None) -> Callable[[int], bool]:
    return lambda value: type(value) is int and value >= low and (high is None or value <= high)


def number_range(
    low: float, high: float | None = None, *, above: bool = False
) -> Callable[[float], bool]:
    def check(value: float) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if not math.isfinite(value):
            return False
        fits_low = value > low if above else value >= low
        return fits_low and (high is None or value <= high)

    return check


# -- settings objects whose fields name their settings -------------------------------------------


def setting_field(setting: Setting[T]) -> T:
    """A dataclass field that is ``setting``: its default is the setting's, ``check_fields``
    validates it with the setting's rule, and ``Config.build`` fills it from the configuration.
    Adding a setting to a settings object is this one line."""
    value: T = field(default=setting.default, metadata={_SETTING: setting})
    return value


def settings_field(settings: Mapping[K, Setting[T]]) -> Mapping[K, T]:
    """A field holding one value per key, each its own setting (``APPENDS_MOVIE``, ...)."""
    defaults = MappingProxyType({key: setting.default for key, setting in settings.items()})
    value: Mapping[K, T] = field(default_factory=lambda: defaults, metadata={_SETTINGS: settings})
    return value


def field_settings(field_: dataclasses.Field[Any]) -> Setting[Any] | Mapping[Any, Setting[Any]]:
    """The setting (or mapping of settings) a field was declared with; KeyError if none."""
    if _SETTING in field_.metadata:
        setting: Setting[Any] = field_.metadata[_SETTING]
        return setting
    group: Mapping[Any, Setting[Any]] = field_.metadata[_SETTINGS]
    return group


def check_fields(instance: Any) -> None:
    """Validate every field of a settings dataclass declared with ``setting_field`` or
    ``settings_field`` by its setting's rule (a value passed in code meets the rules a value
    from the environment meets). A key of a mapping field without a setting is refused."""
    for field_ in dataclasses.fields(instance):
        value = getattr(instance, field_.name)
        if _SETTING in field_.metadata:
            field_.metadata[_SETTING].validate(value)
        elif _SETTINGS in field_.metadata:
            group: Mapping[Any, Setting[Any]] = field_.metadata[_SETTINGS]
            for key, item in value.items():
                if key not in group:
                    raise ConfigurationError(
                        f"{field_.name} takes no entry for {key}: it takes "
                        + ", ".join(str(known) for known in group)
                    )
                group[key].validate(item)
