"""The orders shipping consumer, invoked with sam/orders/events/shipping/ against the table
Terraform made: a dispatch moves a placed order to SHIPPED once, a cancelled order stays
cancelled, and anything else fails alone (and would go to the dead-letter queue)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from orders.adapters.dynamodb import DynamoDBOrderRepository
from orders.domain.ids import new_ulid
from orders.domain.model import LineItem, Order, OrderStatus
from orders.domain.service import OrderService
from tests.conftest import failed_messages, function_module, queue_message

if TYPE_CHECKING:
    from tests.conftest import Emulator, LocalPlatform

pytestmark = pytest.mark.emulator

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "sam"
    / "orders"
    / "events"
    / "shipping"
    / "shipment-dispatched.json"
)
[DISPATCHED] = json.loads(SAMPLE.read_text())["Records"]


@pytest.fixture(scope="module")
def shipping(local_platform: LocalPlatform, emulator: Emulator) -> Iterator[ModuleType]:
    with function_module("ShippingFunction", emulator, service="orders") as module:
        yield module


@pytest.fixture(scope="module")
def service(contract: dict[str, str], emulator: Emulator) -> OrderService:
    repository = DynamoDBOrderRepository(
        emulator.session.client("dynamodb", endpoint_url=emulator.endpoint),
        contract["orders/data/table-name"],
        contract["orders/data/table-gsi1-name"],
        contract["orders/data/idempotency-table-name"],
    )
    return OrderService(repository, clock=lambda: datetime.now(UTC), new_id=new_ulid)


@pytest.fixture
def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def order(service: OrderService, tenant: str, *moves: OrderStatus) -> Order:
    made = service.create(tenant, "EUR", (LineItem("SKU-1", 2, 1250),))
    for status in moves:
        made = service.transition(tenant, made.id, status)
    return made


def message(tenant: str, order_id: str, event_id: str | None = None) -> dict[str, Any]:
    """The committed sample, for another tenant, order and event id."""
    return queue_message(DISPATCHED, tenant, order_id, {"order_id": order_id}, event_id)


def test_a_dispatch_ships_the_placed_order_once(
    shipping: ModuleType, service: OrderService, tenant: str
) -> None:
    placed = order(service, tenant, OrderStatus.PLACED)
    dispatch = message(tenant, placed.id)
    assert failed_messages(shipping, dispatch) == []
    shipped = service.get(tenant, placed.id)
    assert (shipped.status, shipped.version) == (OrderStatus.SHIPPED, 3)

    again = {**dispatch, "messageId": str(uuid.uuid4())}  # the queue delivered it twice
    other_id = message(tenant, placed.id)  # the relay published the record twice
    assert failed_messages(shipping, again, other_id) == []
    assert service.get(tenant, placed.id) == shipped


def test_a_cancelled_order_stays_cancelled(shipping: ModuleType, service: OrderService, tenant: str) -> None:
    """The cancellation won the race in orders, the dispatch in fulfilment: counted, not shipped."""
    cancelled = order(service, tenant, OrderStatus.PLACED, OrderStatus.CANCELLED)
    assert failed_messages(shipping, message(tenant, cancelled.id)) == []
    assert service.get(tenant, cancelled.id) == cancelled


def test_a_dispatch_of_a_draft_or_of_no_order_fails_alone(
    shipping: ModuleType, service: OrderService, tenant: str
) -> None:
    draft, placed = order(service, tenant), order(service, tenant, OrderStatus.PLACED)
    of_draft, of_nothing = message(tenant, draft.id), message(tenant, new_ulid())
    of_another_tenant = message(f"{tenant}-other", placed.id)
    not_a_dispatch = {**message(tenant, placed.id), "body": json.dumps({"detail": {"specversion": "1.0"}})}
    fine = message(tenant, placed.id)
    failed = failed_messages(shipping, of_draft, of_nothing, of_another_tenant, not_a_dispatch, fine)
    assert failed == [m["messageId"] for m in (of_draft, of_nothing, of_another_tenant, not_a_dispatch)]
    assert service.get(tenant, draft.id) == draft
    assert service.get(tenant, placed.id).status is OrderStatus.SHIPPED
