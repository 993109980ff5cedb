"""Real stream records, read from moto's stream of the table Terraform made, become Changes."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from localcloud.streams import as_lambda_record
from orders.adapters.dynamodb import DynamoDBOrderRepository
from orders.adapters.streams import TTL_IDENTITY, change_from_record
from orders.domain.changes import apply_delta, event_type, stats_delta, stats_of
from orders.domain.ids import new_ulid
from orders.domain.model import LineItem, OrderStatus, TenantStats
from orders.domain.service import OrderService

if TYPE_CHECKING:
    from tests.conftest import Emulator, LocalPlatform

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def history(
    local_platform: LocalPlatform, emulator: Emulator
) -> tuple[str, list[dict[str, Any]], OrderService]:
    """GIVEN a tenant's orders created, placed, shipped, revised and deleted through the adapter,
    the stream records of that tenant, in stream order."""
    outputs = local_platform.service("orders")
    dynamodb = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint)
    service = OrderService(
        DynamoDBOrderRepository(
            dynamodb, str(outputs["table_name"]), "gsi1", str(outputs["idempotency_table_name"])
        ),
        clock=lambda: NOW,
        new_id=new_ulid,
    )
    tenant = f"stream-{uuid.uuid4().hex[:8]}"
    shipped = service.create(tenant, "EUR", (LineItem("A", 2, 500),))
    service.transition(tenant, shipped.id, OrderStatus.PLACED)
    service.transition(tenant, shipped.id, OrderStatus.SHIPPED)
    revised = service.create(tenant, "USD", (LineItem("B", 1, 300),))
    service.revise(tenant, revised.id, "USD", (LineItem("B", 3, 300),), expected_version=1)
    deleted = service.create(tenant, "EUR", (LineItem("C", 1, 100),))
    service.delete(tenant, deleted.id, expected_version=1)

    streams = emulator.session.client("dynamodbstreams", endpoint_url=emulator.endpoint)
    arn = dynamodb.describe_table(TableName=str(outputs["table_name"]))["Table"]["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]  # type: ignore[arg-type]
    mine = [
        as_lambda_record(r, arn) for r in records if r["dynamodb"]["Keys"]["pk"]["S"] == f"TENANT#{tenant}"
    ]
    return tenant, mine, service


def test_each_write_is_one_change_in_order(history: tuple[str, list[dict[str, Any]], OrderService]) -> None:
    _, records, _ = history
    changes = [change_from_record(r) for r in records]
    assert [event_type(c) for c in changes if c is not None] == [
        "orders.order.created",
        "orders.order.placed",
        "orders.order.shipped",
        "orders.order.created",
        "orders.order.updated",
        "orders.order.created",
        "orders.order.deleted",
    ]


def test_event_ids_are_the_stream_records(history: tuple[str, list[dict[str, Any]], OrderService]) -> None:
    _, records, _ = history
    changes = [change_from_record(r) for r in records]
    assert [c.event_id for c in changes if c is not None] == [r["eventID"] for r in records]
    assert len({r["eventID"] for r in records}) == len(records)


def test_folding_the_stream_gives_the_read_model_of_the_table(
    history: tuple[str, list[dict[str, Any]], OrderService],
) -> None:
    tenant, records, service = history
    stats = TenantStats.empty(tenant)
    for record in records:
        change = change_from_record(record)
        if change is not None:
            stats = apply_delta(stats, stats_delta(change))
    remaining = service.list(tenant, None, 100, None).orders
    assert stats == stats_of(tenant, remaining)
    assert stats.counts[OrderStatus.SHIPPED] == 1
    assert stats.placed_revenue == {"EUR": 1000}


def test_a_removal_by_ttl_is_an_expiry(history: tuple[str, list[dict[str, Any]], OrderService]) -> None:
    _, records, _ = history
    removal = copy.deepcopy(next(r for r in records if r["eventName"] == "REMOVE"))
    removal["userIdentity"] = TTL_IDENTITY
    change = change_from_record(removal)
    assert change is not None
    assert event_type(change) == "orders.order.expired"


def test_items_that_are_not_orders_are_skipped() -> None:
    record = {
        "eventID": "1",
        "eventName": "MODIFY",
        "dynamodb": {"Keys": {"pk": {"S": "TENANT#t"}, "sk": {"S": "STATS"}}},
    }
    assert change_from_record(record) is None
