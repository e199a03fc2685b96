"""The exceptions of the store: every failure the caller can act on has its own type."""

from __future__ import annotations

__all__ = ["InvalidObjectKeyError", "StoreConfigurationError", "StoreError"]


class StoreError(Exception):
    """An object store operation failed. The message names the store URL and the key, and says
    what to check; it never contains a credential."""


class StoreConfigurationError(StoreError):
    """The store location (a path or URL) or its environment cannot be turned into a store."""


class InvalidObjectKeyError(ValueError):
    """A key is not a valid object key. Raised before any backend is touched: it is a bug in the
    caller, not a storage failure, so it is a ValueError and not a StoreError."""
