"""The local Lambda service: each function in its own process, with its own environment and
modules, its timeout enforced, its errors reported as Lambda reports them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from localcloud.functions import CodeWatcher, LocalFunction
from localcloud.template import Function

HANDLER = """
import os, sys, time

import helper  # from the function's own code directory

STARTED = time.time()


def lambda_handler(event, context):
    began = time.time()
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("fail"):
        raise ValueError(event["fail"])
    print("a log line")
    return {
        "environment": sorted(os.environ),
        "variable": os.environ.get("ONLY_MINE"),
        "modules": sorted(m for m in sys.modules if m in ("localcloud", "tests", "helper")),
        "started": STARTED,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "function_name": context.function_name,
        "pid": os.getpid(),
        "began": began,
        "ended": time.time(),
    }
"""


def function(
    code: Path, name: str, variables: dict[str, str], timeout: int = 3, reserved: int | None = None
) -> Function:
    return Function(
        logical_id=name,
        name=name,
        code_dir=code,
        handler="app.lambda_handler",
        timeout_seconds=timeout,
        memory_mb=128,
        layer_dirs=(),
        environment=variables,
        reserved_concurrency=reserved,
    )


@pytest.fixture
def code(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(HANDLER)
    (tmp_path / "helper.py").write_text("")
    return tmp_path


@pytest.fixture
def logs() -> list[str]:
    return []


@pytest.fixture
def local(code: Path, logs: list[str]) -> Iterator[LocalFunction]:
    running = LocalFunction(function(code, "fn-a", {"ONLY_MINE": "a"}), "http://127.0.0.1:9", logs.append)
    yield running
    running.stop()


def test_a_function_sees_its_own_environment_and_modules_only(
    local: LocalFunction, code: Path, logs: list[str]
) -> None:
    other = LocalFunction(function(code, "fn-b", {"OTHER": "b"}), "http://127.0.0.1:9", logs.append)
    try:
        mine, theirs = local.invoke({}).result, other.invoke({}).result
    finally:
        other.stop()
    assert mine["variable"] == "a"
    assert theirs["variable"] is None
    assert "OTHER" not in mine["environment"]
    assert {"AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION"} <= set(mine["environment"])
    assert mine["modules"] == ["helper"], "nothing of the local cloud is importable by the function"
    assert (mine["function_name"], theirs["function_name"]) == ("fn-a", "fn-b")
    assert "a log line\n" in logs


def test_a_warm_function_keeps_its_module_and_counts_down_its_time(local: LocalFunction) -> None:
    first, second = local.invoke({}).result, local.invoke({}).result
    assert first["started"] == second["started"], "the second call reuses the imported handler"
    assert 0 < second["remaining_ms"] <= 3000


def test_an_error_is_reported_as_lambda_reports_it(local: LocalFunction) -> None:
    outcome = local.invoke({"fail": "bad input"})
    assert outcome.failed
    assert outcome.error is not None
    assert (outcome.error["errorType"], outcome.error["errorMessage"]) == ("ValueError", "bad input")
    assert local.invoke({}).result is not None, "the function still answers after an error"


def test_a_timeout_kills_the_function_and_the_next_call_starts_cold(
    local: LocalFunction, logs: list[str]
) -> None:
    before = local.invoke({}).result
    outcome = local.invoke({"sleep": 10})
    assert outcome.error is not None
    assert outcome.error["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 3.00 seconds\n" in logs
    after = local.invoke({}).result
    assert after["pid"] != before["pid"]
    assert after["started"] > before["started"]
    assert local.pids == {after["pid"]}


def test_concurrent_invocations_run_side_by_side_in_their_own_workers(
    local: LocalFunction, logs: list[str]
) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = [f.result().result for f in [pool.submit(local.invoke, {"sleep": 1}) for _ in range(4)]]
    assert len({r["pid"] for r in results}) == 4
    assert max(r["began"] for r in results) < min(r["ended"] for r in results), "all four overlapped"
    assert sum("INIT_START" in line for line in logs) == 4
    again = local.invoke({}).result
    assert again["pid"] in {r["pid"] for r in results}, "a warm worker serves the next call"


def test_a_timeout_resets_only_the_worker_it_happened_in(local: LocalFunction) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        slow = pool.submit(local.invoke, {"sleep": 10})
        time.sleep(0.5)
        quick = local.invoke({}).result
        assert slow.result().error["errorType"] == "Sandbox.Timedout"  # type: ignore[index]
    assert local.pids == {quick["pid"]}
    assert local.invoke({}).result["pid"] == quick["pid"]


def test_reserved_concurrency_bounds_the_workers(code: Path, logs: list[str]) -> None:
    bounded = LocalFunction(function(code, "fn-bounded", {}, reserved=2), "http://127.0.0.1:9", logs.append)
    try:
        with ThreadPoolExecutor(max_workers=5) as pool:
            futures = [pool.submit(bounded.invoke, {"sleep": 0.5}) for _ in range(5)]
            results = [f.result().result for f in futures]
    finally:
        bounded.stop()
    assert len({r["pid"] for r in results}) == 2
    spans = sorted((r["began"], r["ended"]) for r in results)
    most_at_once = max(sum(began <= t < ended for began, ended in spans) for t, _ in spans)
    assert most_at_once == 2


def test_the_init_phase_is_not_part_of_the_invocations_timeout(code: Path, logs: list[str]) -> None:
    """As on Lambda: an import slower than the function's timeout (under load, twenty cold starts
    on two cores) but within the Init phase's own 10 s leaves the invocation its whole timeout."""
    (code / "app.py").write_text("import time\ntime.sleep(2.5)\n" + HANDLER)
    slow = LocalFunction(function(code, "fn-slow-init", {}, timeout=2), "http://127.0.0.1:9", logs.append)
    try:
        first = slow.invoke({"sleep": 1.5})
    finally:
        slow.stop()
    assert first.error is None, first.error
    assert 0 < first.result["remaining_ms"] <= 500, "the deadline counts from the end of init"
    (report,) = [line for line in logs if line.startswith("INIT_REPORT Init Duration: ")]
    assert float(report.split()[3]) >= 2500


