"""DynamoDB requests per second an emulator answers, with boto3 and no project code: a way to weigh
one emulator against another (docs/decisions/0011) on this machine.

THREADS clients (default 8) for SECONDS (default 10) against a fresh table with a stream: each
request is a PutItem of a new item, a GetItem, or a Query of one partition, in turn; then a
TransactWriteItems of two puts, half of them cancelled by a condition. Prints requests/s and the
p50/p95 latency of each kind; with --server-pid (the emulator's process, on this machine), also the
CPU it spent per request (Linux, from /proc), which the load on the clients' side does not skew.

    python -m benchmarks.emulator --endpoint URL [--threads 8] [--seconds 10] [--server-pid PID]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import threading
import time
import uuid
from collections import defaultdict
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from benchmarks.processes import PROC, ticks


def cpu_seconds(pid: int) -> float:
    """The user and system CPU time a process has spent so far (Linux)."""
    return ticks((PROC / str(pid) / "stat").read_text()) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--server-pid", type=int, help="the emulator's process: its CPU per request")
    args = parser.parse_args()
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=args.endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",  # noqa: S106  # an emulator's, not a secret
        config=Config(max_pool_connections=args.threads * 2, retries={"total_max_attempts": 1}),
    )
    table = f"bench-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    latencies: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def requests(partition: dict[str, str], n: int) -> list[tuple[str, dict[str, Any]]]:
        """One round of a client: an operation name and its arguments, in turn."""
        key = {"pk": partition, "sk": {"S": f"{n:08}"}}
        condition = {"ConditionExpression": "attribute_not_exists(pk)"}
        pair = [
            {"Put": {"TableName": table, "Item": {"pk": partition, "sk": {"S": f"t{n:08}"}}, **condition}},
            {"Put": {"TableName": table, "Item": {**key, "n": {"N": "0"}}, **(condition if n % 2 else {})}},
        ]
        query = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": partition}}
        return [
            ("put_item", {"TableName": table, "Item": {**key, "n": {"N": str(n)}}}),
            ("get_item", {"TableName": table, "Key": key}),
            ("query", {"TableName": table, **query, "Limit": 20, "ScanIndexForward": False}),
            ("transact_write_items", {"TransactItems": pair}),  # every other one is cancelled
        ]

    def client(number: int) -> None:
        for n in itertools.count():
            if time.monotonic() > deadline:
                return
            for operation, arguments in requests({"S": f"p{number}"}, n):
                started = time.perf_counter()
                try:
                    getattr(dynamodb, operation)(**arguments)
                except ClientError as error:
                    if error.response["Error"]["Code"] != "TransactionCanceledException":
                        raise
                with lock:
                    latencies[operation].append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.threads)]
    cpu_before = cpu_seconds(args.server_pid) if args.server_pid else 0.0
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(len(v) for v in latencies.values())
    print(f"{args.endpoint}: {total / args.seconds:.0f} DynamoDB requests/s with {args.threads} clients")
    if args.server_pid:
        spent = cpu_seconds(args.server_pid) - cpu_before
        print(f"  the server's CPU: {spent:.2f} s, {spent * 1000 / total:.2f} ms per request")
    for kind, values in latencies.items():
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        print(
            f"  {kind:<19} p50 {statistics.median(values):6.1f} ms  p95 {p95:6.1f} ms  ({len(values)} calls)"
        )


if __name__ == "__main__":
    main()
