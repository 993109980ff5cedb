"""envs/local, applied by Terraform to the emulator, publishes the whole contract with real values.

GIVEN a fresh moto server and `terraform apply` of terraform/envs/local against it,
THEN every key of the platform's contract file, and every key of the service's for the functions of
its SAM template, is in SSM with its type, and nothing else; each value points at a real resource
of the right kind: the values SAM will read are the ones Terraform created.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from localcloud.template import Template
from scripts.contract import APP, PLATFORM_FILE, PRETRAFFIC, load, service_keys, template_functions
from scripts.sam_template import SERVICES, load_template, template_path

if TYPE_CHECKING:
    from mypy_boto3_ssm.type_defs import ParameterTypeDef

    from tests.conftest import Emulator, LocalPlatform

from tests.conftest import terraform

pytestmark = pytest.mark.emulator

PREFIX = f"/{APP}/local"
# Both levels, each service's keys below its name: what Terraform's module block for a service
# must publish is what the functions of the service's template need.
CONTRACT = {
    **load(PLATFORM_FILE),
    **{
        f"{service}/{key}": spec
        for service in SERVICES
        for key, spec in service_keys(template_functions(load_template(template_path(service)))).items()
    },
}


@pytest.fixture(scope="module")
def published(local_platform: LocalPlatform, emulator: Emulator) -> dict[str, ParameterTypeDef]:
    ssm = emulator.session.client("ssm", endpoint_url=emulator.endpoint)
    found: dict[str, ParameterTypeDef] = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=PREFIX, Recursive=True):
        for parameter in page["Parameters"]:
            found[parameter["Name"].removeprefix(f"{PREFIX}/")] = parameter
    return found


def value(published: dict[str, ParameterTypeDef], key: str) -> str:
    return published[key]["Value"]


def items(published: dict[str, ParameterTypeDef], key: str) -> list[str]:
    return published[key]["Value"].split(",")


def test_every_contract_key_is_published_and_nothing_else(published: dict[str, ParameterTypeDef]) -> None:
    assert sorted(published) == sorted(CONTRACT)


def test_every_parameter_has_the_contract_type(published: dict[str, ParameterTypeDef]) -> None:
    mismatched = {k: p["Type"] for k, p in published.items() if p["Type"] != CONTRACT[k]["type"]}
    assert mismatched == {}


def test_arns_are_arns_of_the_right_service(published: dict[str, ParameterTypeDef]) -> None:
    services = {
        "role-arn": "iam",
        "table-arn": "dynamodb",
        "table-stream-arn": "dynamodb",
        "bus-arn": "events",
        "user-pool-arn": "cognito-idp",
        "access-log-group-arn": "logs",
    }
    for key in (k for k in CONTRACT if k.endswith("-arn")):
        (service,) = {
            s for suffix, s in services.items() if key.endswith(f"/{suffix}") or key.endswith(f"-{suffix}")
        }
        assert re.fullmatch(rf"arn:aws:{service}:[a-z0-9-]*:\d{{12}}:\S+", value(published, key)), key


@cache
def functions(service: str) -> dict[str, str]:
    """Function key -> trigger of the service's template (read once)."""
    return template_functions(load_template(template_path(service)))


@pytest.mark.parametrize("service", SERVICES)
def test_names_are_decided_from_app_env_and_service(
    service: str, published: dict[str, ParameterTypeDef]
) -> None:
    prefix = f"{APP}-local-{service}-"
    for function, trigger in functions(service).items():
        assert value(published, f"{service}/{function}/function-name") == f"{prefix}{function}"
        if trigger == "stream":
            assert (
                value(published, f"{service}/{function}/failure-queue-name") == f"{prefix}{function}-failures"
            )
        if trigger == "schedule":
            assert value(published, f"{service}/{function}/dlq-name") == f"{prefix}{function}-dlq"
    if "api" in functions(service).values():
        assert value(published, f"{service}/api/name").startswith(prefix)
    assert value(published, "app/stage-name") == "local"


