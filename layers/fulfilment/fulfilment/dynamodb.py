"""Shipments on the service's single table (keys pk/sk), with the ids of the events applied.

  shipment  pk=TENANT#<t>  sk=SHIPMENT#<order id>  created_at=<when this service learnt of it>
  event     pk=TENANT#<t>  sk=EVENT#<event id>     expires_at=<epoch s> (the table's TTL)

An orders event is applied in one transaction with its event item, conditioned on the event item
not existing: a redelivered event cancels on that condition and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fulfilment.shipments import (
    CANCELLED,
    DRAFT,
    PLACED,
    NotDispatchable,
    OrderEvent,
    Shipment,
    ShipmentNotFound,
    ShipmentStatus,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


def _key(tenant: str, sort: str) -> dict[str, Any]:
    return {"pk": {"S": f"TENANT#{tenant}"}, "sk": {"S": sort}}


def _shipment_key(tenant: str, order_id: str) -> dict[str, Any]:
    return _key(tenant, f"SHIPMENT#{order_id}")


def _time(item: dict[str, Any], name: str) -> datetime | None:
    return datetime.fromisoformat(item[name]["S"]) if name in item else None


def from_item(item: dict[str, Any]) -> Shipment:
    return Shipment(
        tenant=item["tenant"]["S"],
        order_id=item["order_id"]["S"],
        status=ShipmentStatus(item["status"]["S"]),
        updated_at=datetime.fromisoformat(item["updated_at"]["S"]),
        placed_at=_time(item, "placed_at"),
        dispatched_at=_time(item, "dispatched_at"),
        cancelled_at=_time(item, "cancelled_at"),
    )


class ShipmentTable:
    def __init__(
        self, client: DynamoDBClient, table: str, seen_event_ttl: timedelta = timedelta(days=14)
    ) -> None:
        self._client = client
        self._table = table
        self._seen_event_ttl = seen_event_ttl

    def get(self, tenant: str, order_id: str) -> Shipment:
        item = self._client.get_item(
            TableName=self._table, Key=_shipment_key(tenant, order_id), ConsistentRead=True
        ).get("Item")
        if item is None:
            raise ShipmentNotFound("no shipment for this order", order_id=order_id)
        return from_item(item)

    def dispatch(self, tenant: str, order_id: str, at: datetime) -> Shipment:
        """PENDING -> DISPATCHED, in one conditional write."""
        try:
            answer = self._client.update_item(
                TableName=self._table,
                Key=_shipment_key(tenant, order_id),
                UpdateExpression="SET #status = :dispatched, dispatched_at = :at, updated_at = :at",
                ConditionExpression="#status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":dispatched": {"S": ShipmentStatus.DISPATCHED},
                    ":pending": {"S": ShipmentStatus.PENDING},
                    ":at": {"S": at.isoformat()},
                },
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as error:
            old: dict[str, Any] | None = error.response.get("Item")  # type: ignore[assignment]  # botocore's response
            if old is None:
                raise ShipmentNotFound("no shipment for this order", order_id=order_id) from None
            status = old["status"]["S"]
            raise NotDispatchable(f"the shipment is {status}", order_id=order_id, status=status) from None
        return from_item(answer["Attributes"])

    def apply(self, event: OrderEvent, now: datetime) -> str:
        """Apply an orders event once. What it did: "created", "cancelled", "duplicate" (applied
        before), "already <status>" (the shipment's state refuses it) or "ignored" (a type this
        service does not consume, or a draft's cancellation)."""
        if event.type == PLACED:
            change: TransactWriteItemTypeDef = {
                "Put": {
                    "TableName": self._table,
                    "Item": {
                        **_shipment_key(event.tenant, event.order_id),
                        "tenant": {"S": event.tenant},
                        "order_id": {"S": event.order_id},
                        "status": {"S": ShipmentStatus.PENDING},
                        "placed_at": {"S": event.at.isoformat()},
                        "updated_at": {"S": event.at.isoformat()},
                        "created_at": {"S": now.isoformat()},
                    },
                    # A cancellation that came first left its CANCELLED shipment here.
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
            done = "created"
        elif event.type == CANCELLED and event.previous_status != DRAFT:
            change = {
                "Update": {
                    "TableName": self._table,
                    "Key": _shipment_key(event.tenant, event.order_id),
                    "UpdateExpression": (
                        "SET #status = :cancelled, cancelled_at = :at, updated_at = :at, "
                        "tenant = :tenant, order_id = :order_id, created_at = if_not_exists(created_at, :now)"
                    ),
                    "ConditionExpression": "attribute_not_exists(pk) OR #status = :pending",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {
                        ":cancelled": {"S": ShipmentStatus.CANCELLED},
                        ":pending": {"S": ShipmentStatus.PENDING},
                        ":at": {"S": event.at.isoformat()},
                        ":tenant": {"S": event.tenant},
                        ":order_id": {"S": event.order_id},
                        ":now": {"S": now.isoformat()},
                    },
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
            done = "cancelled"
        else:
            return "ignored"
        seen: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": {
                    **_key(event.tenant, f"EVENT#{event.id}"),
                    "type": {"S": event.type},
                    "expires_at": {"N": str(int((event.at + self._seen_event_ttl).timestamp()))},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        try:
            self._client.transact_write_items(TransactItems=[seen, change])
        except ClientError as error:
            reasons: list[dict[str, Any]] = error.response.get("CancellationReasons", [])  # type: ignore[assignment]
            if error.response["Error"]["Code"] != "TransactionCanceledException" or len(reasons) != 2:
                raise
            if reasons[0].get("Code") == "ConditionalCheckFailed":
                return "duplicate"
            if reasons[1].get("Code") == "ConditionalCheckFailed" and "Item" in reasons[1]:
                return f"already {reasons[1]['Item']['status']['S']}"
            raise
        return done
