"""DynamoDB stream records (as Lambda delivers them) to domain Changes.

Only order items become changes; the read model, idempotency markers and anything else in the
single table are skipped (None). A REMOVE made by DynamoDB's TTL process, rather than by a
caller, is marked as an expiry: AWS identifies it by userIdentity
{"type": "Service", "principalId": "dynamodb.amazonaws.com"}.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from orders.adapters.dynamodb import ORDER_PREFIX, from_item
from orders.domain.changes import Change
from orders.domain.processing import Delivered

TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def is_order_record(record: Mapping[str, Any]) -> bool:
    keys = record.get("dynamodb", {}).get("Keys", {})
    return str(keys.get("sk", {}).get("S", "")).startswith(ORDER_PREFIX)


def change_from_record(record: Mapping[str, Any]) -> Change | None:
    """The Change a stream record describes, or None when the item is not an order."""
    if not is_order_record(record):
        return None
    body = record["dynamodb"]
    old = body.get("OldImage")
    new = body.get("NewImage")
    if record["eventName"] == "REMOVE":
        new = None
    elif record["eventName"] == "INSERT":
        old = None
    created = body.get("ApproximateCreationDateTime")
    at = datetime.fromtimestamp(float(created), UTC) if created is not None else datetime.now(UTC)
    return Change(
        event_id=record["eventID"],
        at=at,
        old=from_item(old) if old else None,
        new=from_item(new) if new else None,
        expired_by_ttl=record["eventName"] == "REMOVE" and record.get("userIdentity") == TTL_IDENTITY,
    )


def delivered_from_record(record: Mapping[str, Any]) -> Delivered:
    """The record as the batch processing sees it; a record that cannot be read is a failure of
    that record alone (its error), not of the batch."""
    body = record.get("dynamodb", {})
    keys = body.get("Keys", {})
    item_key = f"{keys.get('pk', {}).get('S', '')}|{keys.get('sk', {}).get('S', '')}"
    try:
        return Delivered(
            record_id=body["SequenceNumber"], item_key=item_key, change=change_from_record(record)
        )
    except (KeyError, TypeError, ValueError) as error:
        return Delivered(
            record_id=body["SequenceNumber"],
            item_key=item_key,
            error=ValueError(f"unreadable stream record {record.get('eventID')}: {error!r}"),
        )
