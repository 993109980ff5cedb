"""OrderRepository on the single DynamoDB table (keys pk/sk, index gsi1 on gsi1pk/gsi1sk).

Item layout, every key prefixed by the tenant:
  order   pk=TENANT#<t>  sk=ORDER#<id>  gsi1pk=TENANT#<t>#STATUS#<status>  gsi1sk=ORDER#<id>
  stats   pk=TENANT#<t>  sk=STATS       (the read model, written by the stream processor: readmodel.py)

Every write is one conditional request. When its condition fails, DynamoDB returns the item as it
was (ReturnValuesOnConditionCheckFailure=ALL_OLD) and the domain decides which error that is, so
the API needs one call per update and the rules live in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from orders.domain.cursor import decode_cursor, encode_cursor
from orders.domain.errors import DomainError, IdempotencyKeyReused, OrderNotFound
from orders.domain.model import IdempotencyClaim, LineItem, Order, OrderStatus, Page, TenantStats, sources_of

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import PutTypeDef

_serializer = TypeSerializer()
logger = logging.getLogger(__name__)
_deserializer = TypeDeserializer()
ORDER_PREFIX = "ORDER#"
STATS_SK = "STATS"
COUNT_PREFIX = "count_"
REVENUE_PREFIX = "revenue_"


def tenant_pk(tenant: str) -> str:
    return f"TENANT#{tenant}"


def status_pk(tenant: str, status: OrderStatus) -> str:
    return f"TENANT#{tenant}#STATUS#{status}"


def idempotency_id(tenant: str, key: str) -> str:
    return f"{tenant}#{key}"


def order_key(tenant: str, order_id: str) -> dict[str, Any]:
    return {"pk": {"S": tenant_pk(tenant)}, "sk": {"S": f"{ORDER_PREFIX}{order_id}"}}


def to_item(order: Order) -> dict[str, Any]:
    plain: dict[str, Any] = {
        "pk": tenant_pk(order.tenant),
        "sk": f"{ORDER_PREFIX}{order.id}",
        "gsi1pk": status_pk(order.tenant, order.status),
        "gsi1sk": f"{ORDER_PREFIX}{order.id}",
        "type": "order",
        "tenant": order.tenant,
        "id": order.id,
        "status": str(order.status),
        "currency": order.currency,
        "items": [{"sku": i.sku, "quantity": i.quantity, "unit_price": i.unit_price} for i in order.items],
        "total": order.total,
        "version": order.version,
        "created_at": order.created_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
    }
    if order.placed_at is not None:
        plain["placed_at"] = order.placed_at.isoformat()
    if order.cancel_reason is not None:
        plain["cancel_reason"] = order.cancel_reason
    return {k: _serializer.serialize(v) for k, v in plain.items()}


def from_item(item: Mapping[str, Any]) -> Order:
    """An Order from a DynamoDB item (also used on stream images)."""
    plain = {k: _deserializer.deserialize(v) for k, v in item.items()}
    return Order(
        tenant=plain["tenant"],
        id=plain["id"],
        status=OrderStatus(plain["status"]),
        currency=plain["currency"],
        items=tuple(
            LineItem(sku=i["sku"], quantity=int(i["quantity"]), unit_price=int(i["unit_price"]))
            for i in plain["items"]
        ),
        version=int(plain["version"]),
        created_at=datetime.fromisoformat(plain["created_at"]),
        updated_at=datetime.fromisoformat(plain["updated_at"]),
        placed_at=datetime.fromisoformat(plain["placed_at"]) if "placed_at" in plain else None,
        cancel_reason=plain.get("cancel_reason"),
    )


def stats_from_item(item: Mapping[str, Any]) -> TenantStats:
    """The read model item: flat `count_<STATUS>` and `revenue_<CURRENCY>` numbers, so that the
    projection can ADD to them without creating a map first."""
    plain = {k: _deserializer.deserialize(v) for k, v in item.items()}
    return TenantStats(
        tenant=plain["tenant"],
        counts={s: int(plain.get(f"{COUNT_PREFIX}{s}", 0)) for s in OrderStatus},
        placed_revenue={
            name.removeprefix(REVENUE_PREFIX): int(value)
            for name, value in plain.items()
            if name.startswith(REVENUE_PREFIX) and value
        },
        updated_at=datetime.fromisoformat(plain["updated_at"]) if "updated_at" in plain else None,
    )


class ConditionAndDomainDisagree(RuntimeError):
    """A write's condition failed but the domain accepts the stored item: the two drifted apart."""


