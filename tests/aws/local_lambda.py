"""One Lambda function instance on this machine: awslambdaric (the bootstrap of Lambda's Python
images) running a handler in a process of its own, polling a local Runtime API
(tests/aws/runtime_api.py) as it polls Lambda's."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws.runtime_api import Invocation, RuntimeAPI

__all__ = ["INVOKE_TIMEOUT", "Function", "InvocationFailed", "lambda_function"]

#: Time for a function process to start and answer one invocation; a generous bound on a busy
#: 2-core machine, far above the ~1 s it takes.
INVOKE_TIMEOUT = 60.0


class InvocationFailed(Exception):
    """The function reported an error through the Runtime API's /error endpoint, or answered
    after its deadline."""

    def __init__(self, invocation: Invocation) -> None:
        late = " (after its deadline)" if invocation.timed_out else ""
        super().__init__(f"{invocation.error_type}{late}: {invocation.body}")
        self.invocation = invocation


@dataclass
class Function:
    """One instance of a Lambda function: awslambdaric running a handler in a process of its
    own, fed by a Runtime API; its stdout and stderr (the function's logs) go to ``log``."""

    api: RuntimeAPI
    process: subprocess.Popen[bytes]
    log: Path

    def invoke(self, payload: Any, *, deadline_seconds: float | None = None) -> Invocation:
        answer = self.api.submit(payload, deadline_seconds=deadline_seconds)
        give_up = time.monotonic() + INVOKE_TIMEOUT
        while True:
            try:
                return answer.result(timeout=0.1)
            except TimeoutError:
                if self.process.poll() is not None:
                    raise AssertionError(
                        f"the runtime exited with {self.process.returncode}:\n{self.logs()}"
                    ) from None
                if time.monotonic() > give_up:
                    raise AssertionError(
                        f"no answer in {INVOKE_TIMEOUT} s:\n{self.logs()}"
                    ) from None

    def call(self, payload: Any, *, deadline_seconds: float | None = None) -> Mapping[str, Any]:
        """The handler's result; InvocationFailed when it raised or overran its deadline
        (Lambda would have stopped it: the poller gets no partial batch response)."""
        invocation = self.invoke(payload, deadline_seconds=deadline_seconds)
        if invocation.outcome != "response" or invocation.timed_out:
            raise InvocationFailed(invocation)
        result: Mapping[str, Any] = invocation.body
        return result

    def logs(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def lambda_function(handler: str, environ: Mapping[str, str], root: Path) -> Iterator[Function]:
    """Run ``handler`` under awslambdaric with Lambda's environment plus ``environ`` (and
    nothing else of this process's: the function sees only what its configuration sets)."""
    name = f"tmdb-collector-{handler.split('.')[-2]}"
    root.mkdir(parents=True, exist_ok=True)
    with RuntimeAPI(deadline_seconds=300).serving() as api, ExitStack() as stack:
        log = root / f"{name}.log"
        out = stack.enter_context(log.open("wb"))
        lambda_environ = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "HOME": str(root),
            "LAMBDA_TASK_ROOT": str(root),
            "AWS_LAMBDA_RUNTIME_API": api.address,
            "_HANDLER": handler,
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2026/08/27/[$LATEST]0123456789abcdef",
        }
        process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-m", "awslambdaric", handler],
            env=lambda_environ | dict(environ),
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield Function(api, process, log)
        finally:
            # The runtime loops on /next for ever, as it does on Lambda until the instance is
            # frozen or retired.
            process.kill()
            process.wait(timeout=10)
