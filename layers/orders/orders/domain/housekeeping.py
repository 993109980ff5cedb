"""The scheduled job: expire stale drafts, then check the read model against the orders.

Safe to run twice at once: an expiry is a conditional transition of the version that was read,
so of two runs racing for a draft one wins and the other sees a conflict and counts it as
already handled. The check only reads and reports; it never overwrites the read model, because
changes still on their way through the stream would make any overwrite a lost update.

A tenant with a change inside the settle window (an order or its statistics updated recently)
is not compared: its stream records may still be in flight. A difference that persists across
runs is real drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from orders.domain.changes import stats_of
from orders.domain.errors import IllegalTransition, OrderNotFound, VersionConflict
from orders.domain.model import Order, OrderStatus, TenantStats
from orders.domain.ports import Clock, OrderRepository, OrderTable

EXPIRED_REASON = "expired"


@dataclass(frozen=True)
class Drift:
    tenant: str
    stored: TenantStats
    expected: TenantStats


@dataclass
class HousekeepingReport:
    expired: int = 0
    expiries_lost_to_a_race: int = 0
    tenants_checked: int = 0
    tenants_unsettled: int = 0
    drift: list[Drift] = field(default_factory=list)


class Housekeeping:
    def __init__(
        self,
        table: OrderTable,
        repository: OrderRepository,
        clock: Clock,
        draft_max_age: timedelta,
        settle: timedelta,
    ) -> None:
        self._table = table
        self._repository = repository
        self._clock = clock
        self._draft_max_age = draft_max_age
        self._settle = settle

    def run(self) -> HousekeepingReport:
        now = self._clock()
        orders: dict[str, list[Order]] = {}
        stored: dict[str, TenantStats] = {}
        for item in self._table.scan():
            if isinstance(item, Order):
                orders.setdefault(item.tenant, []).append(item)
            else:
                stored[item.tenant] = item

        report = HousekeepingReport()
        busy: set[str] = set()
        stale_before = now - self._draft_max_age
        for order in (o for tenant_orders in orders.values() for o in tenant_orders):
            if order.status is OrderStatus.DRAFT and order.updated_at < stale_before:
                busy.add(order.tenant)
                try:
                    self._repository.transition(
                        order.tenant, order.id, OrderStatus.CANCELLED, now, EXPIRED_REASON, order.version
                    )
                    report.expired += 1
                except (IllegalTransition, OrderNotFound, VersionConflict):
                    report.expiries_lost_to_a_race += 1

        settled_before = now - self._settle
        for tenant in sorted(orders.keys() | stored.keys()):
            tenant_orders = orders.get(tenant, [])
            stats = stored.get(tenant, TenantStats.empty(tenant))
            recent = any(o.updated_at >= settled_before for o in tenant_orders) or (
                stats.updated_at is not None and stats.updated_at >= settled_before
            )
            if tenant in busy or recent:
                report.tenants_unsettled += 1
                continue
            report.tenants_checked += 1
            expected = stats_of(tenant, tenant_orders)
            if (stats.counts, stats.placed_revenue) != (expected.counts, expected.placed_revenue):
                report.drift.append(Drift(tenant=tenant, stored=stats, expected=expected))
        return report
