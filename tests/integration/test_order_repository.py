"""One suite, two adapters: the in-memory fake and DynamoDB on the table Terraform created in moto.

Both must behave the same; the DynamoDB adapter must also keep the call budget (one request per
read or write, conditional writes explained by the domain).
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from orders.adapters.dynamodb import DynamoDBOrderRepository
from orders.adapters.memory import InMemoryOrderRepository
from orders.domain.errors import (
    IdempotencyKeyReused,
    IllegalTransition,
    InvalidCursor,
    NotADraft,
    OrderNotFound,
    VersionConflict,
)
from orders.domain.ids import new_ulid
from orders.domain.model import IdempotencyClaim, LineItem, OrderStatus
from orders.domain.ports import OrderRepository
from orders.domain.service import OrderService
from tests.conftest import CallCounter

if TYPE_CHECKING:
    from tests.conftest import Emulator, LocalPlatform

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ITEMS = (LineItem("SKU-1", 2, 1250), LineItem("SKU-2", 1, 499))


@pytest.fixture
def dynamodb(
    local_platform: LocalPlatform, emulator: Emulator
) -> tuple[DynamoDBOrderRepository, CallCounter]:
    """The adapter on the table Terraform created, with a counter of the requests it sends."""
    client = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint)
    counter = CallCounter()
    client.meta.events.register("before-call.dynamodb.*", counter)
    outputs = local_platform.service("orders")
    adapter = DynamoDBOrderRepository(
        client, str(outputs["table_name"]), "gsi1", str(outputs["idempotency_table_name"])
    )
    return adapter, counter


@pytest.fixture(params=["memory", "dynamodb"])
def repository(request: pytest.FixtureRequest) -> OrderRepository:
    if request.param == "memory":
        return InMemoryOrderRepository()
    adapter: DynamoDBOrderRepository = request.getfixturevalue("dynamodb")[0]
    return adapter


@pytest.fixture
def service(repository: OrderRepository) -> OrderService:
    return OrderService(repository, clock=lambda: NOW, new_id=new_ulid)


@pytest.fixture
def tenant() -> str:
    return f"tenant-{uuid.uuid4().hex[:8]}"


def test_created_order_reads_back(service: OrderService, tenant: str) -> None:
    created = service.create(tenant, "EUR", ITEMS)
    fetched = service.get(tenant, created.id)
    assert fetched == created
    assert (fetched.total, fetched.version, fetched.status) == (2999, 1, OrderStatus.DRAFT)


def test_another_tenants_order_is_not_found(service: OrderService, tenant: str) -> None:
    created = service.create(tenant, "EUR", ITEMS)
    with pytest.raises(OrderNotFound):
        service.get("someone-else", created.id)
    with pytest.raises(OrderNotFound):
        service.transition("someone-else", created.id, OrderStatus.PLACED)
    with pytest.raises(OrderNotFound):
        service.delete("someone-else", created.id, None)


def test_revise_with_the_current_version(service: OrderService, tenant: str) -> None:
    created = service.create(tenant, "EUR", ITEMS)
    revised = service.revise(tenant, created.id, "USD", (LineItem("SKU-9", 3, 100),), expected_version=1)
    assert (revised.version, revised.total, revised.currency) == (2, 300, "USD")
    assert service.get(tenant, created.id) == revised


def test_revise_with_a_stale_version_is_a_conflict(service: OrderService, tenant: str) -> None:
    created = service.create(tenant, "EUR", ITEMS)
    service.revise(tenant, created.id, "EUR", ITEMS, expected_version=1)
    with pytest.raises(VersionConflict) as raised:
        service.revise(tenant, created.id, "EUR", ITEMS, expected_version=1)
    assert raised.value.details == {"id": created.id, "expected": 1, "actual": 2}


def test_revise_of_a_placed_order_is_refused(service: OrderService, tenant: str) -> None:
    created = service.create(tenant, "EUR", ITEMS)
    service.transition(tenant, created.id, OrderStatus.PLACED)
    with pytest.raises(NotADraft):
        service.revise(tenant, created.id, "EUR", ITEMS, expected_version=None)


def test_life_cycle_and_illegal_moves(service: OrderService, tenant: str) -> None:
    created = service.create(tenant, "EUR", ITEMS)
    placed = service.transition(tenant, created.id, OrderStatus.PLACED)
    assert (placed.status, placed.version, placed.placed_at) == (OrderStatus.PLACED, 2, NOW)
    with pytest.raises(IllegalTransition):
        service.transition(tenant, created.id, OrderStatus.PLACED)
    with pytest.raises(IllegalTransition):
        service.transition(tenant, created.id, OrderStatus.DRAFT)
    shipped = service.transition(tenant, created.id, OrderStatus.SHIPPED, expected_version=2)
    assert shipped.status is OrderStatus.SHIPPED
    with pytest.raises(IllegalTransition):
        service.transition(tenant, created.id, OrderStatus.CANCELLED)


def test_transition_with_a_stale_version_is_a_conflict(service: OrderService, tenant: str) -> None:
    created = service.create(tenant, "EUR", ITEMS)
    with pytest.raises(VersionConflict):
        service.transition(tenant, created.id, OrderStatus.PLACED, expected_version=7)


def test_cancel_records_its_reason(service: OrderService, tenant: str) -> None:
    created = service.create(tenant, "EUR", ITEMS)
    cancelled = service.transition(tenant, created.id, OrderStatus.CANCELLED, reason="expired")
    assert (cancelled.status, cancelled.cancel_reason) == (OrderStatus.CANCELLED, "expired")


def test_only_drafts_are_deleted(service: OrderService, tenant: str) -> None:
    kept = service.create(tenant, "EUR", ITEMS)
    service.transition(tenant, kept.id, OrderStatus.PLACED)
    with pytest.raises(NotADraft):
        service.delete(tenant, kept.id, None)
    gone = service.create(tenant, "EUR", ITEMS)
    with pytest.raises(VersionConflict):
        service.delete(tenant, gone.id, expected_version=3)
    service.delete(tenant, gone.id, expected_version=1)
    with pytest.raises(OrderNotFound):
        service.get(tenant, gone.id)
    with pytest.raises(OrderNotFound):
        service.delete(tenant, gone.id, None)


def test_list_pages_newest_first_and_filters_by_status(service: OrderService, tenant: str) -> None:
    created = [service.create(tenant, "EUR", ITEMS) for _ in range(5)]
    service.transition(tenant, created[1].id, OrderStatus.PLACED)
    service.transition(tenant, created[3].id, OrderStatus.PLACED)

    seen: list[str] = []
    cursor = None
    while True:
        page = service.list(tenant, None, 2, cursor)
        seen += [o.id for o in page.orders]
        if page.cursor is None:
            break
        cursor = page.cursor
    assert seen == [o.id for o in reversed(created)]

    placed = service.list(tenant, OrderStatus.PLACED, 1, None)
    assert [o.id for o in placed.orders] == [created[3].id]
    assert placed.cursor is not None
    rest = service.list(tenant, OrderStatus.PLACED, 1, placed.cursor)
    assert ([o.id for o in rest.orders], rest.cursor) == ([created[1].id], None)


def test_a_cursor_does_not_open_another_tenants_list(service: OrderService, tenant: str) -> None:
    for _ in range(2):
        service.create(tenant, "EUR", ITEMS)
    cursor = service.list(tenant, None, 1, None).cursor
    assert cursor is not None
    with pytest.raises(InvalidCursor):
        service.list("someone-else", None, 1, cursor)


def test_a_retried_create_returns_the_first_order(service: OrderService, tenant: str) -> None:
    claim = IdempotencyClaim(key="key-1", fingerprint="body-hash-1", expires_at=int(NOW.timestamp()) + 3600)
    first = service.create(tenant, "EUR", ITEMS, claim)
    again = service.create(tenant, "EUR", ITEMS, claim)
    assert again == first
    assert [o.id for o in service.list(tenant, None, 10, None).orders] == [first.id]


def test_a_key_reused_with_another_body_is_refused(service: OrderService, tenant: str) -> None:
    expires = int(NOW.timestamp()) + 3600
    service.create(tenant, "EUR", ITEMS, IdempotencyClaim("key-2", "body-hash-1", expires))
    with pytest.raises(IdempotencyKeyReused):
        service.create(tenant, "USD", ITEMS, IdempotencyClaim("key-2", "body-hash-2", expires))
    assert len(service.list(tenant, None, 10, None).orders) == 1


def test_idempotency_keys_are_per_tenant(service: OrderService, tenant: str) -> None:
    claim = IdempotencyClaim(key="shared-key", fingerprint="f", expires_at=int(NOW.timestamp()) + 3600)
    mine = service.create(tenant, "EUR", ITEMS, claim)
    theirs = service.create(f"{tenant}-other", "EUR", ITEMS, claim)
    assert mine.id != theirs.id


def test_stats_of_a_new_tenant_are_zero(service: OrderService, tenant: str) -> None:
    stats = service.stats(tenant)
    assert set(stats.counts.values()) == {0}
    assert stats.placed_revenue == {}


def test_dynamodb_call_budget(dynamodb: tuple[DynamoDBOrderRepository, CallCounter], tenant: str) -> None:
    repository, counter = dynamodb
    service = OrderService(repository, clock=lambda: NOW, new_id=new_ulid)

    def calls(action: Any) -> int:
        counter.reset()
        with contextlib.suppress(NotADraft, VersionConflict, IllegalTransition, OrderNotFound):
            action()
        return counter.total()

    order = service.create(tenant, "EUR", ITEMS)
    claim = IdempotencyClaim(key="budget", fingerprint="f", expires_at=int(NOW.timestamp()) + 3600)
    budget = {
        "get": calls(lambda: service.get(tenant, order.id)),
        "update": calls(lambda: service.revise(tenant, order.id, "EUR", ITEMS, expected_version=1)),
        "stale update": calls(lambda: service.revise(tenant, order.id, "EUR", ITEMS, expected_version=1)),
        "transition": calls(lambda: service.transition(tenant, order.id, OrderStatus.PLACED)),
        "illegal transition": calls(lambda: service.transition(tenant, order.id, OrderStatus.PLACED)),
        "delete refused": calls(lambda: service.delete(tenant, order.id, None)),
        "create": calls(lambda: service.create(tenant, "EUR", ITEMS)),
        "idempotent create": calls(lambda: service.create(tenant, "EUR", ITEMS, claim)),
        "list page": calls(lambda: service.list(tenant, None, 10, None)),
    }
    replay = calls(lambda: service.create(tenant, "EUR", ITEMS, claim))
    assert budget == dict.fromkeys(budget, 1)
    assert replay == 2


def test_a_scan_skips_an_item_that_is_not_an_order(
    dynamodb: tuple[DynamoDBOrderRepository, CallCounter],
    emulator: Emulator,
    contract: dict[str, str],
    tenant: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    adapter, _ = dynamodb
    order = OrderService(adapter, clock=lambda: NOW, new_id=new_ulid).create(tenant, "EUR", ITEMS)
    broken = {"pk": {"S": f"TENANT#{tenant}"}, "sk": {"S": "ORDER#BROKEN"}, "status": {"S": "?"}}
    client = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint)
    client.put_item(TableName=contract["orders/data/table-name"], Item=broken)

    mine = [item for item in adapter.scan() if item.tenant == tenant]

    assert mine == [order]
    assert "'sk': 'ORDER#BROKEN'" in caplog.text
