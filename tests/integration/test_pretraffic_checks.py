"""The pre-traffic checks against the real handlers: what the hook sends each function of each
stack (by the kind its template's PRETRAFFIC_CHECKS gives it) is answered as a fit version answers,
with the template's environment from the applied contract. An unfit version is shown to fail the
same checks: a handler whose settings cannot load."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from localcloud.template import Template
from scripts.contract import PRETRAFFIC
from scripts.sam_template import SERVICES, template_path
from splitstack.deploy_hook import Answer, Invoker, failures
from tests.conftest import FakeLambdaContext, function_module

if TYPE_CHECKING:
    from types import ModuleType

    from tests.conftest import Emulator, LocalPlatform

pytestmark = pytest.mark.emulator


def lambda_invoke(module: ModuleType, name: str) -> Invoker:
    """Lambda's Invoke of the handler: its answer, or the error it raised as Lambda reports it."""

    def invoke(event: dict[str, Any]) -> Answer:
        try:
            return Answer(None, module.lambda_handler(event, FakeLambdaContext(function_name=name)))
        except Exception as error:  # what Lambda does with any unhandled error
            return Answer("Unhandled", {"errorType": type(error).__name__, "errorMessage": str(error)})

    return invoke


def hook_checks(emulator: Emulator, service: str) -> dict[str, tuple[str, str]]:
    """Function name -> (logical id, kind), from the translated template's hook."""
    ssm = emulator.session.client("ssm", endpoint_url=emulator.endpoint)
    template = Template(ssm, template_path(service))
    functions = template.functions()
    [hook] = [f for f in functions.values() if f.name.endswith(f"-{PRETRAFFIC}")]
    kinds: dict[str, str] = json.loads(hook.environment["PRETRAFFIC_CHECKS"])
    by_name = {f.name: f.logical_id for f in functions.values()}
    assert set(kinds) == set(by_name) - {hook.name}, "every function of the stack has a check"
    return {name: (by_name[name], kind) for name, kind in kinds.items()}


@pytest.mark.parametrize("service", SERVICES)
def test_every_function_passes_its_check(
    service: str, local_platform: LocalPlatform, emulator: Emulator
) -> None:
    for name, (logical_id, kind) in hook_checks(emulator, service).items():
        with function_module(logical_id, emulator, service=service) as module:
            assert failures(kind, lambda_invoke(module, name)) == [], name


@pytest.mark.parametrize("service", SERVICES)
def test_a_version_that_cannot_start_fails_its_check(
    local_platform: LocalPlatform, emulator: Emulator, service: str
) -> None:
    """The API function given tenant principals that are not JSON: it fails when its module starts
    (its settings refuse them), before any handler runs, which is what the hook must catch."""
    checks = hook_checks(emulator, service)
    [(name, (logical_id, kind))] = [(n, c) for n, c in checks.items() if c[1] == "api"]

    def starting_fails(event: dict[str, Any]) -> Answer:
        try:
            with function_module(logical_id, emulator, {"TenantPrincipals": "{"}, service=service) as module:
                return lambda_invoke(module, name)(event)
        except Exception as error:  # Lambda answers an init failure with this type
            return Answer("Unhandled", {"errorType": "Runtime.ImportModuleError", "errorMessage": str(error)})

    reasons = failures(kind, starting_fails)
    assert [r.split(" failed: ")[0] for r in reasons] == ["GET /health", "GET /openapi.json"], reasons
    for reason in reasons:
        assert "Runtime.ImportModuleError" in reason, reason
        assert "TENANT_PRINCIPALS" in reason.upper(), reason
