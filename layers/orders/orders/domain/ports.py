"""The ports the domain needs. Each operation is one conditional write or one read in DynamoDB,
so the adapter can keep the API's call budget (get 1, update 1, create <= 2)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from orders.domain.changes import Change
from orders.domain.model import IdempotencyClaim, LineItem, Order, OrderStatus, Page, TenantStats


class OrderRepository(Protocol):
    def add(self, order: Order, claim: IdempotencyClaim | None = None) -> Order:
        """Store a new order and return it. With a claim whose key was seen before, store nothing and
        return the order of the first request, or raise IdempotencyKeyReused if its fingerprint differs."""

    def get(self, tenant: str, order_id: str) -> Order | None:
        """The tenant's order, or None for a missing id or another tenant's."""

    def revise(
        self,
        tenant: str,
        order_id: str,
        items: tuple[LineItem, ...],
        currency: str,
        now: datetime,
        expected_version: int | None,
    ) -> Order:
        """Replace a draft's items. Raises OrderNotFound, NotADraft or VersionConflict."""

    def transition(
        self,
        tenant: str,
        order_id: str,
        target: OrderStatus,
        now: datetime,
        reason: str | None,
        expected_version: int | None,
    ) -> Order:
        """Move an order. Raises OrderNotFound, IllegalTransition or VersionConflict."""

    def delete_draft(self, tenant: str, order_id: str, expected_version: int | None) -> None:
        """Delete a draft. Raises OrderNotFound, NotADraft or VersionConflict."""

    def list(self, tenant: str, status: OrderStatus | None, limit: int, cursor: str | None) -> Page:
        """Newest first. Raises InvalidCursor for a cursor of another tenant or query."""

    def stats(self, tenant: str) -> TenantStats:
        """The tenant's read model (empty for a tenant with no orders)."""


class ReadModel(Protocol):
    def apply(self, tenant: str, changes: Sequence[Change]) -> int:
        """Add the deltas of the tenant's changes to its statistics in one atomic step, skipping
        changes applied before (by event id). Returns how many were applied now."""


class EventBus(Protocol):
    def publish(self, events: Sequence[dict[str, Any]]) -> list[str | None]:
        """Publish CloudEvents in one call; per event, None when accepted or the reason it was not."""


class OrderTable(Protocol):
    def scan(self) -> Iterator[Order | TenantStats]:
        """Every order and every tenant's statistics, in no particular order."""


class StatsStore(Protocol):
    def replace_stats(self, stats: TenantStats, seen: datetime | None) -> bool:
        """Put these statistics (with their `updated_at`) in place of the tenant's, if its stored
        statistics are still those last updated at `seen` (None: there are none). False when
        they are not."""


class Clock(Protocol):
    def __call__(self) -> datetime: ...


class IdFactory(Protocol):
    def __call__(self) -> str: ...
