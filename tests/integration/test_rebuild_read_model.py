"""`make rebuild-read-model` on the table Terraform created in the emulator: the DynamoDB adapter's
conditional replacement of a tenant's statistics, and the command end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from orders.adapters.dynamodb import DynamoDBOrderRepository
from orders.domain.changes import stats_of
from orders.domain.ids import new_ulid
from orders.domain.model import LineItem, Order, OrderStatus, TenantStats
from scripts import rebuild_read_model

if TYPE_CHECKING:
    from tests.conftest import Emulator, LocalPlatform

pytestmark = pytest.mark.emulator

THEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def repository(local_platform: LocalPlatform, emulator: Emulator) -> DynamoDBOrderRepository:
    outputs = local_platform.service("orders")
    return DynamoDBOrderRepository(
        emulator.session.client("dynamodb", endpoint_url=emulator.endpoint),
        str(outputs["table_name"]),
        "gsi1",
        str(outputs["idempotency_table_name"]),
    )


def test_statistics_are_replaced_only_if_still_those_read(repository: DynamoDBOrderRepository) -> None:
    tenant = f"rebuild-{new_ulid()}"
    empty = TenantStats.empty(tenant)
    first = TenantStats(tenant, empty.counts, {}, THEN)
    assert repository.replace_stats(first, None)
    assert not repository.replace_stats(first, None)  # there are statistics now
    later = TenantStats(tenant, {**empty.counts, OrderStatus.DRAFT: 3}, {"EUR": 5}, THEN + timedelta(hours=1))
    assert not repository.replace_stats(later, THEN - timedelta(seconds=1))  # not those read
    assert repository.replace_stats(later, THEN)
    stored = repository.stats(tenant)
    assert (stored.counts, stored.placed_revenue, stored.updated_at) == (
        later.counts,
        {"EUR": 5},
        later.updated_at,
    )


def test_the_command_rebuilds_a_drifted_tenant(
    repository: DynamoDBOrderRepository, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two orders, the read model of the first only (the second's record went to the failure
    queue): a report first, then the rebuild, then nothing left to do."""
    tenant = f"rebuild-{new_ulid()}"
    orders = [
        repository.add(Order(tenant, new_ulid(), "EUR", (LineItem("A", 1, 700),), THEN, THEN))
        for _ in range(2)
    ]
    projected = stats_of(tenant, orders[:1])
    assert repository.replace_stats(
        TenantStats(tenant, projected.counts, projected.placed_revenue, THEN), None
    )
    args = ["--env", "local", "--endpoint", emulator.endpoint, "--tenant", tenant]

    assert rebuild_read_model.main(args) == 1
    assert "nothing written" in capsys.readouterr().out
    assert rebuild_read_model.main([*args, "--write"]) == 0
    assert f"{tenant}: rebuilt" in capsys.readouterr().out
    stored, expected = repository.stats(tenant), stats_of(tenant, orders)
    assert (stored.counts, stored.placed_revenue) == (expected.counts, expected.placed_revenue)
    assert rebuild_read_model.main(args) == 0
    assert "1 tenants in step, 0 drifted" in capsys.readouterr().out
