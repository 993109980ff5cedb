"""What a rule hands its targets, in the emulator: the event as it was put (the layer builds it
directly instead of through moto's default input template: localcloud.emulator_server
.event_for_target), and an InputTransformer still moto's."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from localcloud.emulator_server import _moto_event_template_parse, event_for_target
from tests.conftest import Emulator

EVENT: dict[str, Any] = {
    "version": "0",
    "id": "0f6b5e3c-0000-4000-8000-000000000001",
    "detail-type": "catalog.order.placed",
    "source": "/demo/local/catalog",
    "account": "123456789012",
    "time": 1795428000.5,
    "region": "us-east-1",
    "resources": ["arn:aws:dynamodb:us-east-1:123456789012:table/t"],
    "detail": {"id": "e1", "data": {"id": "o1", "total": 2500, "tags": ["a", {"b": None}], "ok": True}},
    "ingestion-time": 1795428000.6,
}


def test_without_a_transformer_a_target_gets_what_moto_makes_of_its_default_template() -> None:
    assert event_for_target(None, {}, EVENT) == _moto_event_template_parse(None, {}, EVENT)  # type: ignore[arg-type]


def test_what_a_target_gets_is_its_own_copy() -> None:
    sent = event_for_target(None, {}, EVENT)
    sent["detail"]["data"]["id"] = "changed"
    sent["time"] = "2026-11-24T00:00:00Z"
    assert (EVENT["detail"]["data"]["id"], EVENT["time"]) == ("o1", 1795428000.5)


def test_an_input_transformer_is_moto_s() -> None:
    template = '{"order": "<order>"}'
    assert event_for_target(template, {"order": "$.detail.data.id"}, EVENT) == {"order": "o1"}


@pytest.mark.emulator
def test_a_queue_target_receives_the_event_put_on_the_bus(emulator: Emulator) -> None:
    events = emulator.session.client("events", endpoint_url=emulator.endpoint)
    sqs = emulator.session.client("sqs", endpoint_url=emulator.endpoint)
    name = f"events-{uuid.uuid4().hex[:8]}"
    events.create_event_bus(Name=name)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name=name, EventBusName=name, EventPattern=json.dumps({"source": ["/demo/local/catalog"]})
    )
    events.put_targets(Rule=name, EventBusName=name, Targets=[{"Id": "queue", "Arn": arn}])
    put = events.put_events(
        Entries=[
            {
                "EventBusName": name,
                "Source": EVENT["source"],
                "DetailType": EVENT["detail-type"],
                "Detail": json.dumps(EVENT["detail"]),
                "Resources": EVENT["resources"],
            }
        ]
    )
    [message] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    body = json.loads(message["Body"])
    assert body["id"] == put["Entries"][0]["EventId"]
    assert (body["source"], body["detail-type"], body["detail"], body["resources"]) == (
        EVENT["source"],
        EVENT["detail-type"],
        EVENT["detail"],
        EVENT["resources"],
    )
    assert body["time"].endswith("Z")
