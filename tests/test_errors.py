"""One exception root, sorted by what the caller must do: fix, retry or stop."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import tmdb_collector
from tmdb_collector import errors, queue, schema, store, tmdb
from tmdb_collector.errors import Action, TMDBCollectorError, action_for
from tmdb_collector.kinds import InvalidKeyError


@pytest.mark.parametrize(
    ("error", "action"),
    [
        (tmdb.AuthenticationError("/3/movie/1", 7), Action.STOP),
        (tmdb.TransientError("/3/movie/1", "reset", 8), Action.RETRY),
        (tmdb.RetriesExhaustedError("/3/movie/1", "503", 8), Action.RETRY),
        (tmdb.TMDBAPIError("/3/movie/1", 400, 27, "too many"), Action.FIX),
        (tmdb.ConfigurationError("TMDB_API_KEY is not set"), Action.FIX),
        (store.StoreError("s3://b: down"), Action.RETRY),
        (store.StoreConfigurationError("gs:// is not a store"), Action.FIX),
        (store.StoreBusyError("`mirror` holds the store"), Action.RETRY),
        (store.StoreLeaseLostError("`harvest` took the store over"), Action.RETRY),
        (store.CorruptIndexError("bad parquet"), Action.FIX),
        (queue.QueueError("sqs down"), Action.RETRY),
        (queue.QueueConfigurationError("no dlq"), Action.FIX),
        (queue.MalformedMessageError("not a batch"), Action.FIX),
        (schema.CorruptRecordError("zstd"), Action.FIX),
        (InvalidKeyError("bad id"), Action.FIX),
    ],
)
def test_each_error_says_what_to_do(error: TMDBCollectorError, action: Action) -> None:
    assert isinstance(error, TMDBCollectorError)
    assert action_for(error) is action


def test_errors_that_are_not_ours_have_no_action() -> None:
    assert action_for(KeyError("x")) is None


def test_every_public_error_of_the_pipeline_derives_from_the_root() -> None:
    """Each package's exported exceptions are in the tree, except the documented caller bugs
    (invalid keys or messages, caught before anything is touched: ValueErrors)."""
    bugs = {
        "InvalidObjectKeyError",
        "InvalidMessageError",
        "MessageTooLargeError",
        "InvalidWorkItemError",
        "ConversionError",
    }
    outside = []
    for module in (tmdb, store, queue, schema, errors):
        for name in module.__all__:
            member = getattr(module, name)
            ours = inspect.isclass(member) and issubclass(member, Exception) and name not in bugs
            if ours and not issubclass(member, TMDBCollectorError):
                outside.append(f"{module.__name__}.{name}")
    assert outside == []


def test_the_package_imports_cleanly() -> None:
    """Every module imports (no module is left referring to one that moved)."""
    for info in pkgutil.walk_packages(tmdb_collector.__path__, "tmdb_collector."):
        if not info.name.endswith("__main__"):  # that one runs the command line
            importlib.import_module(info.name)
