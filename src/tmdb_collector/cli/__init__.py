"""The ``tmdb-collector`` command line: one module per command, all thin over
``tmdb_collector.app``; ``_options`` holds what they share and the exit statuses, ``_render``
how they show things."""

from tmdb_collector.cli._group import main

__all__ = ["main"]
