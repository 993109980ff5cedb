"""Write a stream-processor event from real DynamoDB stream records of the local platform.

Runs a short order history for one tenant through the DynamoDB adapter (create, revise, place,
ship, create and delete a draft), reads the records the table's stream produced, and writes them
as the event Lambda would deliver. sam/orders/events/processor/stream-batch.json was made this way:

  make emulator                      # one shell
  make tf-apply ENV=local            # another
  PYTHONPATH=layers/orders .venv/bin/python scripts/capture_stream_event.py \\
      --endpoint http://127.0.0.1:5050 --out sam/orders/events/processor/stream-batch.json
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localcloud.emulator import session
from localcloud.streams import as_lambda_record
from orders.adapters.dynamodb import DynamoDBOrderRepository
from orders.domain.ids import new_ulid
from orders.domain.model import LineItem, OrderStatus
from orders.domain.service import OrderService

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodbstreams.client import DynamoDBStreamsClient


def write_history(service: OrderService, tenant: str) -> None:
    """INSERT, MODIFY and REMOVE records of one tenant, every transition included."""
    order = service.create(tenant, "EUR", (LineItem("SKU-1", 2, 1250),))
    service.revise(tenant, order.id, "EUR", (LineItem("SKU-1", 3, 1250),), expected_version=1)
    service.transition(tenant, order.id, OrderStatus.PLACED, expected_version=2)
    service.transition(tenant, order.id, OrderStatus.SHIPPED)
    draft = service.create(tenant, "USD", (LineItem("SKU-2", 1, 499),))
    service.delete(tenant, draft.id, expected_version=1)


def stream_records(
    dynamodb: DynamoDBClient, streams: DynamoDBStreamsClient, table: str, tenant: str
) -> list[dict[str, Any]]:
    """Every record of the tenant on the table's stream, as Lambda would deliver them."""
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records += [
                as_lambda_record(r, arn, dynamodb.meta.region_name)
                for r in page["Records"]
                if r["dynamodb"]["Keys"]["pk"]["S"] == f"TENANT#{tenant}"
            ]
            iterator = page.get("NextShardIterator", "") if page["Records"] else ""
    return records


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoint", required=True, help="the emulator, e.g. http://127.0.0.1:5050")
    parser.add_argument("--ssm-prefix", default="/shop/local/orders", help="where the contract lives")
    parser.add_argument("--tenant", default="acme")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    aws = session()
    ssm = aws.client("ssm", endpoint_url=args.endpoint)

    def contract(key: str) -> str:
        return ssm.get_parameter(Name=f"{args.ssm_prefix}/{key}")["Parameter"]["Value"]

    dynamodb = aws.client("dynamodb", endpoint_url=args.endpoint)
    table = contract("data/table-name")
    repository = DynamoDBOrderRepository(
        dynamodb, table, contract("data/table-gsi1-name"), contract("data/idempotency-table-name")
    )
    write_history(OrderService(repository, clock=lambda: datetime.now(UTC), new_id=new_ulid), args.tenant)
    records = stream_records(
        dynamodb, aws.client("dynamodbstreams", endpoint_url=args.endpoint), table, args.tenant
    )
    args.out.write_text(json.dumps({"Records": records}, indent=2) + "\n")
    print(f"{len(records)} records of tenant {args.tenant} written to {args.out}")


if __name__ == "__main__":
    main()
