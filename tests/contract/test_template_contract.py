"""sam/orders/template.yaml reads exactly both levels of the contract, with their types, wired as designed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from scripts.contract import (
    APP,
    PLATFORM_FILE,
    load,
    service_keys,
    template_functions,
    template_parameters,
)
from scripts.sam_template import load_template, template_path
from scripts.samconfig import (
    SETTINGS,
    contract_hash,
    overrides,
    parameter_name,
    render,
    samconfig_path,
    settings,
)

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = load(PLATFORM_FILE)
SERVICE = "orders"
TEMPLATE = load_template(template_path(SERVICE))
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
FUNCTIONS = {"ApiFunction": "api", "ProcessorFunction": "processor", "ScheduledFunction": "scheduled"}
SERVICE_KEYS = service_keys(template_functions(TEMPLATE))


def read_keys(level: str) -> dict[str, tuple[str, str]]:
    """Contract key -> (template parameter, SAM type) of the template's SSM parameters of one level."""
    found = {}
    for path, read in template_parameters(TEMPLATE).items():
        key = path.removeprefix(f"{SERVICE}/")
        if (level == "service") == (key != path):
            found[key] = read
    return found


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def test_the_functions_and_their_triggers_come_from_the_template() -> None:
    assert template_functions(TEMPLATE) == {"api": "api", "processor": "stream", "scheduled": "schedule"}


def test_every_ssm_path_is_of_this_service_or_of_the_platform() -> None:
    paths = template_parameters(TEMPLATE)
    assert all(
        spec["Default"].startswith(f"/{APP}/local/")
        for spec in TEMPLATE["Parameters"].values()
        if "SSM" in spec["Type"]
    )
    assert set(paths) == {*read_keys("platform"), *(f"{SERVICE}/{k}" for k in read_keys("service"))}


def test_the_template_reads_every_platform_template_key_and_nothing_else() -> None:
    assert set(read_keys("platform")) == {k for k, spec in PLATFORM.items() if spec["consumer"] == "template"}


def test_the_template_reads_every_service_template_key_of_its_functions_and_nothing_else() -> None:
    assert set(read_keys("service")) == {
        k for k, spec in SERVICE_KEYS.items() if spec["consumer"] == "template"
    }


@pytest.mark.parametrize("level", ["platform", "service"])
def test_each_key_is_read_with_the_contracts_type(level: str) -> None:
    contract = PLATFORM if level == "platform" else SERVICE_KEYS
    mismatched = {k: t for k, (_, t) in read_keys(level).items() if t != contract[k]["sam_type"]}
    assert mismatched == {}


@pytest.mark.parametrize("level", ["platform", "service"])
def test_parameter_names_follow_the_keys(level: str) -> None:
    """The rule that names a key's parameter, the same at both levels; they must not collide."""
    assert {k: n for k, (n, _) in read_keys(level).items()} == {
        k: parameter_name(k) for k in read_keys(level)
    }


def test_every_ssm_parameter_is_used() -> None:
    text = template_path(SERVICE).read_text()
    body = text[text.index("\nConditions:") :]
    unused = [n for n, _ in template_parameters(TEMPLATE).values() if not re.search(rf"\b{n}\b", body)]
    assert unused == []


def test_samconfig_is_generated_from_the_template() -> None:
    assert samconfig_path(SERVICE).read_text() == render(SERVICE), "run `make docs`"


@pytest.mark.parametrize("env", sorted(SETTINGS))
def test_each_environment_reads_its_own_keys(env: str) -> None:
    config = tomllib.loads(samconfig_path(SERVICE).read_text())[env]["deploy"]["parameters"]
    for key, (name, _) in read_keys("platform").items():
        assert f"{name}=/{APP}/{env}/{key}" in config["parameter_overrides"]
    for key, (name, _) in read_keys("service").items():
        assert f"{name}=/{APP}/{env}/{SERVICE}/{key}" in config["parameter_overrides"]
    assert config["parameter_overrides"].count(f"/{APP}/") == len(template_parameters(TEMPLATE))
    wanted = settings(SERVICE, env)
    assert overrides(SERVICE, env)[-len(wanted) :] == [f"{k}={v}" for k, v in wanted.items()]


def test_deployments_are_all_at_once_in_dev_and_canary_in_prod() -> None:
    assert SETTINGS["dev"]["DeploymentType"] == "AllAtOnce"
    assert SETTINGS["prod"]["DeploymentType"] == "Canary10Percent5Minutes"


def test_a_changed_contract_value_changes_the_hash() -> None:
    values = {k: f"value-of-{k}" for k in template_parameters(TEMPLATE)}
    assert contract_hash(values) == contract_hash(dict(reversed(values.items())))
    assert contract_hash(values) != contract_hash({**values, f"{SERVICE}/data/table-name": "another"})
    assert re.fullmatch(TEMPLATE["Parameters"]["ContractHash"]["AllowedPattern"], contract_hash(values))


