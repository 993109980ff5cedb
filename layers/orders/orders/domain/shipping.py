"""How an order becomes SHIPPED: fulfilment announces each dispatch with a
`fulfilment.shipment.dispatched` CloudEvent, which reaches this service through its own queue.

The fulfilment service owns the dispatch; the orders service only records it, by the move
PLACED -> SHIPPED, one conditional write. The write makes the event's effect happen once, whatever
its deliveries: a redelivery (same CloudEvent id or not) finds the order SHIPPED and changes
nothing. The order's status decides, not a memory of event ids, because the status is what a
second delivery must not change.

A cancelled order is never shipped. Fulfilment refuses to dispatch the shipment of an order whose
cancellation it has received; but a cancellation still on its way there when the parcel leaves
loses that race: fulfilment then counts DispatchedThenCancelled, and here the dispatch finds the
order CANCELLED, leaves it CANCELLED and is counted as ShippedAfterCancel, for a person to recall
the parcel or refund. Any other status (a draft, no order) is an error: the message fails, comes
back, and lands in the queue's dead-letter queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from orders.domain.errors import IllegalTransition
from orders.domain.model import OrderStatus
from orders.domain.service import OrderService
from splitstack.events import cloud_event_of

DISPATCHED = "fulfilment.shipment.dispatched"


class Outcome(StrEnum):
    SHIPPED = "shipped"
    ALREADY_SHIPPED = "already shipped"
    CANCELLED_FIRST = "cancelled before its dispatch was known"


@dataclass(frozen=True)
class ShipmentDispatched:
    id: str
    tenant: str
    order_id: str
    at: datetime

    @classmethod
    def from_message(cls, body: str) -> ShipmentDispatched:
        """The dispatch in a queue message; ValueError for a message that is not one."""
        cloud_event = cloud_event_of(body)
        if cloud_event["type"] != DISPATCHED:
            raise ValueError(f"not a {DISPATCHED} event: {cloud_event['type']}")
        try:
            return cls(
                id=cloud_event["id"],
                tenant=str(cloud_event["tenant"]),
                order_id=str(cloud_event["data"]["order_id"]),
                at=datetime.fromisoformat(cloud_event["time"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a {DISPATCHED} event: {error!r}") from None


def record_dispatch(service: OrderService, dispatch: ShipmentDispatched) -> Outcome:
    """PLACED -> SHIPPED once; raises OrderNotFound or IllegalTransition for any other status."""
    try:
        service.transition(dispatch.tenant, dispatch.order_id, OrderStatus.SHIPPED)
    except IllegalTransition as refused:
        status = refused.details["status"]
        if status == OrderStatus.SHIPPED:
            return Outcome.ALREADY_SHIPPED
        if status == OrderStatus.CANCELLED:
            return Outcome.CANCELLED_FIRST
        raise
    return Outcome.SHIPPED
