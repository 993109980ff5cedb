"""Request and response bodies. Money is integer minor units; timestamps ISO-8601 UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, model_validator

from orders.domain.model import (
    MAX_LINE_ITEMS,
    MAX_QUANTITY,
    MAX_UNIT_PRICE,
    LineItem,
    Order,
    OrderStatus,
    TenantStats,
)

SKU = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


def _whole_number(value: Any) -> Any:
    """JSON has one number type: 296.0 is the integer 296 (as JSON Schema says); 296.5 stays a float
    and is refused, and so are strings and booleans."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# An integer as JSON Schema means it: no string, no boolean, no fraction.
JsonInt = Annotated[StrictInt, BeforeValidator(_whole_number)]


class HealthOut(BaseModel):
    status: Literal["ok"]


class LineItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(pattern=SKU, description="Stock keeping unit")
    quantity: JsonInt = Field(ge=1, le=MAX_QUANTITY)
    unit_price: JsonInt = Field(ge=0, le=MAX_UNIT_PRICE, description="Price of one unit in minor units")

    def to_domain(self) -> LineItem:
        return LineItem(sku=self.sku, quantity=self.quantity, unit_price=self.unit_price)


class OrderIn(BaseModel):
    """The body of POST /orders and PATCH /orders/{id}."""

    model_config = ConfigDict(extra="forbid")

    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")
    items: list[LineItemIn] = Field(
        min_length=1,
        max_length=MAX_LINE_ITEMS,
        description="The lines of the order; each sku once (else 422)",
    )

    @model_validator(mode="after")
    def _unique_skus(self) -> OrderIn:
        if len({i.sku for i in self.items}) != len(self.items):
            raise ValueError("each sku may appear once per order")
        return self

    def lines(self) -> tuple[LineItem, ...]:
        return tuple(i.to_domain() for i in self.items)


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # SHIPPED is not a caller's to set: fulfilment's dispatch sets it (orders.domain.shipping).
    to: Literal[OrderStatus.PLACED, OrderStatus.CANCELLED]
    reason: str | None = Field(default=None, max_length=200, description="Why an order is cancelled")


class LineItemOut(BaseModel):
    sku: str
    quantity: int
    unit_price: int
    subtotal: int


class OrderOut(BaseModel):
    id: str
    status: OrderStatus
    currency: str
    items: list[LineItemOut]
    total: int
    version: int
    created_at: datetime
    updated_at: datetime
    placed_at: datetime | None
    cancel_reason: str | None

    @staticmethod
    def of(order: Order) -> OrderOut:
        return OrderOut(
            id=order.id,
            status=order.status,
            currency=order.currency,
            items=[
                LineItemOut(sku=i.sku, quantity=i.quantity, unit_price=i.unit_price, subtotal=i.subtotal)
                for i in order.items
            ],
            total=order.total,
            version=order.version,
            created_at=order.created_at,
            updated_at=order.updated_at,
            placed_at=order.placed_at,
            cancel_reason=order.cancel_reason,
        )


class OrderPage(BaseModel):
    orders: list[OrderOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page")


class StatsOut(BaseModel):
    counts: dict[OrderStatus, int]
    placed_revenue: dict[str, int] = Field(description="Total of placed and shipped orders, by currency")

    @staticmethod
    def of(stats: TenantStats) -> StatsOut:
        return StatsOut(counts=stats.counts, placed_revenue=stats.placed_revenue)
