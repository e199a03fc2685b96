"""``tmdb-collector migrate``: move a store of one object per record version to segments, in
place (docs/storage.md, "Segments")."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict

import click

from tmdb_collector import app
from tmdb_collector.cli._options import chosen_kinds, record_kinds_options, store_option, wiring

__all__ = ["migrate"]


@click.command("migrate")
@record_kinds_options("migrate")
@store_option
@click.option("--dry-run", is_flag=True, help="Say what it would do; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def migrate(
    kind_text: tuple[str, ...],
    kind_list: tuple[str, ...],
    location: str | None,
    *,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Move the store's records to segments (a segment per hundred records and all their
    versions), in place: each segment is read back and compared with the old objects before
    anything is deleted; once every kind is done the store is marked as segments and the old
    objects are deleted.

    Stop every mirror, harvest and collector function first (it holds the store and refuses
    while collectors are at work). Resumable: run it again after a failure or a kill, it goes
    on where it stopped. --types migrates some kinds now and the rest later.

    \b
      tmdb-collector migrate --store ./tmdb-data --dry-run
      tmdb-collector migrate --store s3://bucket/tmdb
    """
    wired = wiring(location=location)
    kinds = chosen_kinds(kind_text, kind_list)
    say = (lambda _: None) if as_json else (lambda line: click.echo(line, err=True))
    report = asyncio.run(app.migrate_store(wired, kinds, dry_run=dry_run, progress=say))
    if as_json:
        fields = asdict(report)
        fields["left"] = [str(kind) for kind in report.left]
        for kind in fields["kinds"]:
            kind["kind"] = str(kind["kind"])
        click.echo(json.dumps(fields, indent=1))
        return
    _print(report)


def _print(report: app.MigrationReport) -> None:
    if report.layout_before == "empty":
        click.echo(f"{report.store} holds no records: nothing to migrate")
        return
    if report.dry_run:
        if report.layout_before == "segments":
            click.echo(f"{report.store} is in segments already: nothing to migrate")
            return
        click.echo(f"would migrate {report.store} to segments:")
        for kind in report.kinds:
            click.echo(
                f"  {kind.kind}: {kind.records:,} records, {kind.versions:,} versions → "
                f"{kind.segments:,} segments"
            )
        click.echo("nothing was written (--dry-run)")
        return
    for kind in report.kinds:
        line = (
            f"{kind.kind}: {kind.records:,} records, {kind.versions:,} versions in "
            f"{kind.segments:,} segments ({kind.old_bytes:,} → {kind.segment_bytes:,} bytes)"
        )
        if kind.resumed_at_chunk:
            line += f", resumed at segment {kind.resumed_at_chunk + 1}"
        click.echo(line)
        for unreadable in kind.unreadable:
            click.echo(
                f"  unreadable, kept in quarantine/migrate/ and refetched later: {unreadable}"
            )
    if report.left:
        names = ", ".join(str(kind) for kind in report.left)
        click.echo(f"not migrated yet: {names}; run tmdb-collector migrate again for them")
    elif report.finished:
        click.echo(
            f"{report.store} is in segments now; {report.deleted:,} objects of the old layout "
            "deleted"
        )
