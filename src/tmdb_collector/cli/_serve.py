"""``tmdb-collector serve``: TMDB's API over the mirror, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import threading

import click

from tmdb_collector import app
from tmdb_collector.cli._options import Integer, host_option, port_option, settings, store_option
from tmdb_collector.config import SERVE_ACCESS_KEY, OptionValue

__all__ = ["serve"]

_log = logging.getLogger(__name__)
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@click.command()
@store_option
@host_option("Address to listen on (0.0.0.0 for every interface, behind a load balancer).")
@port_option(8080)
@click.option(
    "--access-key",
    metavar="KEY",
    help="Accept only requests carrying this credential, as api_key=KEY or a Bearer token, "
    "as TMDB takes them (SERVE_ACCESS_KEY); default: none needed.",
)
@click.option(
    "--cache-mb",
    type=Integer(1, 1_000_000),
    default=256,
    show_default=True,
    help="Memory for records ready to answer with (their JSON), least recently used dropped.",
)
def serve(
    *, location: str | None, host: str, port: int, access_key: str | None, cache_mb: int
) -> None:
    """Answer TMDB's API (/3/...) and its daily export files (/p/exports/...) from the mirror.

    Prints "listening on http://HOST:PORT" once it accepts requests. Point a TMDB client at
    http://HOST:PORT/3 — or another tmdb-collector, with TMDB_API_URL and TMDB_EXPORTS_URL
    both http://HOST:PORT. /health answers while it runs.

    \b
      tmdb-collector serve --store ./data
      tmdb-collector serve --store s3://bucket/tmdb --host 0.0.0.0 --port 8080
    """
    config = settings(
        location=location, extra={SERVE_ACCESS_KEY.name: OptionValue(access_key, "--access-key")}
    )
    asyncio.run(_serve(app.Wiring(config), host, port, cache_mb * 1024 * 1024))


async def _serve(wiring: app.Wiring, host: str, port: int, cache_bytes: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Signals reach the main thread only (a test may run the command in another).
    signals = _STOP_SIGNALS if threading.current_thread() is threading.main_thread() else ()
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    try:
        async with app.serving(wiring, host=host, port=port, cache_bytes=cache_bytes) as server:
            click.echo(f"{app.LISTENING_PREFIX}{server.url}")
            sys.stdout.flush()  # scripts and tests wait for the line
            _log.info("serving the mirror", extra={"url": server.url})
            await stop.wait()
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
    _log.info("stopped serving")
