"""The exceptions of the store: every failure the caller can act on has its own type."""

from __future__ import annotations

from tmdb_collector.errors import Action, ConfigurationError, StoreError

__all__ = [
    "InvalidObjectKeyError",
    "StoreBusyError",
    "StoreConfigurationError",
    "StoreError",
    "StoreLeaseLostError",
    "StoreNotFoundError",
]


class StoreConfigurationError(StoreError, ConfigurationError):
    """The store location (a path or URL) or its environment cannot be turned into a store."""

    action = Action.FIX


class StoreNotFoundError(StoreConfigurationError):
    """A command that only reads a store was given a location where there is none (a typo
    answers "no store here", not "nothing here")."""


class StoreBusyError(StoreError):
    """Another run holds the store's lease (store/_lease.py). The message names it — command,
    host, pid, since when — and says when its lease expires; try again when that run ends."""

    action = Action.RETRY


class StoreLeaseLostError(StoreError):
    """Another run took over this run's lease on the store (this one was silent past the
    lease's expiry); this run stops so that two never work on one store. Its work stays
    queued."""

    action = Action.RETRY


class InvalidObjectKeyError(ValueError):
    """A key is not a valid object key. Raised before any backend is touched: it is a bug in the
    caller, not a storage failure, so it is a ValueError and not a StoreError."""
