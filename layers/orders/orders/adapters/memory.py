"""In-memory OrderRepository, ReadModel and OrderTable: the reference behaviour the DynamoDB
adapters are tested against."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime

from orders.domain.changes import Change, apply_delta, stats_delta
from orders.domain.cursor import decode_cursor, encode_cursor
from orders.domain.errors import IdempotencyKeyReused, OrderNotFound
from orders.domain.model import IdempotencyClaim, LineItem, Order, OrderStatus, Page, TenantStats


class InMemoryOrderRepository:
    def __init__(self) -> None:
        self._orders: dict[tuple[str, str], Order] = {}
        self._stats: dict[str, TenantStats] = {}
        self._claims: dict[tuple[str, str], tuple[str, Order]] = {}
        self._applied: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def add(self, order: Order, claim: IdempotencyClaim | None = None) -> Order:
        with self._lock:
            if claim is not None:
                seen = self._claims.get((order.tenant, claim.key))
                if seen is not None:
                    fingerprint, first = seen
                    if fingerprint != claim.fingerprint:
                        raise IdempotencyKeyReused(claim.key)
                    return first
                self._claims[(order.tenant, claim.key)] = (claim.fingerprint, order)
            key = (order.tenant, order.id)
            if key in self._orders:
                raise ValueError(f"order {order.id} exists already")
            self._orders[key] = order
            return order

    def get(self, tenant: str, order_id: str) -> Order | None:
        return self._orders.get((tenant, order_id))

    def _require(self, tenant: str, order_id: str) -> Order:
        order = self._orders.get((tenant, order_id))
        if order is None:
            raise OrderNotFound(order_id)
        return order

    def revise(
        self,
        tenant: str,
        order_id: str,
        items: tuple[LineItem, ...],
        currency: str,
        now: datetime,
        expected_version: int | None,
    ) -> Order:
        with self._lock:
            revised = self._require(tenant, order_id).revise(items, currency, now, expected_version)
            self._orders[(tenant, order_id)] = revised
            return revised

    def transition(
        self,
        tenant: str,
        order_id: str,
        target: OrderStatus,
        now: datetime,
        reason: str | None,
        expected_version: int | None,
    ) -> Order:
        with self._lock:
            current = self._require(tenant, order_id)
            current.check_version(expected_version)
            moved = current.move_to(target, now, reason)
            self._orders[(tenant, order_id)] = moved
            return moved

    def delete_draft(self, tenant: str, order_id: str, expected_version: int | None) -> None:
        with self._lock:
            self._require(tenant, order_id).check_deletable(expected_version)
            del self._orders[(tenant, order_id)]

    def list(self, tenant: str, status: OrderStatus | None, limit: int, cursor: str | None) -> Page:
        after = decode_cursor(cursor, tenant, status) if cursor else None
        matching = sorted(
            (
                o
                for (t, _), o in self._orders.items()
                if t == tenant and (status is None or o.status is status)
            ),
            key=lambda o: o.id,
            reverse=True,
        )
        if after is not None:
            matching = [o for o in matching if o.id < after]
        page = tuple(matching[:limit])
        more = len(matching) > limit
        return Page(orders=page, cursor=encode_cursor(tenant, status, page[-1].id) if more else None)

    def stats(self, tenant: str) -> TenantStats:
        return self._stats.get(tenant, TenantStats.empty(tenant))

    def apply(self, tenant: str, changes: Sequence[Change]) -> int:
        with self._lock:
            applied = 0
            stats = self.stats(tenant)
            for change in changes:
                delta = stats_delta(change)
                if delta.is_empty() or (tenant, change.event_id) in self._applied:
                    continue
                self._applied.add((tenant, change.event_id))
                stats = replace(apply_delta(stats, delta), updated_at=change.at)
                applied += 1
            if applied:
                self._stats[tenant] = stats
            return applied

    def replace_stats(self, stats: TenantStats, seen: datetime | None) -> bool:
        with self._lock:
            current = self._stats.get(stats.tenant)
            if (current.updated_at if current else None) != seen:
                return False
            self._stats[stats.tenant] = stats
            return True

    def scan(self) -> Iterator[Order | TenantStats]:
        with self._lock:
            snapshot: list[Order | TenantStats] = [*self._orders.values(), *self._stats.values()]
        yield from snapshot