def test_an_import_error_fails_every_call_with_the_runtimes_error_type(code: Path, logs: list[str]) -> None:
    (code / "app.py").write_text("import no_such_module\n")
    broken = LocalFunction(function(code, "fn-broken", {}), "http://127.0.0.1:9", logs.append)
    try:
        outcome = broken.invoke({})
    finally:
        broken.stop()
    assert outcome.error is not None
    assert outcome.error["errorType"] == "Runtime.ImportModuleError.ModuleNotFoundError"


def test_a_code_change_is_picked_up_by_the_next_invocation_without_a_restart(
    local: LocalFunction, code: Path, logs: list[str]
) -> None:
    """As `sam local start-api` reloads: the watcher sees the saved file, idle workers go, a worker
    busy meanwhile goes when its invocation ends, and the next call imports the new code cold."""
    watcher = CodeWatcher([local], interval=0.05)
    watcher.start()
    try:
        first = local.invoke({}).result
        with ThreadPoolExecutor(max_workers=1) as pool:
            busy = pool.submit(local.invoke, {"sleep": 0.5})
            time.sleep(0.2)
            (code / "helper.py").write_text("CHANGED = True\n")
            deadline = time.monotonic() + 5
            while not any("code changed" in line for line in logs) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert busy.result().result["pid"] == first["pid"]  # the busy call ends in the old code
        after = local.invoke({}).result
    finally:
        watcher.stop()
    assert after["pid"] != first["pid"]
    assert after["started"] > first["started"]
    assert local.pids == {after["pid"]}  # the busy worker went when its call ended
    assert sum("INIT_START" in line for line in logs) >= 2
