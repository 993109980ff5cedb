"""The running local cloud of the end-to-end and reliability suites: `make local` started by the
root conftest when either suite is collected, waited for by the `local_cloud` fixture, stopped by
the end-to-end suite's last test (or at the end of the session)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from localcloud.events import Tap
from localcloud.token import ApiClient, user_pool

READY_TIMEOUT = 300.0


@dataclass(frozen=True)
class LocalCloudProcess:
    """`make local` (localcloud.up) started for the test session, on ports of its own."""

    process: subprocess.Popen[bytes]
    api_port: int
    aws_port: int
    log: Path
    started: float


LOCAL_CLOUD = pytest.StashKey[LocalCloudProcess]()
READY_SECONDS = pytest.StashKey[float]()


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: Any


def _children(pid: int) -> set[int]:
    """Every descendant of a process (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in map(int, children):
            found |= {child, *_children(child)}
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].split()[0]
    return state != "Z"


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As a server binds: connections closing in TIME_WAIT do not hold the port, a listener does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class LocalCloud:
    started: LocalCloudProcess
    # The service whose API `api` and `call` address unless told otherwise.
    service: str
    tap: Tap = field(init=False)
    api_client: ApiClient = field(init=False)

    def __post_init__(self) -> None:
        self.tap = Tap(self.endpoint)
        self.api_client = ApiClient(self.api, self.endpoint)

    @property
    def api(self) -> str:
        """The API of the cloud's service."""
        return self.url(self.service)

    def url(self, service: str) -> str:
        """A service's API: every service is on the one port, under its name."""
        return f"http://127.0.0.1:{self.started.api_port}/{service}"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.started.aws_port}"

    @property
    def session(self) -> boto3.Session:
        return boto3.Session(
            region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local"
        )

    def user_pool(self) -> tuple[str, str]:
        """The Cognito pool and app client the templates read from the contract."""
        return user_pool(self.session.client("ssm", endpoint_url=self.endpoint))

    def token(self, tenant: str) -> str:
        return self.api_client.token(tenant)

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        service: str | None = None,
    ) -> Response:
        """`method path` on a service's API (the cloud's own by default)."""
        request = urllib.request.Request(f"{self.url(service or self.service)}{path}", method=method)  # noqa: S310  # loopback
        if token is not None:
            request.add_header("Authorization", token)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        data = None
        if body is not None:
            request.add_header("Content-Type", "application/json")
            data = json.dumps(body).encode()
        try:
            with urllib.request.urlopen(request, data, timeout=30) as answer:  # noqa: S310  # loopback
                status, raw, answer_headers = answer.status, answer.read(), dict(answer.headers)
        except urllib.error.HTTPError as error:
            status, raw, answer_headers = error.code, error.read(), dict(error.headers)
        return Response(status, answer_headers, json.loads(raw) if raw else None)

    def events(self) -> list[dict[str, Any]]:
        """Every event that reached the tap so far (the session's one Tap drains the queue)."""
        return [event for event, _ in self.tap.poll()]

    def stop(self) -> tuple[int, set[int]]:
        """SIGINT, as Ctrl-C sends; returns the exit code and the processes it had started."""
        process = self.started.process
        descendants = _children(process.pid)
        process.send_signal(signal.SIGINT)
        return process.wait(timeout=60), descendants


def wait_until(condition: Any, timeout: float, what: str, interval: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f}s")
        time.sleep(interval)


def connect(pytestconfig: pytest.Config, service: str) -> LocalCloud:
    """The local cloud the session started (tests/conftest.py), once it is READY, with `service`
    as the API its calls address by default. A suite's conftest makes it its `local_cloud`."""
    started = pytestconfig.stash[LOCAL_CLOUD]
    ready = re.compile(rf"^READY http://127\.0\.0\.1:{started.api_port}$", re.MULTILINE)
    deadline = time.monotonic() + READY_TIMEOUT
    while not ready.search(started.log.read_text(errors="replace")):
        if started.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"make local did not reach READY:\n{started.log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.5)
    text = started.log.read_text(errors="replace")
    if match := re.search(r"^  up in (\d+) s$", text, re.MULTILINE):
        pytestconfig.stash[READY_SECONDS] = float(match.group(1))
    return LocalCloud(started, service)
