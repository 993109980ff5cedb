"""Every service's template (sam/<service>/template.yaml) reads exactly both levels of the contract,
with their types, wired as designed."""

from __future__ import annotations

import json
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from scripts.contract import (
    APP,
    PLATFORM_FILE,
    PRETRAFFIC,
    load,
    service_keys,
    template_functions,
    template_parameters,
)
from scripts.sam_template import SERVICES, load_template, template_path
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
ENVS = sorted(SETTINGS)


@cache
def template(service: str) -> dict[str, Any]:
    return load_template(template_path(service))


def resources(service: str) -> dict[str, Any]:
    found: dict[str, Any] = template(service)["Resources"]
    return found


def function_keys(service: str) -> dict[str, str]:
    """Logical id -> the function's key in the contract, of every function of the template."""
    return {
        logical_id: template(service)["Parameters"][r["Properties"]["FunctionName"]["Ref"]]["Default"].split(
            "/"
        )[-2]
        for logical_id, r in resources(service).items()
        if r["Type"] == "AWS::Serverless::Function"
    }


def triggered_by(event_type: str) -> list[tuple[str, str]]:
    """(service, logical id) of every function with an event of this SAM type."""
    return [
        (service, logical_id)
        for service in SERVICES
        for logical_id, r in resources(service).items()
        if r["Type"] == "AWS::Serverless::Function"
        and any(e["Type"] == event_type for e in r["Properties"].get("Events", {}).values())
    ]


def functions(service: str) -> dict[str, str]:
    """The same, but the pre-traffic hook: the functions the stack deploys for the app."""
    return {logical_id: key for logical_id, key in function_keys(service).items() if key != PRETRAFFIC}


def read_keys(service: str, level: str) -> dict[str, tuple[str, str]]:
    """Contract key -> (template parameter, SAM type) of the template's SSM parameters of one level."""
    found = {}
    for path, read in template_parameters(template(service)).items():
        key = path.removeprefix(f"{service}/")
        if (level == "service") == (key != path):
            found[key] = read
    return found


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


@pytest.mark.parametrize("service", SERVICES)
def test_every_ssm_path_is_of_this_service_or_of_the_platform(service: str) -> None:
    parameters = template(service)["Parameters"].values()
    assert all(spec["Default"].startswith(f"/{APP}/local/") for spec in parameters if "SSM" in spec["Type"])
    assert set(template_parameters(template(service))) == {
        *read_keys(service, "platform"),
        *(f"{service}/{k}" for k in read_keys(service, "service")),
    }


def test_the_templates_read_every_platform_template_key_and_nothing_else() -> None:
    read = [set(read_keys(service, "platform")) for service in SERVICES]
    wanted = {k for k, spec in PLATFORM.items() if spec["consumer"] == "template"}
    assert set().union(*read) == wanted
    assert all(keys <= wanted for keys in read)


@pytest.mark.parametrize("service", SERVICES)
def test_a_template_reads_every_service_template_key_of_its_functions_and_nothing_else(service: str) -> None:
    keys = service_keys(template_functions(template(service)))
    assert set(read_keys(service, "service")) == {
        k for k, spec in keys.items() if spec["consumer"] == "template"
    }


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("level", ["platform", "service"])
def test_each_key_is_read_with_the_contracts_type(service: str, level: str) -> None:
    contract = PLATFORM if level == "platform" else service_keys(template_functions(template(service)))
    mismatched = {k: t for k, (_, t) in read_keys(service, level).items() if t != contract[k]["sam_type"]}
    assert mismatched == {}


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("level", ["platform", "service"])
def test_parameter_names_follow_the_keys(service: str, level: str) -> None:
    """The rule that names a key's parameter, the same at both levels; they must not collide."""
    read = read_keys(service, level)
    assert {k: n for k, (n, _) in read.items()} == {k: parameter_name(k) for k in read}


@pytest.mark.parametrize("service", SERVICES)
def test_every_ssm_parameter_is_used(service: str) -> None:
    text = template_path(service).read_text()
    body = text[text.index("\nConditions:") :]
    unused = [
        n for n, _ in template_parameters(template(service)).values() if not re.search(rf"\b{n}\b", body)
    ]
    assert unused == []


