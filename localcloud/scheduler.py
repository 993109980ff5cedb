"""EventBridge Scheduler, locally: invokes each function's ScheduleV2 events on their rate or
cron expression, in UTC, with the event's Input and its context attributes filled in.

Scheduler invokes Lambda asynchronously: a function error is retried by Lambda (the function's
EventInvokeConfig MaximumRetryAttempts, else twice), then sent to its on-failure destination (an
SQS queue of the template) as Lambda's invocation record — requestContext with condition
RetriesExhausted, requestPayload, responseContext, responsePayload — or, without one, dropped
with a log line. The schedule's RetryPolicy and dead-letter queue cover failures to deliver to
Lambda, which cannot happen locally.

`speedup` (LOCAL_SCHEDULE_SPEEDUP) makes schedule time run that many times faster than the
clock: with 60, `rate(1 hour)` fires every minute and `cron(0 * * * ? *)` too. The attribute
`<aws.scheduler.scheduled-time>` is then the time of the schedule's clock, so each firing still
has its own value.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from localcloud.emulator import ACCOUNT_ID, REGION
from localcloud.functions import LocalFunction, Outcome
from localcloud.template import TemplateError

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

ASYNC_RETRIES = 2
FUNCTION_ARN_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function"
ASYNC_RETRY_DELAYS = (1.0, 2.0)  # Lambda waits about one and two minutes; locally seconds
RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
CRON = re.compile(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$")
AT = re.compile(r"^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$")
UNITS = {"minute": 60, "hour": 3600, "day": 86400}
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def _field(text: str, low: int, high: int, names: list[str] | None = None) -> set[int] | None:
    """The values a cron field allows; None for `?` or `*` (any)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for item in text.split(","):
        part, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if part == "*":
            start, end = low, high
        elif "-" in part:
            start, end = (_value(p, low, names) for p in part.split("-", 1))
        else:
            start = _value(part, low, names)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise TemplateError(f"cron field {text}: {part} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, low: int, names: list[str] | None) -> int:
    if names and text.upper() in names:
        return names.index(text.upper()) + low
    if not text.isdigit():
        raise TemplateError(f"cron value {text} is not reproduced locally (L, W and # are not)")
    return int(text)


@dataclass(frozen=True)
class Cron:
    minutes: set[int] | None
    hours: set[int] | None
    days_of_month: set[int] | None
    months: set[int] | None
    days_of_week: set[int] | None  # 1 = Sunday, as EventBridge counts
    years: set[int] | None

    def matches(self, moment: datetime) -> bool:
        checks = (
            (self.minutes, moment.minute),
            (self.hours, moment.hour),
            (self.days_of_month, moment.day),
            (self.months, moment.month),
            (self.days_of_week, (moment.isoweekday() % 7) + 1),
            (self.years, moment.year),
        )
        return all(allowed is None or value in allowed for allowed, value in checks)


@dataclass(frozen=True)
class Schedule:
    """When a schedule expression fires, as a function of the time after which to look."""

    expression: str
    period: timedelta | None = None
    cron: Cron | None = None
    at: datetime | None = None

    @classmethod
    def parse(cls, expression: str) -> Schedule:
        if match := RATE.match(expression):
            count, unit = int(match.group(1)), match.group(2).rstrip("s")
            if count < 1:
                raise TemplateError(f"{expression}: the rate must be at least 1")
            return cls(expression, period=timedelta(seconds=count * UNITS[unit]))
        if match := CRON.match(expression):
            minute, hour, dom, month, dow, year = match.groups()
            if (dom == "?") == (dow == "?"):
                raise TemplateError(f"{expression}: one of day-of-month and day-of-week must be ?")
            cron = Cron(
                _field(minute, 0, 59),
                _field(hour, 0, 23),
                _field(dom, 1, 31),
                _field(month, 1, 12, MONTHS),
                _field(dow, 1, 7, DAYS),
                _field(year, 1970, 2199),
            )
            return cls(expression, cron=cron)
        if match := AT.match(expression):
            return cls(expression, at=datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC))
        raise TemplateError(f"schedule expression {expression!r} is not rate(...), cron(...) or at(...)")

    def next_after(self, moment: datetime, created: datetime) -> datetime | None:
        """The first firing strictly after `moment`; None when there is none left."""
        if self.period is not None:
            periods = (moment - created) // self.period + 1
            return created + periods * self.period
        if self.at is not None:
            return self.at if self.at > moment else None
        if self.cron is None:
            return None
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(366 * 24 * 60 * 5):  # five years of minutes: an expression that never fires ends
            if self.cron.matches(candidate):
                return candidate
            candidate += timedelta(minutes=1)
        return None


