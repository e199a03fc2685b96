"""Reading typed settings from environment variables: one set of rules and messages for every
settings class (client, harvest, collector), each raising its own error type."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["env_flag", "env_integer", "env_number"]

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def env_number(
    environ: Mapping[str, str], name: str, default: float, error: type[Exception]
) -> float:
    """``name`` as a number; ``default`` when unset or blank; ``error`` naming it otherwise."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise error(f"{name} must be a number, got {raw!r}") from None


def env_integer(environ: Mapping[str, str], name: str, default: int, error: type[Exception]) -> int:
    """``name`` as an integer; ``default`` when unset or blank; ``error`` naming it otherwise."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise error(f"{name} must be an integer (a whole number), got {raw!r}") from None


def env_flag(environ: Mapping[str, str], name: str, default: bool, error: type[Exception]) -> bool:
    """``name`` as true (1, true, yes, on) or false (0, false, no, off); ``default`` when unset."""
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise error(f"{name} must be true or false, got {raw!r}")
