"""DynamoDB's promises, checked on the emulator as `make local` starts it, with boto3 and no project
code: each test is a defect moto 5.2.5 has on its own (docs/decisions/0011), so an emulator upgrade
or a change of the layer that brings one back fails here."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Emulator, stream_table

pytestmark = pytest.mark.emulator


@dataclass
class StreamTable:
    name: str
    stream_arn: str
    shard_id: str
    dynamodb: Any
    streams: Any

    def iterator(self, kind: str = "LATEST") -> str:
        iterator: str = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=self.shard_id, ShardIteratorType=kind
        )["ShardIterator"]
        return iterator

    def read(self, iterator: str) -> tuple[list[dict[str, Any]], str]:
        page = self.streams.get_records(ShardIterator=iterator)
        return page["Records"], page["NextShardIterator"]

    def put(self, pk: str, **attributes: dict[str, str]) -> None:
        self.dynamodb.put_item(TableName=self.name, Item={"pk": {"S": pk}, **attributes})

    def put_if_new(self, pk: str) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.name,
                "Item": {"pk": {"S": pk}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }


def keys(records: list[dict[str, Any]]) -> list[str]:
    return [r["dynamodb"]["Keys"]["pk"]["S"] for r in records]


@pytest.fixture
def table(emulator: Emulator) -> Iterator[StreamTable]:
    dynamodb = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint)
    streams = emulator.session.client("dynamodbstreams", endpoint_url=emulator.endpoint)
    name = f"promises-{uuid.uuid4().hex[:8]}"
    arn = stream_table(dynamodb, name)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    yield StreamTable(name, arn, shard, dynamodb, streams)
    dynamodb.delete_table(TableName=name)


def test_an_open_iterator_sees_the_records_written_after_a_cancelled_transaction(table: StreamTable) -> None:
    iterator = table.iterator()
    table.put("a")
    records, iterator = table.read(iterator)
    assert keys(records) == ["a"]

    with pytest.raises(ClientError, match="TransactionCanceledException"):
        table.dynamodb.transact_write_items(TransactItems=[table.put_if_new("a")])
    table.put("b")

    records, _ = table.read(iterator)
    assert keys(records) == ["b"]  # moto alone: [] for good


def test_a_cancelled_transaction_leaves_no_item_and_no_stream_record(table: StreamTable) -> None:
    table.put("taken")
    iterator = table.iterator()
    with pytest.raises(ClientError) as cancelled:
        table.dynamodb.transact_write_items(
            TransactItems=[table.put_if_new("fresh"), table.put_if_new("taken")]
        )
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]

    assert "Item" not in table.dynamodb.get_item(TableName=table.name, Key={"pk": {"S": "fresh"}})
    table.put("after")
    records, _ = table.read(iterator)
    assert keys(records) == ["after"]


def test_a_transaction_that_fails_while_writing_is_undone_item_by_item(table: StreamTable) -> None:
    """The update's operand has the wrong type, which shows only when it runs: the put before it
    is undone, the earlier value of the updated item stays, and no record of either is read."""
    table.put("counter", n={"S": "not a number"})
    iterator = table.iterator()
    with pytest.raises(ClientError):
        table.dynamodb.transact_write_items(
            TransactItems=[
                table.put_if_new("fresh"),
                {
                    "Update": {
                        "TableName": table.name,
                        "Key": {"pk": {"S": "counter"}},
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        )
    assert "Item" not in table.dynamodb.get_item(TableName=table.name, Key={"pk": {"S": "fresh"}})
    counter = table.dynamodb.get_item(TableName=table.name, Key={"pk": {"S": "counter"}})["Item"]
    assert counter["n"] == {"S": "not a number"}
    table.put("after")
    records, _ = table.read(iterator)
    assert keys(records) == ["after"]


def test_an_update_that_creates_its_item_writes_one_insert_record(table: StreamTable) -> None:
    iterator = table.iterator()
    table.dynamodb.update_item(
        TableName=table.name,
        Key={"pk": {"S": "new"}},
        UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    records, _ = table.read(iterator)
    assert [(r["eventName"], r["dynamodb"]["NewImage"]) for r in records] == [
        ("INSERT", {"pk": {"S": "new"}, "n": {"N": "1"}})
    ]  # moto alone: a bare-key INSERT first
    written_at = records[0]["dynamodb"]["ApproximateCreationDateTime"]
    assert abs(written_at.timestamp() - time.time()) < 60, "the record's time is now, in UTC"


def test_concurrent_cancelled_transactions_lose_no_acknowledged_write_and_show_no_phantom(
    table: StreamTable,
) -> None:
    """200 puts race 100 cancelled transactions while a reader follows the stream: every put is
    there afterwards, and the reader saw exactly the puts, each once, in sequence order."""
    table.put("taken")
    iterator = table.iterator()
    seen: list[dict[str, Any]] = []
    done = threading.Event()

    def follow() -> None:
        nonlocal iterator
        while True:
            finished = done.is_set()
            records, iterator = table.read(iterator)
            seen.extend(records)
            if finished and not records:
                return

    def cancelled(i: int) -> None:
        with pytest.raises(ClientError, match="TransactionCanceledException"):
            table.dynamodb.transact_write_items(
                TransactItems=[table.put_if_new(f"phantom-{i}"), table.put_if_new("taken")]
            )

    reader = threading.Thread(target=follow)
    reader.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        writes = [pool.submit(table.put, f"put-{i:03}") for i in range(200)]
        cancels = [pool.submit(cancelled, i) for i in range(100)]
        for future in [*writes, *cancels]:
            future.result()
    done.set()
    reader.join(timeout=60)

    stored = {
        item["pk"]["S"]
        for page in table.dynamodb.get_paginator("scan").paginate(TableName=table.name)
        for item in page["Items"]
    }
    assert stored == {"taken"} | {f"put-{i:03}" for i in range(200)}
    assert sorted(keys(seen)) == sorted(f"put-{i:03}" for i in range(200))
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in seen]
    assert numbers == sorted(set(numbers))


def test_a_long_poll_of_sqs_does_not_hold_dynamodb_back(emulator: Emulator, table: StreamTable) -> None:
    sqs = emulator.session.client("sqs", endpoint_url=emulator.endpoint)
    url = sqs.create_queue(QueueName=f"idle-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        polls = [pool.submit(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=3) for _ in range(2)]
        table.put("while-polling")
        assert not any(p.done() for p in polls)  # DynamoDB answered while both polls still waited
        assert [p.result().get("Messages") for p in polls] == [None, None]


def test_item_operations_answer_every_attribute_type_as_written(table: StreamTable) -> None:
    """The layer writes the item operations' responses itself (faster than moto's serializer):
    every attribute type comes back as it was put, through every operation that returns items."""
    item = {
        "pk": {"S": "typed"},
        "s": {"S": "text"},
        "n": {"N": "12.5"},
        "b": {"B": b"\x00\x01binary"},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2"]},
        "bs": {"BS": [b"\x02", b"\x03"]},
        "m": {"M": {"inner": {"L": [{"S": "x"}, {"N": "1"}, {"NULL": True}, {"BOOL": False}]}}},
    }
    dynamodb, key = table.dynamodb, {"pk": {"S": "typed"}}
    dynamodb.put_item(TableName=table.name, Item=item)

    def same(found: dict[str, Any]) -> bool:
        return found == item

    assert same(dynamodb.get_item(TableName=table.name, Key=key)["Item"])
    queried = dynamodb.query(
        TableName=table.name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "typed"}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert (queried["Count"], queried["ScannedCount"]) == (1, 1)
    assert same(queried["Items"][0])
    assert queried["ConsumedCapacity"]["TableName"] == table.name
    assert same(dynamodb.scan(TableName=table.name)["Items"][0])
    assert same(
        dynamodb.batch_get_item(RequestItems={table.name: {"Keys": [key]}})["Responses"][table.name][0]
    )
    assert same(dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": table.name, "Key": key}}])[
        "Responses"][0]["Item"])  # fmt: skip
    updated = dynamodb.update_item(
        TableName=table.name,
        Key=key,
        UpdateExpression="SET s = :s",
        ExpressionAttributeValues={":s": {"S": "changed"}},
        ReturnValues="UPDATED_OLD",
    )
    assert updated["Attributes"] == {"s": {"S": "text"}}
    assert "Item" not in dynamodb.get_item(TableName=table.name, Key={"pk": {"S": "missing"}})
    deleted = dynamodb.delete_item(TableName=table.name, Key=key, ReturnValues="ALL_OLD")
    assert deleted["Attributes"]["b"] == {"B": b"\x00\x01binary"}


def test_an_index_query_finds_the_items_with_its_key_and_only_those(emulator: Emulator) -> None:
    """The layer hands a Query only the items its key condition can match; an item without the
    index's key is not in the index."""
    dynamodb = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint)
    name = f"index-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g", "gs")],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "gs", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    rows = [("a", "1", "x", "3"), ("a", "2", "x", "1"), ("b", "1", "y", "2"), ("b", "2", None, None)]
    for pk, sk, g, gs in rows:
        indexed: dict[str, Any] = {"g": {"S": g}, "gs": {"S": gs}} if g and gs else {}
        dynamodb.put_item(TableName=name, Item={"pk": {"S": pk}, "sk": {"S": sk}, **indexed})

    def keys_of(**query: Any) -> list[tuple[str, str]]:
        return [(i["pk"]["S"], i["sk"]["S"]) for i in dynamodb.query(TableName=name, **query)["Items"]]

    by_x = {
        "IndexName": "by-g",
        "KeyConditionExpression": "g = :g",
        "ExpressionAttributeValues": {":g": {"S": "x"}},
    }
    assert keys_of(**by_x) == [("a", "2"), ("a", "1")], "by the index's sort key"
    assert keys_of(**by_x, ScanIndexForward=False, Limit=1) == [("a", "1")]
    partition = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "b"}}}
    assert keys_of(**partition) == [("b", "1"), ("b", "2")]
    assert keys_of(**partition, ScanIndexForward=False) == [("b", "2"), ("b", "1")]
