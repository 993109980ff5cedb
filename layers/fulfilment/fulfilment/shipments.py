"""Shipments: one per placed order, keyed by the order's id within its tenant.

    PENDING --dispatch--> DISPATCHED
    PENDING --the order is cancelled--> CANCELLED

The orders events arrive through a queue: at least once and in any order. Each event is applied
once (its CloudEvent id is remembered), and a cancellation of a placed order that arrives before
its placement leaves a CANCELLED shipment that the placement then finds: a cancelled order never
gets a shipment to dispatch. The cancellation of a draft, never placed, concerns no shipment. A
cancellation that arrives after the dispatch changes nothing: the shipment has left; the consumer
logs it and counts it (metric DispatchedThenCancelled) for a person to deal with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from splitstack.events import cloud_event_of

PLACED = "orders.order.placed"
CANCELLED = "orders.order.cancelled"
DRAFT = "DRAFT"  # an order's status before it is placed


class ShipmentStatus(StrEnum):
    PENDING = "PENDING"
    DISPATCHED = "DISPATCHED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class Shipment:
    tenant: str
    order_id: str
    status: ShipmentStatus
    updated_at: datetime
    placed_at: datetime | None = None
    dispatched_at: datetime | None = None
    cancelled_at: datetime | None = None


class ShipmentError(Exception):
    code = "shipment_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ShipmentNotFound(ShipmentError):
    code = "shipment_not_found"


class NotDispatchable(ShipmentError):
    code = "not_dispatchable"


@dataclass(frozen=True)
class OrderEvent:
    """An orders event as the consumer's queue delivers it: the EventBridge event whose detail is
    the CloudEvent the orders outbox published."""

    id: str
    type: str
    tenant: str
    order_id: str
    at: datetime
    previous_status: str | None = None

    @classmethod
    def from_message(cls, body: str) -> OrderEvent:
        """The orders event in a queue message; a message that is not one raises ValueError."""
        cloud_event = cloud_event_of(body)
        try:
            return cls(
                id=cloud_event["id"],
                type=cloud_event["type"],
                tenant=str(cloud_event["tenant"]),
                order_id=str(cloud_event["data"]["id"]),
                at=datetime.fromisoformat(cloud_event["time"]),
                previous_status=cloud_event["data"].get("previous_status"),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not an orders CloudEvent: {error!r}") from None
