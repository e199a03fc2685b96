"""``tmdb-collector fake-tmdb``: run the fake TMDB server until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from pathlib import Path

import click

from tmdb_collector.cli._options import Integer, Number, host_option, port_option, settings
from tmdb_collector.config import FAKE_TMDB_API_KEY, OptionValue
from tmdb_collector.fake import (
    LISTENING_PREFIX,
    MAX_ADVANCE_DAYS,
    Catalog,
    FakeSettings,
    FakeStartError,
    FakeTMDB,
    FixtureCatalog,
    FixtureError,
    SettingsError,
    synthetic_catalog,
)

__all__ = ["fake_tmdb"]

log = logging.getLogger(__name__)

#: Ctrl-C and a service manager's stop both end the server cleanly (in-flight requests finish).
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

#: The catalog served when neither --fixtures nor --synthetic is given: small, quick to start.
DEFAULT_SYNTHETIC = "movie=1000,tv=200,person=2000,collection=50,company=100,network=20,keyword=200"


@click.command("fake-tmdb")
@host_option("Address to listen on.")
@port_option(8765)
@click.option(
    "--fixtures",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Serve this directory of real responses (the layout of shared/tmdb/fixtures).",
)
@click.option(
    "--synthetic",
    metavar="COUNTS",
    help="Serve generated data, e.g. movie=1000,tv=200,person=2000 (the default, small).",
)
@click.option("--seed", type=Integer(), default=0, show_default=True, help="Seeds data and faults.")
@click.option(
    "--api-key",
    help="Accept only this credential (as api_key or Bearer; FAKE_TMDB_API_KEY); default: any "
    "non-empty one.",
)
@click.option("--rate-limit", type=Integer(min=1), help="Requests/s before 429s.")
@click.option(
    "--retry-after/--no-retry-after",
    default=False,
    show_default=True,
    help="Send Retry-After: 1 with 429s (today's TMDB CDN does not).",
)
@click.option("--latency-ms", type=Number(min=0), default=0.0, help="Added latency.")
@click.option(
    "--latency-jitter-ms",
    type=Number(min=0),
    help="Uniform ± jitter on the latency; default half the latency.",
)
@click.option(
    "--error-rate",
    type=Number(0, 1),
    default=0.0,
    help="Share of /3/ requests failing with 500/502/503/504, a reset or a truncated body.",
)
@click.option(
    "--day",
    type=Integer(0, MAX_ADVANCE_DAYS),
    default=0,
    help="Advance the catalog N days.",
)
@click.option(
    "--no-today-export",
    is_flag=True,
    help="Today's export files are not published yet (404), as before 08:00 UTC.",
)
@click.option(
    "--export-cache",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Generate each synthetic export file once into DIR and serve it from there; "
    "POST /_fake/exports/warm generates a day's files ahead.",
)
def fake_tmdb(
    *,
    host: str,
    port: int,
    fixtures: Path | None,
    synthetic: str | None,
    seed: int,
    api_key: str | None,
    rate_limit: int | None,
    retry_after: bool,
    latency_ms: float,
    latency_jitter_ms: float | None,
    error_rate: float,
    day: int,
    no_today_export: bool,
    export_cache: Path | None,
) -> None:
    """Run a fake TMDB API (/3/...) and export host (/p/exports/...) until interrupted.

    Prints "listening on http://HOST:PORT" once ready. /_fake/stats, /_fake/settings,
    /_fake/advance and /_fake/inject control it while it runs.
    """
    if fixtures is not None and synthetic is not None:
        raise click.UsageError("give --fixtures or --synthetic, not both")
    # Only its own setting: the fake must start whatever the collector's settings say.
    config = settings(
        extra={FAKE_TMDB_API_KEY.name: OptionValue(api_key, "--api-key")},
        only=(FAKE_TMDB_API_KEY,),
    )
    accepted = config[FAKE_TMDB_API_KEY]
    try:
        fake_settings = FakeSettings(
            api_key=None if accepted is None else accepted.reveal(),
            rate_limit=rate_limit,
            retry_after=retry_after,
            latency_ms=latency_ms,
            latency_jitter_ms=latency_jitter_ms,
            error_rate=error_rate,
            seed=seed,
            publish_today=not no_today_export,
        )
        catalog = _catalog(fixtures, synthetic, seed)
    except (FixtureError, SettingsError, ValueError) as error:
        raise click.UsageError(str(error)) from error
    if day:
        catalog.advance(day)
    try:
        fake = FakeTMDB(catalog, fake_settings, export_cache=export_cache)
    except OSError as error:  # the cache directory cannot be created
        raise click.UsageError(f"--export-cache: {error}") from error
    # What the server holds from now on (modules, the catalog) lives as long as it: full
    # collections need not walk it, and their pauses would delay the admission of requests
    # (the rate limiter counts a request when the loop gets to it).
    gc.collect()
    gc.freeze()
    try:
        asyncio.run(_serve(fake, host, port))
    except FakeStartError as error:
        raise click.ClickException(str(error)) from error


def _catalog(fixtures: Path | None, synthetic: str | None, seed: int) -> Catalog:
    if fixtures is not None:
        return FixtureCatalog(fixtures)
    try:
        return synthetic_catalog(synthetic or DEFAULT_SYNTHETIC, seed=seed)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--synthetic'") from None


async def _serve(fake: FakeTMDB, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in _STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    try:
        async with fake.run(host, port):
            click.echo(f"{LISTENING_PREFIX}{fake.url}")
            # The line is what start_fake_process and scripts wait for: never leave it buffered.
            sys.stdout.flush()
            log.info("fake TMDB serving", extra={"url": fake.url, "catalog": repr(fake.catalog)})
            await stop.wait()
    finally:
        for signum in _STOP_SIGNALS:
            loop.remove_signal_handler(signum)
    log.info("fake TMDB stopped")
