"""DynamoDB stream event source mappings, locally: polls the emulator's stream of each mapping,
one reader per shard, and invokes the function with the semantics Lambda documents.

- Records that match none of the mapping's FilterCriteria are dropped before batching.
- A batch holds up to BatchSize records, waiting up to MaximumBatchingWindowInSeconds to fill.
- A function error (exception, timeout, crash) fails the whole batch: with
  BisectBatchOnFunctionError the batch is split in two and each half retried, in order (a split
  does not use up a retry); otherwise it is retried whole.
- With ReportBatchItemFailures, a response naming failed records checkpoints before the lowest
  of them and retries the records from there on; an empty or null list is a success; an
  identifier that is empty, null or not in the batch fails the whole batch.
- After MaximumRetryAttempts retries (-1: until the record's age runs out), or once a record is
  older than MaximumRecordAgeInSeconds, the records are given up: the on-failure destination
  (an SQS queue) receives the invocation record Lambda sends, with the shard, the first and last
  sequence numbers and the batch size, and the reader moves on. No record is skipped silently:
  without a destination, a log line names the range.
- A shard's records are handed out in order; a batch being retried holds its shard back.
- A reader whose iterator fails (expired, refused) takes a new one after the last record it read;
  a reader that dies is restarted after the last record it delivered, and the log says so. No
  record is skipped; one read but not yet delivered when its reader died is read again.
- Where the fault switch says so (localcloud.faults), a batch is delivered more than once or its
  invocation times out early.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from localcloud.emulator import ACCOUNT_ID, REGION
from localcloud.functions import LocalFunction, Outcome
from localcloud.template import TemplateError

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams.client import DynamoDBStreamsClient
    from mypy_boto3_sqs.client import SQSClient

POLL_SECONDS = 0.25  # Lambda polls each shard about four times a second
WATCH_SECONDS = 1.0  # how often the poller looks for new shards and dead readers
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0)  # local backoff between retries of a failed batch, then the last one


def as_lambda_record(record: Any, stream_arn: str, region: str = REGION) -> dict[str, Any]:
    """A GetRecords record (as boto3 parses it) in the form Lambda delivers it: epoch seconds for
    the creation time, and the event source fields."""
    body = dict(record["dynamodb"])
    body["ApproximateCreationDateTime"] = int(body["ApproximateCreationDateTime"].timestamp())
    return {
        **record,
        "awsRegion": region,
        "dynamodb": body,
        "eventSource": "aws:dynamodb",
        "eventSourceARN": stream_arn,
    }


class EventFilter:
    """Lambda event filtering: a record passes when any pattern matches it. Supports literal
    values, prefix, suffix, anything-but, exists, equals-ignore-case and numeric comparisons."""

    def __init__(self, filter_criteria: dict[str, Any] | None) -> None:
        self.patterns = []
        for spec in (filter_criteria or {}).get("Filters", []):
            try:
                self.patterns.append(json.loads(spec["Pattern"]))
            except (KeyError, TypeError, ValueError) as error:
                raise TemplateError(f"FilterCriteria pattern is not JSON: {spec!r} ({error})") from None

    def matches(self, record: dict[str, Any]) -> bool:
        return not self.patterns or any(_matches(p, record) for p in self.patterns)


def _matches(pattern: dict[str, Any], value: Any) -> bool:
    for key, expected in pattern.items():
        present = isinstance(value, dict) and key in value
        actual = value.get(key) if isinstance(value, dict) else None
        if isinstance(expected, dict):
            if not (present and _matches(expected, actual)):
                return False
        elif isinstance(expected, list):
            if not any(_matches_one(rule, present, actual) for rule in expected):
                return False
        else:
            raise TemplateError(
                f"filter pattern value for {key} must be an object or a list, not {expected!r}"
            )
    return True


def _matches_one(rule: Any, present: bool, actual: Any) -> bool:  # noqa: PLR0911  # one branch per operator
    candidates = actual if isinstance(actual, list) else [actual]
    if not isinstance(rule, dict):
        return present and rule in candidates
    (operator, operand), *rest = rule.items()
    if rest:
        raise TemplateError(f"filter rule {rule!r} has more than one operator")
    if operator == "exists":
        return present is bool(operand)
    if not present:
        return False
    if operator == "prefix":
        return any(isinstance(c, str) and c.startswith(operand) for c in candidates)
    if operator == "suffix":
        return any(isinstance(c, str) and c.endswith(operand) for c in candidates)
    if operator == "equals-ignore-case":
        return any(isinstance(c, str) and c.lower() == str(operand).lower() for c in candidates)
    if operator == "anything-but":
        excluded = operand if isinstance(operand, list) else [operand]
        return all(c not in excluded for c in candidates)
    if operator == "numeric":
        return any(_numeric(operand, c) for c in candidates)
    raise TemplateError(f"filter operator {operator} is not reproduced locally")


def _numeric(conditions: list[Any], candidate: Any) -> bool:
    try:
        number = float(candidate)
    except (TypeError, ValueError):
        return False
    comparisons: dict[str, Callable[[float, float], bool]] = {
        "=": float.__eq__,
        "<": float.__lt__,
        "<=": float.__le__,
        ">": float.__gt__,
        ">=": float.__ge__,
    }
    pairs = zip(conditions[::2], conditions[1::2], strict=True)
    return all(comparisons[op](number, float(bound)) for op, bound in pairs)


@dataclass(frozen=True)
class StreamMapping:
    """A DynamoDB event of a function: where it reads and how it handles failures."""

    function: LocalFunction
    stream_arn: str
    starting_position: str
    batch_size: int
    batching_window_seconds: float
    bisect: bool
    maximum_retry_attempts: int
    maximum_record_age_seconds: int
    report_item_failures: bool
    event_filter: EventFilter
    on_failure_queue_arn: str | None

    @classmethod
    def from_mapping(cls, function: LocalFunction, properties: dict[str, Any]) -> StreamMapping:
        """From the properties of the function's AWS::Lambda::EventSourceMapping."""
        if properties.get("StartingPosition") not in ("TRIM_HORIZON", "LATEST"):
            raise TemplateError(
                f"{function.function.logical_id}: StartingPosition {properties.get('StartingPosition')} "
                "is not reproduced locally (TRIM_HORIZON or LATEST)"
            )
        destination = properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        if destination is not None and not (isinstance(destination, str) and ":sqs:" in destination):
            raise TemplateError(
                f"{function.function.logical_id}: the on-failure destination {destination!r} is not an SQS "
                "queue the local cloud created"
            )
        return cls(
            function=function,
            stream_arn=str(properties["EventSourceArn"]),
            starting_position=str(properties["StartingPosition"]),
            batch_size=int(properties.get("BatchSize", 100)),
            batching_window_seconds=float(properties.get("MaximumBatchingWindowInSeconds", 0)),
            bisect=bool(properties.get("BisectBatchOnFunctionError", False)),
            maximum_retry_attempts=int(properties.get("MaximumRetryAttempts", -1)),
            maximum_record_age_seconds=int(properties.get("MaximumRecordAgeInSeconds", -1)),
            report_item_failures="ReportBatchItemFailures" in properties.get("FunctionResponseTypes", []),
            event_filter=EventFilter(properties.get("FilterCriteria")),
            on_failure_queue_arn=destination,
        )


