"""Consumer of the fulfilment events (shipment dispatched) from the orders shipping queue: AWS
glue only.

Each message moves its order to SHIPPED once (orders.domain.shipping); Powertools'
BatchProcessor answers with the messages that failed, which stay in the queue and come back, up
to the queue's maxReceiveCount, then go to its dead-letter queue.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders.adapters.dynamodb import DynamoDBOrderRepository
from orders.config import ShippingSettings
from orders.domain.ids import new_ulid
from orders.domain.service import OrderService
from orders.domain.shipping import Outcome, ShipmentDispatched, record_dispatch
from splitstack.config import load_settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()

settings = load_settings(ShippingSettings, os.environ)
service = OrderService(
    DynamoDBOrderRepository(
        boto3.client("dynamodb"), settings.table_name, settings.gsi1_name, settings.idempotency_table_name
    ),
    clock=lambda: datetime.now(UTC),
    new_id=new_ulid,
)
processor = BatchProcessor(event_type=EventType.SQS)


def consume(record: SQSRecord) -> str:
    dispatch = ShipmentDispatched.from_message(record.body)
    outcome = record_dispatch(service, dispatch)
    logger.info(
        "shipment dispatch recorded",
        extra={"event_id": dispatch.id, "order_id": dispatch.order_id, "outcome": outcome},
    )
    if outcome is Outcome.CANCELLED_FIRST:
        logger.warning("a cancelled order's shipment was dispatched", extra={"order_id": dispatch.order_id})
        metrics.add_metric(name="ShippedAfterCancel", unit=MetricUnit.Count, value=1)
    return outcome


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=consume, processor=processor, context=context)
