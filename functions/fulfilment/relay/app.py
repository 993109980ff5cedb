"""Outbox relay of the fulfilment service: AWS glue only. The table's stream -> the shipment
events on the bus (fulfilment.outbox); Powertools' BatchProcessor reports the records whose event
was not published as a partial batch response."""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from fulfilment.config import RelaySettings
from fulfilment.outbox import relay
from splitstack.config import load_settings
from splitstack.events import EventBridgeBus

logger = Logger()
tracer = Tracer()
metrics = Metrics()

settings = load_settings(RelaySettings, os.environ)
bus = EventBridgeBus(boto3.client("events"), settings.event_bus_name)
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    published, failures = relay(event["Records"], bus, settings.event_source)
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=published)
    metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=len(failures))

    def outcome(record: DynamoDBRecord) -> None:
        failure = failures.get(str(record.dynamodb.sequence_number if record.dynamodb else ""))
        if failure is not None:
            raise failure

    return process_partial_response(event=event, record_handler=outcome, processor=processor, context=context)