@pytest.mark.parametrize("service", SERVICES)
def test_samconfig_is_generated_from_the_template(service: str) -> None:
    assert samconfig_path(service).read_text() == render(service), "run `make docs`"


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("env", ENVS)
def test_each_environment_reads_its_own_keys(service: str, env: str) -> None:
    config = tomllib.loads(samconfig_path(service).read_text())[env]["deploy"]["parameters"]
    for key, (name, _) in read_keys(service, "platform").items():
        assert f"{name}=/{APP}/{env}/{key}" in config["parameter_overrides"]
    for key, (name, _) in read_keys(service, "service").items():
        assert f"{name}=/{APP}/{env}/{service}/{key}" in config["parameter_overrides"]
    assert config["parameter_overrides"].count(f"/{APP}/") == len(template_parameters(template(service)))
    wanted = settings(service, env)
    assert overrides(service, env)[-len(wanted) :] == [f"{k}={v}" for k, v in wanted.items()]
    assert tomllib.loads(samconfig_path(service).read_text())[env]["global"]["parameters"]["stack_name"] == (
        f"{APP}-{env}-{service}"
    )


@pytest.mark.parametrize(("service", "logical_id"), [(s, f) for s in SERVICES for f in functions(s)])
def test_a_deployment_rolls_back_on_the_new_versions_error_rate(service: str, logical_id: str) -> None:
    """Seed 003: roll back when more than 5 % of the calls of the version being deployed fail
    (decision 0019): metric math on the `live` alias's metrics of that version only."""
    prefix = parameter_name(functions(service)[logical_id])
    alarm = resources(service)[f"{prefix}NewVersionErrors"]
    assert alarm["Type"] == "AWS::CloudWatch::Alarm"
    properties = alarm["Properties"]
    assert (properties["ComparisonOperator"], properties["Threshold"], properties["EvaluationPeriods"]) == (
        "GreaterThanThreshold",
        5,
        1,
    )
    rate, *inputs = properties["Metrics"]
    assert rate == {
        "Id": "rate",
        "Expression": "IF(invocations > 0, 100 * errors / invocations, 0)",
        "Label": "Errors (% of the new version)",
    }
    version = [
        {"Name": "FunctionName", "Value": ref(logical_id)},
        {"Name": "Resource", "Value": {"Fn::Sub": f"${{{logical_id}}}:live"}},
        {"Name": "ExecutedVersion", "Value": {"Fn::GetAtt": [logical_id, "Version.Version"]}},
    ]
    assert [(q["Id"], q["ReturnData"], q["MetricStat"]) for q in inputs] == [
        (
            metric.lower(),
            False,
            {
                "Stat": "Sum",
                "Period": 60,
                "Metric": {"Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": version},
            },
        )
        for metric in ["Errors", "Invocations"]
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_a_changed_contract_value_changes_the_hash(service: str) -> None:
    values = {k: f"value-of-{k}" for k in template_parameters(template(service))}
    assert contract_hash(values) == contract_hash(dict(reversed(values.items())))
    assert contract_hash(values) != contract_hash({**values, f"{service}/data/table-name": "another"})
    assert re.fullmatch(
        template(service)["Parameters"]["ContractHash"]["AllowedPattern"], contract_hash(values)
    )


@pytest.mark.parametrize(("service", "logical_id"), [(s, f) for s in SERVICES for f in functions(s)])
def test_functions_take_name_role_logs_and_rollback_alarm_from_the_contract(
    service: str, logical_id: str
) -> None:
    properties = resources(service)[logical_id]["Properties"]
    prefix = parameter_name(functions(service)[logical_id])
    assert properties["FunctionName"] == ref(f"{prefix}FunctionName")
    assert properties["Role"] == ref(f"{prefix}RoleArn")
    assert properties["LoggingConfig"] == {"LogFormat": "JSON", "LogGroup": ref(f"{prefix}LogGroupName")}
    assert properties["AutoPublishCodeSha256"] == ref("ContractHash")
    assert properties["DeploymentPreference"] == {
        "Type": ref("DeploymentConfigName"),
        "Role": ref("DeployCodedeployRoleArn"),
        "Alarms": [ref(f"{prefix}RollbackAlarmName"), ref(f"{prefix}NewVersionErrors")],
        "Hooks": {"PreTraffic": ref("PreTrafficFunction")},
    }
    assert "Policies" not in properties
    assert resources(service)[logical_id]["Metadata"]["BuildMethod"] == "makefile"


@pytest.mark.parametrize("service", SERVICES)
def test_a_pretraffic_hook_checks_every_new_version_by_its_kind(service: str) -> None:
    """CodeDeploy runs the stack's hook before shifting any traffic (splitstack.deploy_hook); it
    knows each function's kind from PRETRAFFIC_CHECKS, which must name every function by its
    trigger. The hook itself is deployed at once (no DeploymentPreference) and invoked by
    CodeDeploy only."""
    hook = resources(service)["PreTrafficFunction"]["Properties"]
    assert (hook["FunctionName"], hook["Role"], hook["LoggingConfig"]["LogGroup"]) == (
        ref("PretrafficFunctionName"),
        ref("PretrafficRoleArn"),
        ref("PretrafficLogGroupName"),
    )
    assert hook["CodeUri"] == f"../../functions/{service}/pretraffic/"
    assert "DeploymentPreference" not in hook
    assert "Events" not in hook
    checks = hook["Environment"]["Variables"]["PRETRAFFIC_CHECKS"]["Fn::Sub"]
    triggers = template_functions(template(service))
    assert json.loads(checks) == {
        f"${{{parameter_name(key)}FunctionName}}": triggers[key] for key in functions(service).values()
    }


@pytest.mark.parametrize(("service", "logical_id"), [(s, f) for s in SERVICES for f in functions(s)])
def test_each_function_builds_its_handler(service: str, logical_id: str) -> None:
    key = functions(service)[logical_id]
    code = ROOT / "functions" / service / key
    assert resources(service)[logical_id]["Properties"]["CodeUri"] == f"../../functions/{service}/{key}/"
    assert "def lambda_handler(" in (code / "app.py").read_text()
    assert f"build-{logical_id}:" in (code / "Makefile").read_text()


@pytest.mark.parametrize("service", SERVICES)
def test_globals_run_python313_on_arm64_traced_in_the_vpc_with_an_alias(service: str) -> None:
    function = template(service)["Globals"]["Function"]
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
    layers = resources(service)
    assert layers["CommonLayer"]["Properties"]["ContentUri"] == "../../layers/common/"
    assert layers["SharedLayer"]["Properties"]["ContentUri"] == f"../../layers/{service}/"


@pytest.mark.parametrize("service", SERVICES)
def test_sam_creates_no_iam_role_or_policy(service: str) -> None:
    assert not [n for n, r in resources(service).items() if r["Type"].startswith("AWS::IAM::")]


@pytest.mark.parametrize("service", SERVICES)
def test_health_is_public_and_everything_else_is_behind_the_auth_mode(service: str) -> None:
    events = resources(service)["ApiFunction"]["Properties"]["Events"]
    public = {e["Properties"]["Path"] for e in events.values() if "Auth" in e["Properties"]}
    assert public == {"/health", "/openapi.json"}
    api = resources(service)["Api"]["Properties"]
    cognito, others = api["Auth"]["Fn::If"][1:]
    assert cognito["Authorizers"]["CognitoAuthorizer"]["UserPoolArn"] == ref("AuthUserPoolArn")
    iam, api_key = others["Fn::If"][1:]
    assert iam == {"DefaultAuthorizer": "AWS_IAM"}
    assert api_key["ApiKeyRequired"] is True
    assert api["MethodSettings"][0]["ThrottlingRateLimit"] == ref("ThrottlingRateLimit")
    assert template(service)["Parameters"]["ThrottlingRateLimit"]["Default"] == 100
    assert template(service)["Parameters"]["ThrottlingBurstLimit"]["Default"] == 200


def pins(path: Path) -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    pairs = (line.split("==") for line in lines if "==" in line)
    return {name.lower().replace("_", "-"): version for name, version in pairs}


@pytest.mark.parametrize(
    "layer_dir", [*(f"layers/{s}" for s in SERVICES), "templates/service/layers/[[ service ]]"]
)
def test_the_layer_ships_the_versions_the_tests_run(layer_dir: str) -> None:
    """Every service's layer, and the one `make new-service` writes."""
    layer = pins(ROOT / layer_dir / "requirements.txt")
    dev = pins(ROOT / "requirements" / "dev.txt")
    assert {name: dev.get(name) for name in layer} == layer


def test_the_local_cloud_translates_with_the_sam_clis_translator() -> None:
    """localcloud.template runs aws-sam-translator from requirements/dev.txt; `sam validate` and
    `make sam-translate` run the SAM CLI's, from requirements/sam.txt: one version for both."""
    dev, sam = pins(ROOT / "requirements" / "dev.txt"), pins(ROOT / "requirements" / "sam.txt")
    assert dev["aws-sam-translator"] == sam["aws-sam-translator"]


@pytest.mark.parametrize(("service", "reader"), triggered_by("DynamoDB"))
def test_a_table_stream_has_one_reader_with_bounded_retries_and_a_failure_queue(
    service: str, reader: str
) -> None:
    found = resources(service)
    mappings = [
        (logical_id, event["Properties"])
        for logical_id, resource in found.items()
        if resource["Type"] == "AWS::Serverless::Function"
        for event in resource["Properties"].get("Events", {}).values()
        if event["Type"] == "DynamoDB"
    ]
    assert len(mappings) <= 2  # DynamoDB Streams throttles a third reader of a shard
    [(owner, mapping)] = mappings
    assert owner == reader
    assert mapping["Stream"] == ref("DataTableStreamArn")
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 0 <= mapping["MaximumRetryAttempts"] <= 10
    assert 60 <= mapping["MaximumRecordAgeInSeconds"] <= 86_400
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    queue = found[destination["Fn::GetAtt"][0]]
    assert queue["Properties"] == {
        "QueueName": ref(f"{reader.removesuffix('Function')}FailureQueueName"),
        "SqsManagedSseEnabled": True,
        "MessageRetentionPeriod": 14 * 86_400,
    }


@pytest.mark.parametrize(("service", "function"), triggered_by("ScheduleV2"))
def test_a_schedule_retries_and_has_its_own_dead_letter_queue(service: str, function: str) -> None:
    found = resources(service)
    prefix = function.removesuffix("Function")
    [event] = found[function]["Properties"]["Events"].values()
    schedule = event["Properties"]
    assert event["Type"] == "ScheduleV2"
    assert schedule["RoleArn"] == ref(f"{prefix}SchedulerRoleArn")
    assert schedule["RetryPolicy"]["MaximumRetryAttempts"] > 0
    queue = found[schedule["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]]
    assert queue["Properties"]["QueueName"] == ref(f"{prefix}DlqName")
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert "<aws.scheduler.scheduled-time>" in schedule["Input"]
    # A run that fails inside the function: Lambda's retries, then a queue named by the contract.
    invoke_config = found[function]["Properties"]["EventInvokeConfig"]
    assert 0 <= invoke_config["MaximumRetryAttempts"] <= 2
    on_failure = invoke_config["DestinationConfig"]["OnFailure"]
    assert on_failure["Type"] == "SQS"
    assert found[on_failure["Destination"]["Fn::GetAtt"][0]]["Properties"] == {
        "QueueName": ref(f"{prefix}OnFailureQueueName"),
        "SqsManagedSseEnabled": True,
        "MessageRetentionPeriod": 14 * 86_400,
    }


@pytest.mark.parametrize(
    "service", [s for s in SERVICES if any(r["Type"] == "AWS::SQS::Queue" for r in resources(s).values())]
)
def test_every_queue_is_encrypted_at_rest(service: str) -> None:
    """SSE-SQS on each queue (why not a KMS key, and why checkov's CKV_AWS_27 is skipped:
    security/checkov-sam.yaml)."""
    queues = [r["Properties"] for r in resources(service).values() if r["Type"] == "AWS::SQS::Queue"]
    assert queues
    assert all(q.get("SqsManagedSseEnabled") is True for q in queues)


@pytest.mark.parametrize("service", SERVICES)
def test_no_failed_invocation_is_lost(service: str) -> None:
    """Each function's failures land somewhere a person can replay them from (why checkov's
    CKV_AWS_116, a DLQ on the function itself, is skipped: security/checkov-sam.yaml): the API is
    invoked synchronously and answers its caller; a stream reader has an on-failure destination, a
    queue consumer its queue's redrive, a scheduled function an asynchronous on-failure queue."""
    found = resources(service)
    for logical_id in functions(service):
        function = found[logical_id]
        kinds = {e["Type"] for e in function["Properties"]["Events"].values()}
        assert len(kinds) == 1, logical_id
        [kind] = kinds
        events = function["Properties"]["Events"].values()
        if kind == "DynamoDB":
            assert all(e["Properties"]["DestinationConfig"]["OnFailure"]["Destination"] for e in events)
        elif kind == "SQS":
            for event in events:
                queue = found[event["Properties"]["Queue"]["Fn::GetAtt"][0]]["Properties"]
                assert queue["RedrivePolicy"]["deadLetterTargetArn"], logical_id
        elif kind == "ScheduleV2":
            on_failure = function["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
            assert on_failure["Type"] == "SQS", logical_id
        else:
            assert kind == "Api", logical_id


@pytest.mark.parametrize("service", SERVICES)
def test_each_api_refuses_tls_older_than_1_2(service: str) -> None:
    """Seed 003: TLS 1.2 or newer on every public endpoint (the custom domain's policy is
    terraform/modules/domain's, tested there); decision 0018."""
    [api] = [r for r in resources(service).values() if r["Type"] == "AWS::Serverless::Api"]
    assert api["Properties"]["SecurityPolicy"] == "TLS_1_2"
    assert api["Properties"]["EndpointConfiguration"] == {"Type": "REGIONAL"}


@pytest.mark.parametrize("service", SERVICES)
def test_each_api_maps_its_base_path_onto_the_custom_domain_where_there_is_one(service: str) -> None:
    """https://<domain>/<service>/... where the platform publishes a domain (api/domain-name),
    as http://127.0.0.1:3000/<service>/... locally; nothing where it says "none"."""
    mapping = resources(service)["ApiBasePathMapping"]
    assert mapping["Type"] == "AWS::ApiGateway::BasePathMapping"
    assert mapping["Condition"] == "HasCustomDomain"
    assert template(service)["Conditions"]["HasCustomDomain"] == {
        "Fn::Not": [{"Fn::Equals": [ref("ApiDomainName"), "none"]}]
    }
    assert mapping["Properties"] == {
        "DomainName": ref("ApiDomainName"),
        "BasePath": ref("AppServiceName"),
        "RestApiId": ref("Api"),
        "Stage": ref("Api.Stage"),
    }


@pytest.mark.parametrize(("service", "consumer"), triggered_by("SQS"))
def test_a_consumer_reads_its_events_through_its_own_queue_with_the_seeds_numbers(
    service: str, consumer: str
) -> None:
    """Seed 003: SQS in front of each consumer, visibility 30 s, retention 14 days, a dead-letter
    queue after 2 receives; partial batch responses; the rule on the platform's bus."""
    found = resources(service)
    prefix = consumer.removesuffix("Function")
    [event] = found[consumer]["Properties"]["Events"].values()
    assert event["Type"] == "SQS"
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue_id = event["Properties"]["Queue"]["Fn::GetAtt"][0]
    queue = found[queue_id]["Properties"]
    assert (queue["QueueName"], queue["VisibilityTimeout"], queue["MessageRetentionPeriod"]) == (
        ref(f"{prefix}QueueName"),
        30,
        14 * 86_400,
    )
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 2
    dlq_id = queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
    dlq = found[dlq_id]["Properties"]
    assert (dlq["QueueName"], dlq["MessageRetentionPeriod"], dlq["SqsManagedSseEnabled"]) == (
        ref(f"{prefix}QueueDlqName"),
        14 * 86_400,
        True,
    )
    assert found[consumer]["Properties"]["Timeout"] < queue["VisibilityTimeout"]
    [rule_id] = [
        logical_id
        for logical_id, r in found.items()
        if r["Type"] == "AWS::Events::Rule"
        and any(t["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]} for t in r["Properties"]["Targets"])
    ]
    rule = found[rule_id]["Properties"]
    assert rule["EventBusName"] == ref("EventsBusName")
    assert list(rule["EventPattern"]) == ["detail-type"]
    assert rule["EventPattern"]["detail-type"], "the event types the consumer takes, by name"
    [target] = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}
    [policy] = [
        r
        for r in found.values()
        if r["Type"] == "AWS::SQS::QueuePolicy" and ref(queue_id) in r["Properties"]["Queues"]
    ]
    [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}}}
