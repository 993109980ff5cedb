"""The local runtime's SQS event source, with a fixture template (tests/data/queue-consumer): an
EventBridge rule of the template sends the bus's events to its queue, the function reads the queue
with partial batch responses, and a message the function keeps failing moves to the dead-letter
queue after the queue's maxReceiveCount, nothing else lost or doubled."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from localcloud.faults import FaultSwitch
from localcloud.queues import QueueMapping
from localcloud.runtime import ServiceRuntime
from localcloud.template import TemplateError

if TYPE_CHECKING:
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

    from tests.conftest import Emulator

pytestmark = pytest.mark.emulator

TEMPLATE = Path(__file__).resolve().parents[1] / "data" / "queue-consumer" / "template.yaml"


@pytest.fixture(scope="module")
def consumer(emulator: Emulator) -> Iterator[tuple[ServiceRuntime, Any, str]]:
    """The fixture template running: its queues, rule and consumer; the bus and the seen queue."""
    events = emulator.session.client("events", endpoint_url=emulator.endpoint)
    sqs = emulator.session.client("sqs", endpoint_url=emulator.endpoint)
    bus = f"queue-test-{uuid.uuid4().hex[:8]}"
    events.create_event_bus(Name=bus)
    seen = sqs.create_queue(QueueName=f"seen-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    runtime = ServiceRuntime(
        "queue-consumer",
        emulator.endpoint,
        {"BusName": bus, "SeenQueueUrl": seen},
        FaultSwitch(emulator.endpoint),
        1.0,
        path=TEMPLATE,
    )
    for source in runtime.sources:
        source.start()
    try:
        yield runtime, sqs, seen
    finally:
        for source in runtime.sources:
            source.stop()
        for function in runtime.functions.values():
            function.stop()


def drain(sqs: Any, url: str, until: int, timeout: float) -> list[str]:
    """Message bodies of a queue, read (and deleted) until `until` arrived or the timeout."""
    bodies: list[str] = []
    deadline = time.monotonic() + timeout
    while len(bodies) < until and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def test_a_failing_message_ends_in_the_dead_letter_queue_and_the_others_are_consumed_once(
    consumer: tuple[ServiceRuntime, Any, str], emulator: Emulator
) -> None:
    runtime, sqs, seen = consumer
    events = emulator.session.client("events", endpoint_url=emulator.endpoint)
    bus = runtime.template.parameters["BusName"]
    entries: list[PutEventsRequestEntryTypeDef] = [
        {
            "EventBusName": bus,
            "Source": "test",
            "DetailType": "thing.happened",
            "Detail": json.dumps({"do": do}),
        }
        for do in ("ok", "fail", "ok", "ok")
    ]
    entries.append({**entries[0], "DetailType": "other.thing"})  # no rule matches it
    answer = events.put_events(Entries=entries)
    assert answer["FailedEntryCount"] == 0
    ids = [entry["EventId"] for entry in answer["Entries"]]

    assert sorted(drain(sqs, seen, until=3, timeout=15)) == sorted([ids[0], ids[2], ids[3]])
    dlq = sqs.get_queue_url(QueueName="queue-consumer-test-dlq")["QueueUrl"]
    [dead] = drain(sqs, dlq, until=1, timeout=20)  # two receives of 2 s visibility, then the DLQ
    assert json.loads(dead)["id"] == ids[1]
    assert drain(sqs, seen, until=1, timeout=3) == [], "nothing consumed twice"
    queue = sqs.get_queue_url(QueueName="queue-consumer-test")["QueueUrl"]
    counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]) == (
        "0",
        "0",
    )


def test_the_template_makes_the_rule_and_the_queues_as_cloudformation_would(
    consumer: tuple[ServiceRuntime, Any, str], emulator: Emulator
) -> None:
    runtime, sqs, _ = consumer
    events = emulator.session.client("events", endpoint_url=emulator.endpoint)
    rule = runtime.template.provided["Rule"]
    bus = runtime.template.parameters["BusName"]
    assert json.loads(events.describe_rule(Name=rule["Ref"], EventBusName=bus)["EventPattern"]) == {
        "source": ["test"],
        "detail-type": ["thing.happened"],
    }
    queue = runtime.template.provided["Queue"]
    [target] = events.list_targets_by_rule(Rule=rule["Ref"], EventBusName=bus)["Targets"]
    assert target["Arn"] == queue["Arn"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue["QueueUrl"], AttributeNames=["All"])["Attributes"]
    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": runtime.template.provided["DeadLetterQueue"]["Arn"],
        "maxReceiveCount": 2,
    }
    assert (
        json.loads(attributes["Policy"])["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"]
        == rule["Arn"]
    )
    assert runtime.describe() == [f"queue   {'queue-consumer-test':<43}-> queue-consumer-test"]


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({"EventSourceArn": "queue-consumer-test"}, "is not the ARN of a queue"),
        (
            {"EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q", "BatchSize": 50},
            "needs a MaximumBatchingWindow",
        ),
    ],
)
def test_an_sqs_event_lambda_would_refuse_stops_start_up(
    consumer: tuple[ServiceRuntime, Any, str], properties: dict[str, Any], message: str
) -> None:
    runtime, _, _ = consumer
    [function] = runtime.functions.values()
    with pytest.raises(TemplateError, match=message):
        QueueMapping.from_mapping(function, properties)
