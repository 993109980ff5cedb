"""DynamoDB and its streams in an emulator process of their own (decision 0022), with boto3 as any
client sees them: on their own endpoint and on the one endpoint, one state, one fault switch."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from localcloud import faults
from localcloud.emulator import REGION, requests_answered, sdk_endpoint_variables, service_endpoints
from tests.conftest import Emulator, stream_table

pytestmark = pytest.mark.emulator
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def clients(emulator: Emulator) -> tuple[Any, Any]:
    """DynamoDB through the one endpoint, and through its own."""
    own = service_endpoints(emulator.endpoint)["dynamodb"]
    return (
        emulator.session.client("dynamodb", endpoint_url=emulator.endpoint, config=NO_RETRIES),
        emulator.session.client("dynamodb", endpoint_url=own, config=NO_RETRIES),
    )


def test_dynamodb_and_its_streams_have_an_endpoint_of_their_own(emulator: Emulator) -> None:
    own = service_endpoints(emulator.endpoint)
    assert set(own) == {"dynamodb", "dynamodbstreams"}
    assert own["dynamodb"] == own["dynamodbstreams"] != emulator.endpoint
    assert own["dynamodb"].startswith("http://127.0.0.1:")


def test_both_endpoints_hold_one_state_and_one_stream(emulator: Emulator) -> None:
    one, own = clients(emulator)
    name = f"endpoints-{uuid.uuid4().hex[:8]}"
    arn = stream_table(one, name)
    own.put_item(TableName=name, Item={"pk": {"S": "a"}})
    one.put_item(TableName=name, Item={"pk": {"S": "b"}})
    for client in (one, own):
        keys = {i["pk"]["S"] for i in client.scan(TableName=name, ConsistentRead=True)["Items"]}
        assert keys == {"a", "b"}
    streams = emulator.session.client(
        "dynamodbstreams", endpoint_url=service_endpoints(emulator.endpoint)["dynamodbstreams"]
    )
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["a", "b"]


def test_a_dynamodb_fault_added_on_the_one_endpoint_hits_either(emulator: Emulator) -> None:
    one, own = clients(emulator)
    name = f"endpoints-{uuid.uuid4().hex[:8]}"
    stream_table(one, name)
    faults.clear(emulator.endpoint)
    try:
        events = faults.add(emulator.endpoint, {"kind": "delay", "service": "events", "seconds": 0.1})
        rule = faults.add(
            emulator.endpoint,
            {"kind": "error", "service": "dynamodb", "action": "GetItem", "match": name, "times": 2},
        )
        assert rule["id"] > events["id"]
        listed = faults.listing(emulator.endpoint)
        assert [(r["id"], r["service"], r["hits"]) for r in listed] == [
            (events["id"], "events", 0),
            (rule["id"], "dynamodb", 0),
        ]
        for client in (own, one):
            with pytest.raises(ClientError) as refused:
                client.get_item(TableName=name, Key={"pk": {"S": "a"}})
            assert refused.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
        assert "Item" not in own.get_item(TableName=name, Key={"pk": {"S": "a"}})
        assert [r["service"] for r in faults.listing(emulator.endpoint)] == ["events"]
    finally:
        faults.clear(emulator.endpoint)
    assert faults.listing(emulator.endpoint) == []


def test_an_sdk_given_the_variables_sends_dynamodb_to_its_own_endpoint(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a function's environment gets (localcloud.invoke.runtime_environment): the SDK's
    service-specific variables win over AWS_ENDPOINT_URL for those services only."""
    variables = sdk_endpoint_variables(emulator.endpoint)
    own = service_endpoints(emulator.endpoint)
    assert variables == {
        "AWS_ENDPOINT_URL": emulator.endpoint,
        "AWS_ENDPOINT_URL_DYNAMODB": own["dynamodb"],
        "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": own["dynamodbstreams"],
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    session = boto3.Session(region_name=REGION, aws_access_key_id="local", aws_secret_access_key="local")
    assert session.client("dynamodb").meta.endpoint_url == own["dynamodb"]
    assert session.client("dynamodbstreams").meta.endpoint_url == own["dynamodbstreams"]
    assert session.client("sqs").meta.endpoint_url == emulator.endpoint


def test_no_emulator_means_the_one_endpoint_only() -> None:
    assert service_endpoints("http://127.0.0.1:9") == {}
    assert sdk_endpoint_variables("http://127.0.0.1:9") == {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}


def test_the_requests_answered_are_counted_by_operation_in_both_processes(emulator: Emulator) -> None:
    one, own = clients(emulator)
    sqs = emulator.session.client("sqs", endpoint_url=emulator.endpoint)
    before = requests_answered(emulator.endpoint)
    one.list_tables()
    own.list_tables()
    sqs.list_queues()
    after = requests_answered(emulator.endpoint)
    grew = {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}
    assert grew == {"dynamodb:ListTables": 2, "sqs:ListQueues": 1}
