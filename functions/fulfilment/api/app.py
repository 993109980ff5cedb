"""API function of the fulfilment service: AWS glue only. Wires settings, the table and the routers."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from fulfilment import routes
from fulfilment.config import ApiSettings
from fulfilment.dynamodb import ShipmentTable
from fulfilment.shipments import ShipmentError
from splitstack.api.app import rest_app
from splitstack.config import load_settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()

settings = load_settings(ApiSettings, os.environ)
context = routes.ApiContext(
    table=ShipmentTable(boto3.client("dynamodb"), settings.table_name),
    settings=settings,
    clock=lambda: datetime.now(UTC),
)

app = rest_app(
    title="fulfilment",
    summary="The shipments of the splitstack sample",
    routers=[routes.health, routes.shipments],
    domain_error=ShipmentError,
    from_domain=routes.from_domain,
    custom_domain=settings.custom_domain,
    base_path=settings.base_path,
)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], lambda_context: LambdaContext) -> dict[str, Any]:
    app.append_context(api=context)
    return app.resolve(event, lambda_context)
