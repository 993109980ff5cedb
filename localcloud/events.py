"""Print what arrived on the local event tap (every event of the bus), one line per event, and
take it off the queue, so that the next call shows only what is new.

    python -m localcloud.events [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

from localcloud.emulator import DEFAULT_ENDPOINT, session
from scripts.contract import APP

TAP_QUEUE = f"{APP}-local-event-tap"


def received(sqs: Any, url: str) -> list[tuple[dict[str, Any], int]]:
    """Every EventBridge event waiting on the tap, with the time the queue got it (epoch ms),
    oldest first as SQS hands them out; each is taken off the queue."""
    found: list[tuple[dict[str, Any], int]] = []
    while messages := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["SentTimestamp"]
    ).get("Messages", []):
        for message in messages:
            found.append((json.loads(message["Body"]), int(message["Attributes"]["SentTimestamp"])))
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )
    return found


def _queue(endpoint: str, queue: str) -> tuple[Any, str]:
    """An SQS client of the emulator and the tap's URL."""
    sqs = session().client("sqs", endpoint_url=endpoint)
    return sqs, sqs.get_queue_url(QueueName=queue)["QueueUrl"]


@dataclass
class Tap:
    """Every event that reached the local event tap so far, with when the queue got it (epoch ms);
    one per session, since reading the tap takes the events off it. Thread-safe. Its SQS client is
    made once: a client per poll would cost a load test more than its polls do."""

    endpoint: str
    events: list[tuple[dict[str, Any], int]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sqs: tuple[Any, str] | None = None  # the client and the tap's URL, once asked

    def poll(self) -> list[tuple[dict[str, Any], int]]:
        with self._lock:
            if self._sqs is None:
                self._sqs = _queue(self.endpoint, TAP_QUEUE)
            self.events += received(*self._sqs)
            return list(self.events)


def drain(endpoint: str, queue: str = TAP_QUEUE) -> list[dict[str, Any]]:
    """Every EventBridge event waiting on the tap, oldest first as SQS hands them out."""
    return [event for event, _ in received(*_queue(endpoint, queue))]


def line(event: dict[str, Any]) -> str:
    cloud_event = event.get("detail", {})
    return (
        f"{event.get('time', '?')}  {event.get('detail-type', '?'):<24} "
        f"tenant={cloud_event.get('tenant', '?')} subject={cloud_event.get('subject', '?')} "
        f"id={cloud_event.get('id', '?')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoint", default=DEFAULT_ENDPOINT, help="the emulator (default %(default)s)")
    parser.add_argument("--json", action="store_true", help="the whole events, one JSON document per line")
    args = parser.parse_args()
    try:
        events = drain(args.endpoint)
    except OSError as error:
        sys.exit(f"no AWS emulator at {args.endpoint} ({error}): start one with `make emulator`")
    for event in events:
        print(json.dumps(event) if args.json else line(event))
    if not events and not args.json:
        print("no new events", file=sys.stderr)


if __name__ == "__main__":
    main()