@pytest.mark.parametrize("service", SERVICES)
def test_stream_arn_is_the_tables_latest_stream(
    service: str, published: dict[str, ParameterTypeDef], emulator: Emulator
) -> None:
    table = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint).describe_table(
        TableName=value(published, f"{service}/data/table-name")
    )["Table"]
    assert value(published, f"{service}/data/table-stream-arn") == table["LatestStreamArn"]
    assert value(published, f"{service}/data/table-arn") == table["TableArn"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == [
        value(published, f"{service}/data/table-gsi1-name")
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_tables_are_encrypted_with_point_in_time_recovery(
    service: str, published: dict[str, ParameterTypeDef], emulator: Emulator
) -> None:
    dynamodb = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint)
    for key in (f"{service}/data/table-name", f"{service}/data/idempotency-table-name"):
        name = value(published, key)
        assert dynamodb.describe_table(TableName=name)["Table"]["SSEDescription"]["Status"] == "ENABLED", name
        backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED", name


def test_subnets_exist_are_private_and_span_two_zones(
    published: dict[str, ParameterTypeDef], emulator: Emulator
) -> None:
    ec2 = emulator.session.client("ec2", endpoint_url=emulator.endpoint)
    subnet_ids = items(published, "network/private-subnet-ids")
    subnets = ec2.describe_subnets(SubnetIds=subnet_ids)["Subnets"]
    assert len(subnets) == 2
    assert len({s["AvailabilityZone"] for s in subnets}) == 2
    routes = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": subnet_ids}])
    gateways = [r.get("GatewayId", "") for t in routes["RouteTables"] for r in t["Routes"]]
    assert not any(g.startswith("igw-") for g in gateways), "a private subnet routes to the internet gateway"


def test_security_group_is_egress_only(published: dict[str, ParameterTypeDef], emulator: Emulator) -> None:
    ec2 = emulator.session.client("ec2", endpoint_url=emulator.endpoint)
    (group,) = ec2.describe_security_groups(GroupIds=items(published, "network/lambda-security-group-ids"))[
        "SecurityGroups"
    ]
    assert group["IpPermissions"] == []
    assert [(p["IpProtocol"], p.get("FromPort"), p.get("ToPort")) for p in group["IpPermissionsEgress"]] == [
        ("tcp", 443, 443)
    ]


def test_roles_exist(published: dict[str, ParameterTypeDef], emulator: Emulator) -> None:
    iam = emulator.session.client("iam", endpoint_url=emulator.endpoint)
    for key in (k for k in CONTRACT if k.endswith("role-arn")):
        arn = value(published, key)
        assert iam.get_role(RoleName=arn.rsplit("/", 1)[1])["Role"]["Arn"] == arn, key


@pytest.mark.parametrize("service", SERVICES)
def test_log_groups_exist_with_retention(
    service: str, published: dict[str, ParameterTypeDef], emulator: Emulator
) -> None:
    logs = emulator.session.client("logs", endpoint_url=emulator.endpoint)
    groups = {g["logGroupName"]: g for g in logs.describe_log_groups(logGroupNamePrefix="/aws/")["logGroups"]}
    for function in functions(service):
        assert groups[value(published, f"{service}/{function}/log-group-name")]["retentionInDays"] == 1, (
            function
        )
    if "api" in functions(service).values():
        access_arns = {g["arn"].removesuffix(":*") for g in groups.values()}
        assert value(published, f"{service}/api/access-log-group-arn") in access_arns


@pytest.mark.parametrize("service", SERVICES)
def test_rollback_alarms_exist(
    service: str, published: dict[str, ParameterTypeDef], emulator: Emulator
) -> None:
    """envs/local has no composite alarms (moto lacks them): each function's error-rate alarm
    stands in."""
    cloudwatch = emulator.session.client("cloudwatch", endpoint_url=emulator.endpoint)
    for function in functions(service):
        name = value(published, f"{service}/{function}/rollback-alarm-name")
        [alarm] = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        [result] = [q for q in alarm["Metrics"] if q.get("ReturnData")]
        assert (alarm["AlarmName"], result["Expression"]) == (
            f"{APP}-local-{service}-{function}-error-rate",
            "IF(invocations > 0, 100 * errors / invocations, 0)",
        )


@pytest.mark.parametrize("service", SERVICES)
def test_each_function_alarms_near_its_templates_timeout(
    service: str, published: dict[str, ParameterTypeDef], emulator: Emulator
) -> None:
    """Terraform's services.tf repeats each function's timeout for its duration alarm: it must be
    the timeout the translated template gives the function."""
    ssm = emulator.session.client("ssm", endpoint_url=emulator.endpoint)
    cloudwatch = emulator.session.client("cloudwatch", endpoint_url=emulator.endpoint)
    functions = [
        f
        for f in Template(ssm, template_path(service)).functions().values()
        if not f.name.endswith(f"-{PRETRAFFIC}")
    ]
    assert functions
    for function in functions:
        [alarm] = cloudwatch.describe_alarms(AlarmNames=[f"{function.name}-duration"])["MetricAlarms"]
        assert alarm["Threshold"] == function.timeout_seconds * 1000 * 0.8, function.name


def test_event_bus_and_user_pool_exist(published: dict[str, ParameterTypeDef], emulator: Emulator) -> None:
    events = emulator.session.client("events", endpoint_url=emulator.endpoint)
    bus = events.describe_event_bus(Name=value(published, "events/bus-name"))
    assert bus["Arn"] == value(published, "events/bus-arn")
    archives = events.list_archives(EventSourceArn=bus["Arn"])["Archives"]
    assert len(archives) == 1

    cognito = emulator.session.client("cognito-idp", endpoint_url=emulator.endpoint)
    pool_id = value(published, "auth/user-pool-id")
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Arn"] == value(published, "auth/user-pool-arn")
    assert "custom:tenant" in {a["Name"] for a in pool["SchemaAttributes"]}
    client_id = value(published, "auth/user-pool-client-id")
    assert cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]


def test_artifacts_bucket_is_private_versioned_and_encrypted(
    published: dict[str, ParameterTypeDef], emulator: Emulator
) -> None:
    s3 = emulator.session.client("s3", endpoint_url=emulator.endpoint)
    bucket = value(published, "deploy/artifacts-bucket")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert len(block) == 4
    assert all(block.values())
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    # The lifecycle is left out locally (decision 0023); its rules are the storage module's test's.
    with pytest.raises(ClientError, match="NoSuchLifecycleConfiguration"):
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)


def test_second_plan_shows_no_changes(local_platform: LocalPlatform, emulator: Emulator) -> None:
    result = terraform(
        "plan",
        "-input=false",
        "-detailed-exitcode",
        "-parallelism=20",
        f"-var=emulator_port={emulator.port}",
        data_dir=local_platform.data_dir,
        check=False,
    )
    assert result.returncode == 0, f"plan after apply is not empty:\n{result.stdout[-3000:]}{result.stderr}"