class ShardReader:
    """Reads one shard in order and delivers its records to the mapping's function."""

    def __init__(
        self,
        mapping: StreamMapping,
        shard_id: str,
        iterator_type: str,
        streams: DynamoDBStreamsClient,
        sqs: SQSClient,
        stopping: threading.Event,
        log: Callable[[str], None],
        after: str | None = None,
    ) -> None:
        self.mapping = mapping
        self.shard_id = shard_id
        self.iterator_type = iterator_type
        self.delivered = after  # the sequence number of the last record delivered or given up
        self.error: Exception | None = None
        self.streams = streams
        self.sqs = sqs
        self.stopping = stopping
        self.log = log
        self.finished = threading.Event()

    def run(self) -> None:
        try:
            self._run()
        except Exception as error:  # a dead reader must say so, not vanish; the poller restarts it
            self.error = error
            if not self.stopping.is_set():
                self.log(f"shard {self.shard_id}: reader stopped: {type(error).__name__}: {error}\n")
        finally:
            self.finished.set()

    def _iterator(self, after: str | None) -> str:
        """An iterator after a sequence number, or at the reader's starting position."""
        if after is None:
            kind = {"ShardIteratorType": self.iterator_type}
        else:
            kind = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
        iterator: str = self.streams.get_shard_iterator(
            StreamArn=self.mapping.stream_arn,
            ShardId=self.shard_id,
            **kind,  # type: ignore[arg-type]  # the types are checked in StreamMapping
        )["ShardIterator"]
        return iterator

    def _read(self, iterator: str, after: str | None) -> tuple[list[Any], str | None]:
        """One page of records and the next iterator; a failed iterator is replaced once."""
        try:
            page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
        except ClientError as error:
            self.log(f"shard {self.shard_id}: {error}; reading on after {after or self.iterator_type}\n")
            page = self.streams.get_records(ShardIterator=self._iterator(after), Limit=1000)
        return page["Records"], page.get("NextShardIterator")

    def _run(self) -> None:
        mapping = self.mapping
        read = self.delivered
        iterator: str | None = self._iterator(read)
        buffered: list[dict[str, Any]] = []
        first_buffered_at = 0.0
        while not self.stopping.is_set():
            if iterator is not None and len(buffered) < mapping.batch_size:
                records, iterator = self._read(iterator, read)
                if records:
                    read = records[-1]["dynamodb"]["SequenceNumber"]
                fresh = [as_lambda_record(r, mapping.stream_arn) for r in records]
                fresh = [r for r in fresh if mapping.event_filter.matches(r)]
                if fresh and not buffered:
                    first_buffered_at = time.monotonic()
                buffered += fresh
            if not buffered:
                if iterator is None:
                    return  # a closed shard, read to its end
                self.stopping.wait(POLL_SECONDS)
                continue
            window_open = time.monotonic() - first_buffered_at < mapping.batching_window_seconds
            if len(buffered) < mapping.batch_size and window_open and iterator is not None:
                self.stopping.wait(POLL_SECONDS)
                continue
            batch, buffered = buffered[: mapping.batch_size], buffered[mapping.batch_size :]
            first_buffered_at = time.monotonic()
            self.deliver(batch)
            if not self.stopping.is_set():
                self.delivered = batch[-1]["dynamodb"]["SequenceNumber"]

    def deliver(self, batch: list[dict[str, Any]]) -> None:
        """Hand one batch to the function until every record is processed or given up."""
        pending: deque[tuple[list[dict[str, Any]], int]] = deque([(batch, 0)])
        while pending and not self.stopping.is_set():
            records, retries = pending.popleft()
            records = self._drop_expired(records, retries)
            if not records:
                continue
            outcome = self.mapping.function.deliver({"Records": records})
            failed_from = self._failed_from(outcome, records)
            if failed_from is None:
                continue
            remaining = records[failed_from:]
            if outcome.failed and self.mapping.bisect and len(remaining) > 1:
                half = len(remaining) // 2
                pending.extendleft([(remaining[half:], retries), (remaining[:half], retries)])
            elif self.mapping.maximum_retry_attempts != -1 and retries >= self.mapping.maximum_retry_attempts:
                self.give_up(remaining, "RetryAttemptsExhausted", retries + 1, outcome)
            else:
                self.stopping.wait(RETRY_DELAYS[min(retries, len(RETRY_DELAYS) - 1)])
                pending.appendleft((remaining, retries + 1))

    def _failed_from(self, outcome: Outcome, records: list[dict[str, Any]]) -> int | None:
        """Index of the first record to retry, or None when the batch succeeded."""
        if outcome.failed:
            return 0
        if not self.mapping.report_item_failures or not isinstance(outcome.result, dict):
            return None
        failures = outcome.result.get("batchItemFailures")
        if not failures:
            return None
        positions = {r["dynamodb"]["SequenceNumber"]: i for i, r in enumerate(records)}
        try:
            return min(positions[f["itemIdentifier"]] for f in failures)
        except (KeyError, TypeError):
            return 0  # an identifier that is empty, null or not in the batch fails the whole batch

    def _drop_expired(self, records: list[dict[str, Any]], retries: int) -> list[dict[str, Any]]:
        limit = self.mapping.maximum_record_age_seconds
        if limit == -1:
            return records
        oldest_kept = time.time() - limit
        expired: list[dict[str, Any]] = []
        kept: list[dict[str, Any]] = []
        for r in records:
            (expired if r["dynamodb"]["ApproximateCreationDateTime"] < oldest_kept else kept).append(r)
        if expired:
            self.give_up(expired, "RecordAgeExceeded", retries, None)
        return kept

    def give_up(
        self, records: list[dict[str, Any]], condition: str, invokes: int, outcome: Outcome | None
    ) -> None:
        first, last = records[0], records[-1]
        info = {
            "shardId": self.shard_id,
            "startSequenceNumber": first["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": last["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso(first["dynamodb"]["ApproximateCreationDateTime"]),
            "approximateArrivalOfLastRecord": _iso(last["dynamodb"]["ApproximateCreationDateTime"]),
            "batchSize": len(records),
            "streamArn": self.mapping.stream_arn,
        }
        function = self.mapping.function.function
        message: dict[str, Any] = {
            "requestContext": {
                "requestId": outcome.request_id if outcome else str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function.name}",
                "condition": condition,
                "approximateInvokeCount": invokes,
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "DDBStreamBatchInfo": info,
        }
        if outcome is not None:
            message["responseContext"] = {"statusCode": 200, "executedVersion": "$LATEST"}
            if outcome.failed:
                message["responseContext"]["functionError"] = "Unhandled"
        where = "dropped: the mapping has no on-failure destination"
        if self.mapping.on_failure_queue_arn:
            name = self.mapping.on_failure_queue_arn.rsplit(":", 1)[1]
            url = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
            self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(message))
            where = f"sent to {name}"
        self.log(
            f"{condition}: gave up {len(records)} records of {self.shard_id} "
            f"({info['startSequenceNumber']}..{info['endSequenceNumber']}), {where}\n"
        )


def _iso(epoch_seconds: int) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StreamPoller:
    """Every shard of one mapping, each read by its own thread; children after their parents."""

    def __init__(
        self,
        mapping: StreamMapping,
        streams: DynamoDBStreamsClient,
        sqs: SQSClient,
        log: Callable[[str], None],
    ) -> None:
        self.mapping = mapping
        self.streams = streams
        self.sqs = sqs
        self.log = log
        self.stopping = threading.Event()
        self.readers: dict[str, ShardReader] = {}
        self.resume_after: dict[str, str] = {}  # shard -> the last sequence number delivered before
        self._thread = threading.Thread(target=self._watch, name=f"stream-{mapping.function.function.name}")

    @property
    def positions(self) -> dict[str, str]:
        """Each shard's last sequence number delivered or given up: the mapping's checkpoint."""
        return {**self.resume_after, **{k: r.delivered for k, r in self.readers.items() if r.delivered}}

    def start(self) -> None:
        self._discover()  # the first shards are read from the moment start() returns
        self._thread.start()

    def _watch(self) -> None:
        while not self.stopping.wait(WATCH_SECONDS):
            self._restart_dead_readers()
            with contextlib.suppress(Exception):  # the next look finds what this one missed
                self._discover()

    def _restart_dead_readers(self) -> None:
        for shard_id, dead in list(self.readers.items()):
            if dead.error is None or self.stopping.is_set():
                continue
            reader = ShardReader(
                self.mapping,
                shard_id,
                dead.iterator_type,
                self.streams,
                self.sqs,
                self.stopping,
                self.log,
                after=dead.delivered,
            )
            self.log(
                f"shard {shard_id}: reader restarted after {dead.delivered or dead.iterator_type} "
                f"(it died of {type(dead.error).__name__})\n"
            )
            self._start(reader)

    def _discover(self) -> None:
        shards = self.streams.describe_stream(StreamArn=self.mapping.stream_arn)["StreamDescription"][
            "Shards"
        ]
        for shard in shards:
            shard_id, parent = shard["ShardId"], shard.get("ParentShardId")
            if shard_id in self.readers:
                continue
            if parent in self.readers and not self.readers[parent].finished.is_set():
                continue  # a child shard waits until its parent is read to the end
            iterator_type = self.mapping.starting_position if parent not in self.readers else "TRIM_HORIZON"
            self._start(
                ShardReader(
                    self.mapping,
                    shard_id,
                    iterator_type,
                    self.streams,
                    self.sqs,
                    self.stopping,
                    self.log,
                    after=self.resume_after.get(shard_id),
                )
            )

    def _start(self, reader: ShardReader) -> None:
        self.readers[reader.shard_id] = reader
        threading.Thread(target=reader.run, name=f"shard-{reader.shard_id}", daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        if self._thread.is_alive():
            self._thread.join()
