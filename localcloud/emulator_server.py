"""The local cloud's AWS emulator: moto's server with a thin layer that keeps the promises of
DynamoDB that moto 5.2.5 breaks (docs/decisions/0011-dynamodb-promises-over-moto.md), and the
fault switch (localcloud.faults).

What moto does, and what this layer does instead:

1. moto's server runs requests in parallel threads, but its DynamoDB is not thread-safe: a
   transaction is applied operation by operation and, when cancelled, rolls back by putting back
   a copy of every table it touched, taken before it started. A write acknowledged in between
   is lost, and a stream reader sees the cancelled transaction's records ("phantoms") whose
   sequence numbers real records take later. Here DynamoDB and DynamoDB Streams requests run
   one at a time (one lock around moto's handling of them; other services stay parallel, so SQS
   long polls block nothing).
2. After a cancelled transaction the table is that copy, with a copy of its stream shard: a shard
   iterator opened before never sees a new record again. Here a transaction checks every
   condition before it writes anything, so a cancelled one writes nothing; should an operation
   fail while it writes (a type error in an update), exactly the items it wrote and the stream
   records it added are put back. No table is ever replaced.
3. An UpdateItem that creates an item writes two INSERT stream records (the bare key, then the
   item). Here it writes one, as DynamoDB does.
4. Speed, not semantics: a Query sorts every item of the table, then keeps its partition's; it
   gets slower with every item stored, which a load test feels within a minute. Here it is given
   only the items its key condition can match (the partition of a table query, the items with the
   index key's value for an index query), a table query's already in its range-key order, so
   that moto's sort, which compares values object by object, only confirms it; moto does the
   rest as before. moto also finds the service of every request again under one process-wide
   lock (probing its own package directories), and compiles the same JSONPath for every event it
   sends to a target: here both are remembered. moto writes every DynamoDB response through a
   generic, model-driven serializer, which is most of its time under load; the item operations'
   and GetRecords' responses are DynamoDB JSON already, so here they are written with `json`
   (binary values base64 and times in epoch seconds, as the model says).
   SQS checks each message's retention by computing every attribute of its queue, counts of
   messages included, so a ReceiveMessage costs the square of the messages waiting; here the
   retention is read from the queue. moto builds two datetimes to read the clock (for every
   message of a queue, each time it counts them) and lists the methods of a response class for
   every request: here the clock is read directly and the lists are remembered. moto's request
   handler parses every update expression only to read the names and values it uses, before
   its backend parses it again to run it: the handler's parse is remembered (0.46 ms of the
   read model's expression, per UpdateItem and per transaction's update). And the server does
   not log a line per request.

5. Now and then a client gets no answer to a request the emulator carried out (seen in about
   one Terraform apply in five, never reproduced with a Python client) and its SDK sends it
   again: a create then fails with "already exists". Here a resent attempt of a call that
   succeeded gets the answer the first one got (by the SDK's `amz-sdk-invocation-id`, the same
   for every attempt of one call); a call that failed runs again, as a retry must.

`GET /_localcloud/requests` counts the JSON-protocol requests answered since the start, by
operation ("dynamodb:Query": 483, ...), both processes together: what a load cost the emulator.

    python -m localcloud.emulator_server -H 127.0.0.1 -p 5050
"""

from __future__ import annotations

import argparse
import base64
import calendar
import copy
import functools
import http.client
import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

import jsonpath_ng.ext
import moto.core.responses
import moto.core.utils
import moto.dynamodb.responses
import moto.events.models
import moto.sqs.models
from moto.core.responses import ActionResult
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]  # untyped there
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.events.utils import EventTemplateParser
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import MotoRequestHandler  # type: ignore[attr-defined]
from moto.sqs.models import SQSBackend
from werkzeug.serving import run_simple

from localcloud.emulator import ENDPOINTS_PATH, REQUESTS_PATH, die_with_parent, free_port
from localcloud.faults import PATH, Fault, FaultError, Faults

