"""The local stream poller on the emulator's real stream, with a real function in a worker that
writes down every record it is given: nothing skipped, order kept, a dead reader restarted."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from localcloud import faults
from localcloud.faults import FaultSwitch
from localcloud.functions import LocalFunction
from localcloud.streams import StreamMapping, StreamPoller
from localcloud.template import Function
from tests.conftest import Emulator, stream_table

pytestmark = pytest.mark.emulator

RECORDER = """
import json, os


def lambda_handler(event, context):
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]]
    with open(os.environ["SEEN"], "a") as seen:
        seen.write(json.dumps(keys) + "\\n")
    return {"batchItemFailures": []}
"""


@dataclass
class Running:
    table: str
    dynamodb: Any
    seen: Path
    logs: list[str]
    poller: StreamPoller
    new_poller: Callable[[], StreamPoller]

    def put(self, *keys: str) -> None:
        for key in keys:
            self.dynamodb.put_item(TableName=self.table, Item={"pk": {"S": key}})

    def deliveries(self) -> list[list[str]]:
        text = self.seen.read_text() if self.seen.exists() else ""
        return [json.loads(line) for line in text.splitlines()]

    def wait_for(self, count: int, timeout: float = 30) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            keys = [k for batch in self.deliveries() for k in batch]
            if len(keys) >= count or time.monotonic() > deadline:
                return keys
            time.sleep(0.2)


@pytest.fixture
def running(emulator: Emulator, tmp_path: Path) -> Iterator[Running]:
    dynamodb = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint)
    name = f"poller-{uuid.uuid4().hex[:8]}"
    arn = stream_table(dynamodb, name)
    (tmp_path / "app.py").write_text(RECORDER)
    seen = tmp_path / "seen.jsonl"
    definition = Function(
        logical_id="Recorder",
        name=f"{name}-recorder",
        code_dir=tmp_path,
        handler="app.lambda_handler",
        timeout_seconds=10,
        memory_mb=128,
        layer_dirs=(),
        environment={"SEEN": str(seen)},
    )
    logs: list[str] = []
    function = LocalFunction(definition, emulator.endpoint, logs.append, FaultSwitch(emulator.endpoint))
    properties = {
        "EventSourceArn": arn,
        "StartingPosition": "TRIM_HORIZON",
        "BatchSize": 5,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
    }

    def new_poller() -> StreamPoller:
        return StreamPoller(
            StreamMapping.from_mapping(function, properties),
            emulator.session.client("dynamodbstreams", endpoint_url=emulator.endpoint),
            emulator.session.client("sqs", endpoint_url=emulator.endpoint),
            logs.append,
        )

    current = Running(name, dynamodb, seen, logs, new_poller(), new_poller)
    current.poller.start()
    yield current
    current.poller.stop()
    function.stop()
    faults.clear(emulator.endpoint)


def test_every_record_arrives_once_in_order_in_batches_of_the_batch_size(running: Running) -> None:
    keys = [f"k{i:02}" for i in range(23)]
    running.put(*keys)
    assert running.wait_for(23) == keys
    assert all(len(batch) <= 5 for batch in running.deliveries())


def test_a_reader_that_dies_is_restarted_after_what_it_delivered(
    emulator: Emulator, running: Running
) -> None:
    running.put("before")
    assert running.wait_for(1) == ["before"]
    # A reader dies when a read and the read with a new iterator both fail (the SDK does not retry
    # a 400): three readers die in a row, each restarted a second later by the poller's watch.
    faults.add(
        emulator.endpoint,
        {"kind": "error", "service": "dynamodbstreams", "action": "GetRecords", "code": "InternalServerError",
         "times": 6},
    )  # fmt: skip
    running.put("during-1", "during-2")
    assert running.wait_for(3) == ["before", "during-1", "during-2"]
    assert any("reader restarted after" in line for line in running.logs)


def test_a_duplicate_fault_delivers_the_same_batch_again(emulator: Emulator, running: Running) -> None:
    faults.add(emulator.endpoint, {"kind": "duplicate", "function": f"{running.table}-recorder", "copies": 2})
    running.put("once")
    assert running.wait_for(3) == ["once", "once", "once"]


def test_a_poller_started_again_resumes_after_its_checkpoint(running: Running) -> None:
    """As an event source mapping keeps its position across a restart of `make local` on a kept
    emulator: what was delivered is not delivered again, what came while it was stopped is."""
    running.put("a", "b")
    assert running.wait_for(2) == ["a", "b"]
    running.poller.stop()
    positions = running.poller.positions
    assert positions
    running.put("c")
    running.poller = running.new_poller()
    running.poller.resume_after = positions
    running.poller.start()
    assert running.wait_for(3) == ["a", "b", "c"]
    time.sleep(1)
    assert [k for batch in running.deliveries() for k in batch] == ["a", "b", "c"]
