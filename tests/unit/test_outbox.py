"""fulfilment's outbox (fulfilment.outbox): which stream records are events, what the events say,
and which records a refusing bus leaves failed. The records are the committed sample, a real
record of the local table (tests/integration/test_fulfilment.py checks its shape)."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from fulfilment.outbox import DISPATCHED, PublishFailed, dispatched_event, relay

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "sam"
    / "fulfilment"
    / "events"
    / "relay"
    / "shipment-dispatched.json"
)
[RECORD] = json.loads(SAMPLE.read_text())["Records"]
SOURCE = "/shop/dev/fulfilment"


def record(number: int, **changes: Any) -> dict[str, Any]:
    """The sample as the number-th dispatch of the batch."""
    copied: dict[str, Any] = copy.deepcopy(RECORD)
    copied["eventID"] = f"event-{number}"
    copied["dynamodb"]["SequenceNumber"] = str(number)
    copied["dynamodb"]["NewImage"]["order_id"] = {"S": f"order-{number}"}
    copied.update(changes)
    return copied


class Bus:
    """An event bus that refuses the events of the orders it is told to, or every call."""

    def __init__(self, refused: Sequence[str] = (), down: bool = False) -> None:
        self.refused, self.down = set(refused), down
        self.calls: list[list[dict[str, Any]]] = []

    def publish(self, events: Sequence[dict[str, Any]]) -> list[str | None]:
        if self.down:
            raise ConnectionError("the bus is unreachable")
        self.calls.append(list(events))
        return ["InternalFailure: refused" if e["subject"] in self.refused else None for e in events]


def test_a_dispatch_is_a_cloud_event_with_the_records_id() -> None:
    event = dispatched_event(RECORD, SOURCE)
    assert event == {
        "specversion": "1.0",
        "id": RECORD["eventID"],
        "source": SOURCE,
        "type": DISPATCHED,
        "subject": "01JD0000000000000000000000",
        "time": "2026-11-23T11:00:00+00:00",
        "datacontenttype": "application/json",
        "tenant": "acme",
        "data": {
            "order_id": "01JD0000000000000000000000",
            "status": "DISPATCHED",
            "dispatched_at": "2026-11-23T11:00:00+00:00",
        },
    }


@pytest.mark.parametrize(
    "other",
    [
        record(1, eventName="INSERT"),  # a new shipment
        {
            **record(1),
            "dynamodb": {
                **record(1)["dynamodb"],
                "Keys": {"pk": {"S": "TENANT#acme"}, "sk": {"S": "EVENT#e"}},
            },
        },
        {  # a cancellation
            **record(1),
            "dynamodb": {
                **record(1)["dynamodb"],
                "NewImage": {**RECORD["dynamodb"]["NewImage"], "status": {"S": "CANCELLED"}},
            },
        },
    ],
)
def test_nothing_else_is_an_event(other: dict[str, Any]) -> None:
    assert dispatched_event(other, SOURCE) is None


def test_the_events_go_ten_at_a_time_and_a_refused_one_fails_its_record_alone() -> None:
    bus = Bus(refused=["order-4"])
    published, failures = relay([record(n) for n in range(1, 24)], bus, SOURCE)
    assert [len(call) for call in bus.calls] == [10, 10, 3]
    assert published == 22
    assert list(failures) == ["4"]
    assert isinstance(failures["4"], PublishFailed)


def test_an_unreadable_record_fails_and_a_bus_that_is_down_fails_every_event() -> None:
    broken = record(1)
    del broken["dynamodb"]["NewImage"]["tenant"]
    published, failures = relay([broken, record(2)], Bus(down=True), SOURCE)
    assert published == 0
    assert list(failures) == ["1", "2"]
    assert isinstance(failures["1"], ValueError)
    assert "unreachable" in str(failures["2"])
