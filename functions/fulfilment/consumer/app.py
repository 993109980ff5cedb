"""Consumer of the orders events (placed, cancelled) from the fulfilment queue: AWS glue only.

Each message is applied on its own (fulfilment.dynamodb.ShipmentTable.apply: once per event id,
in any order); Powertools' BatchProcessor answers with the messages that failed, which stay in the
queue and come back, up to the queue's maxReceiveCount, then go to its dead-letter queue.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from fulfilment.config import ConsumerSettings
from fulfilment.dynamodb import ShipmentTable
from fulfilment.shipments import CANCELLED, OrderEvent, ShipmentStatus
from splitstack.config import load_settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()

settings = load_settings(ConsumerSettings, os.environ)
table = ShipmentTable(
    boto3.client("dynamodb"), settings.table_name, timedelta(seconds=settings.seen_event_ttl_seconds)
)
processor = BatchProcessor(event_type=EventType.SQS)


def consume(record: SQSRecord) -> str:
    event = OrderEvent.from_message(record.body)
    outcome = table.apply(event, datetime.now(UTC))
    logger.info("orders event applied", extra={"event_id": event.id, "type": event.type, "outcome": outcome})
    if event.type == CANCELLED and outcome == f"already {ShipmentStatus.DISPATCHED}":
        logger.warning("an order was cancelled after its shipment left", extra={"order_id": event.order_id})
        metrics.add_metric(name="DispatchedThenCancelled", unit=MetricUnit.Count, value=1)
    return outcome


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=consume, processor=processor, context=context)
