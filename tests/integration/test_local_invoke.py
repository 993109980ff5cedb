"""`make invoke`: the real template's functions run once, in-process, against the emulator."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from localcloud.invoke import FunctionTimedOut, deadline
from localcloud.template import Template, TemplateError
from scripts.sam_template import template_path

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient

    from tests.conftest import Emulator, LocalPlatform

ROOT = Path(__file__).resolve().parents[2]
ORDERS = template_path("orders")


@pytest.fixture(scope="module")
def ssm(local_platform: LocalPlatform, emulator: Emulator) -> SSMClient:
    return emulator.session.client("ssm", endpoint_url=emulator.endpoint)


def invoke(emulator: Emulator, function: str, event: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "localcloud.invoke", function, event, "--endpoint", emulator.endpoint],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def response_of(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_the_api_answers_health(local_platform: LocalPlatform, emulator: Emulator) -> None:
    result = invoke(emulator, "orders/ApiFunction", "sam/orders/events/api/health.json")
    response = response_of(result)
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["status"] == "ok"


def test_the_processor_takes_the_committed_stream_batch(
    local_platform: LocalPlatform, emulator: Emulator
) -> None:
    response = response_of(
        invoke(emulator, "shop-local-orders-processor", "sam/orders/events/processor/stream-batch.json")
    )
    assert response == {"batchItemFailures": []}


def test_the_scheduled_job_runs(local_platform: LocalPlatform, emulator: Emulator) -> None:
    response = response_of(invoke(emulator, "ScheduledFunction", "sam/orders/events/scheduled/run.json"))
    assert response["scheduled_time"] == "2026-11-23T03:00:00Z"


def test_an_unknown_function_is_one_line_naming_the_choices(
    local_platform: LocalPlatform, emulator: Emulator
) -> None:
    result = invoke(emulator, "NoSuchFunction", "sam/orders/events/api/health.json")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "no service's template has a function NoSuchFunction: "
        "name it service/LogicalId or by its function name"
    )


def test_functions_get_the_templates_environment_from_the_contract(
    ssm: SSMClient, contract: dict[str, str]
) -> None:
    functions = Template(ssm, ORDERS).functions()

    api = functions["ApiFunction"]
    assert api.name == contract["orders/api/function-name"]
    assert api.environment["TABLE_NAME"] == contract["orders/data/table-name"]
    assert api.environment["AUTH_MODE"] == "COGNITO"
    assert api.layer_dirs == (ROOT / "layers" / "common", ROOT / "layers" / "orders")
    assert (api.timeout_seconds, api.handler) == (10, "app.lambda_handler")
    processor = functions["ProcessorFunction"]
    assert processor.environment["EVENT_SOURCE"] == "/shop/local/orders"
    assert processor.environment["EVENT_BUS_NAME"] == contract["events/bus-name"]
    assert "EVENT_BUS_NAME" not in functions["ScheduledFunction"].environment


@pytest.mark.parametrize(
    ("mode", "scheme", "public"),
    [
        ("COGNITO", "CognitoAuthorizer", [{"NONE": []}]),
        ("IAM", "AWS_IAM", [{"NONE": []}]),
        ("API_KEY", "api_key", []),
    ],
)
def test_the_auth_mode_decides_the_translated_apis_security_and_two_routes_stay_public(
    ssm: SSMClient, mode: str, scheme: str, public: list[dict[str, list[str]]]
) -> None:
    """What the local API serves is the SAM translator's REST API for that mode (make
    sam-translate checks the same on every environment's parameters)."""
    [api] = Template(ssm, ORDERS, {"AuthMode": mode}).rest_apis()
    security = {(m.method, m.path): m.security for m in api.methods}
    assert security.pop(("GET", "/health")) == security.pop(("GET", "/openapi.json")) == public
    assert set(map(str, security.values())) == {str([{scheme: []}])}
    assert scheme in api.security_definitions
    assert {m.function for m in api.methods} == {"ApiFunction"}
    assert (api.name, api.stage) == ("shop-local-orders-api", "local")


def test_globals_events_and_aliases_are_the_translators(ssm: SSMClient, contract: dict[str, str]) -> None:
    """Globals merged as SAM merges them (the function's variables beside the Globals' ones), the
    stream mapping on the alias the deployment shifts, the schedule's input as written."""
    template = Template(ssm, ORDERS)
    [stream] = [
        m for m in template.invokers("AWS::Lambda::EventSourceMapping") if m.function == "ProcessorFunction"
    ]
    assert stream.properties["EventSourceArn"] == contract["orders/data/table-stream-arn"]
    assert stream.properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    [schedule] = template.invokers("AWS::Scheduler::Schedule")
    assert schedule.function == "ScheduledFunction"
    assert "<aws.scheduler.scheduled-time>" in schedule.properties["Target"]["Input"]
    processor = template.functions()["ProcessorFunction"]
    assert {"TABLE_NAME", "EVENT_BUS_NAME", "POWERTOOLS_SERVICE_NAME"} <= set(processor.environment)


def test_a_key_missing_from_ssm_stops_with_its_name(ssm: SSMClient) -> None:
    with pytest.raises(
        TemplateError,
        match=r"SSM parameter /shop/local/orders/data/gone \(template parameter DataTableName\)",
    ):
        Template(ssm, ORDERS, {"DataTableName": "/shop/local/orders/data/gone"})


def test_the_timeout_of_the_template_is_enforced() -> None:
    with pytest.raises(FunctionTimedOut, match="Task timed out after 1 seconds"), deadline(1):
        time.sleep(3)
