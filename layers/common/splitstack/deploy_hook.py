"""The pre-traffic check of a gradual deployment: CodeDeploy's BeforeAllowTraffic hook.

Before the `live` alias sends any request to a new version, CodeDeploy invokes the service's
pre-traffic function, which calls that version directly (by its number, not through the alias)
and reports Succeeded or Failed; a failure ends the deployment, and the stack update rolls back,
before a single user reaches the new code.

What each function's new version must do, by what invokes it:
- api: answer `GET /health` with 200 and `GET /openapi.json` with a document, as API Gateway
  would call it (routing, the app, Powertools and its settings, all on the real version);
- stream, queue, schedule: start and reach its handler, which refuses an empty event before it
  touches anything (Powertools' batch processor: UnexpectedBatchTypeError; the scheduled job's
  idempotency: IdempotencyKeyError). A version that cannot start (a missing module or layer,
  settings that do not validate, an exception at import) answers with the runtime's error
  instead. Nothing with an effect runs: a real batch or run would act on real data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REQUEST_CONTEXT = {"stage": "pretraffic", "requestId": "pretraffic", "identity": {"sourceIp": "127.0.0.1"}}


def api_request(path: str) -> dict[str, Any]:
    """A REST API proxy event of an unauthenticated GET, as API Gateway sends it."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": {"Accept": "application/json"},
        "multiValueHeaders": {"Accept": ["application/json"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {**REQUEST_CONTEXT, "resourcePath": path, "httpMethod": "GET", "path": path},
        "body": None,
        "isBase64Encoded": False,
    }


# What a new version that started refuses before acting, by the kind of its handler.
REFUSALS: dict[str, tuple[dict[str, Any], str]] = {
    "stream": ({"Records": []}, "UnexpectedBatchTypeError"),
    "queue": ({"Records": []}, "UnexpectedBatchTypeError"),
    "schedule": ({}, "IdempotencyKeyError"),
}
KINDS = ("api", *REFUSALS)


@dataclass(frozen=True)
class Answer:
    """What Lambda's Invoke returned: its FunctionError (None when the handler returned) and the
    decoded payload."""

    function_error: str | None
    payload: Any


Invoker = Callable[[dict[str, Any]], Answer]


def checks(kind: str) -> list[tuple[dict[str, Any], Callable[[Answer], str | None]]]:
    """The events to send a new version of this kind, each with what makes its answer wrong."""
    if kind == "api":
        return [
            (api_request("/health"), _status_200("/health")),
            (api_request("/openapi.json"), _openapi),
        ]
    if kind in REFUSALS:
        event, error_type = REFUSALS[kind]
        return [(event, _refused_with(error_type))]
    raise ValueError(f"no pre-traffic check for a function of kind {kind!r}: one of {', '.join(KINDS)}")


def failures(kind: str, invoke: Invoker) -> list[str]:
    """Why the version `invoke` calls is not fit for traffic; empty when it is."""
    found = []
    for event, wrong in checks(kind):
        reason = wrong(invoke(event))
        if reason:
            found.append(reason)
    return found


def _status_200(path: str) -> Callable[[Answer], str | None]:
    def wrong(answer: Answer) -> str | None:
        if answer.function_error or not isinstance(answer.payload, dict):
            return f"GET {path} failed: {answer.payload}"
        if answer.payload.get("statusCode") != 200:  # HTTP OK
            return f"GET {path} answered {answer.payload.get('statusCode')}: {answer.payload.get('body')}"
        return None

    return wrong


def _openapi(answer: Answer) -> str | None:
    reason = _status_200("/openapi.json")(answer)
    if reason:
        return reason
    try:
        document = json.loads(answer.payload.get("body") or "")
    except ValueError:
        document = None
    if not isinstance(document, dict) or "openapi" not in document:
        return "GET /openapi.json answered something else than an OpenAPI document"
    return None


def _refused_with(error_type: str) -> Callable[[Answer], str | None]:
    def wrong(answer: Answer) -> str | None:
        got = answer.payload.get("errorType") if isinstance(answer.payload, dict) else None
        if answer.function_error and got == error_type:
            return None
        if answer.function_error:
            return f"it did not reach its handler: {got}: {answer.payload.get('errorMessage')}"
        return f"it acted on an empty event instead of refusing it: {answer.payload}"

    return wrong
