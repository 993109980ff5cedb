"""Use cases of the orders API, on top of the ports."""

from __future__ import annotations

from orders.domain.errors import OrderNotFound
from orders.domain.model import IdempotencyClaim, LineItem, Order, OrderStatus, Page, TenantStats
from orders.domain.ports import Clock, IdFactory, OrderRepository

MAX_PAGE = 100


class OrderService:
    def __init__(self, repository: OrderRepository, clock: Clock, new_id: IdFactory) -> None:
        self._repository = repository
        self._clock = clock
        self._new_id = new_id

    def create(
        self,
        tenant: str,
        currency: str,
        items: tuple[LineItem, ...],
        idempotency: IdempotencyClaim | None = None,
    ) -> Order:
        """A new draft; with a claim, a retry of the same request returns the first draft."""
        now = self._clock()
        order = Order(
            tenant=tenant, id=self._new_id(), currency=currency, items=items, created_at=now, updated_at=now
        )
        return self._repository.add(order, idempotency)

    def get(self, tenant: str, order_id: str) -> Order:
        order = self._repository.get(tenant, order_id)
        if order is None:
            raise OrderNotFound(order_id)
        return order

    def list(self, tenant: str, status: OrderStatus | None, limit: int, cursor: str | None) -> Page:
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE}")
        return self._repository.list(tenant, status, limit, cursor)

    def revise(
        self,
        tenant: str,
        order_id: str,
        currency: str,
        items: tuple[LineItem, ...],
        expected_version: int | None,
    ) -> Order:
        return self._repository.revise(tenant, order_id, items, currency, self._clock(), expected_version)

    def transition(
        self,
        tenant: str,
        order_id: str,
        target: OrderStatus,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        return self._repository.transition(tenant, order_id, target, self._clock(), reason, expected_version)

    def delete(self, tenant: str, order_id: str, expected_version: int | None) -> None:
        self._repository.delete_draft(tenant, order_id, expected_version)

    def stats(self, tenant: str) -> TenantStats:
        return self._repository.stats(tenant)
