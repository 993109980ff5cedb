"""Fixtures shared by every suite: the AWS emulator and the local platform applied to it."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

from localcloud.emulator import die_with_parent, free_port
from localcloud.invoke import runtime_environment
from localcloud.template import Template
from localcloud.up import StartError
from localcloud.up import emulator as start_emulator
from scripts.sam_template import SERVICES, template_path
from tests.cloud import LOCAL_CLOUD, READY_SECONDS, LocalCloudProcess

ROOT = Path(__file__).resolve().parent.parent
# Every layer's packages import as they do in Lambda (`make` puts the same on PYTHONPATH).
sys.path[:0] = sorted(str(layer) for layer in (ROOT / "layers").iterdir() if layer.is_dir())
LOCAL_ENV_DIR = ROOT / "terraform" / "envs" / "local"
REGION = "us-east-1"
APPLY_SECONDS = pytest.StashKey[float]()
# Schedule time runs this much faster in the end-to-end suite: rate(1 hour) fires every 3 s.
E2E_SCHEDULE_SPEEDUP = 1200


@dataclass(frozen=True)
class Emulator:
    """A moto server on 127.0.0.1, owned by the test session."""

    endpoint: str
    port: int

    @property
    def session(self) -> boto3.Session:
        """A session with the emulator's region and credentials; pass endpoint_url to its clients."""
        return boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@dataclass(frozen=True)
class LocalPlatform:
    """envs/local applied to the emulator: its Terraform outputs and how long the apply took."""

    outputs: dict[str, object]
    apply_seconds: float
    data_dir: Path
    plan_file: Path  # the saved plan the apply carried out, a create-only plan of the whole platform

    def service(self, name: str) -> dict[str, Any]:
        """A service's outputs: stack_name, ssm_prefix, contract_parameters, table names, dashboard."""
        services: dict[str, dict[str, Any]] = self.outputs["services"]  # type: ignore[assignment]
        return services[name]

    def show(self, *args: str) -> str:
        """`terraform show` of the saved plan (pass -json for the JSON form)."""
        return terraform("show", *args, str(self.plan_file), data_dir=self.data_dir).stdout


@dataclass(frozen=True)
class FakeLambdaContext:
    """What the Lambda runtime passes as the context object, with the time left of a fresh call."""

    function_name: str = "demo-local-service-api"
    memory_limit_in_mb: int = 256
    aws_request_id: str = "52fdfc07-2182-454f-963f-5f0f9a621d72"
    timeout_millis: int = 30_000

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:123456789012:function:{self.function_name}:live"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_millis


class CallCounter:
    """Counts AWS API calls, by operation name: register it for botocore's before-call event."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def total(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        self.calls.clear()


@contextmanager
def function_module(
    logical_id: str, emulator: Emulator, overrides: Mapping[str, str] | None = None, *, service: str
) -> Iterator[ModuleType]:
    """A function of a service's template imported as Lambda would: a fresh module of its handler,
    with the environment the template gives it (SSM parameters resolved from the emulator, which
    must hold the applied platform) and the runtime's variables pointed at the emulator."""
    ssm = emulator.session.client("ssm", endpoint_url=emulator.endpoint)
    function = Template(ssm, template_path(service), overrides).function(logical_id)
    environment = runtime_environment(function, emulator.endpoint)
    del environment["PATH"]
    with pytest.MonkeyPatch.context() as patch:
        for variable, value in environment.items():
            patch.setenv(variable, value)
        spec = importlib.util.spec_from_file_location(
            f"{service}_{logical_id}_app", function.code_dir / f"{function.module_name}.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module


def queue_message(
    sample: dict[str, Any], tenant: str, subject: str, data: dict[str, Any], event_id: str | None = None
) -> dict[str, Any]:
    """A committed SQS record of a consumer (a rule's EventBridge event, a CloudEvent in its
    detail), for another tenant, subject, event id and data, with a message id of its own."""
    record: dict[str, Any] = copy.deepcopy(sample)
    body = json.loads(record["body"])
    body["detail"] |= {"tenant": tenant, "id": event_id or uuid.uuid4().hex, "subject": subject}
    body["detail"]["data"] |= data
    record["body"] = json.dumps(body)
    record["messageId"] = str(uuid.uuid4())
    return record


def failed_messages(consumer: ModuleType, *records: dict[str, Any]) -> list[str]:
    """The ids of the messages a queue consumer reports as failed (partial batch response)."""
    answer = consumer.lambda_handler({"Records": list(records)}, FakeLambdaContext())
    return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]


def stream_table(dynamodb: Any, name: str) -> str:
    """A table keyed by `pk` (a string) with a NEW_AND_OLD_IMAGES stream; its stream's ARN."""
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    arn: str = dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    return arn


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """The emulator as `make local` starts it, on a free port."""
    port = free_port()
    log = tmp_path_factory.mktemp("emulator") / "moto.log"
    try:
        with start_emulator(port, log) as endpoint:
            yield Emulator(endpoint=endpoint, port=port)
    except StartError as error:
        pytest.fail(str(error))


