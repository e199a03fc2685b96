"""One pace across Lambda instances: N collector "instances" (separate processes, each calling
``tmdb_collector.aws.handlers.collect.handler`` on batches it really receives from SQS on a moto
server, deleting and releasing as Lambda's poller does) against the fake TMDB at
``--rate-limit 40 --latency-ms 100``, for N = 2 and 4; then the local ``mirror`` (one process)
on the same fake, for comparison.

Each instance paces at (RATE_LIMIT_REQUESTS - HARVESTER_RATE) / COLLECTOR_INSTANCES
(COLLECTOR_INSTANCES = N, as the event source mapping's MaximumConcurrency would be; the
harvester's reserve is the product's default unless LAMBDA_PACE_HARVESTER_RATE says), and more
at the end of the run when the others have no work (docs/aws.md, "The end of a run"). Prints
the aggregate requests/s of the collect phase over 40 (target >= 0.95) and the 429s per 1,000
requests (target <= 1).

    python3 dev.py bench lambda_pace

Knobs (environment): LAMBDA_PACE_BATCH (messages per invocation, 10), LAMBDA_PACE_ITEMS (items
per message, the harvester's default 100), LAMBDA_PACE_MESSAGES_IN_FLIGHT, LAMBDA_PACE_STORE
(a directory for the instances' store instead of moto's S3), LAMBDA_PACE_HARVESTER_RATE.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from tmdb_collector.fake import start_fake_process

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from moto_server import create_bucket, moto_environ, running_moto

RATE = 40
LATENCY_MS = 100
CATALOG = "movie=2500,person=2500,tv=60,collection=150,company=150,network=60,keyword=150"
BUCKET = "tmdb-pace"
#: Items per message: the harvester's default (WORK_BATCH_SIZE, 200) unless LAMBDA_PACE_ITEMS
#: says otherwise (the first figures of 2026-12-05 used 25, those until 2026-12-08 100).
ITEMS_PER_MESSAGE = os.environ.get("LAMBDA_PACE_ITEMS")
#: Messages per invocation: the event source mapping's BatchSize, Lambda's default (10) unless
#: LAMBDA_PACE_BATCH says otherwise. Each invocation has a fixed cost (its first requests, its
#: last commit, the poller's calls), so fewer items per invocation cost more of the pace.
BATCH_SIZE = int(os.environ.get("LAMBDA_PACE_BATCH", "10"))
#: MESSAGES_IN_FLIGHT of the instances, when LAMBDA_PACE_MESSAGES_IN_FLIGHT sets it.
MESSAGES_IN_FLIGHT = os.environ.get("LAMBDA_PACE_MESSAGES_IN_FLIGHT")
KEY = "bench-key"
#: The queue's visibility timeout, which the event source mapping uses for the batches it
#: receives: longer than an invocation may run (the handler's default deadline, 840 s, without
#: a context), as a deployment sets it — otherwise a batch's messages not yet started come back
#: to another instance while this one still holds them, and are collected twice.
VISIBILITY_SECONDS = 900


def _fake_stats(url: str) -> dict[str, Any]:
    # Our own fake's admin API on 127.0.0.1.
    with urllib.request.urlopen(f"{url}/_fake/stats", timeout=10) as answer:  # noqa: S310
        stats: dict[str, Any] = json.load(answer)
    return stats


def _instance(environ: dict[str, str], ready: Any, go: Any, done: Any) -> None:
    """One Lambda instance: its own process, its own container runtime, polling SQS."""
    os.environ.update(environ)
    from tmdb_collector.app import Surface  # noqa: PLC0415
    from tmdb_collector.aws._runtime import reset_runtime, runtime  # noqa: PLC0415
    from tmdb_collector.aws.handlers import collect  # noqa: PLC0415
    from tmdb_collector.queue import SQSWorkQueue  # noqa: PLC0415

    runtime(Surface.COLLECTOR_FUNCTION)
    queue = SQSWorkQueue(environ["TMDB_QUEUE"])
    ready.set()
    go.wait()
    idle = 0
    in_handler = polling = 0.0
    invocations = 0
    while idle < 3:
        polled = time.monotonic()
        # The event source mapping's BatchSize: messages per invocation. SQS hands out at most
        # 10 per receive; above 10 the poller gathers more receives (Lambda's batching window).
        messages = queue.receive(
            min(10, BATCH_SIZE), visibility_timeout=VISIBILITY_SECONDS, wait_seconds=1
        )
        while messages and len(messages) < BATCH_SIZE:
            more = queue.receive(
                min(10, BATCH_SIZE - len(messages)), visibility_timeout=VISIBILITY_SECONDS
            )
            if not more:
                break
            messages += more
        polling += time.monotonic() - polled
        if not messages:
            idle += 1
            continue
        idle = 0
        invocations += 1
        records = [
            {
                "messageId": m.message_id,
                "receiptHandle": m.receipt,
                "body": m.body,
                "attributes": {"ApproximateReceiveCount": str(m.receive_count)},
            }
            for m in messages
        ]
        started = time.monotonic()
        answer = collect.handler({"Records": records}, None)
        in_handler += time.monotonic() - started
        failed = {entry["itemIdentifier"] for entry in answer["batchItemFailures"]}
        polled = time.monotonic()
        queue.delete([m for m in messages if m.message_id not in failed])
        polling += time.monotonic() - polled
    done.put(time.monotonic())
    print(
        f"  instance {os.getpid()}: {invocations} invocations, {in_handler:.1f} s in the handler, "
        f"{polling:.1f} s receiving and deleting (the poller's share)",
        flush=True,
    )
    queue.close()
    reset_runtime()


def _harvest(environ: dict[str, str]) -> int:
    os.environ.update(environ)
    from tmdb_collector.aws._runtime import reset_runtime  # noqa: PLC0415
    from tmdb_collector.aws.handlers import harvest  # noqa: PLC0415

    reset_runtime()
    summary = harvest.handler({"detail": {}}, None)
    reset_runtime()
    return int(summary["items_enqueued"])


def _lambda_run(instances: int, url: str, endpoint: str) -> dict[str, float]:
    from tmdb_collector.queue import ensure_sqs_queues  # noqa: PLC0415

    os.environ.update(moto_environ(endpoint))
    name = f"tmdb-pace-{uuid.uuid4().hex[:8]}"
    queue = ensure_sqs_queues(name, max_receives=5, visibility_timeout=VISIBILITY_SECONDS)
    environ = {
        **moto_environ(endpoint),
        # LAMBDA_PACE_STORE=DIR: the instances share a local directory instead of moto's S3, to
        # tell the cost of the store's latency from the cost of the handler itself.
        "TMDB_STORE": (
            f"{os.environ['LAMBDA_PACE_STORE']}/{name}"
            if os.environ.get("LAMBDA_PACE_STORE")
            else f"s3://{BUCKET}/{name}"
        ),
        "TMDB_QUEUE": queue.url,
        "TMDB_API_URL": url,
        "TMDB_EXPORTS_URL": url,
        "TMDB_API_KEY": KEY,
        "RATE_LIMIT_REQUESTS": str(RATE),
        "COLLECTOR_INSTANCES": str(instances),
        "REFRESH_PER_RUN": "0",
        "LOG_LEVEL": "warning",
    }
    if ITEMS_PER_MESSAGE:
        environ["WORK_BATCH_SIZE"] = ITEMS_PER_MESSAGE
    if MESSAGES_IN_FLIGHT:
        environ["MESSAGES_IN_FLIGHT"] = MESSAGES_IN_FLIGHT
    if os.environ.get("LAMBDA_PACE_HARVESTER_RATE"):
        environ["HARVESTER_RATE"] = os.environ["LAMBDA_PACE_HARVESTER_RATE"]
    planned = _harvest(environ)
    context = multiprocessing.get_context("spawn")
    ready = [context.Event() for _ in range(instances)]
    go, done = context.Event(), context.Queue()
    workers = [
        context.Process(target=_instance, args=(environ, ready[i], go, done))
        for i in range(instances)
    ]
    for worker in workers:
        worker.start()
    for flag in ready:
        flag.wait(120)
    before = _fake_stats(url)
    started = time.monotonic()
    go.set()
    ends = [done.get(timeout=900) for _ in workers]
    for worker in workers:
        worker.join(30)
    after = _fake_stats(url)
    # The last request, not the workers' idle polls after it, ends the collect phase: each
    # worker waits ~3 s of empty polls before it reports.
    seconds = max(ends) - started - 3.0
    requests = after["requests"] - before["requests"]
    limited = after["rate_limited"] - before["rate_limited"]
    queue.close()
    return {
        "planned": planned,
        "requests": requests,
        "seconds": seconds,
        "rate": requests / seconds,
        "ratio": requests / seconds / RATE,
        "429_per_1000": 1000 * limited / max(requests, 1),
        "rate_limited": limited,
    }


def _local_run(url: str, directory: Path, endpoint: str) -> dict[str, float]:
    from tmdb_collector.app import run_mirror  # noqa: PLC0415
    from tmdb_collector.collect import CollectorSettings  # noqa: PLC0415
    from tmdb_collector.harvest import HarvestSettings  # noqa: PLC0415
    from tmdb_collector.queue import SQLiteWorkQueue  # noqa: PLC0415
    from tmdb_collector.store import open_object_store  # noqa: PLC0415
    from tmdb_collector.tmdb import ClientSettings, Credential, TMDBClient  # noqa: PLC0415

    async def mirror() -> dict[str, float]:
        settings = ClientSettings(
            credential=Credential(KEY), api_url=url, exports_url=url, rate_limit=RATE
        )
        queue = SQLiteWorkQueue(directory / "local-queue.sqlite3")
        started: list[float] = []

        def collecting(moment: Any) -> None:
            if moment.phase == "collect" and not started:
                started.append(time.monotonic())

        try:
            async with TMDBClient(settings) as client:
                before = _fake_stats(url)
                report = await run_mirror(
                    client=client,
                    # S3 on the same moto server, as the Lambda runs: the same store costs.
                    objects=open_object_store(
                        f"s3://{BUCKET}/local-{uuid.uuid4().hex[:8]}",
                        environ=moto_environ(endpoint),
                    ),
                    queue=queue,
                    harvest_settings=HarvestSettings(refresh_per_run=0),
                    collector_settings=CollectorSettings(),
                    on_progress=collecting,
                )
                ended = time.monotonic()
                after = _fake_stats(url)
        finally:
            queue.close()
        assert report.collect is not None
        seconds = ended - (started[0] if started else ended - report.seconds)
        requests = after["requests"] - before["requests"]
        limited = after["rate_limited"] - before["rate_limited"]
        return {
            "planned": sum(report.collect.items.values()),
            "requests": requests,
            "seconds": seconds,
            "rate": requests / seconds,
            "ratio": requests / seconds / RATE,
            "429_per_1000": 1000 * limited / max(requests, 1),
            "rate_limited": limited,
        }

    return asyncio.run(mirror())


def _print(title: str, figures: dict[str, float]) -> None:
    print(
        f"{title:<28} {figures['requests']:>6,.0f} requests in {figures['seconds']:6.1f} s: "
        f"{figures['rate']:5.1f}/s, ratio {figures['ratio']:.3f} (target >= 0.95); "
        f"429s {figures['rate_limited']:.0f} ({figures['429_per_1000']:.2f} per 1,000, "
        "target <= 1)"
    )


def main() -> None:
    args = ["--synthetic", CATALOG, "--seed", "3", "--rate-limit", str(RATE)]
    args += ["--latency-ms", str(LATENCY_MS)]
    with (
        tempfile.TemporaryDirectory() as directory,
        running_moto(Path(directory) / "moto.log") as endpoint,
        start_fake_process(args, log_level="warning") as url,
    ):
        create_bucket(endpoint, BUCKET)
        print(f"fake TMDB: {CATALOG}, --rate-limit {RATE} --latency-ms {LATENCY_MS}")
        print(
            f"items per message: {ITEMS_PER_MESSAGE or 'the default'}, messages per invocation: "
            f"{BATCH_SIZE}, messages in flight: {MESSAGES_IN_FLIGHT or 'the default'}"
        )
        for instances in (2, 4):
            _print(f"{instances} Lambda instances", _lambda_run(instances, url, endpoint))
        # The local mirror plans the same catalog into a fresh local store.
        _print("local mirror (one process)", _local_run(url, Path(directory), endpoint))


if __name__ == "__main__":
    main()
