"""Orders, their line items and their life cycle: DRAFT -> PLACED -> SHIPPED, and -> CANCELLED."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from orders.domain.errors import IllegalTransition, NotADraft, VersionConflict

MAX_QUANTITY = 10_000
MAX_UNIT_PRICE = 100_000_000  # minor units: a million in a two-decimal currency
MAX_LINE_ITEMS = 100
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class OrderStatus(StrEnum):
    DRAFT = "DRAFT"
    PLACED = "PLACED"
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"


# Every legal move, and nothing else. SHIPPED and CANCELLED are final.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.DRAFT: frozenset({OrderStatus.PLACED, OrderStatus.CANCELLED}),
    OrderStatus.PLACED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


def sources_of(target: OrderStatus) -> frozenset[OrderStatus]:
    """The statuses from which `target` can be reached in one move."""
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)


@dataclass(frozen=True)
class LineItem:
    """A quantity of one SKU at a unit price in integer minor units (cents, pence, yen)."""

    sku: str
    quantity: int
    unit_price: int

    def __post_init__(self) -> None:
        if not SKU_PATTERN.match(self.sku):
            raise ValueError(f"sku {self.sku!r} must be 1-64 letters, digits, '.', '_' or '-'")
        if not 1 <= self.quantity <= MAX_QUANTITY:
            raise ValueError(f"quantity must be between 1 and {MAX_QUANTITY}")
        if not 0 <= self.unit_price <= MAX_UNIT_PRICE:
            raise ValueError(f"unit_price must be between 0 and {MAX_UNIT_PRICE} minor units")

    @property
    def subtotal(self) -> int:
        return self.quantity * self.unit_price


def validate_lines(currency: str, items: tuple[LineItem, ...]) -> None:
    if not CURRENCY_PATTERN.match(currency):
        raise ValueError("currency must be an ISO 4217 code such as EUR")
    if not 1 <= len(items) <= MAX_LINE_ITEMS:
        raise ValueError(f"an order has between 1 and {MAX_LINE_ITEMS} line items")
    if len({i.sku for i in items}) != len(items):
        raise ValueError("each sku may appear once per order")


@dataclass(frozen=True)
class Order:
    """One order of one tenant. `version` starts at 1 and grows by one with every change."""

    tenant: str
    id: str
    currency: str
    items: tuple[LineItem, ...]
    created_at: datetime
    updated_at: datetime
    status: OrderStatus = OrderStatus.DRAFT
    version: int = 1
    cancel_reason: str | None = None
    placed_at: datetime | None = field(default=None)

    def __post_init__(self) -> None:
        validate_lines(self.currency, self.items)

    @property
    def total(self) -> int:
        return sum(i.subtotal for i in self.items)

    def check_version(self, expected: int | None) -> None:
        if expected is not None and expected != self.version:
            raise VersionConflict(self.id, expected, self.version)

    def revise(
        self, items: tuple[LineItem, ...], currency: str, now: datetime, expected: int | None
    ) -> Order:
        """Replace the line items of a draft."""
        self.check_version(expected)
        if self.status is not OrderStatus.DRAFT:
            raise NotADraft(self.id, self.status)
        return replace(self, items=items, currency=currency, updated_at=now, version=self.version + 1)

    def move_to(self, target: OrderStatus, now: datetime, reason: str | None = None) -> Order:
        """The order after a legal transition; IllegalTransition otherwise."""
        if target not in TRANSITIONS[self.status]:
            raise IllegalTransition(self.id, self.status, target)
        return replace(
            self,
            status=target,
            updated_at=now,
            version=self.version + 1,
            cancel_reason=reason if target is OrderStatus.CANCELLED else None,
            placed_at=now if target is OrderStatus.PLACED else self.placed_at,
        )

    def check_deletable(self, expected: int | None) -> None:
        self.check_version(expected)
        if self.status is not OrderStatus.DRAFT:
            raise NotADraft(self.id, self.status)


@dataclass(frozen=True)
class Page:
    """One page of a list, and the opaque cursor of the next one (None on the last page)."""

    orders: tuple[Order, ...]
    cursor: str | None


@dataclass(frozen=True)
class TenantStats:
    """The per-tenant read model, kept by the stream processor; `updated_at` is when it last did."""

    tenant: str
    counts: dict[OrderStatus, int]
    placed_revenue: dict[str, int]
    updated_at: datetime | None = None

    @staticmethod
    def empty(tenant: str) -> TenantStats:
        return TenantStats(tenant=tenant, counts=dict.fromkeys(OrderStatus, 0), placed_revenue={})


@dataclass(frozen=True)
class IdempotencyClaim:
    """A client's promise that requests with this key are one request: same fingerprint, same result."""

    key: str
    fingerprint: str
    expires_at: int  # epoch seconds
