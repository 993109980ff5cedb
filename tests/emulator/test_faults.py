"""The fault switch of the emulator (localcloud.faults), with boto3 as any client sees it."""

from __future__ import annotations

import json
import time
import urllib.error
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from localcloud import faults
from tests.conftest import Emulator

pytestmark = pytest.mark.emulator
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture
def switch(emulator: Emulator) -> Iterator[str]:
    faults.clear(emulator.endpoint)
    yield emulator.endpoint
    faults.clear(emulator.endpoint)


@pytest.fixture
def bus(emulator: Emulator) -> tuple[Any, Any, str, str]:
    """A bus whose every event lands in a queue."""
    events = emulator.session.client("events", endpoint_url=emulator.endpoint, config=NO_RETRIES)
    sqs = emulator.session.client("sqs", endpoint_url=emulator.endpoint)
    name = f"faults-{uuid.uuid4().hex[:8]}"
    events.create_event_bus(Name=name)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventBusName=name, EventPattern=json.dumps({"source": ["faults"]}))
    events.put_targets(Rule=name, EventBusName=name, Targets=[{"Id": "queue", "Arn": arn}])
    return events, sqs, name, url


def entries(bus_name: str, count: int) -> list[dict[str, Any]]:
    return [
        {"EventBusName": bus_name, "Source": "faults", "DetailType": "test", "Detail": json.dumps({"n": n})}
        for n in range(count)
    ]


def delivered(sqs: Any, url: str) -> list[int]:
    numbers = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        numbers += [json.loads(m["Body"])["detail"]["n"] for m in messages]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in messages],
        )
    return sorted(numbers)


def test_an_error_fault_answers_the_matching_requests_then_is_gone(emulator: Emulator, switch: str) -> None:
    dynamodb = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint, config=NO_RETRIES)
    faults.add(switch, {"kind": "error", "service": "dynamodb", "action": "ListTables", "times": 2})
    for _ in range(2):
        with pytest.raises(ClientError) as throttled:
            dynamodb.list_tables()
        assert throttled.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert faults.listing(switch) == []
    dynamodb.list_tables()


def test_an_error_fault_aims_at_the_requests_that_name_its_match(emulator: Emulator, switch: str) -> None:
    dynamodb = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint, config=NO_RETRIES)
    faults.add(switch, {"kind": "error", "service": "dynamodb", "match": "no-such-table-xyz"})
    dynamodb.list_tables()  # its body does not name the table
    with pytest.raises(ClientError, match="ProvisionedThroughputExceeded"):
        dynamodb.describe_table(TableName="no-such-table-xyz")


def test_a_partial_fault_publishes_every_other_entry_and_reports_the_rest(
    bus: tuple[Any, Any, str, str], switch: str
) -> None:
    events, sqs, name, url = bus
    faults.add(switch, {"kind": "partial", "service": "events", "action": "PutEvents"})
    answer = events.put_events(Entries=entries(name, 5))
    assert answer["FailedEntryCount"] == 3
    assert [e.get("ErrorCode") for e in answer["Entries"]] == [
        "InternalFailure", None, "InternalFailure", None, "InternalFailure"
    ]  # fmt: skip
    assert all("EventId" in e for e in answer["Entries"][1::2])
    assert delivered(sqs, url) == [1, 3]
    assert events.put_events(Entries=entries(name, 1))["FailedEntryCount"] == 0


def test_a_delay_fault_holds_the_request(bus: tuple[Any, Any, str, str], switch: str) -> None:
    events, _, name, _ = bus
    faults.add(switch, {"kind": "delay", "service": "events", "action": "PutEvents", "seconds": 1})
    started = time.monotonic()
    events.put_events(Entries=entries(name, 1))
    assert time.monotonic() - started >= 1


def test_lambda_faults_are_taken_by_the_runtime_once_each(switch: str) -> None:
    faults.add(switch, {"kind": "duplicate", "function": "fn-a", "copies": 2})
    faults.add(switch, {"kind": "timeout", "function": "fn-a", "seconds": 0.5, "times": 2})
    take = faults.FaultSwitch(switch).take
    assert [(f.kind, f.copies, f.seconds) for f in take("fn-a")] == [
        ("duplicate", 2, 0.0),
        ("timeout", 1, 0.5),
    ]
    assert [f.kind for f in take("fn-a")] == ["timeout"]
    assert take("fn-a") == []
    assert take("fn-b") == []


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"kind": "explode"}, "kind 'explode'"),
        ({"kind": "error"}, "names the service"),
        ({"kind": "timeout", "function": "f"}, "seconds > 0"),
        ({"kind": "partial", "service": "dynamodb"}, "PutEvents"),
        ({"kind": "error", "service": "events", "colour": "red"}, "unknown fault fields: colour"),
    ],
)
def test_a_rule_that_cannot_be_used_is_refused_with_what_to_fix(
    switch: str, rule: dict[str, Any], message: str
) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        faults.add(switch, rule)
    assert refused.value.code == 400
    assert message in json.loads(refused.value.read())["message"]
    assert faults.listing(switch) == []


def test_a_resent_call_whose_answer_was_lost_is_answered_not_carried_out_again(emulator: Emulator) -> None:
    """The SDK resends a call it got no answer to, with the same invocation id: the emulator
    answers what the first attempt did instead of creating the parameter twice."""
    ssm = emulator.session.client("ssm", endpoint_url=emulator.endpoint)
    tried: list[int] = []

    def lose_the_first_answer(attempts: int, **_: Any) -> Any:  # a delay: botocore retries
        tried.append(attempts)
        return 0 if attempts == 1 else None  # retry after the first attempt, whatever it answered

    ssm.meta.events.register_first("needs-retry.ssm.PutParameter", lose_the_first_answer)
    name = f"/faults/{uuid.uuid4().hex[:8]}"

    answer = ssm.put_parameter(Name=name, Value="first", Type="String")

    assert tried == [1, 2]
    assert answer["Version"] == 1
    assert ssm.get_parameter(Name=name)["Parameter"]["Version"] == 1


def test_a_call_that_failed_runs_again_when_resent(switch: str, emulator: Emulator) -> None:
    ssm = emulator.session.client("ssm", endpoint_url=emulator.endpoint)
    faults.add(switch, {"kind": "error", "service": "ssm", "action": "PutParameter", "times": 1})
    name = f"/faults/{uuid.uuid4().hex[:8]}"

    assert ssm.put_parameter(Name=name, Value="v", Type="String")["Version"] == 1
    assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == "v"
