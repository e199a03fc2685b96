"""tmdb-collector: a complete, current, lossless copy of The Movie Database in object storage."""

from importlib.metadata import version as _version

__all__ = ["__version__"]

__version__ = _version("tmdb-collector")
