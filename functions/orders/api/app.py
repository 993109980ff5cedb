"""API function: AWS glue only. Wires settings, the DynamoDB adapter and the routers."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders.adapters.dynamodb import DynamoDBOrderRepository
from orders.api import routes
from orders.api.problems import from_domain
from orders.config import ApiSettings
from orders.domain.errors import DomainError
from orders.domain.ids import new_ulid
from orders.domain.service import OrderService
from splitstack.api.app import rest_app
from splitstack.config import load_settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()

settings = load_settings(ApiSettings, os.environ)
repository = DynamoDBOrderRepository(
    boto3.client("dynamodb"), settings.table_name, settings.gsi1_name, settings.idempotency_table_name
)


def utc_now() -> datetime:
    return datetime.now(UTC)


context = routes.ApiContext(
    service=OrderService(repository, clock=utc_now, new_id=new_ulid), settings=settings, clock=utc_now
)

app = rest_app(
    title="orders",
    summary="The splitstack sample service",
    routers=[routes.health, routes.orders, routes.stats],
    domain_error=DomainError,
    from_domain=from_domain,
    document=routes.document,
    custom_domain=settings.custom_domain,
    base_path=settings.base_path,
)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], lambda_context: LambdaContext) -> dict[str, Any]:
    app.append_context(api=context)
    return app.resolve(event, lambda_context)
