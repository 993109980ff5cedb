"""The scheduled job, invoked with sam/orders/events/scheduled/run.json against the tables Terraform made."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from orders.adapters.dynamodb import DynamoDBOrderRepository
from orders.domain.ids import new_ulid
from orders.domain.model import LineItem, Order, OrderStatus
from orders.domain.service import OrderService
from tests.conftest import FakeLambdaContext, function_module

if TYPE_CHECKING:
    from tests.conftest import Emulator, LocalPlatform

ROOT = Path(__file__).resolve().parents[2]
RUN_EVENT = ROOT / "sam" / "orders" / "events" / "scheduled" / "run.json"
CONTEXT = FakeLambdaContext(function_name="shop-local-orders-scheduled")
MAX_AGE = timedelta(days=7)


@pytest.fixture(scope="module")
def scheduled(local_platform: LocalPlatform, emulator: Emulator) -> Iterator[ModuleType]:
    overrides = {"DraftMaxAgeSeconds": str(int(MAX_AGE.total_seconds()))}
    with function_module("ScheduledFunction", emulator, overrides, service="orders") as module:
        yield module


@pytest.fixture(scope="module")
def repository(contract: dict[str, str], emulator: Emulator) -> DynamoDBOrderRepository:
    return DynamoDBOrderRepository(
        emulator.session.client("dynamodb", endpoint_url=emulator.endpoint),
        contract["orders/data/table-name"],
        contract["orders/data/table-gsi1-name"],
        contract["orders/data/idempotency-table-name"],
    )


def created(repository: DynamoDBOrderRepository, tenant: str, age: timedelta) -> Order:
    at = datetime.now(UTC) - age
    service = OrderService(repository, clock=lambda: at, new_id=new_ulid)
    return service.create(tenant, "EUR", (LineItem("A", 1, 100),))


def run(scheduled: ModuleType, slot: str) -> dict[str, Any]:
    event = {**json.loads(RUN_EVENT.read_text()), "scheduled_time": slot}
    result: dict[str, Any] = scheduled.lambda_handler(event, CONTEXT)
    return result


def new_slot() -> str:
    return f"2026-11-23T{uuid.uuid4().int % 24:02}:00:00Z#{uuid.uuid4().hex[:6]}"


def test_the_committed_event_runs(scheduled: ModuleType) -> None:
    event = json.loads(RUN_EVENT.read_text())
    result = scheduled.lambda_handler(event, CONTEXT)
    assert result["scheduled_time"] == event["scheduled_time"]


def test_stale_drafts_are_expired_and_fresh_ones_kept(
    scheduled: ModuleType, repository: DynamoDBOrderRepository
) -> None:
    tenant = f"expiry-{uuid.uuid4().hex[:8]}"
    stale = created(repository, tenant, MAX_AGE + timedelta(days=2))
    fresh = created(repository, tenant, MAX_AGE - timedelta(days=2))

    result = run(scheduled, new_slot())

    assert result["expired"] >= 1
    expired = repository.get(tenant, stale.id)
    assert expired is not None
    assert (expired.status, expired.cancel_reason) == (OrderStatus.CANCELLED, "expired")
    assert repository.get(tenant, fresh.id) == fresh


def test_a_slot_delivered_twice_runs_once(scheduled: ModuleType, repository: DynamoDBOrderRepository) -> None:
    tenant = f"twice-{uuid.uuid4().hex[:8]}"
    slot = new_slot()
    first = run(scheduled, slot)
    stale = created(repository, tenant, MAX_AGE * 2)

    again = run(scheduled, slot)
    later = run(scheduled, new_slot())

    assert again == first
    assert later["expired"] == 1
    expired = repository.get(tenant, stale.id)
    assert expired is not None
    assert expired.status is OrderStatus.CANCELLED


def test_orders_missing_from_the_read_model_are_reported_as_drift(
    scheduled: ModuleType,
    repository: DynamoDBOrderRepository,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    tenant = f"drift-{uuid.uuid4().hex[:8]}"
    created(repository, tenant, timedelta(days=1))  # settled, and never projected

    result = run(scheduled, new_slot())

    assert tenant in result["drifted_tenants"]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    metrics = [line for line in lines if "ProjectionDrift" in line]
    assert metrics
    assert metrics[-1]["ProjectionDrift"] == [len(result["drifted_tenants"])]
    warnings = [r for r in caplog.records if r.getMessage() == "read model differs from the orders"]
    assert any(getattr(w, "tenant", None) == tenant for w in warnings)