@pytest.mark.parametrize(("logical_id", "role"), FUNCTIONS.items())
def test_functions_take_name_role_logs_and_rollback_alarm_from_the_contract(
    logical_id: str, role: str
) -> None:
    properties = RESOURCES[logical_id]["Properties"]
    prefix = parameter_name(role)
    assert properties["FunctionName"] == ref(f"{prefix}FunctionName")
    assert properties["Role"] == ref(f"{prefix}RoleArn")
    assert properties["LoggingConfig"] == {"LogFormat": "JSON", "LogGroup": ref(f"{prefix}LogGroupName")}
    assert properties["AutoPublishCodeSha256"] == ref("ContractHash")
    assert properties["DeploymentPreference"] == {
        "Type": ref("DeploymentType"),
        "Role": ref("DeployCodedeployRoleArn"),
        "Alarms": [ref(f"{prefix}RollbackAlarmName")],
    }
    assert RESOURCES[logical_id]["Metadata"]["BuildMethod"] == "makefile"


def test_globals_run_python313_on_arm64_traced_in_the_vpc_with_an_alias() -> None:
    function = TEMPLATE["Globals"]["Function"]
    assert (function["Runtime"], function["Architectures"], function["Tracing"]) == (
        "python3.13",
        ["arm64"],
        "Active",
    )
    assert function["AutoPublishAlias"] == "live"
    assert function["VpcConfig"] == {
        "SubnetIds": ref("NetworkPrivateSubnetIds"),
        "SecurityGroupIds": ref("NetworkLambdaSecurityGroupIds"),
    }
    assert function["Layers"] == [ref("CommonLayer"), ref("SharedLayer")]


def test_sam_creates_no_iam_role_or_policy() -> None:
    assert not [n for n, r in RESOURCES.items() if r["Type"].startswith("AWS::IAM::")]
    for logical_id in FUNCTIONS:
        assert "Policies" not in RESOURCES[logical_id]["Properties"]


def test_the_stream_has_one_consumer_with_bounded_retries_and_a_failure_queue() -> None:
    mappings = [
        (logical_id, event["Properties"])
        for logical_id, resource in RESOURCES.items()
        if resource["Type"] == "AWS::Serverless::Function"
        for event in resource["Properties"].get("Events", {}).values()
        if event["Type"] == "DynamoDB"
    ]
    assert len(mappings) <= 2  # DynamoDB Streams throttles a third reader of a shard
    [(owner, mapping)] = mappings
    assert owner == "ProcessorFunction"
    assert mapping["Stream"] == ref("DataTableStreamArn")
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 0 <= mapping["MaximumRetryAttempts"] <= 10
    assert 60 <= mapping["MaximumRecordAgeInSeconds"] <= 86_400
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    queue = RESOURCES[destination["Fn::GetAtt"][0]]
    assert queue["Properties"] == {
        "QueueName": ref("ProcessorFailureQueueName"),
        "SqsManagedSseEnabled": True,
        "MessageRetentionPeriod": 14 * 86_400,
    }


def test_the_schedule_retries_and_has_its_own_dead_letter_queue() -> None:
    [event] = RESOURCES["ScheduledFunction"]["Properties"]["Events"].values()
    schedule = event["Properties"]
    assert event["Type"] == "ScheduleV2"
    assert schedule["RoleArn"] == ref("ScheduledSchedulerRoleArn")
    assert schedule["RetryPolicy"]["MaximumRetryAttempts"] > 0
    queue = RESOURCES[schedule["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]]
    assert queue["Properties"]["QueueName"] == ref("ScheduledDlqName")
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert "<aws.scheduler.scheduled-time>" in schedule["Input"]


def test_health_is_public_and_everything_else_is_behind_the_auth_mode() -> None:
    events = RESOURCES["ApiFunction"]["Properties"]["Events"]
    public = {e["Properties"]["Path"] for e in events.values() if "Auth" in e["Properties"]}
    assert public == {"/health", "/openapi.json"}
    api = RESOURCES["Api"]["Properties"]
    cognito, others = api["Auth"]["Fn::If"][1:]
    assert cognito["Authorizers"]["CognitoAuthorizer"]["UserPoolArn"] == ref("AuthUserPoolArn")
    iam, api_key = others["Fn::If"][1:]
    assert iam == {"DefaultAuthorizer": "AWS_IAM"}
    assert api_key["ApiKeyRequired"] is True
    assert api["MethodSettings"][0]["ThrottlingRateLimit"] == ref("ThrottlingRateLimit")
    assert TEMPLATE["Parameters"]["ThrottlingRateLimit"]["Default"] == 100
    assert TEMPLATE["Parameters"]["ThrottlingBurstLimit"]["Default"] == 200


@pytest.mark.parametrize(("logical_id", "role"), FUNCTIONS.items())
def test_each_function_builds_its_handler(logical_id: str, role: str) -> None:
    code = ROOT / "functions" / SERVICE / role
    assert RESOURCES[logical_id]["Properties"]["CodeUri"] == f"../../functions/{SERVICE}/{role}/"
    assert "def lambda_handler(" in (code / "app.py").read_text()
    assert f"build-{logical_id}:" in (code / "Makefile").read_text()


def test_the_layer_ships_the_versions_the_tests_run() -> None:
    def pins(path: Path) -> dict[str, str]:
        lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
        pairs = (line.split("==") for line in lines if "==" in line)
        return {name.lower().replace("_", "-"): version for name, version in pairs}

    layer = pins(ROOT / "layers" / SERVICE / "requirements.txt")
    dev = pins(ROOT / "requirements" / "dev.txt")
    assert {name: dev.get(name) for name in layer} == layer
