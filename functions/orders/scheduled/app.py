"""Scheduled job: AWS glue only. Expires stale drafts and checks the read model for drift.

EventBridge Scheduler sends {"scheduled_time": "<aws.scheduler.scheduled-time>", ...} (see the
template). Powertools Idempotency keys each run on that time, so a retried or duplicated
delivery of one slot returns the first run's report instead of running again.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders.adapters.dynamodb import DynamoDBOrderRepository
from orders.config import ScheduledSettings
from orders.domain.housekeeping import Housekeeping
from splitstack.config import load_settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()

settings = load_settings(ScheduledSettings, os.environ)
dynamodb = boto3.client("dynamodb")
repository = DynamoDBOrderRepository(
    dynamodb, settings.table_name, settings.gsi1_name, settings.idempotency_table_name
)
housekeeping = Housekeeping(
    table=repository,
    repository=repository,
    clock=lambda: datetime.now(UTC),
    draft_max_age=timedelta(seconds=settings.draft_max_age_seconds),
    settle=timedelta(seconds=settings.settle_seconds),
)
persistence = DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=dynamodb)
once_per_slot = IdempotencyConfig(event_key_jmespath="scheduled_time", raise_on_no_idempotency_key=True)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
@idempotent(persistence_store=persistence, config=once_per_slot)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = housekeeping.run()
    metrics.add_metric(name="DraftsExpired", unit=MetricUnit.Count, value=report.expired)
    metrics.add_metric(name="ProjectionDrift", unit=MetricUnit.Count, value=len(report.drift))
    for drift in report.drift:
        logger.warning(
            "read model differs from the orders",
            extra={
                "tenant": drift.tenant,
                "stored": {"counts": drift.stored.counts, "placed_revenue": drift.stored.placed_revenue},
                "expected": {
                    "counts": drift.expected.counts,
                    "placed_revenue": drift.expected.placed_revenue,
                },
            },
        )
    return {
        "scheduled_time": event["scheduled_time"],
        "expired": report.expired,
        "expiries_lost_to_a_race": report.expiries_lost_to_a_race,
        "tenants_checked": report.tenants_checked,
        "tenants_unsettled": report.tenants_unsettled,
        "drifted_tenants": [d.tenant for d in report.drift],
    }
