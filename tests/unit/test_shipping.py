"""How the orders service records fulfilment's dispatches (orders.domain.shipping), on the
in-memory repository: once, never for a cancelled order, and a clear refusal of anything else."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orders.adapters.memory import InMemoryOrderRepository
from orders.domain.errors import IllegalTransition, OrderNotFound
from orders.domain.ids import new_ulid
from orders.domain.model import LineItem, OrderStatus
from orders.domain.service import OrderService
from orders.domain.shipping import Outcome, ShipmentDispatched, record_dispatch

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "sam"
    / "orders"
    / "events"
    / "shipping"
    / "shipment-dispatched.json"
)
BODY = json.loads(SAMPLE.read_text())["Records"][0]["body"]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def service() -> OrderService:
    return OrderService(InMemoryOrderRepository(), clock=lambda: NOW, new_id=new_ulid)


def dispatch_of(tenant: str, order_id: str) -> ShipmentDispatched:
    return ShipmentDispatched(id="e1", tenant=tenant, order_id=order_id, at=NOW)


def test_the_sample_names_its_event_tenant_order_and_time() -> None:
    assert ShipmentDispatched.from_message(BODY) == ShipmentDispatched(
        id="49655800000000000000000000000000000000000000000000000091",
        tenant="acme",
        order_id="01JD0000000000000000000000",
        at=datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(type="orders.order.placed"), "not a fulfilment.shipment.dispatched event"),
        (lambda d: d["data"].pop("order_id"), "not a fulfilment.shipment.dispatched event"),
        (lambda d: d.pop("tenant"), "not a fulfilment.shipment.dispatched event"),
        (lambda d: d.pop("specversion"), "not a CloudEvent"),
    ],
)
def test_a_message_that_is_not_a_dispatch_is_refused_with_the_reason(change, reason: str) -> None:  # type: ignore[no-untyped-def]
    message = json.loads(BODY)
    change(message["detail"])
    with pytest.raises(ValueError, match=reason):
        ShipmentDispatched.from_message(json.dumps(message))


def test_a_placed_order_ships_once(service: OrderService) -> None:
    placed = service.create("t1", "EUR", (LineItem("SKU-1", 1, 100),))
    service.transition("t1", placed.id, OrderStatus.PLACED)
    assert record_dispatch(service, dispatch_of("t1", placed.id)) is Outcome.SHIPPED
    assert record_dispatch(service, dispatch_of("t1", placed.id)) is Outcome.ALREADY_SHIPPED
    assert service.get("t1", placed.id).version == 3


def test_a_cancelled_order_is_never_shipped(service: OrderService) -> None:
    order = service.create("t1", "EUR", (LineItem("SKU-1", 1, 100),))
    service.transition("t1", order.id, OrderStatus.PLACED)
    cancelled = service.transition("t1", order.id, OrderStatus.CANCELLED)
    assert record_dispatch(service, dispatch_of("t1", order.id)) is Outcome.CANCELLED_FIRST
    assert service.get("t1", order.id) == cancelled


def test_a_draft_or_a_missing_order_is_an_error(service: OrderService) -> None:
    draft = service.create("t1", "EUR", (LineItem("SKU-1", 1, 100),))
    with pytest.raises(IllegalTransition):
        record_dispatch(service, dispatch_of("t1", draft.id))
    with pytest.raises(OrderNotFound):
        record_dispatch(service, dispatch_of("t2", draft.id))
