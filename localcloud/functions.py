"""The local Lambda service: each function of the template runs in warm workers
(localcloud/worker.py), processes with only its own environment and import path, as Lambda runs
it in execution environments.

- Concurrent invocations of a function run in separate workers, side by side; a worker serves one
  invocation at a time and is kept warm for the next. A function has at most its
  `ReservedConcurrentExecutions` workers, or LOCAL_LAMBDA_CONCURRENCY (default 20) where the
  template sets none: beyond that an invocation waits for a worker to come free (AWS would throttle
  past a reserved concurrency; locally the limit is the machine's, so it queues).
- A new worker is a cold start and says so in the log (INIT_START, then INIT_REPORT with its
  duration). As on Lambda, its Init phase is not part of the invocation's timeout: it has
  INIT_SECONDS of its own, and an init that takes longer uses up the invocation's timeout (Lambda
  retries such an init within the function's timeout).
- An invocation that runs past its timeout kills its worker only (Sandbox.Timedout); so does a
  worker that dies. The next invocation that needs one starts a fresh worker.
- A change to the function's code or layers (a `.py` file added, removed or saved) retires its
  workers, as `sam local start-api` reloads: an idle one at once, a busy one when its invocation
  ends. The next invocation is a cold start of the new code; no restart (CodeWatcher).

The workers' standard output and error are the function's logs: they are copied to this process's
standard output, each line prefixed with the function's name.
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

from localcloud.faults import FaultSwitch
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


# Lambda scales a function out to the account's concurrency (1,000 by default); locally each worker
# is a process of some 80 MiB, so the bound is the machine's. 20 lets the 20 clients of `make
# bench-load` reach a function at once: at 10 they queued for its workers (10 workers over a
# 137 ms mean invocation capped the API at about 73 calls/s).
DEFAULT_CONCURRENCY = int(os.environ.get("LOCAL_LAMBDA_CONCURRENCY", "20"))
INIT_SECONDS = 10  # Lambda's limit of the Init phase


class Worker:
    """One execution environment of a function: a warm process that runs one invocation at a time."""

    def __init__(
        self, function: Function, endpoint: str, log: Callable[[str], None], generation: int = 0
    ) -> None:
        self.generation = generation  # of the function's code it imported
        self.cold = True  # until its Init phase has ended
        read_fd, write_fd = os.pipe()
        spec = {
            "name": function.name,
            "handler": function.handler,
            "code_dir": str(function.code_dir),
            "layer_dirs": [str(d) for d in function.layer_dirs],
            "memory_mb": function.memory_mb,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-u", str(WORKER), json.dumps(spec), str(write_fd)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=runtime_environment(function, endpoint),
            pass_fds=(write_fd,),
            # A Ctrl-C in the terminal reaches the runtime, which stops the worker; if the runtime dies
            # instead, the worker's input closes and it ends.
            start_new_session=True,
        )
        os.close(write_fd)
        self.replies: IO[str] = os.fdopen(read_fd, "r")
        self.log = log
        threading.Thread(target=self._copy_logs, daemon=True).start()

    def _copy_logs(self) -> None:
        for raw in self.process.stdout:  # type: ignore[union-attr]  # a PIPE
            self.log(raw.decode(errors="replace"))

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def initialised(self, timeout: float) -> None:
        """Wait for the end of the worker's Init phase; TimeoutError past the timeout, EOFError if
        it died."""
        ready, _, _ = select.select([self.replies], [], [], timeout)
        if not ready:
            raise TimeoutError
        if json.loads(self.replies.readline() or "{}").get("initialised") is not True:
            raise EOFError("the function's process exited during its init")

    def invoke(self, invocation: dict[str, Any], timeout: float) -> dict[str, Any]:
        """The worker's reply; TimeoutError past the timeout, EOFError or BrokenPipeError if it died."""
        stdin = cast(IO[bytes], self.process.stdin)  # a PIPE
        stdin.write(json.dumps(invocation).encode() + b"\n")
        stdin.flush()
        ready, _, _ = select.select([self.replies], [], [], timeout)
        if not ready:
            raise TimeoutError
        line = self.replies.readline()
        if not line:
            raise EOFError("the function's process exited during the invocation")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def kill(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()
        self.replies.close()
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()


class LocalFunction:
    """One function of the template, invoked synchronously like `lambda:Invoke`, by many callers at once."""

    def __init__(
        self,
        function: Function,
        endpoint: str,
        log: Callable[[str], None] | None = None,
        faults: FaultSwitch | None = None,
    ) -> None:
        self.function = function
        self.endpoint = endpoint
        self.faults = faults
        self.log = log or log_to_console(f"[{function.name}]")
        self.concurrency = function.reserved_concurrency or DEFAULT_CONCURRENCY
        self._slots = threading.BoundedSemaphore(self.concurrency)
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._workers: set[Worker] = set()
        self._closed = False
        self._generation = 0  # bumped by reload(): the code changed

    def invoke(self, event: Any, timeout: float | None = None) -> Outcome:
        """Run one invocation in a free worker; `timeout` (seconds) cuts the template's Timeout short."""
        request_id = str(uuid.uuid4())
        timeout = timeout or self.function.timeout_seconds
        with self._slots:
            worker = self._take()
            if worker is None:
                return Outcome(
                    request_id, error=_runtime_error("Runtime.Stopped", "the local cloud is stopping")
                )
            if worker.cold:
                try:
                    timeout -= self._init(worker, timeout)
                except (TimeoutError, EOFError) as error:
                    self._give_back(worker, reset=True)
                    message = f"Init did not end within {INIT_SECONDS + timeout:.2f} seconds: {error}"
                    self.log(f"{message}\n")
                    return Outcome(request_id, error=_runtime_error("Runtime.InitError", message))
            invocation = {
                "event": event,
                "request_id": request_id,
                "deadline_ms": int((time.time() + timeout) * 1000),
            }
            self.log(f"START RequestId: {request_id}\n")
            started = time.monotonic()
            try:
                reply = worker.invoke(invocation, timeout)
            except (BrokenPipeError, EOFError) as error:
                self._give_back(worker, reset=True)
                outcome = Outcome(request_id, error=_runtime_error("Runtime.ExitError", str(error)))
            except TimeoutError:
                self._give_back(worker, reset=True)
                message = f"Task timed out after {timeout:.2f} seconds"
                self.log(f"{message}\n")
                outcome = Outcome(request_id, error=_runtime_error("Sandbox.Timedout", message))
            else:
                self._give_back(worker)
                outcome = Outcome(request_id, result=reply.get("result"), error=reply.get("error"))
                if outcome.error is not None and outcome.error["errorType"].startswith("Runtime."):
                    # the runtime's own failures, as Lambda logs them
                    self.log(json.dumps(outcome.error) + "\n")
            elapsed_ms = (time.monotonic() - started) * 1000
            self.log(f"END RequestId: {request_id} Duration: {elapsed_ms:.2f} ms\n")
            return outcome

    def deliver(self, event: Any) -> Outcome:
        """An invocation by an event source (a stream batch, a schedule slot). Where the fault switch
        says so, the event is first delivered `copies` more times, or the invocation times out early."""
        timeout = None
        for fault in self.faults.take(self.function.name) if self.faults else []:
            self.log(f"fault {fault.id}: {fault.kind} injected by the fault switch\n")
            if fault.kind == "duplicate":
                for _ in range(fault.copies):
                    self.invoke(event)
            elif fault.kind == "timeout":
                timeout = fault.seconds
        return self.invoke(event, timeout)

    def _init(self, worker: Worker, timeout: float) -> float:
        """Wait for a new worker's Init phase; the seconds it took beyond INIT_SECONDS, which the
        invocation's timeout pays for."""
        started = time.monotonic()
        worker.initialised(INIT_SECONDS + timeout)
        worker.cold = False
        took = time.monotonic() - started
        self.log(f"INIT_REPORT Init Duration: {took * 1000:.2f} ms\n")
        return max(0.0, took - INIT_SECONDS)

    def _take(self) -> Worker | None:
        """A warm worker, or a new one (a cold start); None once stopping."""
        with self._lock:
            if self._closed:
                return None
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    return worker
                self._forget(worker)
            worker = Worker(self.function, self.endpoint, self.log, self._generation)
            self._workers.add(worker)
            count = len(self._workers)
        self.log(f"INIT_START cold start: execution environment {count} of at most {self.concurrency}\n")
        return worker

    def _give_back(self, worker: Worker, reset: bool = False) -> None:
        """Keep the worker warm, or kill it: after a timeout or a crash its environment is reset."""
        with self._lock:
            if not reset and worker.alive and not self._closed and worker.generation == self._generation:
                self._idle.append(worker)
                return
            self._forget(worker)

    def reload(self) -> None:
        """The code changed: no invocation starts in a worker that imported the old one."""
        with self._lock:
            self._generation += 1
            idle, self._idle = self._idle, []
            for worker in idle:
                self._forget(worker)
        self.log("code changed: the next invocation starts a fresh execution environment\n")

    def _forget(self, worker: Worker) -> None:
        self._workers.discard(worker)
        worker.kill()

    def stop(self) -> None:
        """Kill every worker, also in the middle of an invocation (which then fails)."""
        with self._lock:
            self._closed = True
            workers, self._idle = list(self._workers), []
            self._workers.clear()
        for worker in workers:
            worker.kill()

    @property
    def pids(self) -> set[int]:
        with self._lock:
            return {w.process.pid for w in self._workers if w.alive}


def code_fingerprint(function: Function) -> tuple[tuple[str, int, int], ...]:
    """Every Python file of the function's code and layers, with its modification time and size."""
    found = []
    for directory in (function.code_dir, *function.layer_dirs):
        for path in sorted(directory.rglob("*.py")):
            with contextlib.suppress(FileNotFoundError):  # removed while walking
                stat = path.stat()
                found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


class CodeWatcher:
    """Looks at every function's code every `interval` seconds and reloads those that changed."""

    def __init__(self, functions: list[LocalFunction], interval: float = 0.5) -> None:
        self.functions = functions
        self.interval = interval
        self.stopping = threading.Event()
        self._seen = {id(f): code_fingerprint(f.function) for f in functions}
        self._thread = threading.Thread(target=self._watch, name="code-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _watch(self) -> None:
        while not self.stopping.wait(self.interval):
            for function in self.functions:
                now = code_fingerprint(function.function)
                if now != self._seen[id(function)]:
                    self._seen[id(function)] = now
                    function.reload()


def _runtime_error(error_type: str, message: str) -> dict[str, Any]:
    return {"errorType": error_type, "errorMessage": message, "stackTrace": []}
