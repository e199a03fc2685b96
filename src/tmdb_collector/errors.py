"""The one exception root of tmdb-collector, and the small tree under it.

Every error a user or a surface (the CLI, a Lambda handler, a server) can meet derives from
``TMDBCollectorError`` and says, through its branch, what the caller must do about it:

- ``ConfigurationError`` / ``InputError`` — **fix** something (a setting, an option, a file) and
  run again; retrying as is cannot help.
- ``UpstreamRejectedError`` — **stop**: TMDB refuses us as we are (a bad credential); going on
  would only storm it. Work stays queued.
- ``TransientError`` — **retry**: it may pass (TMDB or the network in trouble).
- ``StoreError`` / ``QueueError`` — the storage or the queue failed; **retry** unless the subclass
  is a configuration problem (``StoreConfigurationError``, ``QueueConfigurationError`` are also
  ``ConfigurationError``\\ s) or damaged data (``CorruptDataError``: fix or remove the object).

The packages keep their own names (``tmdb.AuthenticationError``, ``store.StoreError``...), each
placed in this tree, so ``except TMDBCollectorError`` catches everything, and ``action_for``
sorts any of them. Pure: no imports beyond the standard library.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "Action",
    "ConfigurationError",
    "CorruptDataError",
    "InputError",
    "QueueError",
    "StoreError",
    "TMDBCollectorError",
    "TransientError",
    "UpstreamRejectedError",
    "action_for",
]


class Action(Enum):
    """What whoever called must do about an error."""

    #: Change a setting, an option or an input, then run again (the CLI's exit status 2).
    FIX = "fix"
    #: Try again later: the same call may succeed (a Lambda message comes back).
    RETRY = "retry"
    #: Stop everything now and tell a person (a rejected credential).
    STOP = "stop"


class TMDBCollectorError(Exception):
    """The root of every error tmdb-collector raises on purpose. Its message is one sentence a
    user can act on; it never holds a credential."""

    action: Action = Action.RETRY


class ConfigurationError(TMDBCollectorError, ValueError):
    """A setting is missing or malformed; the message names the setting, where it came from and
    the values it accepts."""

    action = Action.FIX


class InputError(TMDBCollectorError, ValueError):
    """Input from a user that cannot be used (a record id, an option combination, a file)."""

    action = Action.FIX


class UpstreamRejectedError(TMDBCollectorError):
    """TMDB refuses every request as the run is set up (e.g. a rejected credential)."""

    action = Action.STOP


class TransientError(TMDBCollectorError):
    """A failure that may pass on its own: try again later."""

    action = Action.RETRY


class StoreError(TMDBCollectorError):
    """An object store operation failed. The message names the store URL and the key, and says
    what to check; it never contains a credential."""

    action = Action.RETRY


class QueueError(TMDBCollectorError):
    """A queue operation failed. The message names the queue (never a credential) and says what
    to check."""

    action = Action.RETRY


class CorruptDataError(TMDBCollectorError, ValueError):
    """Stored bytes that cannot be read back (a damaged object). Retrying reads the same bytes:
    the object must be replaced (refetched) or removed."""

    action = Action.FIX


def action_for(error: BaseException) -> Action | None:
    """What to do about ``error``: its branch's action, or None when it is not one of ours (a
    bug, or a library's error that escaped; a surface treats it as unexpected)."""
    if isinstance(error, TMDBCollectorError):
        return error.action
    return None
