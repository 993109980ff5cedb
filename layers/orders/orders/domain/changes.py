"""What a change of an order means downstream: its effect on the read model and its CloudEvent.

The stream processor builds a Change from each stream record; the projection adds
stats_delta(change) to the tenant's statistics, and the outbox relay publishes
to_cloud_event(change). The scheduled reconcile recomputes the statistics with stats_of and
compares: folding every delta must always equal recomputing from the orders that exist.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from orders.domain.model import Order, OrderStatus, TenantStats

# Orders whose total counts as revenue: placed and not cancelled.
REVENUE_STATUSES = frozenset({OrderStatus.PLACED, OrderStatus.SHIPPED})
EVENT_TYPE_PREFIX = "orders.order."


@dataclass(frozen=True)
class Change:
    """One change of one order: created (old is None), changed, or removed (new is None)."""

    event_id: str
    at: datetime
    old: Order | None
    new: Order | None
    expired_by_ttl: bool = False

    def __post_init__(self) -> None:
        if self.old is None and self.new is None:
            raise ValueError("a change has an old or a new order")

    @property
    def order(self) -> Order:
        """The order as it is after the change, or as it was before a removal."""
        current = self.new if self.new is not None else self.old
        assert current is not None  # noqa: S101  # guaranteed by __post_init__
        return current


@dataclass(frozen=True)
class StatsDelta:
    counts: dict[OrderStatus, int]
    placed_revenue: dict[str, int]

    def is_empty(self) -> bool:
        return not self.counts and not self.placed_revenue


def stats_delta(change: Change) -> StatsDelta:
    counts: Counter[OrderStatus] = Counter()
    revenue: Counter[str] = Counter()
    if change.old is not None:
        counts[change.old.status] -= 1
        if change.old.status in REVENUE_STATUSES:
            revenue[change.old.currency] -= change.old.total
    if change.new is not None:
        counts[change.new.status] += 1
        if change.new.status in REVENUE_STATUSES:
            revenue[change.new.currency] += change.new.total
    return StatsDelta(
        counts={s: n for s, n in counts.items() if n}, placed_revenue={c: v for c, v in revenue.items() if v}
    )


def apply_delta(stats: TenantStats, delta: StatsDelta) -> TenantStats:
    counts = {s: stats.counts.get(s, 0) + delta.counts.get(s, 0) for s in OrderStatus}
    revenue = Counter(stats.placed_revenue)
    revenue.update(delta.placed_revenue)
    return TenantStats(
        tenant=stats.tenant, counts=counts, placed_revenue={c: v for c, v in revenue.items() if v}
    )


def stats_of(tenant: str, orders: Iterable[Order]) -> TenantStats:
    """The read model recomputed from the orders themselves (what reconcile compares against)."""
    stats = TenantStats.empty(tenant)
    for order in orders:
        stats = apply_delta(stats, stats_delta(Change(event_id="", at=order.updated_at, old=None, new=order)))
    return stats


def event_type(change: Change) -> str:
    if change.old is None:
        return f"{EVENT_TYPE_PREFIX}created"
    if change.new is None:
        return f"{EVENT_TYPE_PREFIX}{'expired' if change.expired_by_ttl else 'deleted'}"
    if change.new.status is not change.old.status:
        return f"{EVENT_TYPE_PREFIX}{change.new.status.lower()}"
    return f"{EVENT_TYPE_PREFIX}updated"


def to_cloud_event(change: Change, source: str) -> dict[str, Any]:
    """A CloudEvents 1.0 event (JSON format). Its id is the stream record's, so a redelivered
    record produces the same id and consumers can drop the duplicate."""
    order = change.order
    return {
        "specversion": "1.0",
        "id": change.event_id,
        "source": source,
        "type": event_type(change),
        "subject": order.id,
        "time": change.at.isoformat(),
        "datacontenttype": "application/json",
        "tenant": order.tenant,
        "data": {
            "id": order.id,
            "status": str(order.status),
            "previous_status": str(change.old.status) if change.old is not None else None,
            "currency": order.currency,
            "total": order.total,
            "version": order.version,
            "removed": change.new is None,
        },
    }