def terraform(
    *args: str, data_dir: Path, check: bool = True, directory: Path = LOCAL_ENV_DIR
) -> subprocess.CompletedProcess[str]:
    """Run terraform in a configuration (envs/local unless told) with a private data directory, so
    the developer's is untouched."""
    env = {**os.environ, "TF_DATA_DIR": str(data_dir), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    result = subprocess.run(
        ["terraform", f"-chdir={directory}", *args, "-no-color"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        hint = ""
        if "Failed to query available provider packages" in result.stderr:
            hint = (
                "\nRun the tests through `make pytest`: it points Terraform at the provider in TF_PLUGIN_DIR."
            )
        pytest.fail(
            f"terraform {args[0]} failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr}{hint}"
        )
    return result


@pytest.fixture(scope="session")
def local_platform(
    emulator: Emulator, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> LocalPlatform:
    work = tmp_path_factory.mktemp("terraform")
    data_dir = work / ".terraform"
    state_path = work / "terraform.tfstate"
    terraform("init", "-input=false", f"-backend-config=path={state_path}", data_dir=data_dir)
    plan_file = work / "create.tfplan"
    started = time.monotonic()
    # Plan, then apply the saved plan: the same work as one apply, and the plan is kept for the
    # plan-comment tests (a real plan of the whole platform).
    terraform(
        "plan",
        "-input=false",
        "-parallelism=20",
        f"-var=emulator_port={emulator.port}",
        f"-out={plan_file}",
        data_dir=data_dir,
    )
    applied = terraform(
        "apply", "-input=false", "-parallelism=20", str(plan_file), data_dir=data_dir, check=False
    )
    if applied.returncode != 0:
        pytest.fail(
            f"terraform apply failed ({applied.returncode}):\n{applied.stdout[-3000:]}{applied.stderr}"
        )
    apply_seconds = time.monotonic() - started
    pytestconfig.stash[APPLY_SECONDS] = apply_seconds
    raw = json.loads(terraform("output", "-json", data_dir=data_dir).stdout)
    outputs = {name: value["value"] for name, value in raw.items()}
    return LocalPlatform(outputs=outputs, apply_seconds=apply_seconds, data_dir=data_dir, plan_file=plan_file)


@pytest.fixture(scope="session")
def contract(local_platform: LocalPlatform, emulator: Emulator) -> dict[str, str]:
    """The SSM contract as Terraform wrote it to the emulator, by key: the platform's keys as the
    templates read them (`events/bus-name`), each service's below its name (`<service>/data/table-name`)."""
    names: dict[str, str] = dict(local_platform.outputs["contract_parameter_names"])  # type: ignore[call-overload]
    for service in SERVICES:
        names |= {
            f"{service}/{k}": n for k, n in local_platform.service(service)["contract_parameters"].items()
        }
    ssm = emulator.session.client("ssm", endpoint_url=emulator.endpoint)
    return {key: ssm.get_parameter(Name=name)["Parameter"]["Value"] for key, name in names.items()}


# The suites that use the running local cloud, in the order they run after all the others.
CLOUD_SUITES = ("tests/reliability/", "tests/e2e/")


def _cloud_suite(item: pytest.Item) -> int:
    return next((i + 1 for i, suite in enumerate(CLOUD_SUITES) if item.nodeid.startswith(suite)), 0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The suites of the running local cloud run last, while it starts behind the other suites;
    the end-to-end suite, whose last test stops it, runs after the reliability suite."""
    items.sort(key=_cloud_suite)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the local cloud as soon as a suite that uses it is known to run: its Terraform
    apply then overlaps the other suites instead of adding to them."""
    if not any(_cloud_suite(item) for item in session.items):
        return
    work = Path(tempfile.mkdtemp(prefix="splitstack-e2e-"))
    api_port, aws_port = free_port(), free_port()
    log = work / "local-cloud.log"
    command = [
        sys.executable, "-m", "localcloud.up",
        "--aws-port", str(aws_port),
        "--port", str(api_port),
        "--work-dir", str(work),
        "--schedule-speedup", str(E2E_SCHEDULE_SPEEDUP),
    ]  # fmt: skip
    with log.open("wb") as out:  # stopped at the session's end, or when pytest is killed
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,  # noqa: PLW1509  # only prctl, safe after fork
        )
    session.config.stash[LOCAL_CLOUD] = LocalCloudProcess(process, api_port, aws_port, log, time.monotonic())


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Whatever the tests did, the local cloud does not outlive the session."""
    started = session.config.stash.get(LOCAL_CLOUD, None)
    if started is not None and started.process.poll() is None:
        started.process.terminate()
        try:
            started.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            started.process.kill()
            started.process.wait()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if READY_SECONDS in config.stash:
        terminalreporter.write_line(
            f"make local (localcloud.up) reached READY in {config.stash[READY_SECONDS]:.1f}s"
        )
    if APPLY_SECONDS in config.stash:
        terminalreporter.write_line(
            f"terraform apply of envs/local against the emulator: {config.stash[APPLY_SECONDS]:.1f}s"
        )