class ScheduleRunner:
    """One schedule (AWS::Scheduler::Schedule, a ScheduleV2 event translated) of a function, fired
    on a thread until stopped."""

    def __init__(
        self,
        name: str,
        function: LocalFunction,
        properties: dict[str, Any],
        speedup: float,
        log: Callable[[str], None],
        invoke_config: dict[str, Any] | None = None,
        sqs: SQSClient | None = None,
    ) -> None:
        if speedup <= 0:
            raise TemplateError(f"LOCAL_SCHEDULE_SPEEDUP must be positive, not {speedup}")
        self.name = name
        self.function = function
        self.schedule = Schedule.parse(str(properties["ScheduleExpression"]))
        self.input = str(properties.get("Target", {}).get("Input", "{}"))
        self.enabled = properties.get("State", "ENABLED") != "DISABLED"
        config = invoke_config or {}
        self.retries = int(config.get("MaximumRetryAttempts", ASYNC_RETRIES))
        destination = config.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        if destination is not None and not (isinstance(destination, str) and ":sqs:" in destination and sqs):
            raise TemplateError(
                f"{name}: the on-failure destination {destination!r} is not a queue the local cloud created"
            )
        self.on_failure = (
            sqs.get_queue_url(QueueName=destination.rsplit(":", 1)[1])["QueueUrl"]
            if destination and sqs
            else None
        )
        self.sqs = sqs
        self.speedup = speedup
        self.log = log
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"schedule-{name}", daemon=True)

    @property
    def arn(self) -> str:
        return f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule/default/{self.name}"

    def start(self) -> None:
        if self.enabled:
            self._thread.start()

    def _run(self) -> None:
        real_start = time.time()
        created = datetime.fromtimestamp(real_start, UTC)
        scheduled = created
        while True:
            following = self.schedule.next_after(scheduled, created)
            if following is None:
                return
            scheduled = following
            schedule_seconds = (scheduled - created).total_seconds()
            wait = real_start + schedule_seconds / self.speedup - time.time()
            if self.stopping.wait(max(0.0, wait)):
                return
            self.fire(scheduled)

    def event(self, scheduled: datetime) -> object:
        attributes = {
            "<aws.scheduler.scheduled-time>": scheduled.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "<aws.scheduler.execution-id>": str(uuid.uuid4()),
            "<aws.scheduler.attempt-number>": "1",
            "<aws.scheduler.schedule-arn>": self.arn,
        }
        text = self.input
        for name, value in attributes.items():
            text = text.replace(name, value)
        return json.loads(text)

    def fire(self, scheduled: datetime) -> None:
        """One asynchronous invocation, with Lambda's retries of a function error, then its
        on-failure destination."""
        event = self.event(scheduled)
        for attempt in range(self.retries + 1):
            outcome = self.function.deliver(event)
            if not outcome.failed or self.stopping.is_set():
                return
            if attempt < self.retries:
                self.stopping.wait(ASYNC_RETRY_DELAYS[min(attempt, len(ASYNC_RETRY_DELAYS) - 1)])
        if self.on_failure is None or self.sqs is None:
            self.log(f"schedule {self.name}: the invocation failed {self.retries + 1} times and is dropped\n")
            return
        self.sqs.send_message(
            QueueUrl=self.on_failure, MessageBody=json.dumps(self.failure_record(event, outcome))
        )
        failed = f"schedule {self.name}: the invocation failed {self.retries + 1} times"
        self.log(f"{failed}, sent to its on-failure destination\n")

    def failure_record(self, event: object, outcome: Outcome) -> dict[str, Any]:
        """What Lambda sends an asynchronous invocation's on-failure destination."""
        return {
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "requestContext": {
                "requestId": outcome.request_id,
                "functionArn": f"{FUNCTION_ARN_PREFIX}:{self.function.function.name}:live",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": self.retries + 1,
            },
            "requestPayload": event,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "responsePayload": outcome.error,
        }

    def stop(self) -> None:
        self.stopping.set()
        if self._thread.is_alive():
            self._thread.join()
