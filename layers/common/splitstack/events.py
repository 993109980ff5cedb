"""CloudEvents on EventBridge, both ways.

Publishing (EventBridgeBus): structured mode, one PutEvents call per batch. Each entry carries the
whole CloudEvent as its detail, with the event's type as detail-type and its source as source, so
rules can match on either and consumers read one standard envelope.

Consuming (cloud_event_of): a rule delivers the EventBridge event to a queue as the message body;
the CloudEvent is its detail.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_events.client import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

PUBLISH_BATCH = 10  # PutEvents takes at most 10 entries
REQUIRED = ("specversion", "id", "source", "type")  # CloudEvents 1.0 required attributes


class EventBridgeBus:
    def __init__(self, client: EventBridgeClient, bus_name: str) -> None:
        self._client = client
        self._bus = bus_name

    def publish(self, events: Sequence[dict[str, Any]]) -> list[str | None]:
        """At most PUBLISH_BATCH events in one call; per event, None when accepted or the reason
        it was not."""
        entries: list[PutEventsRequestEntryTypeDef] = [
            {
                "EventBusName": self._bus,
                "Source": event["source"],
                "DetailType": event["type"],
                "Detail": json.dumps(event, separators=(",", ":")),
                "Time": datetime.fromisoformat(event["time"]),
                "Resources": [],
            }
            for event in events
        ]
        results = self._client.put_events(Entries=entries)["Entries"]
        return [
            None if "EventId" in r else f"{r.get('ErrorCode', 'Unknown')}: {r.get('ErrorMessage', '')}"
            for r in results
        ]


def cloud_event_of(message_body: str) -> dict[str, Any]:
    """The CloudEvent in a queue message that a rule delivered; ValueError for anything else."""
    try:
        cloud_event = json.loads(message_body)["detail"]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not an EventBridge event: {error!r}") from None
    if not isinstance(cloud_event, dict) or cloud_event.get("specversion") != "1.0":
        raise ValueError("the event's detail is not a CloudEvent 1.0")
    missing = [name for name in REQUIRED if not isinstance(cloud_event.get(name), str)]
    if missing:
        raise ValueError(f"the CloudEvent lacks {', '.join(missing)}")
    return cloud_event
