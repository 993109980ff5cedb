"""The local Lambda service: each function of the template runs in its own worker process
(localcloud/worker.py), with only its own environment and import path, started on its first
invocation and kept warm. Invocations of one function run one at a time; one that runs past the
template's timeout kills the worker, and the next invocation starts a fresh one (a cold start),
as a timed-out Lambda sandbox is reset.

The worker's standard output and error are the function's logs: they are copied to this
process's standard output, each line prefixed with the function's name.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from localcloud.invoke import runtime_environment
from localcloud.template import Function

WORKER = Path(__file__).with_name("worker.py")


@dataclass(frozen=True)
class Outcome:
    """What an invocation returned: the handler's result, or the error Lambda would report."""

    request_id: str
    result: Any = None
    error: dict[str, Any] | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def log_to_console(prefix: str) -> Callable[[str], None]:
    lock = threading.Lock()

    def write(line: str) -> None:
        with lock:
            sys.stdout.write(f"{prefix} {line}")
            sys.stdout.flush()

    return write


class LocalFunction:
    """One function of the template, invoked synchronously like `lambda:Invoke`."""

    def __init__(self, function: Function, endpoint: str, log: Callable[[str], None] | None = None) -> None:
        self.function = function
        self.endpoint = endpoint
        self.log = log or log_to_console(f"[{function.name}]")
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._replies: IO[str] | None = None
        self._closed = False

    def invoke(self, event: Any) -> Outcome:
        request_id = str(uuid.uuid4())
        with self._lock:
            if self._closed:
                return Outcome(
                    request_id, error=_runtime_error("Runtime.Stopped", "the local cloud is stopping")
                )
            process, replies = self._worker()
            timeout = self.function.timeout_seconds
            deadline_ms = int((time.time() + timeout) * 1000)
            invocation = json.dumps({"event": event, "request_id": request_id, "deadline_ms": deadline_ms})
            self.log(f"START RequestId: {request_id}\n")
            started = time.monotonic()
            try:
                stdin = cast(IO[bytes], process.stdin)  # a PIPE
                stdin.write(invocation.encode() + b"\n")
                stdin.flush()
                reply = self._read_reply(replies, timeout)
            except (BrokenPipeError, EOFError) as error:
                self._stop()
                outcome = Outcome(request_id, error=_runtime_error("Runtime.ExitError", str(error)))
            except TimeoutError:
                self._stop()
                message = f"Task timed out after {timeout:.2f} seconds"
                self.log(f"{message}\n")
                outcome = Outcome(request_id, error=_runtime_error("Sandbox.Timedout", message))
            else:
                outcome = Outcome(request_id, result=reply.get("result"), error=reply.get("error"))
                if outcome.error is not None and outcome.error["errorType"].startswith("Runtime."):
                    self.log(
                        json.dumps(outcome.error) + "\n"
                    )  # the runtime's own failures, as Lambda logs them
            elapsed_ms = (time.monotonic() - started) * 1000
            self.log(f"END RequestId: {request_id} Duration: {elapsed_ms:.2f} ms\n")
            return outcome

    def _worker(self) -> tuple[subprocess.Popen[bytes], IO[str]]:
        if self._process is not None and self._process.poll() is None and self._replies is not None:
            return self._process, self._replies
        self._stop()
        read_fd, write_fd = os.pipe()
        spec = {
            "name": self.function.name,
            "handler": self.function.handler,
            "code_dir": str(self.function.code_dir),
            "layer_dirs": [str(d) for d in self.function.layer_dirs],
            "memory_mb": self.function.memory_mb,
        }
        process = subprocess.Popen(
            [sys.executable, "-I", "-u", str(WORKER), json.dumps(spec), str(write_fd)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=runtime_environment(self.function, self.endpoint),
            pass_fds=(write_fd,),
            # A Ctrl-C in the terminal reaches the runtime, which stops the worker; if the runtime dies
            # instead, the worker's input closes and it ends.
            start_new_session=True,
        )
        os.close(write_fd)
        threading.Thread(target=self._copy_logs, args=(process,), daemon=True).start()
        self._process, self._replies = process, os.fdopen(read_fd, "r")
        return self._process, self._replies

    def _copy_logs(self, process: subprocess.Popen[bytes]) -> None:
        for raw in process.stdout:  # type: ignore[union-attr]  # a PIPE
            self.log(raw.decode(errors="replace"))

    @staticmethod
    def _read_reply(replies: IO[str], timeout: float) -> dict[str, Any]:
        ready, _, _ = select.select([replies], [], [], timeout)
        if not ready:
            raise TimeoutError
        line = replies.readline()
        if not line:
            raise EOFError("the function's process exited during the invocation")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def _stop(self) -> None:
        process, self._process = self._process, None
        if self._replies is not None:
            self._replies.close()
            self._replies = None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()

    def stop(self) -> None:
        """Kill the worker, if one runs, also in the middle of an invocation (which then fails)."""
        self._closed = True
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
        with self._lock:
            self._stop()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


def _runtime_error(error_type: str, message: str) -> dict[str, Any]:
    return {"errorType": error_type, "errorMessage": message, "stackTrace": []}
