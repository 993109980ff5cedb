"""Rebuilding the read model from the orders, on the in-memory reference adapter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from orders.adapters.memory import InMemoryOrderRepository
from orders.domain.changes import Change, stats_of
from orders.domain.ids import new_ulid
from orders.domain.model import LineItem, Order, OrderStatus, TenantStats
from orders.domain.rebuild import ReadModelRebuild

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
QUIET = timedelta(minutes=65)


def add(repository: InMemoryOrderRepository, tenant: str, age: timedelta, *, projected: bool = True) -> Order:
    """An order last touched `age` ago; projected, or lost on its way to the read model."""
    at = NOW - age
    order = repository.add(Order(tenant, new_ulid(), "EUR", (LineItem("A", 1, 100),), at, at))
    if projected:
        repository.apply(tenant, [Change(event_id=f"create-{order.id}", at=at, old=None, new=order)])
    return order


def rebuild(repository: InMemoryOrderRepository) -> ReadModelRebuild:
    return ReadModelRebuild(repository, repository, lambda: NOW, QUIET)


def in_step_with_orders(repository: InMemoryOrderRepository, tenant: str) -> bool:
    orders = [i for i in repository.scan() if isinstance(i, Order) and i.tenant == tenant]
    expected, stored = stats_of(tenant, orders), repository.stats(tenant)
    return (stored.counts, stored.placed_revenue) == (expected.counts, expected.placed_revenue)


def test_a_quiet_drifted_tenant_is_rebuilt_and_the_others_are_left_alone() -> None:
    repository = InMemoryOrderRepository()
    add(repository, "acme", timedelta(hours=3))
    add(repository, "acme", timedelta(hours=2), projected=False)  # its record went to the failure queue
    add(repository, "globex", timedelta(hours=2))
    report = rebuild(repository).run(write=True)
    assert (report.rebuilt, report.in_step, [d.tenant for d in report.drifted]) == (
        ["acme"],
        ["globex"],
        ["acme"],
    )
    assert repository.stats("acme").counts[OrderStatus.DRAFT] == 2
    assert repository.stats("acme").updated_at == NOW
    assert in_step_with_orders(repository, "acme")


def test_without_write_it_only_reports() -> None:
    repository = InMemoryOrderRepository()
    add(repository, "acme", timedelta(hours=2), projected=False)
    report = rebuild(repository).run()
    assert ([d.tenant for d in report.drifted], report.rebuilt) == (["acme"], [])
    assert repository.stats("acme") == TenantStats.empty("acme")


def test_a_tenant_that_changed_within_the_quiet_window_is_not_rebuilt() -> None:
    """Its change may still be on its way through the stream: overwriting now and projecting it
    later would count it twice."""
    repository = InMemoryOrderRepository()
    add(repository, "acme", timedelta(hours=2), projected=False)
    add(repository, "acme", timedelta(minutes=10), projected=False)
    report = rebuild(repository).run(write=True)
    assert (report.not_quiet, report.rebuilt) == (["acme"], [])
    assert repository.stats("acme") == TenantStats.empty("acme")


class ProjectsDuringTheScan:
    """The table, read while the processor projects a change of the tenant."""

    def __init__(self, repository: InMemoryOrderRepository, change: Change) -> None:
        self._repository = repository
        self._change = change

    def scan(self) -> Iterator[Order | TenantStats]:
        yield from self._repository.scan()
        self._repository.apply(self._change.new.tenant if self._change.new else "", [self._change])


def test_a_change_projected_between_the_read_and_the_write_wins() -> None:
    repository = InMemoryOrderRepository()
    add(repository, "acme", timedelta(hours=3))
    lost = add(repository, "acme", timedelta(hours=2), projected=False)
    late = Change(event_id="late", at=NOW - timedelta(hours=2), old=None, new=lost)
    report = ReadModelRebuild(ProjectsDuringTheScan(repository, late), repository, lambda: NOW, QUIET).run(
        write=True
    )
    assert (report.changed_meanwhile, report.rebuilt) == (["acme"], [])
    assert in_step_with_orders(repository, "acme")  # the projection itself repaired it


def test_only_the_tenants_named() -> None:
    repository = InMemoryOrderRepository()
    add(repository, "acme", timedelta(hours=2), projected=False)
    add(repository, "globex", timedelta(hours=2), projected=False)
    report = rebuild(repository).run(frozenset({"globex"}), write=True)
    assert report.rebuilt == ["globex"]
    assert not in_step_with_orders(repository, "acme")
