"""The stream processor, invoked with real stream records of the table Terraform made.

Events published to the bus are read back from the local event tap (an SQS queue behind a
catch-all rule of envs/local), which moto delivers to as EventBridge does.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from localcloud.events import drain
from orders.adapters.dynamodb import DynamoDBOrderRepository
from orders.domain.changes import stats_of
from orders.domain.ids import new_ulid
from orders.domain.model import LineItem, OrderStatus
from orders.domain.service import OrderService
from scripts.capture_stream_event import stream_records, write_history
from tests.conftest import CallCounter, FakeLambdaContext, function_module

if TYPE_CHECKING:
    from tests.conftest import Emulator, LocalPlatform

ROOT = Path(__file__).resolve().parents[2]
STREAM_EVENT = ROOT / "sam" / "orders" / "events" / "processor" / "stream-batch.json"
CONTEXT = FakeLambdaContext(function_name="shop-local-orders-processor")


@pytest.fixture(scope="module")
def processor(local_platform: LocalPlatform, emulator: Emulator) -> Iterator[tuple[ModuleType, CallCounter]]:
    """functions/orders/processor/app.py with the template's environment, its AWS calls counted."""
    counter = CallCounter()
    boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register("before-call.*.*", counter)
    with function_module("ProcessorFunction", emulator, service="orders") as module:
        yield module, counter
    boto3.DEFAULT_SESSION = None


@pytest.fixture(scope="module")
def service(contract: dict[str, str], emulator: Emulator) -> OrderService:
    dynamodb = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint)
    repository = DynamoDBOrderRepository(
        dynamodb,
        contract["orders/data/table-name"],
        contract["orders/data/table-gsi1-name"],
        contract["orders/data/idempotency-table-name"],
    )
    return OrderService(repository, clock=lambda: datetime.now(UTC), new_id=new_ulid)


def records_of(tenants: list[str], contract: dict[str, str], emulator: Emulator) -> list[dict[str, Any]]:
    dynamodb = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint)
    streams = emulator.session.client("dynamodbstreams", endpoint_url=emulator.endpoint)
    records = [
        r for t in tenants for r in stream_records(dynamodb, streams, contract["orders/data/table-name"], t)
    ]
    return sorted(records, key=lambda r: int(r["dynamodb"]["SequenceNumber"]))


def invoke(processor: tuple[ModuleType, CallCounter], records: list[dict[str, Any]]) -> dict[str, Any]:
    module, _ = processor
    response: dict[str, Any] = module.lambda_handler({"Records": records}, CONTEXT)
    return response


def test_the_committed_event_has_the_shape_of_real_records(
    contract: dict[str, str], emulator: Emulator, service: OrderService
) -> None:
    def shape(value: Any, path: str = "") -> set[str]:
        if isinstance(value, dict):
            return {p for k, v in value.items() for p in shape(v, f"{path}/{k}")} | {path}
        return {path}

    tenant = f"shape-{uuid.uuid4().hex[:8]}"
    write_history(service, tenant)
    real = records_of([tenant], contract, emulator)
    committed = json.loads(STREAM_EVENT.read_text())["Records"]

    assert [r["eventName"] for r in committed] == [r["eventName"] for r in real]
    for mine, theirs in zip(committed, real, strict=True):
        assert shape(mine) == shape(theirs)


def test_the_committed_event_is_projected_and_published(
    processor: tuple[ModuleType, CallCounter], service: OrderService, emulator: Emulator
) -> None:
    drain(emulator.endpoint)
    records = json.loads(STREAM_EVENT.read_text())["Records"]

    response = invoke(processor, records)

    assert response == {"batchItemFailures": []}
    events = drain(emulator.endpoint)
    assert [e["detail"]["id"] for e in events] == [r["eventID"] for r in records]
    assert [e["detail-type"] for e in events] == [
        "orders.order.created",
        "orders.order.updated",
        "orders.order.placed",
        "orders.order.shipped",
        "orders.order.created",
        "orders.order.deleted",
    ]
    stats = service.stats("acme")
    assert stats.counts == {**dict.fromkeys(OrderStatus, 0), OrderStatus.SHIPPED: 1}
    assert stats.placed_revenue == {"EUR": 3750}