JSON_PROTOCOL = "application/x-amz-json-1.0"

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def _key_of(table: Table, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        key: dict[str, Any] = op["Key"]
        return key
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


Operation = tuple[str, dict[str, Any], Table, dict[str, Any]]


class _ConditionFailed(Exception):
    """A condition of a transaction's operation does not hold; `item` is what ALL_OLD returns."""

    def __init__(self, item: dict[str, Any] | None) -> None:
        super().__init__("The conditional request failed")
        self.item = item


def _check(
    backend: DynamoDBBackend, op_type: str, op: dict[str, Any], targets: set[tuple[str, str]]
) -> Operation:
    """One operation of a transaction, checked against the current state without writing."""
    if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
        raise ValueError("Unsupported transaction operation")
    table = backend.get_table(op["TableName"])
    key = _key_of(table, op_type, op)
    target = (str(op["TableName"]), str(dict(sorted(key.items()))))
    if target in targets:
        raise MultipleTransactionsException()
    targets.add(target)
    condition = op.get("ConditionExpression")
    if condition is not None:
        current = backend.get_item(op["TableName"], key)
        names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        if not get_filter_expression(condition, names, values).expr(current):
            old = None
            if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                old = current.to_json()["Attributes"]
            raise _ConditionFailed(old)
    return op_type, op, table, key


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """All or nothing: every condition is checked before anything is written."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    operations: list[Operation] = []
    targets: set[tuple[str, str]] = set()
    errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        try:
            operations.append(_check(self, op_type, op, targets))
            errors.append((None, None, None))
        except MockValidationException:
            raise
        except _ConditionFailed as error:
            errors.append(("ConditionalCheckFailed", str(error), error.item))
        except Exception as error:  # every other reason cancels, as moto reports it
            errors.append((type(error).__name__, str(error), None))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    _apply(self, operations)


def _apply(
    backend: DynamoDBBackend, operations: list[tuple[str, dict[str, Any], Table, dict[str, Any]]]
) -> None:
    """Write checked operations; if one fails, put back exactly what the others wrote."""
    shards = {
        id(t.stream_shard): (t.stream_shard, len(t.stream_shard.items))
        for _, _, t, _ in operations
        if t.stream_shard
    }
    written: list[tuple[Table, Any, Any, Any]] = []
    for index, (op_type, op, table, key) in enumerate(operations):
        hash_value, range_value = backend.get_keys_value(table, key)
        written.append(
            (table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value)))
        )
        common: dict[str, Any] = {
            "condition_expression": op.get("ConditionExpression"),
            "expression_attribute_names": op.get("ExpressionAttributeNames"),
            "expression_attribute_values": op.get("ExpressionAttributeValues"),
        }
        try:
            if op_type == "Put":
                backend.put_item(op["TableName"], op["Item"], **common)
            elif op_type == "Delete":
                backend.delete_item(op["TableName"], key, **common)
            elif op_type == "Update":
                backend.update_item(op["TableName"], key, update_expression=op["UpdateExpression"], **common)
        except Exception as error:
            for table_, hash_, range_, previous in reversed(written):
                _restore(table_, hash_, range_, previous)
            for shard, length in shards.values():
                del shard.items[length:]
            if isinstance(error, MockValidationException):
                raise
            reasons: list[tuple[str | None, str | None, dict[str, Any] | None]] = [(None, None, None)] * len(
                operations
            )
            reasons[index] = (type(error).__name__, str(getattr(error, "message", error)), None)
            raise TransactionCanceledException(reasons) from None


def _restore(table: Table, hash_value: Any, range_value: Any, previous: Any) -> None:
    """Put an item back as it was, without a stream record (the write it undoes never happened)."""
    if range_value is not None:
        if previous is None:
            table.items[hash_value].pop(range_value, None)
        else:
            table.items[hash_value][range_value] = previous
    elif previous is None:
        table.items.pop(hash_value, None)
    else:
        table.items[hash_value] = previous


_moto_update_item = DynamoDBBackend.update_item


def update_item(
    self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any
) -> Any:
    """One stream record for an update that creates its item (moto writes the bare key first)."""
    table = self.get_table(table_name)
    shard = table.stream_shard
    if shard is None or self.get_item(table_name, key) is not None:
        return _moto_update_item(self, table_name, key, *args, **kwargs)
    table.stream_shard = None
    try:
        item = _moto_update_item(self, table_name, key, *args, **kwargs)
    finally:
        table.stream_shard = shard
    shard.add(None, item)
    return item


# The responses that hold only items, keys, stream records, counts and capacities: DynamoDB's item
# operations and the stream's GetRecords.
FAST_JSON = frozenset(
    [("dynamodb", op) for op in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
                                 "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems")]
    + [("dynamodbstreams", "GetRecords")]
)  # fmt: skip
_moto_execute_result = ActionResult.execute_result


def _wire(value: Any) -> Any:
    """What moto's serializer writes for the values of these responses that JSON has not."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):  # epoch seconds, naive meaning UTC, to the millisecond
        return calendar.timegm(value.utctimetuple()) + (value.microsecond // 1000) / 1000
    raise TypeError(f"{type(value).__name__} in a {', '.join(sorted({s for s, _ in FAST_JSON}))} response")


def execute_result(self: ActionResult, context: Any) -> Any:
    """These responses as moto's serializer writes them, without its per-member cost."""
    if (context.service_model.service_name, context.operation_model.name) not in FAST_JSON:
        return _moto_execute_result(self, context)
    result: dict[str, Any] = self.result  # type: ignore[assignment]  # a dict, for these operations
    members = {k: v for k, v in result.items() if v is not None}
    return 200, {"Content-Type": JSON_PROTOCOL}, json.dumps(members, default=_wire)


def is_message_valid_based_on_retention_period(self: SQSBackend, queue_name: str, message: Any) -> bool:
    """moto's check, with the queue's retention read directly."""
    retention = int(self.get_queue(queue_name).message_retention_period)  # type: ignore[attr-defined]  # set from its attributes
    return bool(retention + message.sent_timestamp / 1000 > time.time())


_moto_query = Table.query


def _has(item: Any, name: str, value: Any) -> bool:
    """The item has the attribute, with the value (an item without the index's key is not in it)."""
    found = item.attrs.get(name)
    return found is not None and bool(found == value)


def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    """moto's Query over the items its key condition can match, not over the whole table."""
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    conditions = kwargs.get("hash_key_conditions") or []
    found: list[Any]
    if index_name is None and hash_key is not None:
        partition = self.items.get(hash_key)
        found = [] if partition is None else list(partition.values()) if self.range_key_attr else [partition]
    elif index_name is not None and conditions:
        everything: list[Any] = [
            item
            for hash_set in self.items.values()
            for item in (hash_set.values() if self.range_key_attr else [hash_set])
        ]
        found = [item for item in everything if all(_has(item, name, value) for name, value in conditions)]
    else:
        return _moto_query(self, hash_key, *args, **kwargs)
    if index_name is None and self.range_key_attr:
        # moto sorts them by their range key, comparing DynamoType by DynamoType: given them in
        # that order already (by the values it compares), its sort only confirms it.
        found.sort(key=lambda x: x.range_key.cast_value)
    self.all_items = lambda: found  # type: ignore[method-assign]  # for this call only: one request at a time
    try:
        return _moto_query(self, hash_key, *args, **kwargs)
    finally:
        del self.all_items


_moto_unix_time = moto.core.utils.unix_time
_moto_unix_time_millis = moto.core.utils.unix_time_millis


def unix_time(dt: datetime | None = None) -> float:
    """moto's seconds since the epoch; for now, read from the clock without building datetimes."""
    return time.time() if dt is None else _moto_unix_time(dt)


def unix_time_millis(dt: datetime | None = None) -> float:
    return time.time() * 1000.0 if dt is None else _moto_unix_time_millis(dt)


_moto_event_template_parse = EventTemplateParser.parse


def event_for_target(
    input_template: str | None, input_paths_map: dict[str, Any], event: dict[str, Any]
) -> dict[str, Any]:
    """What a rule sends a target. Without an InputTransformer it is the event itself, which moto
    makes by filling its default template through eight JSONPath lookups and a JSON round trip,
    per target of every event (a tenth of the emulator's time under load): the same dict, built
    directly. With an InputTransformer, moto's own."""
    if input_template or input_paths_map:
        return _moto_event_template_parse(input_template, input_paths_map, event)  # type: ignore[arg-type]  # moto types the event more narrowly
    return {
        "id": event["id"],
        "time": event["time"],
        "version": "0",
        "detail-type": event["detail-type"],
        "source": event["source"],
        "region": event["region"],
        "resources": list(event["resources"]),
        "detail": copy.deepcopy(event["detail"]),
    }


class _UpdateExpressionsReadOnly:
    """The update-expression parser of moto's request handler, which parses each UpdateItem's and
    each transaction's update only to read the names and values it uses (the backend parses it
    again to run it, and its validator changes that tree): here a parsed expression is
    remembered, so the handler's read costs no second parse."""

    make = staticmethod(functools.lru_cache(maxsize=512)(UpdateExpressionParser.make))


# DynamoDB and DynamoDB Streams requests run one at a time: from reading the request to writing
# the response body, and nothing else (parsing HTTP, routing, sending) is held up.
DYNAMODB = threading.Lock()


def _one_at_a_time(call_action: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def serialised(self: Any) -> Any:
        with DYNAMODB:
            return call_action(self)

    return serialised


def install() -> None:
    """Put the layer's DynamoDB in place of moto's, in this process."""
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=512)(jsonpath_ng.ext.parse)  # type: ignore[attr-defined]
    moto.core.responses.method_names_from_class = functools.cache(moto.core.utils.method_names_from_class)  # type: ignore[attr-defined]
    for module in (moto.core.utils, moto.sqs.models, moto.events.models):
        module.unix_time, module.unix_time_millis = unix_time, unix_time_millis  # type: ignore[attr-defined]
    moto.dynamodb.responses.UpdateExpressionParser = _UpdateExpressionsReadOnly  # type: ignore[attr-defined]
    DynamoHandler.call_action = _one_at_a_time(DynamoHandler.call_action)  # type: ignore[method-assign]
    DynamoDBStreamsHandler.call_action = _one_at_a_time(DynamoDBStreamsHandler.call_action)  # type: ignore[method-assign,assignment]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
    ActionResult.execute_result = execute_result  # type: ignore[method-assign]
    SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period  # type: ignore[method-assign]
    EventTemplateParser.parse = staticmethod(event_for_target)  # type: ignore[method-assign,assignment]


Answer = tuple[str, list[tuple[str, str]], bytes]


class Answers:
    """The successful answers to the last requests that changed something, by the SDK invocation
    id of the request. An AWS SDK sends every attempt of one call with the same
    `amz-sdk-invocation-id`, and resends only when it got no answer or a failure: an attempt
    whose first one succeeded here never received that answer, and gets it now, rather than
    the operation carried out twice (a create answering "already exists")."""

    SIZE = 4096  # calls remembered
    LARGEST = 64 * 1024  # bytes of an answer remembered

    def __init__(self) -> None:
        self._answers: OrderedDict[str, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, invocation: str) -> Answer | None:
        with self._lock:
            return self._answers.get(invocation)

    def keep(self, invocation: str, answer: Answer) -> None:
        if not answer[0].startswith("2") or len(answer[2]) > self.LARGEST:
            return
        with self._lock:
            self._answers[invocation] = answer
            while len(self._answers) > self.SIZE:
                self._answers.popitem(last=False)


# The services that have an emulator process of their own (decision 0022).
DYNAMODB_SERVICES = ("dynamodb", "dynamodbstreams")


class Forward:
    """Sends a request on to another emulator process as it came, and its answer back: one
    kept-alive connection per thread of this server."""

    HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding"})

    def __init__(self, port: int) -> None:
        self.port = port
        self._connections = threading.local()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        body = _read_body(environ)
        headers = {k[5:].replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["Content-Type"] = environ.get("CONTENT_TYPE", "")
        headers["Content-Length"] = str(len(body))
        query = environ.get("QUERY_STRING")
        path = environ.get("PATH_INFO", "/") + (f"?{query}" if query else "")
        status, answer_headers, raw = self.send(environ["REQUEST_METHOD"], path, body, headers)
        start_response(status, [(k, v) for k, v in answer_headers if k.lower() not in self.HOP_BY_HOP])
        return [raw]

    def send(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        """A kept connection the other process has closed fails before the request is read: the
        request goes once more, on a new connection (should it have run, the other process's
        Answers give the first answer again)."""
        try:
            return self._send(method, path, body, headers)
        except (ConnectionError, http.client.HTTPException):
            self._connections.connection.close()
            self._connections.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return self._send(method, path, body, headers)

    def _send(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        if getattr(self._connections, "connection", None) is None:
            self._connections.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection: http.client.HTTPConnection = self._connections.connection
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        return f"{response.status} {response.reason}", response.getheaders(), response.read()


class Layer:
    """WSGI in front of moto: the fault switch, faults on AWS requests, and one execution of a
    call whose answer got lost (Answers). With `dynamodb` (the port of the process that holds
    DynamoDB and its streams), those two services' requests and fault rules go there."""

    def __init__(
        self, app: DomainDispatcherApplication, faults: Faults | None = None, dynamodb: int | None = None
    ) -> None:
        self.app = app
        self.faults = faults or Faults()
        self.answers = Answers()
        self._services: dict[tuple[str, ...], WsgiApp] = {}
        self.dynamodb = None if dynamodb is None else Forward(dynamodb)
        self.answered: Counter[str] = Counter()  # by "service:Operation", where it was answered
        self._answered_lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(PATH):
            return self._switch(environ, start_response)
        if path in (ENDPOINTS_PATH, REQUESTS_PATH):
            answer = self.endpoints(environ) if path == ENDPOINTS_PATH else self.requests()
            return _json(start_response, "200 OK", answer)
        operation = _operation(environ)
        if self.dynamodb is not None and operation is not None and operation[0] in DYNAMODB_SERVICES:
            return self.dynamodb(environ, start_response)
        if operation is not None:
            with self._answered_lock:
                self.answered[f"{operation[0]}:{operation[2]}"] += 1
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if invocation is None or environ["REQUEST_METHOD"] in ("GET", "HEAD"):
            return self._call(environ, start_response, operation)
        answered = self.answers.get(invocation)
        if answered is not None:
            start_response(answered[0], answered[1])
            return [answered[2]]
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            captured[:] = [status, headers]
            return start_response(status, headers, *exc_info)

        body = self._call(environ, capture, operation)
        try:
            raw = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        self.answers.keep(invocation, (captured[0], captured[1], raw))
        return [raw]

    def endpoints(self, environ: Environ) -> dict[str, str]:
        """Where each service's requests are answered without a detour through this process, as
        AWS has an endpoint per service (AWS_ENDPOINT_URL_<SERVICE> for an SDK)."""
        if self.dynamodb is None:
            return {}
        host = environ.get("SERVER_NAME", "127.0.0.1")
        return {service: f"http://{host}:{self.dynamodb.port}" for service in DYNAMODB_SERVICES}

    def requests(self) -> dict[str, int]:
        """The JSON-protocol requests answered since the start, by operation, this process's and
        the DynamoDB process's."""
        with self._answered_lock:
            answered = Counter(self.answered)
        if self.dynamodb is not None:
            answered.update(self._held(self.dynamodb, "GET", REQUESTS_PATH))
        return dict(sorted(answered.items()))

    def _call(
        self, environ: Environ, start_response: StartResponse, operation: tuple[str, str, str] | None
    ) -> Iterable[bytes]:
        if operation is not None and self.faults.rules:
            body = _read_body(environ)
            fault = self.faults.take_aws(operation[0], operation[2], body)
            if fault is not None:
                answered = self._fault(fault, body, environ, start_response)
                if answered is not None:
                    return answered
        return self._service(environ, operation)(environ, start_response)

    def _service(self, environ: Environ, operation: tuple[str, str, str] | None) -> WsgiApp:
        """moto's app of the request's service; for a JSON-protocol request, the one found for its
        signing service and target before (moto would look it up again, under a global lock)."""
        if operation is None:
            return self.app
        key = operation[:2]
        if key not in self._services:
            self._services[key] = self.app.get_application(environ)
        return self._services[key]

    def _fault(
        self, fault: Fault, body: bytes, environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes] | None:
        if fault.kind == "delay":
            time.sleep(fault.seconds)
            return None
        if fault.kind == "error":
            error = {
                "__type": fault.code,
                "message": f"injected by the local cloud's fault switch (fault {fault.id})",
            }
            return _json(start_response, "400 Bad Request", error, {"x-amzn-ErrorType": fault.code})
        return self._partial_put_events(body, environ, start_response)

    def _partial_put_events(
        self, body: bytes, environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes]:
        """PutEvents publishes the entries at odd positions and fails the others."""
        request = json.loads(body)
        entries = request.get("Entries", [])
        kept = entries[1::2]
        published: list[dict[str, Any]] = []
        if kept:
            _set_body(environ, json.dumps({**request, "Entries": kept}).encode())
            status: list[str] = []
            answer = b"".join(
                self._service(environ, _operation(environ))(environ, lambda s, h, *_: status.append(s))
            )
            if not status[0].startswith("200"):
                _set_body(environ, body)
                return self._service(environ, _operation(environ))(environ, start_response)
            published = json.loads(answer)["Entries"]
        failure = {
            "ErrorCode": "InternalFailure",
            "ErrorMessage": "injected by the local cloud's fault switch",
        }
        results = [published[i // 2] if i % 2 else failure for i in range(len(entries))]
        failed = sum(1 for r in results if "ErrorCode" in r)
        return _json(start_response, "200 OK", {"FailedEntryCount": failed, "Entries": results})

    def _switch(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"].rstrip("/")
        try:
            if path == f"{PATH}/lambda" and method == "POST":
                function = json.loads(_read_body(environ))["function"]
                return _json(start_response, "200 OK", [asdict(f) for f in self.faults.take_lambda(function)])
            if path == f"{PATH}/held" and method == "POST":  # a rule the front process numbered
                held = self.faults.add(Fault(**json.loads(_read_body(environ))))
                return _json(start_response, "200 OK", asdict(held))
            if path != PATH:
                return _json(start_response, "404 Not Found", {"message": f"no such path: {path}"})
            if method == "POST":
                fault = self.faults.number(Fault.parse(json.loads(_read_body(environ) or b"null")))
                if self.dynamodb is not None and fault.service in DYNAMODB_SERVICES:
                    self._held(self.dynamodb, method, f"{PATH}/held", asdict(fault))  # held where it is used
                else:
                    self.faults.add(fault)
                return _json(start_response, "200 OK", asdict(fault))
            if method == "DELETE":
                self.faults.clear()
            held = [] if self.dynamodb is None else self._held(self.dynamodb, method, PATH)
            rules = sorted(self.faults.listing() + held, key=lambda rule: int(rule["id"]))
            return _json(start_response, "200 OK", rules)
        except (FaultError, ValueError, KeyError) as error:
            return _json(start_response, "400 Bad Request", {"message": f"fault not added: {error}"})

    @staticmethod
    def _held(forward: Forward, method: str, path: str, body: Any = None) -> Any:
        """A path of the DynamoDB process's own: its fault switch, its count of requests."""
        data = b"" if body is None else json.dumps(body).encode()
        status, _, raw = forward.send(method, path, data, {"Content-Type": "application/json"})
        if not status.startswith("200"):
            raise FaultError(json.loads(raw)["message"])
        return json.loads(raw)


def _operation(environ: Environ) -> tuple[str, str, str] | None:
    """A JSON-protocol request's service, target prefix and operation, e.g. ("dynamodb",
    "DynamoDB_20120810", "Query"); None for any other request."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    scope = environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2].split("/")
    if not target or len(scope) < 5:  # key id, date, region, service, aws4_request
        return None
    prefix, _, action = target.partition(".")
    # DynamoDB Streams signs as dynamodb; its client, and the fault switch, call it dynamodbstreams.
    return "dynamodbstreams" if prefix.startswith("DynamoDBStreams") else scope[3], prefix, action


def _read_body(environ: Environ) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    _set_body(environ, body)
    return body


def _set_body(environ: Environ, body: bytes) -> None:
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


def _json(
    start_response: StartResponse, status: str, body: Any, headers: dict[str, str] | None = None
) -> list[bytes]:
    raw = json.dumps(body).encode()
    start_response(
        status,
        [("Content-Type", JSON_PROTOCOL), ("Content-Length", str(len(raw))), *(headers or {}).items()],
    )
    return [raw]


class RequestHandler(MotoRequestHandler):
    # werkzeug writes headers and body apart: Nagle's algorithm would hold the body back until the
    # client's delayed ACK, some 40 ms. (werkzeug 3 closes every connection after its answer, so
    # an SDK connects anew for each call; kept-alive connections measured no faster, decision 0024.)
    disable_nagle_algorithm = True


def start_dynamodb(host: str, port: int) -> subprocess.Popen[bytes]:
    """The process that holds DynamoDB and its streams, answering on host:port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "localcloud.emulator_server", "-H", host, "-p", str(port), "--dynamodb-only"],
        preexec_fn=die_with_parent,  # noqa: PLW1509  # only prctl, safe after fork
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://{host}:{port}{PATH}", timeout=2):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                sys.exit(f"the DynamoDB process of the emulator did not start on {host}:{port}")
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5050)
    parser.add_argument(
        "--dynamodb-port", type=int, default=0, help="the DynamoDB process's port (default: a free one)"
    )
    parser.add_argument("--dynamodb-only", action="store_true", help=argparse.SUPPRESS)  # that process
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))  # as moto's server: URLs it writes (SQS) carry it
    install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    dynamodb, held_by = None, None
    if not args.dynamodb_only:
        dynamodb = args.dynamodb_port or free_port(args.host)
        held_by = start_dynamodb(args.host, dynamodb)

    def stop(_signum: int, _frame: object) -> None:
        """Stopped, this process stops the DynamoDB process first: both are gone when it is."""
        if held_by is not None:
            held_by.terminate()
            held_by.wait(timeout=10)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    app = Layer(DomainDispatcherApplication(create_backend_app), dynamodb=dynamodb)
    run_simple(args.host, args.port, app, threaded=True, request_handler=RequestHandler)


if __name__ == "__main__":
    main()
