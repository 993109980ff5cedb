"""The pre-traffic hook: what it sends each new version and what it takes for unfit, and how it
reports to CodeDeploy. CodeDeploy and Lambda's versions cannot run here: their answers are
botocore's Stubber, shaped by the APIs' own models; the real handlers answer the checks in
tests/integration/test_pretraffic_checks.py."""

from __future__ import annotations

import io
import json
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from splitstack.deploy_hook import Answer, checks, failures
from splitstack.pretraffic import check_deployment


def answering(*answers: Answer) -> Any:
    sent: list[dict[str, Any]] = []
    queue = list(answers)

    def invoke(event: dict[str, Any]) -> Answer:
        sent.append(event)
        return queue.pop(0)

    invoke.sent = sent  # type: ignore[attr-defined]
    return invoke


def ok(body: str = '{"status": "ok"}') -> Answer:
    return Answer(None, {"statusCode": 200, "body": body})


def test_an_api_version_must_answer_health_and_its_document() -> None:
    invoke = answering(ok(), ok('{"openapi": "3.1.0", "paths": {}}'))
    assert failures("api", invoke) == []
    assert [(e["httpMethod"], e["path"]) for e in invoke.sent] == [
        ("GET", "/health"),
        ("GET", "/openapi.json"),
    ]


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (
            (Answer(None, {"statusCode": 502, "body": "x"}), ok('{"openapi": "3.1.0"}')),
            "GET /health answered 502",
        ),
        ((ok(), ok("<html>")), "something else than an OpenAPI document"),
        (
            (
                Answer("Unhandled", {"errorType": "Runtime.ImportModuleError", "errorMessage": "no catalog"}),
                ok('{"openapi": "3.1.0"}'),
            ),
            "GET /health failed",
        ),
    ],
)
def test_an_api_version_that_fails_either_is_unfit(answers: tuple[Answer, ...], reason: str) -> None:
    [found] = failures("api", answering(*answers))
    assert reason in found


@pytest.mark.parametrize(
    ("kind", "error_type"),
    [
        ("stream", "UnexpectedBatchTypeError"),
        ("queue", "UnexpectedBatchTypeError"),
        ("schedule", "IdempotencyKeyError"),
    ],
)
def test_a_batch_or_scheduled_version_must_start_and_refuse_an_empty_event(
    kind: str, error_type: str
) -> None:
    assert (
        failures(kind, answering(Answer("Unhandled", {"errorType": error_type, "errorMessage": "empty"})))
        == []
    )
    [found] = failures(
        kind, answering(Answer("Unhandled", {"errorType": "Runtime.ImportModuleError", "errorMessage": "x"}))
    )
    assert found == "it did not reach its handler: Runtime.ImportModuleError: x"
    [found] = failures(kind, answering(Answer(None, {"batchItemFailures": []})))
    assert found.startswith("it acted on an empty event")


def test_an_unknown_kind_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no pre-traffic check for a function of kind 'http'"):
        checks("http")


def payload(value: Any) -> StreamingBody:
    raw = json.dumps(value).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


def test_the_hook_calls_the_deployments_target_version_and_names_what_is_wrong() -> None:
    codedeploy = boto3.client("codedeploy", region_name="eu-west-1")
    lambda_client = boto3.client("lambda", region_name="eu-west-1")
    with Stubber(codedeploy) as deploy_stub, Stubber(lambda_client) as lambda_stub:
        deploy_stub.add_response("list_deployment_targets", {"targetIds": ["t1"]}, {"deploymentId": "d-1"})
        target = {
            "deploymentTargetType": "LambdaTarget",
            "lambdaTarget": {
                "lambdaFunctionInfo": {"functionName": "demo-prod-catalog-processor", "targetVersion": "7"}
            },
        }
        deploy_stub.add_response(
            "batch_get_deployment_targets",
            {"deploymentTargets": [target]},
            {"deploymentId": "d-1", "targetIds": ["t1"]},
        )
        lambda_stub.add_response(
            "invoke",
            {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": payload({"errorType": "KeyError", "errorMessage": "'TABLE_NAME'"}),
            },
            {"FunctionName": "demo-prod-catalog-processor", "Qualifier": "7", "Payload": b'{"Records": []}'},
        )
        problems = check_deployment(
            codedeploy, lambda_client, "d-1", {"demo-prod-catalog-processor": "stream"}
        )
    assert problems == ["demo-prod-catalog-processor:7: it did not reach its handler: KeyError: 'TABLE_NAME'"]


def test_a_function_without_a_check_is_unfit_rather_than_unchecked() -> None:
    codedeploy = boto3.client("codedeploy", region_name="eu-west-1")
    with Stubber(codedeploy) as stub:
        stub.add_response("list_deployment_targets", {"targetIds": ["t1"]})
        target = {
            "lambdaTarget": {
                "lambdaFunctionInfo": {"functionName": "demo-prod-catalog-new", "targetVersion": "1"}
            }
        }
        stub.add_response("batch_get_deployment_targets", {"deploymentTargets": [target]})
        problems = check_deployment(codedeploy, boto3.client("lambda", region_name="eu-west-1"), "d-1", {})
    assert problems == ["demo-prod-catalog-new has no pre-traffic check (PRETRAFFIC_CHECKS)"]
