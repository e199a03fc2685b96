"""The exceptions of the store: every failure the caller can act on has its own type."""

from __future__ import annotations

from tmdb_collector.errors import Action, ConfigurationError, StoreError

__all__ = ["InvalidObjectKeyError", "StoreConfigurationError", "StoreError"]


class StoreConfigurationError(StoreError, ConfigurationError):
    """The store location (a path or URL) or its environment cannot be turned into a store."""

    action = Action.FIX


class InvalidObjectKeyError(ValueError):
    """A key is not a valid object key. Raised before any backend is touched: it is a bug in the
    caller, not a storage failure, so it is a ValueError and not a StoreError."""
