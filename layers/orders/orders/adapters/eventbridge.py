"""EventBus on EventBridge: CloudEvents in structured mode, one PutEvents call per batch.

Each entry carries the whole CloudEvent as its detail, with the event's type as detail-type and
its source as source, so rules can match on either and consumers read one standard envelope.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_events.client import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef


class EventBridgeBus:
    def __init__(self, client: EventBridgeClient, bus_name: str) -> None:
        self._client = client
        self._bus = bus_name

    def publish(self, events: Sequence[dict[str, Any]]) -> list[str | None]:
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