class DynamoDBOrderRepository:
    def __init__(
        self, client: DynamoDBClient, table_name: str, gsi1_name: str, idempotency_table_name: str
    ) -> None:
        self._client = client
        self._table = table_name
        self._gsi1 = gsi1_name
        self._idempotency_table = idempotency_table_name

    def add(self, order: Order, claim: IdempotencyClaim | None = None) -> Order:
        """One request: the order alone, or the order and its idempotency record in one transaction.

        The record has the Powertools shape (id, expiration, status, validation, data) so the
        idempotency table stays shared with functions that use the Powertools utility.
        """
        put_order: PutTypeDef = {
            "TableName": self._table,
            "Item": to_item(order),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        if claim is None:
            self._client.put_item(**put_order)
            return order
        record_id = idempotency_id(order.tenant, claim.key)
        put_record: PutTypeDef = {
            "TableName": self._idempotency_table,
            "Item": {
                "id": {"S": record_id},
                "expiration": {"N": str(claim.expires_at)},
                "status": {"S": "COMPLETED"},
                "validation": {"S": claim.fingerprint},
                "data": {"M": to_item(order)},
            },
            # An expired record is fair game: the key may be reused after its time to live.
            "ConditionExpression": "attribute_not_exists(id) OR expiration < :now",
            "ExpressionAttributeValues": {":now": {"N": str(int(order.created_at.timestamp()))}},
        }
        try:
            self._client.transact_write_items(TransactItems=[{"Put": put_record}, {"Put": put_order}])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            record = self._client.get_item(
                TableName=self._idempotency_table, Key={"id": {"S": record_id}}, ConsistentRead=True
            ).get("Item")
            if record is None:
                raise
            if record["validation"]["S"] != claim.fingerprint:
                raise IdempotencyKeyReused(claim.key) from None
            return from_item(record["data"]["M"])
        return order

    def get(self, tenant: str, order_id: str) -> Order | None:
        item = self._client.get_item(TableName=self._table, Key=order_key(tenant, order_id)).get("Item")
        return from_item(item) if item else None

    def revise(
        self,
        tenant: str,
        order_id: str,
        items: tuple[LineItem, ...],
        currency: str,
        now: datetime,
        expected_version: int | None,
    ) -> Order:
        lines = [{"sku": i.sku, "quantity": i.quantity, "unit_price": i.unit_price} for i in items]
        values = {
            ":items": lines,
            ":currency": currency,
            ":total": sum(i.subtotal for i in items),
            ":now": now.isoformat(),
            ":one": 1,
            ":draft": str(OrderStatus.DRAFT),
        }
        condition = "attribute_exists(pk) AND #status = :draft"
        if expected_version is not None:
            condition += " AND version = :expected"
            values[":expected"] = expected_version
        return self._update(
            tenant,
            order_id,
            update="SET #items = :items, currency = :currency, #total = :total, version = version + :one, "
            "updated_at = :now",
            condition=condition,
            names={"#items": "items", "#total": "total", "#status": "status"},
            values=values,
            explain=lambda old: old.revise(items, currency, now, expected_version),
        )

    def transition(
        self,
        tenant: str,
        order_id: str,
        target: OrderStatus,
        now: datetime,
        reason: str | None,
        expected_version: int | None,
    ) -> Order:
        sources = sorted(sources_of(target))
        if not sources:
            current = self.get(tenant, order_id)
            if current is None:
                raise OrderNotFound(order_id)
            current.check_version(expected_version)
            current.move_to(target, now, reason)
            raise ConditionAndDomainDisagree(f"{target} has no source status but the domain allowed a move")

        values: dict[str, Any] = {
            ":to": str(target),
            ":gsi1pk": status_pk(tenant, target),
            ":now": now.isoformat(),
            ":one": 1,
        }
        values.update({f":from{n}": str(s) for n, s in enumerate(sources)})
        sets = ["#status = :to", "gsi1pk = :gsi1pk", "version = version + :one", "updated_at = :now"]
        removes = []
        if target is OrderStatus.PLACED:
            sets.append("placed_at = :now")
        if target is OrderStatus.CANCELLED and reason is not None:
            sets.append("cancel_reason = :reason")
            values[":reason"] = reason
        else:
            removes.append("cancel_reason")
        condition = (
            f"attribute_exists(pk) AND #status IN ({', '.join(f':from{n}' for n in range(len(sources)))})"
        )
        if expected_version is not None:
            condition += " AND version = :expected"
            values[":expected"] = expected_version
        update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")

        def explain(old: Order) -> None:
            old.check_version(expected_version)
            old.move_to(target, now, reason)

        return self._update(
            tenant,
            order_id,
            update=update,
            condition=condition,
            names={"#status": "status"},
            values=values,
            explain=explain,
        )

    def delete_draft(self, tenant: str, order_id: str, expected_version: int | None) -> None:
        values: dict[str, Any] = {":draft": {"S": str(OrderStatus.DRAFT)}}
        condition = "attribute_exists(pk) AND #status = :draft"
        if expected_version is not None:
            condition += " AND version = :expected"
            values[":expected"] = {"N": str(expected_version)}
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=order_key(tenant, order_id),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            self._explain_failure(error, order_id, lambda old: old.check_deletable(expected_version))

    def list(self, tenant: str, status: OrderStatus | None, limit: int, cursor: str | None) -> Page:
        after = decode_cursor(cursor, tenant, status) if cursor else None
        request: dict[str, Any] = {
            "TableName": self._table,
            "ScanIndexForward": False,
            "Limit": limit + 1,
        }
        if status is None:
            request["KeyConditionExpression"] = "pk = :pk AND begins_with(sk, :prefix)"
            request["ExpressionAttributeValues"] = {
                ":pk": {"S": tenant_pk(tenant)},
                ":prefix": {"S": ORDER_PREFIX},
            }
            if after:
                request["ExclusiveStartKey"] = order_key(tenant, after)
        else:
            request["IndexName"] = self._gsi1
            request["KeyConditionExpression"] = "gsi1pk = :pk"
            request["ExpressionAttributeValues"] = {":pk": {"S": status_pk(tenant, status)}}
            if after:
                request["ExclusiveStartKey"] = {
                    **order_key(tenant, after),
                    "gsi1pk": {"S": status_pk(tenant, status)},
                    "gsi1sk": {"S": f"{ORDER_PREFIX}{after}"},
                }
        items = self._client.query(**request)["Items"]
        orders = tuple(from_item(i) for i in items[:limit])
        more = len(items) > limit
        return Page(orders=orders, cursor=encode_cursor(tenant, status, orders[-1].id) if more else None)

    def stats(self, tenant: str) -> TenantStats:
        key = {"pk": {"S": tenant_pk(tenant)}, "sk": {"S": STATS_SK}}
        item = self._client.get_item(TableName=self._table, Key=key).get("Item")
        return stats_from_item(item) if item else TenantStats.empty(tenant)

    def replace_stats(self, stats: TenantStats, seen: datetime | None) -> bool:
        if stats.updated_at is None:
            raise ValueError("the statistics to put need their updated_at")
        item = {
            "pk": tenant_pk(stats.tenant),
            "sk": STATS_SK,
            "type": "stats",
            "tenant": stats.tenant,
            "updated_at": stats.updated_at.isoformat(),
            **{f"{COUNT_PREFIX}{status}": count for status, count in stats.counts.items()},
            **{f"{REVENUE_PREFIX}{currency}": amount for currency, amount in stats.placed_revenue.items()},
        }
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if seen is None
            else {
                "ConditionExpression": "updated_at = :seen",
                "ExpressionAttributeValues": {":seen": {"S": seen.isoformat()}},
            }
        )
        try:
            self._client.put_item(
                TableName=self._table,
                Item={k: _serializer.serialize(v) for k, v in item.items()},
                **condition,
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def scan(self) -> Iterator[Order | TenantStats]:
        paginator = self._client.get_paginator("scan")
        pages = paginator.paginate(
            TableName=self._table,
            FilterExpression="begins_with(sk, :order) OR sk = :stats",
            ExpressionAttributeValues={":order": {"S": ORDER_PREFIX}, ":stats": {"S": STATS_SK}},
        )
        for page in pages:
            for item in page["Items"]:
                try:
                    yield stats_from_item(item) if item["sk"]["S"] == STATS_SK else from_item(item)
                except (KeyError, TypeError, ValueError) as error:
                    # One item nobody can read must not stop the job for every tenant: say which.
                    key = {"pk": item["pk"]["S"], "sk": item["sk"]["S"]}
                    logger.warning("skipping an item that is not an order: %s (%r)", key, error)

    def _update(
        self,
        tenant: str,
        order_id: str,
        *,
        update: str,
        condition: str,
        names: dict[str, str],
        values: dict[str, Any],
        explain: Callable[[Order], object],
    ) -> Order:
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=order_key(tenant, order_id),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={k: _serializer.serialize(v) for k, v in values.items()},
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            self._explain_failure(error, order_id, explain)
        return from_item(response["Attributes"])

    @staticmethod
    def _explain_failure(error: ClientError, order_id: str, explain: Callable[[Order], object]) -> NoReturn:
        """Turn a failed condition into the domain's error for the item as it was; re-raise the rest."""
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise error
        old: dict[str, Any] | None = error.response.get("Item")  # type: ignore[assignment]  # not in the stubs
        if not old:
            raise OrderNotFound(order_id) from None
        try:
            explain(from_item(old))
        except DomainError as domain_error:
            raise domain_error from None
        raise ConditionAndDomainDisagree(
            f"the write to order {order_id} was refused but the domain allows it"
        )
