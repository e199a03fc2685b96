"""The harvester's metrics: what it planned per kind and reason, what it sent, how long it took;
flushed once at the end of a run (docs/observability.md)."""

from __future__ import annotations

from dataclasses import replace

from harvest.conftest import World
from observe.documented import documented_metrics
from tmdb_collector.harvest import Harvester, HarvestReport
from tmdb_collector.observe import Instrument, MemorySink, Metrics, Unit


async def harvest(world: World, sink: MemorySink, *, dry_run: bool = False) -> HarvestReport:
    settings = replace(world.settings, refresh_per_run=0)
    async with world.client() as client:
        harvester = Harvester(
            client, world.objects, world.queue, settings, now_ms=world.clock, metrics=Metrics(sink)
        )
        return await harvester.run(world.today, dry_run=dry_run)


async def test_a_harvest_reports_what_it_planned_and_sent(world: World) -> None:
    sink = MemorySink()
    report = await harvest(world, sink)

    for plan in report.plan.kinds:
        for reason, ids in plan.sequence():
            assert sink.total("harvest.items_planned", kind=plan.kind, reason=reason) == len(ids)
    assert sink.totals("harvest.items_planned", "kind") == {
        plan.kind.value: plan.total for plan in report.plan.kinds
    }
    assert sink.totals("harvest.errors", "kind") == {
        plan.kind.value: 0 for plan in report.plan.kinds
    }
    assert sink.total("harvest.items_enqueued") == report.items_enqueued > 0
    assert sink.total("harvest.messages_sent") == report.messages_sent > 0
    [seconds] = [m for m in sink.metrics if m.name == "harvest.seconds"]
    assert (seconds.unit, seconds.instrument) == (Unit.SECONDS, Instrument.TIMING)
    assert seconds.value == report.seconds
    assert sink.flushes == 1
    assert sink.names <= documented_metrics()


async def test_a_dry_run_reports_its_plan_and_sends_nothing(world: World) -> None:
    sink = MemorySink()
    report = await harvest(world, sink, dry_run=True)
    assert sink.total("harvest.items_planned") == report.plan.total > 0
    assert "harvest.items_enqueued" not in sink.names
    assert "harvest.messages_sent" not in sink.names
    assert sink.flushes == 1
