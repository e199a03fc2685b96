"""Lambda's Invoke API for a stack deployed on moto, which stores functions but cannot run
them without Docker. ``with LambdaEndpoint(moto, overrides).serving() as url``, and boto3 pointed
at ``url`` (``AWS_ENDPOINT_URL_LAMBDA``) gets moto's answers for every Lambda request except
``Invoke``: there the function named runs under awslambdaric (tests/aws/local_lambda.py) with
the handler and the environment its configuration on moto holds, plus ``overrides`` (the fake
TMDB's address: the test's stand-in for the Internet). One instance per function, started on
its first invocation; after each invocation the lines the function printed go to its log group
on moto, as Lambda sends them to CloudWatch Logs, and the metrics of their embedded metric
format documents go to CloudWatch, as CloudWatch extracts them (moto does neither). The server
binds 127.0.0.1 on a free port and stops with the block, or by itself after ``lifetime``
seconds."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import boto3
from aiohttp import web

from aws.local_lambda import Function, lambda_function

__all__ = ["LambdaEndpoint"]

_INVOKE = "/2015-03-31/functions/{name}/invocations"


class LambdaEndpoint:
    def __init__(
        self,
        moto: str,
        aws: Mapping[str, str],
        overrides: Mapping[str, str],
        root: Path,
        *,
        lifetime: float = 300.0,
    ) -> None:
        self.moto, self.aws, self.overrides, self.root = moto, dict(aws), dict(overrides), root
        self.lifetime = lifetime
        self.invoked: list[str] = []
        self._functions: dict[str, Function] = {}
        self._printed: dict[str, int] = {}
        self._instances = ExitStack()

    def _client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.moto, region_name=self.aws["AWS_REGION"])

    def _ship_logs(self, name: str) -> None:
        """The function's new lines to /aws/lambda/NAME (one stream per instance)."""
        text = self._functions[name].log.read_bytes()
        new = text[self._printed.get(name, 0) :]
        self._printed[name] = len(text)
        lines = [line for line in new.decode("utf-8", "replace").splitlines() if line.strip()]
        if not lines:
            return
        logs, group, stream = self._client("logs"), f"/aws/lambda/{name}", "2026/12/07/[$LATEST]1"
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_group(logGroupName=group)
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
        now = int(time.time() * 1000)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": now, "message": line} for line in lines],
        )
        for line in lines:
            self._put_metrics(line)

    def _put_metrics(self, line: str) -> None:
        """An EMF document's metrics, with its dimensions, as CloudWatch extracts them."""
        try:
            document = json.loads(line)
            directives = document["_aws"]["CloudWatchMetrics"]
        except (ValueError, KeyError, TypeError):
            return
        cloudwatch = self._client("cloudwatch")
        for directive in directives:
            for dimensions in directive["Dimensions"]:
                cloudwatch.put_metric_data(
                    Namespace=directive["Namespace"],
                    MetricData=[
                        {
                            "MetricName": metric["Name"],
                            "Dimensions": [
                                {"Name": name, "Value": str(document[name])} for name in dimensions
                            ],
                            "Value": float(document[metric["Name"]]),
                            "Unit": metric.get("Unit", "None"),
                        }
                        for metric in directive["Metrics"]
                    ],
                )

    def _function(self, name: str) -> Function:
        if name not in self._functions:
            lambda_ = self._client("lambda")
            configuration = lambda_.get_function_configuration(FunctionName=name)
            variables = configuration.get("Environment", {}).get("Variables", {})
            environ = self.aws | {k: str(v) for k, v in variables.items()} | self.overrides
            self._functions[name] = self._instances.enter_context(
                lambda_function(configuration["Handler"], environ, self.root / name)
            )
        return self._functions[name]

    async def _invoke(self, request: web.Request) -> web.Response:
        name = request.match_info["name"].rsplit(":", 1)[-1]
        payload = json.loads(await request.read() or b"{}")
        self.invoked.append(name)
        invocation = await asyncio.to_thread(lambda: self._function(name).invoke(payload))
        await asyncio.to_thread(self._ship_logs, name)
        headers = {"X-Amz-Executed-Version": "$LATEST"}
        if invocation.outcome != "response":
            headers["X-Amz-Function-Error"] = "Unhandled"
        return web.json_response(invocation.body, headers=headers)

    async def _forward(self, request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method,
                self.moto + request.path_qs,
                headers=headers,
                data=await request.read(),
            ) as answer,
        ):
            body = await answer.read()
            kept = {
                k: v
                for k, v in answer.headers.items()
                if k.lower() not in {"content-length", "transfer-encoding", "content-encoding"}
            }
            return web.Response(status=answer.status, body=body, headers=kept)

    @contextmanager
    def serving(self) -> Iterator[str]:
        started: dict[str, Any] = {}
        ready, stop = threading.Event(), threading.Event()

        async def serve() -> None:
            application = web.Application()
            application.router.add_post(_INVOKE, self._invoke)
            application.router.add_route("*", "/{tail:.*}", self._forward)
            runner = web.AppRunner(application, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            started["port"] = runner.addresses[0][1]
            ready.set()
            try:
                await asyncio.to_thread(stop.wait, self.lifetime)
            finally:
                await runner.cleanup()

        thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
        thread.start()
        if not ready.wait(30):
            raise RuntimeError("the Lambda endpoint did not start")
        try:
            with self._instances:
                yield f"http://127.0.0.1:{started['port']}"
        finally:
            stop.set()
            thread.join(timeout=30)
