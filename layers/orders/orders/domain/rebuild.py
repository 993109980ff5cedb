"""Rebuilding tenants' read models from their orders, beside the running processor.

The processor adds each change's delta to the statistics, so replacing them is safe only when no
delta is still on its way. A tenant qualifies when none of its orders and not its statistics
changed for `quiet`, longer than a stream record can wait for the processor (its
MaximumRecordAgeInSeconds, one hour, plus a margin): every change before that was projected, or
has left the stream for the failure queue and never will be (the drift this repairs). Its
statistics, recomputed from the orders as read, then replace the stored ones in one write, on
condition that the stored item is still the one read: a change projected in between makes the
write fail and leaves the tenant to the next try. A change written after the orders were read
arrives later as a delta on top of numbers that did not count it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from orders.domain.changes import stats_of
from orders.domain.housekeeping import Drift
from orders.domain.model import Order, TenantStats
from orders.domain.ports import Clock, OrderTable, StatsStore


@dataclass
class RebuildReport:
    in_step: list[str] = field(default_factory=list)
    drifted: list[Drift] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)
    not_quiet: list[str] = field(default_factory=list)
    changed_meanwhile: list[str] = field(default_factory=list)


class ReadModelRebuild:
    def __init__(self, table: OrderTable, store: StatsStore, clock: Clock, quiet: timedelta) -> None:
        self._table = table
        self._store = store
        self._clock = clock
        self._quiet = quiet

    def run(self, tenants: frozenset[str] | None = None, *, write: bool = False) -> RebuildReport:
        """Compare every tenant (or those named) with its orders; with `write`, rebuild the quiet
        ones that drifted."""
        orders: dict[str, list[Order]] = {}
        stored: dict[str, TenantStats] = {}
        for item in self._table.scan():
            if tenants is not None and item.tenant not in tenants:
                continue
            if isinstance(item, Order):
                orders.setdefault(item.tenant, []).append(item)
            else:
                stored[item.tenant] = item

        report = RebuildReport()
        now = self._clock()
        quiet_since = now - self._quiet
        for tenant in sorted(orders.keys() | stored.keys()):
            tenant_orders = orders.get(tenant, [])
            stats = stored.get(tenant)
            expected = stats_of(tenant, tenant_orders)
            current = stats or TenantStats.empty(tenant)
            if (current.counts, current.placed_revenue) == (expected.counts, expected.placed_revenue):
                report.in_step.append(tenant)
                continue
            report.drifted.append(Drift(tenant=tenant, stored=current, expected=expected))
            last_change = max(
                [o.updated_at for o in tenant_orders]
                + ([stats.updated_at] if stats is not None and stats.updated_at else [])
            )
            if last_change >= quiet_since:
                report.not_quiet.append(tenant)
            elif write:
                seen = stats.updated_at if stats is not None else None
                if self._store.replace_stats(replace(expected, updated_at=now), seen):
                    report.rebuilt.append(tenant)
                else:
                    report.changed_meanwhile.append(tenant)
        return report
