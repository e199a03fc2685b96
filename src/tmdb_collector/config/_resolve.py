"""Resolving the settings: defaults < a TOML file < the environment < command-line options, with
where each value came from."""

from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar, cast

from tmdb_collector.config._definitions import CONFIG_FILE, SETTINGS
from tmdb_collector.config._spec import SECTIONS, Setting, SettingValueError, field_settings
from tmdb_collector.errors import ConfigurationError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["DEFAULT_FILE", "Config", "OptionValue", "Resolved", "Source", "load_config"]

T = TypeVar("T")
D = TypeVar("D", bound="DataclassInstance")

Source = Literal["default", "file", "env", "option"]
#: Read when present in the working directory and no other file is named.
DEFAULT_FILE = "tmdb-collector.toml"

_BY_NAME: dict[str, Setting[object]] = {setting.name: setting for setting in SETTINGS}
_BY_KEY: dict[str, Setting[object]] = {setting.key: setting for setting in SETTINGS}


class OptionValue(NamedTuple):
    """A setting given on the command line: the raw value and the option that gave it."""

    raw: object
    flag: str


@dataclass(frozen=True, slots=True)
class Resolved:
    """One setting's effective value and where it came from (``origin`` says it in words)."""

    setting: Setting[object]
    value: object
    source: Source
    origin: str

    def __repr__(self) -> str:
        # The value as `config` shows it: a credential only as set or unset.
        shown = self.setting.shown(self.value)
        return f"Resolved({self.setting.name}={shown!r}, source={self.source!r})"


class Config:
    """The effective settings. ``config[SETTING]`` is the typed value of a setting."""

    def __init__(self, resolved: Mapping[str, Resolved], file: Path | None) -> None:
        self._resolved = dict(resolved)
        self.file = file

    @property
    def warnings(self) -> list[str]:
        """Accepted values that are probably not what the user wants, each said in words."""
        notes = []
        for item in self._resolved.values():
            if item.source != "default" and item.value is not None:
                note = item.setting.advice(item.value)
                if note:
                    notes.append(f"{note} (from {item.origin})")
        return notes

    def __getitem__(self, setting: Setting[T]) -> T:
        try:
            value: T = self._resolved[setting.name].value  # type: ignore[assignment]
        except KeyError:
            raise KeyError(f"{setting.name} was not resolved (load_config(only=...))") from None
        return value

    def __contains__(self, setting: object) -> bool:
        """Whether ``setting`` was resolved (all are, unless ``load_config(only=...)``)."""
        return isinstance(setting, Setting) and setting.name in self._resolved

    def resolved(self, setting: Setting[Any]) -> Resolved:
        return self._resolved[setting.name]

    def is_set(self, setting: Setting[Any]) -> bool:
        """Whether something other than the default gave the setting (file, env, option)."""
        resolved = self._resolved.get(setting.name)
        return resolved is not None and resolved.source != "default"

    def build(self, cls: type[D], /, **given: Any) -> D:
        """A settings object whose fields name their settings (``setting_field``), each filled
        from this configuration; ``given`` fields are taken as they are (still validated by the
        object's own checks)."""
        values: dict[str, Any] = {}
        for field_ in dataclasses.fields(cls):
            if field_.name in given or not field_.init:
                continue
            try:
                source = field_settings(field_)
            except KeyError:
                continue  # not a setting (a credential the wiring supplies, a user agent)
            if isinstance(source, Setting):
                values[field_.name] = self[source]
            else:
                values[field_.name] = MappingProxyType(
                    {key: self[setting] for key, setting in source.items()}
                )
        return cls(**values, **given)

    def __iter__(self) -> Any:
        return iter(self._resolved.values())

    def __repr__(self) -> str:
        # Never the values: a credential is among them.
        return f"Config(file={str(self.file) if self.file else None!r})"

    def to_json(self) -> dict[str, dict[str, object]]:
        """Each setting's name → ``{"value": ..., "source": ...}``; credentials as set/unset."""
        return {
            item.setting.name: {"value": item.setting.shown(item.value), "source": item.source}
            for item in self._resolved.values()
        }

    def environ(self, settings: tuple[Setting[str | None], ...]) -> dict[str, str]:
        """The process environment with ``settings`` as resolved (a file's AWS settings reach
        the AWS clients this way): a mapping for code that takes an ``environ``."""
        values = dict(os.environ)
        for setting in settings:
            value = self[setting]
            if value is None:
                values.pop(setting.name, None)
            else:
                values[setting.name] = value
        return values


