"""The fault switch of the local cloud: faults injected on purpose, by request, never by editing code.

A fault is a rule held by the emulator process (localcloud.emulator_server). Each request or
invocation it matches uses up one of its `times`; at zero it is gone. The kinds:

- `error`: an AWS request answers with an error instead of running, e.g. DynamoDB throttling
  {"kind": "error", "service": "dynamodb", "action": "TransactWriteItems",
   "code": "ProvisionedThroughputExceededException", "match": "<app>-local-<service>-idempotency",
   "times": 12}
- `partial`: `PutEvents` fails every other entry (the first, third, ...) with `InternalFailure` and
  publishes the rest, as EventBridge does under partial failure
  {"kind": "partial", "service": "events", "action": "PutEvents", "times": 2}
- `delay`: an AWS request waits `seconds` before it runs
- `timeout`: an invocation of `function` by an event source (stream, schedule) is killed as timed
  out after `seconds`, wherever it is in its work
  {"kind": "timeout", "function": "<app>-local-<service>-processor", "seconds": 0.5, "times": 1}
- `duplicate`: an event source delivers the same event to `function` `copies` more times (a
  redelivered stream batch, a schedule slot fired twice)

`match` (AWS kinds) is a string the request's body must contain, to aim at one table or bus.

Switch: `make fault RULE='{"kind": ...}'`, `make faults` (list), `make faults-clear`; or HTTP on the
emulator: POST/GET/DELETE http://127.0.0.1:5050/_localcloud/faults.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from itertools import count
from typing import Any

from localcloud.emulator import DEFAULT_ENDPOINT

PATH = "/_localcloud/faults"
AWS_KINDS = ("error", "partial", "delay")
LAMBDA_KINDS = ("timeout", "duplicate")
# The error each service answers when it throttles; the default of an `error` fault.
THROTTLING = {"dynamodb": "ProvisionedThroughputExceededException"}


class FaultError(ValueError):
    """A fault rule that cannot be used; the message says what to fix."""


@dataclass
class Fault:
    kind: str
    service: str = ""  # AWS kinds: dynamodb, dynamodbstreams, events, sqs, ...
    action: str = ""  # AWS kinds: the operation, e.g. TransactWriteItems; empty for every one
    match: str = ""  # AWS kinds: a string the request body must contain
    code: str = ""  # error: the error code
    seconds: float = 0.0  # delay, timeout
    function: str = ""  # lambda kinds: the function's name
    copies: int = 1  # duplicate
    times: int = 1
    id: int = 0
    hits: int = 0

    @classmethod
    def parse(cls, raw: Any) -> Fault:
        if not isinstance(raw, dict):
            raise FaultError("a fault is a JSON object with a kind")
        unknown = set(raw) - {f for f in cls.__dataclass_fields__ if f not in ("id", "hits")}
        if unknown:
            raise FaultError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        try:
            fault = cls(**raw)
        except TypeError as error:
            raise FaultError(str(error)) from None
        if fault.kind not in AWS_KINDS + LAMBDA_KINDS:
            raise FaultError(f"kind {fault.kind!r}: use one of {', '.join(AWS_KINDS + LAMBDA_KINDS)}")
        if fault.kind in AWS_KINDS and not fault.service:
            raise FaultError(f"a {fault.kind} fault names the service (dynamodb, events, ...)")
        if fault.kind in LAMBDA_KINDS and not fault.function:
            raise FaultError(
                f"a {fault.kind} fault names the function (e.g. <app>-local-<service>-processor)"
            )
        if fault.kind == "partial" and (fault.service, fault.action) != ("events", "PutEvents"):
            raise FaultError('a partial fault is for "service": "events", "action": "PutEvents"')
        if fault.kind == "error" and not fault.code:
            fault.code = THROTTLING.get(fault.service, "ThrottlingException")
        if fault.kind in ("delay", "timeout") and fault.seconds <= 0:
            raise FaultError(f"a {fault.kind} fault needs seconds > 0")
        if fault.times < 1 or fault.copies < 1:
            raise FaultError("times and copies are at least 1")
        return fault


@dataclass
class Faults:
    """The rules in force, in the order they were added; thread-safe."""

    rules: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: count[int] = field(default_factory=lambda: count(1))

    def number(self, fault: Fault) -> Fault:
        """The rule with the next id, unless it has one (numbered by another process's switch)."""
        with self._lock:
            fault.id = fault.id or next(self._ids)
        return fault

    def add(self, fault: Fault) -> Fault:
        self.number(fault)
        with self._lock:
            self.rules.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self.rules]

    def take_aws(self, service: str, action: str, body: bytes) -> Fault | None:
        """The first AWS fault this request matches, used up by one."""
        with self._lock:
            for fault in self.rules:
                if (
                    fault.kind in AWS_KINDS
                    and fault.service == service
                    and fault.action in ("", action)
                    and fault.match.encode() in body
                ):
                    return self._use(fault)
        return None

    def take_lambda(self, function: str) -> list[Fault]:
        """Every Lambda fault of this function, each used up by one."""
        with self._lock:
            return [
                self._use(f) for f in list(self.rules) if f.kind in LAMBDA_KINDS and f.function == function
            ]

    def _use(self, fault: Fault) -> Fault:
        fault.hits += 1
        if fault.hits >= fault.times:
            self.rules.remove(fault)
        return fault


class FaultSwitch:
    """The runtime's side: asks the emulator which Lambda faults hit an invocation."""

    def __init__(self, endpoint: str) -> None:
        self.url = f"{endpoint}{PATH}/lambda"

    def take(self, function: str) -> list[Fault]:
        request = urllib.request.Request(  # noqa: S310  # the emulator, on loopback
            self.url, data=json.dumps({"function": function}).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310  # loopback
                return [Fault(**f) for f in json.load(response)]
        except urllib.error.HTTPError as error:
            if error.code == 404:  # an emulator without the switch: no faults
                return []
            raise


def _request(endpoint: str, method: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{endpoint}{PATH}", data=data, method=method)  # noqa: S310  # loopback
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310  # loopback
        return json.load(response)


def add(endpoint: str, rule: dict[str, Any]) -> dict[str, Any]:
    added: dict[str, Any] = _request(endpoint, "POST", rule)
    return added


def clear(endpoint: str) -> None:
    _request(endpoint, "DELETE")


def listing(endpoint: str) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = _request(endpoint, "GET")
    return rules


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoint", default=DEFAULT_ENDPOINT, help="the emulator (default %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("add", help="add a fault rule").add_argument("rule", help="the rule as JSON")
    sub.add_parser("list", help="the rules in force")
    sub.add_parser("clear", help="remove every rule")
    args = parser.parse_args()
    try:
        if args.command == "add":
            try:
                rule = json.loads(args.rule)
            except ValueError as error:
                sys.exit(f'the rule is not JSON ({error}): write RULE=\'{{"kind": "error", ...}}\'')
            print(json.dumps(add(args.endpoint, rule)))
        elif args.command == "list":
            print(json.dumps(listing(args.endpoint), indent=2))
        else:
            clear(args.endpoint)
            print("no faults")
    except urllib.error.HTTPError as error:
        sys.exit(json.loads(error.read()).get("message", str(error)))
    except OSError as error:
        sys.exit(f"no local cloud emulator at {args.endpoint} ({error}): start it with 'make local'")


if __name__ == "__main__":
    main()
