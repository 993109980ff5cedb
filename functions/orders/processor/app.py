"""Stream processor: AWS glue only. DynamoDB stream batch -> projection and outbox relay.

The batch is worked as a whole (one read-model transaction per tenant, PutEvents ten at a time,
the calls side by side where order allows: orders.domain.processing);
Powertools' BatchProcessor then reports each record's outcome as a partial batch response, and
fails the invocation when every record failed so that Lambda bisects the batch.
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
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders.adapters.readmodel import DynamoDBReadModel
from orders.adapters.streams import delivered_from_record
from orders.config import ProcessorSettings
from orders.domain.processing import BatchProcessing, BatchResult
from splitstack.config import load_settings
from splitstack.events import EventBridgeBus

logger = Logger()
tracer = Tracer()
metrics = Metrics()

settings = load_settings(ProcessorSettings, os.environ)
processing = BatchProcessing(
    DynamoDBReadModel(
        boto3.client("dynamodb"),
        settings.table_name,
        settings.idempotency_table_name,
        clock=lambda: datetime.now(UTC),
    ),
    EventBridgeBus(boto3.client("events"), settings.event_bus_name),
    source=settings.event_source,
)
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def report(result: BatchResult) -> None:
    metrics.add_metric(name="ChangesProjected", unit=MetricUnit.Count, value=result.projected)
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=result.published)
    metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=len(result.failures))


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    result = processing.process([delivered_from_record(r) for r in event["Records"]])
    report(result)

    def outcome(record: DynamoDBRecord) -> None:
        failure = result.failures.get(str(record.dynamodb.sequence_number if record.dynamodb else ""))
        if failure is not None:
            raise failure

    return process_partial_response(event=event, record_handler=outcome, processor=processor, context=context)
