"""Rebuild the orders service's read model (each tenant's statistics) from its orders.

What the housekeeping job reports as ProjectionDrift, repaired: each tenant whose statistics
disagree with its orders, and none of whose orders changed for --quiet-minutes, gets statistics
recomputed from its orders, in one conditional write (why that is safe beside the running
processor: layers/orders/orders/domain/rebuild.py). Without --write it only reports.

    make rebuild-read-model ENV=prod [TENANT=acme] [WRITE=1]
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from localcloud.emulator import session
from orders.adapters.dynamodb import DynamoDBOrderRepository
from orders.domain.rebuild import ReadModelRebuild, RebuildReport
from scripts.contract import APP

SERVICE = "orders"
# The processor gives up on a stream record after an hour (MaximumRecordAgeInSeconds 3600 in
# sam/orders/template.yaml): past that, no delta of a change is still on its way.
DEFAULT_QUIET_MINUTES = 65


def rebuild(  # the command line's options, each its own
    env: str,
    *,
    endpoint: str | None,
    tenants: frozenset[str] | None,
    quiet: timedelta,
    write: bool,
    now: datetime | None = None,
) -> RebuildReport:
    aws = session() if endpoint else boto3.Session()
    ssm = aws.client("ssm", endpoint_url=endpoint)
    prefix = f"/{APP}/{env}/{SERVICE}/data"
    names = {
        key: ssm.get_parameter(Name=f"{prefix}/{key}")["Parameter"]["Value"]
        for key in ("table-name", "table-gsi1-name", "idempotency-table-name")
    }
    repository = DynamoDBOrderRepository(
        aws.client("dynamodb", endpoint_url=endpoint),
        names["table-name"],
        names["table-gsi1-name"],
        names["idempotency-table-name"],
    )
    clock = (lambda: now) if now else (lambda: datetime.now(UTC))
    return ReadModelRebuild(repository, repository, clock, quiet).run(tenants, write=write)


def describe(report: RebuildReport, *, write: bool) -> list[str]:
    lines = [
        f"{drift.tenant}: stored {dict(drift.stored.counts)} {drift.stored.placed_revenue}, "
        f"its orders say {dict(drift.expected.counts)} {drift.expected.placed_revenue}"
        for drift in report.drifted
    ]
    lines += [f"{tenant}: rebuilt" for tenant in report.rebuilt]
    lines += [
        f"{tenant}: not rebuilt, it changed in the quiet window; try later" for tenant in report.not_quiet
    ]
    lines += [
        f"{tenant}: not rebuilt, a change was projected meanwhile; try again"
        for tenant in report.changed_meanwhile
    ]
    if report.drifted and not write:
        lines.append("nothing written: run again with --write (make ... WRITE=1) to rebuild the quiet ones")
    lines.append(
        f"{len(report.in_step)} tenants in step, {len(report.drifted)} drifted, {len(report.rebuilt)} rebuilt"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", required=True)
    parser.add_argument("--tenant", action="append", help="only this tenant (repeatable)")
    parser.add_argument("--endpoint", help="the local emulator, e.g. http://127.0.0.1:5050 (ENV=local)")
    parser.add_argument("--quiet-minutes", type=float, default=DEFAULT_QUIET_MINUTES)
    parser.add_argument("--write", action="store_true", help="rebuild; without it, report only")
    args = parser.parse_args(argv)
    if (args.env == "local") != bool(args.endpoint):
        sys.exit("ENV=local reads the emulator (--endpoint); another env reads its account (no --endpoint)")
    try:
        report = rebuild(
            args.env,
            endpoint=args.endpoint,
            tenants=frozenset(args.tenant) if args.tenant else None,
            quiet=timedelta(minutes=args.quiet_minutes),
            write=args.write,
        )
    except (BotoCoreError, ClientError) as error:
        sys.exit(
            f"cannot read the {args.env} orders table: {error} (set AWS_PROFILE or keys, and AWS_REGION)"
        )
    print("\n".join(describe(report, write=args.write)))
    return 1 if report.not_quiet or report.changed_meanwhile or (report.drifted and not args.write) else 0


if __name__ == "__main__":
    sys.exit(main())
