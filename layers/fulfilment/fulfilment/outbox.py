"""fulfilment's outbox: the stream of its table becomes the events the other services consume.

A shipment that goes PENDING -> DISPATCHED becomes one `fulfilment.shipment.dispatched`
CloudEvent. Its id is the stream record's, so a record delivered again is published again under
the same id, and a consumer drops the duplicate. Nothing else on the table is an event.

The relay publishes a batch's events ten at a time; a record whose event the bus refused is
reported failed (partial batch response) and comes back, with the records after it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from fulfilment.shipments import ShipmentStatus
from splitstack.events import PUBLISH_BATCH

DISPATCHED = "fulfilment.shipment.dispatched"
SHIPMENT_PREFIX = "SHIPMENT#"


class EventBus(Protocol):
    def publish(self, events: Sequence[dict[str, Any]]) -> list[str | None]: ...


class PublishFailed(RuntimeError):
    """The bus refused the record's event."""


def _status(image: Mapping[str, Any] | None) -> str | None:
    return str(image["status"]["S"]) if image and "status" in image else None


def dispatched_event(record: Mapping[str, Any], source: str) -> dict[str, Any] | None:
    """The CloudEvent a stream record stands for, or None when it stands for none. A record that
    cannot be read raises ValueError."""
    try:
        body = record["dynamodb"]
        if not str(body["Keys"]["sk"]["S"]).startswith(SHIPMENT_PREFIX) or record["eventName"] != "MODIFY":
            return None
        old, new = body["OldImage"], body["NewImage"]
        if (_status(old), _status(new)) != (ShipmentStatus.PENDING, ShipmentStatus.DISPATCHED):
            return None
        dispatched_at = new["dispatched_at"]["S"]
        return {
            "specversion": "1.0",
            "id": str(record["eventID"]),
            "source": source,
            "type": DISPATCHED,
            "subject": new["order_id"]["S"],
            "time": datetime.fromisoformat(dispatched_at).astimezone(UTC).isoformat(),
            "datacontenttype": "application/json",
            "tenant": new["tenant"]["S"],
            "data": {
                "order_id": new["order_id"]["S"],
                "status": str(ShipmentStatus.DISPATCHED),
                "dispatched_at": dispatched_at,
            },
        }
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"unreadable stream record {record.get('eventID')}: {error!r}") from None


def relay(
    records: Sequence[Mapping[str, Any]], bus: EventBus, source: str
) -> tuple[int, dict[str, Exception]]:
    """Publishes the events of a batch of stream records: how many were published, and the
    failed records by sequence number."""
    failures: dict[str, Exception] = {}
    pending: list[tuple[str, dict[str, Any]]] = []
    for record in records:
        sequence_number = str(record.get("dynamodb", {}).get("SequenceNumber", ""))
        try:
            event = dispatched_event(record, source)
        except ValueError as error:
            failures[sequence_number] = error
            continue
        if event is not None:
            pending.append((sequence_number, event))
    published = 0
    for start in range(0, len(pending), PUBLISH_BATCH):
        chunk = pending[start : start + PUBLISH_BATCH]
        try:
            refusals = bus.publish([event for _, event in chunk])
        except Exception as error:  # the whole call failed: every entry of it failed
            refusals = [repr(error)] * len(chunk)
        for (sequence_number, _), refusal in zip(chunk, refusals, strict=True):
            if refusal is None:
                published += 1
            else:
                failures[sequence_number] = PublishFailed(refusal)
    return published, failures
