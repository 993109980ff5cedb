"""ReadModel on DynamoDB: a tenant's changes applied exactly once, in one transaction.

The transaction adds the summed deltas to the tenant's statistics item and puts one marker per
change in the idempotency table (id `projection#<tenant>#<event id>`, kept for `marker_ttl`,
longer than a stream keeps a record). A marker that exists already cancels the transaction with
ConditionalCheckFailed at its position; the changes behind those markers were applied before, so
the transaction is sent again without them. One call per tenant and batch, a second one only
after a redelivery.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from orders.adapters.dynamodb import COUNT_PREFIX, REVENUE_PREFIX, STATS_SK, tenant_pk
from orders.domain.changes import Change, stats_delta
from orders.domain.model import OrderStatus
from orders.domain.ports import Clock

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

# TransactWriteItems takes 100 actions: the markers and the one update of the statistics.
MAX_CHANGES_PER_TRANSACTION = 99


def marker_id(tenant: str, event_id: str) -> str:
    return f"projection#{tenant}#{event_id}"


class DynamoDBReadModel:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        marker_table_name: str,
        clock: Clock,
        marker_ttl: timedelta = timedelta(days=2),
    ) -> None:
        self._client = client
        self._table = table_name
        self._markers = marker_table_name
        self._clock = clock
        self._marker_ttl = marker_ttl

    def apply(self, tenant: str, changes: Sequence[Change]) -> int:
        # A change that moves no number (a draft revised) needs neither an update nor a marker.
        effective = list({c.event_id: c for c in changes if not stats_delta(c).is_empty()}.values())
        applied = 0
        for start in range(0, len(effective), MAX_CHANGES_PER_TRANSACTION):
            applied += self._apply_once(tenant, effective[start : start + MAX_CHANGES_PER_TRANSACTION])
        return applied

    def _apply_once(self, tenant: str, changes: list[Change]) -> int:
        pending = changes
        while pending:
            try:
                self._client.transact_write_items(TransactItems=self._transaction(tenant, pending))
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons: list[dict[str, Any]] = error.response.get("CancellationReasons", [])  # type: ignore[assignment]  # not in the stubs
                seen = {
                    change.event_id
                    for change, reason in zip(pending, reasons, strict=False)
                    if reason.get("Code") == "ConditionalCheckFailed"
                }
                if not seen:
                    raise
                pending = [c for c in pending if c.event_id not in seen]
            else:
                return len(pending)
        return 0

    def _transaction(self, tenant: str, changes: list[Change]) -> list[TransactWriteItemTypeDef]:
        now = self._clock()
        expires = str(int((now + self._marker_ttl).timestamp()))
        counts: Counter[OrderStatus] = Counter()
        revenue: Counter[str] = Counter()
        for change in changes:
            delta = stats_delta(change)
            counts.update(delta.counts)
            revenue.update(delta.placed_revenue)
        names = {"#type": "type", "#tenant": "tenant"}
        values: dict[str, Any] = {
            ":type": {"S": "stats"},
            ":tenant": {"S": tenant},
            ":now": {"S": now.isoformat()},
        }
        adds = []
        for n, (name, amount) in enumerate(
            [(f"{COUNT_PREFIX}{s}", v) for s, v in counts.items()]
            + [(f"{REVENUE_PREFIX}{c}", v) for c, v in revenue.items()]
        ):
            names[f"#a{n}"] = name
            values[f":a{n}"] = {"N": str(amount)}
            adds.append(f"#a{n} :a{n}")
        markers: list[TransactWriteItemTypeDef] = [
            {
                "Put": {
                    "TableName": self._markers,
                    "Item": {
                        "id": {"S": marker_id(tenant, c.event_id)},
                        "expiration": {"N": expires},
                        "status": {"S": "COMPLETED"},
                    },
                    "ConditionExpression": "attribute_not_exists(id)",
                }
            }
            for c in changes
        ]
        update: TransactWriteItemTypeDef = {
            "Update": {
                "TableName": self._table,
                "Key": {"pk": {"S": tenant_pk(tenant)}, "sk": {"S": STATS_SK}},
                "UpdateExpression": "SET #type = :type, #tenant = :tenant, updated_at = :now"
                + (" ADD " + ", ".join(adds) if adds else ""),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }
        return [*markers, update]
