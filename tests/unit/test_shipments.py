"""fulfilment's reading of the orders events it consumes (fulfilment.shipments.OrderEvent): the
CloudEvent inside the EventBridge event inside the queue message, or a clear refusal."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fulfilment.shipments import CANCELLED, PLACED, OrderEvent

SAMPLE = (
    Path(__file__).resolve().parents[2] / "sam" / "fulfilment" / "events" / "consumer" / "orders-events.json"
)
PLACED_BODY, CANCELLED_BODY = (r["body"] for r in json.loads(SAMPLE.read_text())["Records"])


def test_a_placement_names_its_event_tenant_order_and_time() -> None:
    event = OrderEvent.from_message(PLACED_BODY)
    assert event == OrderEvent(
        id="49655800000000000000000000000000000000000000000000000001",
        type=PLACED,
        tenant="acme",
        order_id="01JD0000000000000000000000",
        at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
        previous_status="DRAFT",
    )


def test_a_cancellation_says_what_the_order_was_before() -> None:
    event = OrderEvent.from_message(CANCELLED_BODY)
    assert (event.type, event.previous_status) == (CANCELLED, "PLACED")


def without(body: str, *path: str) -> str:
    message: dict[str, Any] = json.loads(body)
    node = message
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return json.dumps(message)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"detail": "a string"}),
        without(PLACED_BODY, "detail"),
        without(PLACED_BODY, "detail", "specversion"),
        without(PLACED_BODY, "detail", "id"),
        without(PLACED_BODY, "detail", "tenant"),
        without(PLACED_BODY, "detail", "data", "id"),
        json.dumps(
            {**json.loads(PLACED_BODY), "detail": {**json.loads(PLACED_BODY)["detail"], "time": "yesterday"}}
        ),
    ],
)
def test_a_message_that_is_not_an_orders_event_is_refused_with_the_reason(body: str) -> None:
    with pytest.raises(
        ValueError, match=r"not an EventBridge event|not a CloudEvent|lacks id|not an orders CloudEvent"
    ):
        OrderEvent.from_message(body)
