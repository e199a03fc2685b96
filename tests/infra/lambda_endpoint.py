"""Lambda's Invoke API for a stack deployed on moto, which stores functions but cannot run
them without Docker. ``with LambdaEndpoint(moto, overrides).serving() as url``, and boto3 pointed
at ``url`` (``AWS_ENDPOINT_URL_LAMBDA``) gets moto's answers for every Lambda request except
``Invoke``: there the function named runs under awslambdaric (tests/aws/local_lambda.py) with
the handler and the environment its configuration on moto holds, plus ``overrides`` (the fake
TMDB's address: the test's stand-in for the Internet). One instance per function, started on
its first invocation. The server binds 127.0.0.1 on a free port and stops with the block, or by
itself after ``lifetime`` seconds."""

from __future__ import annotations

import asyncio
import json
import threading
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
        self._instances = ExitStack()

    def _function(self, name: str) -> Function:
        if name not in self._functions:
            lambda_ = boto3.client(
                "lambda", endpoint_url=self.moto, region_name=self.aws["AWS_REGION"]
            )
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
