"""The scheduled job on the in-memory reference adapter: expiry of stale drafts and drift checks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from orders.adapters.memory import InMemoryOrderRepository
from orders.domain.changes import Change
from orders.domain.housekeeping import EXPIRED_REASON, Housekeeping, HousekeepingReport
from orders.domain.ids import new_ulid
from orders.domain.model import LineItem, Order, OrderStatus

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
MAX_AGE = timedelta(days=7)
SETTLE = timedelta(minutes=15)


def add(repository: InMemoryOrderRepository, tenant: str, age: timedelta, total: int = 100) -> Order:
    """An order last touched `age` ago, projected into the read model as the processor would."""
    at = NOW - age
    order = repository.add(Order(tenant, new_ulid(), "EUR", (LineItem("A", 1, total),), at, at))
    repository.apply(tenant, [Change(event_id=f"create-{order.id}", at=at, old=None, new=order)])
    return order


def job(repository: InMemoryOrderRepository, now: datetime = NOW) -> Housekeeping:
    return Housekeeping(repository, repository, lambda: now, draft_max_age=MAX_AGE, settle=SETTLE)


def test_drafts_older_than_the_age_are_cancelled_as_expired() -> None:
    repository = InMemoryOrderRepository()
    stale = add(repository, "acme", MAX_AGE + timedelta(hours=1))
    fresh = add(repository, "acme", MAX_AGE - timedelta(hours=1))
    placed = add(repository, "acme", MAX_AGE * 2)
    repository.transition("acme", placed.id, OrderStatus.PLACED, NOW - MAX_AGE * 2, None, None)

    report = job(repository).run()

    assert report.expired == 1
    expired = repository.get("acme", stale.id)
    assert expired is not None
    assert (expired.status, expired.cancel_reason) == (OrderStatus.CANCELLED, EXPIRED_REASON)
    assert repository.get("acme", fresh.id) == fresh
    kept = repository.get("acme", placed.id)
    assert kept is not None
    assert kept.status is OrderStatus.PLACED


def test_two_runs_at_once_expire_each_draft_once() -> None:
    repository = InMemoryOrderRepository()
    drafts = [add(repository, f"t{n % 3}", MAX_AGE * 2) for n in range(30)]
    reports: list[HousekeepingReport] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        reports.append(job(repository).run())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.expired for r in reports) == len(drafts)
    versions = {repository.get(d.tenant, d.id).version for d in drafts}  # type: ignore[union-attr]
    assert versions == {2}


def test_a_read_model_in_step_with_the_orders_shows_no_drift() -> None:
    repository = InMemoryOrderRepository()
    for _ in range(3):
        add(repository, "acme", timedelta(days=1), total=250)

    report = job(repository).run()

    assert (report.tenants_checked, report.drift) == (1, [])


def test_a_change_missing_from_the_read_model_is_reported_as_drift() -> None:
    repository = InMemoryOrderRepository()
    add(repository, "acme", timedelta(days=1))
    at = NOW - timedelta(days=1)
    lost = Order("acme", new_ulid(), "EUR", (LineItem("B", 2, 300),), at, at)
    repository.add(lost)  # stored, but its stream record never reached the projection

    report = job(repository).run()

    [drift] = report.drift
    assert drift.tenant == "acme"
    assert drift.stored.counts[OrderStatus.DRAFT] == 1
    assert drift.expected.counts[OrderStatus.DRAFT] == 2


def test_a_tenant_changed_inside_the_settle_window_is_not_compared() -> None:
    repository = InMemoryOrderRepository()
    at = NOW - timedelta(minutes=1)
    repository.add(Order("acme", new_ulid(), "EUR", (LineItem("B", 1, 300),), at, at))  # record in flight

    report = job(repository).run()

    assert (report.tenants_checked, report.tenants_unsettled, report.drift) == (0, 1, [])