def test_a_hundred_records_of_ten_tenants_cost_a_fifth_of_a_call_each(
    processor: tuple[ModuleType, CallCounter],
    service: OrderService,
    contract: dict[str, str],
    emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """GIVEN ten tenants with ten new orders each (100 INSERT records)
    WHEN the processor receives them as one batch, then again (a redelivery)
    THEN each tenant's read model counts every order once, every change is one CloudEvent
    carrying the stream record's id both times, and the batch took one transaction per tenant
    and one PutEvents per ten records."""
    tenants = [f"calls-{n}-{uuid.uuid4().hex[:6]}" for n in range(10)]
    for tenant in tenants:
        for n in range(10):
            service.create(tenant, "EUR", (LineItem("SKU", 1, 100 + n),))
    records = records_of(tenants, contract, emulator)
    assert len(records) == 100
    drain(emulator.endpoint)
    _, counter = processor

    counter.reset()
    assert invoke(processor, records) == {"batchItemFailures": []}
    first = dict(counter.calls)
    counter.reset()
    assert invoke(processor, records) == {"batchItemFailures": []}
    again = dict(counter.calls)

    for tenant in tenants:
        orders = service.list(tenant, None, 100, None).orders
        stats = service.stats(tenant)
        assert (stats.counts, stats.placed_revenue) == (stats_of(tenant, orders).counts, {})
        assert stats.counts[OrderStatus.DRAFT] == 10
    events = drain(emulator.endpoint)
    ids = Counter(e["detail"]["id"] for e in events)
    assert set(ids) == {r["eventID"] for r in records}
    assert set(ids.values()) == {2}
    assert {e["detail"]["tenant"] for e in events} == set(tenants)
    assert first == {"TransactWriteItems": 10, "PutEvents": 10}
    assert again == {"TransactWriteItems": 10, "PutEvents": 10}
    with capsys.disabled():
        print(f"\nstream processor: {sum(first.values()) / len(records):.2f} AWS calls per record {first}")


def test_an_unreadable_record_is_reported_and_its_neighbours_are_applied(
    processor: tuple[ModuleType, CallCounter],
    service: OrderService,
    contract: dict[str, str],
    emulator: Emulator,
) -> None:
    tenant = f"poison-{uuid.uuid4().hex[:8]}"
    first = service.create(tenant, "EUR", (LineItem("A", 1, 100),))
    service.transition(tenant, first.id, OrderStatus.PLACED)
    service.create(tenant, "EUR", (LineItem("B", 1, 200),))
    records = records_of([tenant], contract, emulator)
    poisoned = copy.deepcopy(records)
    poisoned[0]["dynamodb"]["NewImage"]["items"] = {"S": "not a list of line items"}

    response = invoke(processor, poisoned)

    failed = [f["itemIdentifier"] for f in response["batchItemFailures"]]
    assert failed == [records[0]["dynamodb"]["SequenceNumber"], records[1]["dynamodb"]["SequenceNumber"]]
    stats = service.stats(tenant)
    # Only the second order counts: the first one's changes wait behind its unreadable record.
    assert (stats.counts[OrderStatus.DRAFT], stats.counts[OrderStatus.PLACED]) == (1, 0)


def test_a_batch_where_every_record_fails_fails_the_invocation(
    processor: tuple[ModuleType, CallCounter],
    service: OrderService,
    contract: dict[str, str],
    emulator: Emulator,
) -> None:
    """So that Lambda retries it and, with BisectBatchOnFunctionError, splits it."""
    tenant = f"all-bad-{uuid.uuid4().hex[:8]}"
    service.create(tenant, "EUR", (LineItem("A", 1, 100),))
    records = copy.deepcopy(records_of([tenant], contract, emulator))
    records[0]["dynamodb"]["NewImage"]["total"] = {"S": "NaN"}
    del records[0]["dynamodb"]["NewImage"]["currency"]

    with pytest.raises(Exception, match="All records failed processing"):
        invoke(processor, records)
