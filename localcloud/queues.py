"""SQS event source mappings, locally: polls a queue of the emulator and invokes the function with
the semantics Lambda documents for SQS.

- Several pollers read the queue at once (Lambda starts with five), each receiving up to ten
  messages per call; `ScalingConfig.MaximumConcurrency` caps how many batches are in the function
  at once.
- A batch holds up to BatchSize messages, waiting up to MaximumBatchingWindowInSeconds to fill
  (above ten messages a window is required, as Lambda requires it).
- Messages that match none of the FilterCriteria are deleted without invoking the function, as
  Lambda deletes them.
- The function succeeds: every message of the batch is deleted. It fails (exception, timeout,
  crash): none is, and each comes back when its visibility timeout ends. With
  ReportBatchItemFailures, the messages its response names stay and the others are deleted; an
  identifier that is empty, null or not in the batch fails the whole batch.
- A message received more than the queue's `maxReceiveCount` times moves to the queue's
  dead-letter queue: the queue's RedrivePolicy does that, as on AWS, not the poller.
- Where the fault switch says so (localcloud.faults), a batch is delivered more than once or its
  invocation times out early.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from localcloud.emulator import REGION
from localcloud.functions import LocalFunction, Outcome
from localcloud.streams import EventFilter
from localcloud.template import TemplateError

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

POLLERS = 5  # Lambda's pollers of one SQS event source at the start
WAIT_SECONDS = 1  # long polling, short enough for a prompt stop
SQS_MAX_RECEIVE = 10


@dataclass(frozen=True)
class QueueMapping:
    """An SQS event of a function: which queue, what a batch is, how failures are reported."""

    function: LocalFunction
    queue_arn: str
    batch_size: int
    batching_window_seconds: float
    report_item_failures: bool
    maximum_concurrency: int
    event_filter: EventFilter

    @classmethod
    def from_mapping(cls, function: LocalFunction, properties: dict[str, Any]) -> QueueMapping:
        """From the properties of the function's AWS::Lambda::EventSourceMapping."""
        name = function.function.logical_id
        queue = properties.get("EventSourceArn")
        if not (isinstance(queue, str) and queue.startswith("arn:") and ":sqs:" in queue):
            raise TemplateError(f"{name}: the SQS event's queue {queue!r} is not the ARN of a queue")
        batch_size = int(properties.get("BatchSize", 10))
        window = float(properties.get("MaximumBatchingWindowInSeconds", 0))
        if not 1 <= batch_size <= 10_000 or (batch_size > SQS_MAX_RECEIVE and window <= 0):
            raise TemplateError(
                f"{name}: BatchSize {batch_size} must be 1-10000, and above 10 it needs a "
                "MaximumBatchingWindowInSeconds (as Lambda requires)"
            )
        concurrency = int(properties.get("ScalingConfig", {}).get("MaximumConcurrency", POLLERS))
        return cls(
            function=function,
            queue_arn=queue,
            batch_size=batch_size,
            batching_window_seconds=window,
            report_item_failures="ReportBatchItemFailures" in properties.get("FunctionResponseTypes", []),
            maximum_concurrency=max(1, min(concurrency, function.concurrency)),
            event_filter=EventFilter(properties.get("FilterCriteria")),
        )

    @property
    def queue_name(self) -> str:
        return self.queue_arn.rsplit(":", 1)[1]


def as_lambda_record(message: MessageTypeDef, queue_arn: str, region: str = REGION) -> dict[str, Any]:
    """A received message in the form Lambda delivers it (the `Records` of an SQS event)."""
    attributes = dict(message.get("Attributes", {}))
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value["DataType"],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324  # SQS's checksum
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class QueuePoller:
    """The pollers of one SQS event source, and the batches they hand to the function."""

    def __init__(self, mapping: QueueMapping, sqs: SQSClient, log: Callable[[str], None]) -> None:
        self.mapping = mapping
        self.sqs = sqs
        self.log = log
        self.stopping = threading.Event()
        self.url = ""
        self._slots = threading.BoundedSemaphore(mapping.maximum_concurrency)
        self._threads = [
            threading.Thread(target=self._poll, name=f"sqs-{mapping.function.function.name}-{n}", daemon=True)
            for n in range(min(POLLERS, mapping.maximum_concurrency))
        ]

    def start(self) -> None:
        self.url = self.sqs.get_queue_url(QueueName=self.mapping.queue_name)["QueueUrl"]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout=WAIT_SECONDS + 5)

    def _poll(self) -> None:
        while not self.stopping.is_set():
            try:
                batch = self._batch()
                if batch:
                    with self._slots:
                        self.deliver(batch)
            except Exception as error:  # a poller must say why it stumbles, then poll on
                if not self.stopping.is_set():
                    self.log(f"sqs {self.mapping.queue_name}: {type(error).__name__}: {error}\n")
                    self.stopping.wait(1)

    def _batch(self) -> list[dict[str, Any]]:
        """Messages received until the batch is full or its window is over."""
        mapping = self.mapping
        batch: list[dict[str, Any]] = []
        deadline = time.monotonic() + mapping.batching_window_seconds
        while not self.stopping.is_set() and len(batch) < mapping.batch_size:
            wait = WAIT_SECONDS if not batch else max(0, min(WAIT_SECONDS, deadline - time.monotonic()))
            answer = self.sqs.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=min(SQS_MAX_RECEIVE, mapping.batch_size - len(batch)),
                WaitTimeSeconds=int(wait),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            received = [as_lambda_record(m, mapping.queue_arn) for m in answer.get("Messages", [])]
            kept = [r for r in received if mapping.event_filter.matches(r)]
            self._delete([r for r in received if r not in kept])
            batch += kept
            if batch and time.monotonic() >= deadline:
                break
        return batch

    def deliver(self, batch: list[dict[str, Any]]) -> None:
        outcome = self.mapping.function.deliver({"Records": batch})
        failed = self._failed(outcome, batch)
        self._delete([r for r in batch if r["messageId"] not in failed])
        if failed:
            self.log(
                f"sqs {self.mapping.queue_name}: {len(failed)} of {len(batch)} messages stay in the queue, "
                "to come back after their visibility timeout\n"
            )

    def _failed(self, outcome: Outcome, batch: list[dict[str, Any]]) -> set[str]:
        """The ids of the messages that stay in the queue."""
        every = {r["messageId"] for r in batch}
        if outcome.failed:
            return every
        if not self.mapping.report_item_failures or not isinstance(outcome.result, dict):
            return set()
        failures = outcome.result.get("batchItemFailures") or []
        named = [f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures]
        if any(not isinstance(n, str) or n not in every for n in named):
            self.log(
                f"sqs {self.mapping.queue_name}: the response names {named!r}, not messages of the batch\n"
            )
            return every
        return set(named)  # type: ignore[arg-type]  # every name is a str, checked above

    def _delete(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), SQS_MAX_RECEIVE):
            entries = [
                {"Id": str(n), "ReceiptHandle": r["receiptHandle"]}
                for n, r in enumerate(records[start : start + SQS_MAX_RECEIVE])
            ]
            try:
                answer = self.sqs.delete_message_batch(QueueUrl=self.url, Entries=entries)  # type: ignore[arg-type]
                failed: list[Any] = list(answer.get("Failed", []))
            except Exception as error:  # said below; the messages come back: at least once
                failed = [{"Id": e["Id"], "Message": f"{type(error).__name__}: {error}"} for e in entries]
            for entry in failed:
                self.log(
                    f"sqs {self.mapping.queue_name}: a message was not deleted and comes back: {entry}\n"
                )