def load_config(
    *,
    environ: Mapping[str, str] | None = None,
    file: str | os.PathLike[str] | None = None,
    options: Mapping[str, OptionValue] | None = None,
    cwd: Path | None = None,
    only: Collection[Setting[Any]] | None = None,
) -> Config:
    """Resolve every setting. ``file`` is ``--config``; else TMDB_COLLECTOR_CONFIG names the
    file; else ./tmdb-collector.toml is read when it exists. ``options`` maps setting names to
    what command-line options gave. Raises ConfigurationError naming the setting, where its
    value came from and what it accepts. ``only``: resolve just these settings (a command that
    needs two must not fail on a third); the file is still checked for unknown keys."""
    environ = os.environ if environ is None else environ
    options = options or {}
    unknown = [name for name in options if name not in _BY_NAME]
    if unknown:
        raise ValueError(f"options for unknown settings: {', '.join(unknown)}")
    path, path_source = _config_path(file, environ, cwd or Path.cwd())
    from_file = _read_file(path) if path is not None else {}
    resolved: dict[str, Resolved] = {}
    refused: list[str] = []
    wanted = None if only is None else {setting.name for setting in only}
    for setting in SETTINGS:
        if wanted is None or setting.name in wanted:
            try:
                resolved[setting.name] = _resolve(setting, from_file, environ, options, path)
            except SettingValueError as error:
                refused.append(str(error))
    if refused:
        # Every bad value at once, one line each: fixing them one run at a time is tedious.
        raise SettingValueError("\n".join(refused))
    resolved[CONFIG_FILE.name] = Resolved(
        cast(Setting[object], CONFIG_FILE),
        None if path is None else str(path),
        path_source,
        "the configuration file" if path is not None else "no configuration file",
    )
    return Config(resolved, path)


def _config_path(
    file: str | os.PathLike[str] | None, environ: Mapping[str, str], cwd: Path
) -> tuple[Path | None, Source]:
    if file is not None:
        return _existing(Path(file), "--config"), "option"
    named = environ.get(CONFIG_FILE.name, "").strip()
    if named:
        return _existing(Path(named), CONFIG_FILE.name), "env"
    default = cwd / DEFAULT_FILE
    return (default, "default") if default.is_file() else (None, "default")


def _existing(path: Path, named_by: str) -> Path:
    if not path.is_file():
        raise ConfigurationError(
            f"{named_by} names the configuration file {path}, which does not exist or is not a "
            "file: create it (tmdb-collector.example.toml lists every setting) or fix the path"
        )
    return path


def _read_file(path: Path) -> dict[str, tuple[object, str]]:
    """The file's settings: name → (raw value, where it sits in words)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigurationError(
            f"cannot read the configuration file {path}: {error.strerror}"
        ) from None
    except UnicodeDecodeError:
        raise ConfigurationError(
            f"the configuration file {path} is not UTF-8 text: save it as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(
            f"the configuration file {path} is not valid TOML: {error}"
        ) from None
    found: dict[str, tuple[object, str]] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            if key not in SECTIONS:
                raise ConfigurationError(
                    f"{path}: unknown table [{key}]; tables are "
                    + ", ".join(f"[{section}]" for section in SECTIONS)
                    + " (or put settings at the top level)"
                )
            for inner, inner_value in value.items():
                _take(found, path, inner, inner_value, f"[{key}] {inner}")
        else:
            _take(found, path, key, value, key)
    return found


def _take(
    found: dict[str, tuple[object, str]], path: Path, key: str, value: object, where: str
) -> None:
    if isinstance(value, dict):
        raise ConfigurationError(f"{path}: {where} is a table; tables do not nest")
    setting = _BY_KEY.get(key)
    if setting is None:
        raise ConfigurationError(f"{path}: {_unknown_key(key, where)}")
    if not setting.in_file:
        raise ConfigurationError(
            f"{path}: {where} cannot be set in a configuration file: it names the file itself "
            "(use --config FILE or the environment variable)"
        )
    if setting.name in found:
        raise ConfigurationError(
            f"{path}: {key} is set twice ({found[setting.name][1]} and {where}); keep one"
        )
    found[setting.name] = (value, where)


def _unknown_key(key: str, where: str) -> str:
    close = difflib.get_close_matches(key.lower(), list(_BY_KEY), n=3)
    if key.lower() in _BY_KEY:
        hint = f" (keys are lower case: {key.lower()})"
    elif close:
        hint = f" (did you mean {' or '.join(close)}?)"
    else:
        hint = ""
    return (
        f"unknown setting {where!r}{hint}; every setting is listed in docs/configuration.md "
        "and by `tmdb-collector config`"
    )


def _resolve(
    setting: Setting[object],
    from_file: Mapping[str, tuple[object, str]],
    environ: Mapping[str, str],
    options: Mapping[str, OptionValue],
    path: Path | None,
) -> Resolved:
    name = setting.name
    option = options.get(name)
    if option is not None and option.raw is not None:
        return _parsed(setting, option.raw, "option", f"option {option.flag}")
    raw_env = environ.get(name)
    if raw_env is not None and (raw_env.strip() or not setting.blank_is_unset):
        return _parsed(setting, raw_env, "env", f"environment variable {name}")
    if name in from_file:
        raw, where = from_file[name]
        if setting.blank_is_unset and isinstance(raw, str) and not raw.strip():
            # Unlike an empty variable (which shells and templates leave behind), `key = ""`
            # was written on purpose, and means nothing where empty has no meaning.
            raise SettingValueError(
                f"{name} is empty in {path}, {where}: remove the line to use the default, or "
                f"give {setting.accepts}"
            )
        return _parsed(setting, raw, "file", f"{path}, {where}")
    return Resolved(setting, setting.default, "default", "default")


def _parsed(setting: Setting[object], raw: object, source: Source, origin: str) -> Resolved:
    try:
        value = setting.parse(raw)
    except SettingValueError as error:
        raise SettingValueError(f"{error} (from {origin})") from None
    return Resolved(setting, value, source, origin)
