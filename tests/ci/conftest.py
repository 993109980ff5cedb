"""Real Terraform plans for the plan-comment tests, made against the session's emulator."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Emulator, LocalPlatform, terraform

FIXTURE = Path(__file__).parent / "plan_fixture"
APPLIED: dict[str, Any] = {
    "settings": {"log-level": "INFO", "page-size": "50", "region-label": "eu"},
    "release_parameter": "/plan-fixture/release",
}


@dataclass(frozen=True)
class Plan:
    """A plan of the fixture: the JSON and text of `terraform show`, or the output of a failed plan."""

    json: dict[str, Any]
    text: str
    failed_output: str = ""


@pytest.fixture(scope="session")
def platform_plan(local_platform: LocalPlatform) -> Plan:
    """The saved create-only plan of the whole platform that the session applied."""
    return Plan(json=json.loads(local_platform.show("-json")), text=local_platform.show())


@pytest.fixture(scope="session")
def fixture_plans(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Plan]:
    """The small fixture applied, then planned three ways side by side (each Terraform command
    spends seconds loading the provider): with an update, a replacement and a destroy; with no
    change; and failing. The text is what `terraform plan` printed, the JSON what `terraform show
    -json` makes of the saved plan. The fixture's resources stay in the session's emulator, under
    names of their own."""
    work = tmp_path_factory.mktemp("plan-fixture")
    data_dir = work / ".terraform"
    state = work / "terraform.tfstate"

    def variables(name: str, values: dict[str, Any]) -> str:
        path = work / f"{name}.tfvars.json"
        path.write_text(json.dumps({"emulator_port": emulator.port, **values}))
        return f"-var-file={path}"

    def plan(name: str, values: dict[str, Any], *, fails: bool = False) -> Plan:
        plan_file = work / f"{name}.tfplan"
        args = ("plan", "-input=false", "-lock=false", f"-state={state}", variables(name, values))
        result = terraform(*args, f"-out={plan_file}", data_dir=data_dir, directory=FIXTURE, check=not fails)
        if fails:
            assert result.returncode == 1, result.stdout + result.stderr
            return Plan(json={}, text="", failed_output=result.stdout + result.stderr)
        shown = terraform("show", "-json", str(plan_file), data_dir=data_dir, directory=FIXTURE)
        return Plan(json=json.loads(shown.stdout), text=result.stdout)

    terraform("init", "-input=false", data_dir=data_dir, directory=FIXTURE)
    apply = ("apply", "-input=false", "-auto-approve", f"-state={state}", variables("applied", APPLIED))
    terraform(*apply, data_dir=data_dir, directory=FIXTURE)
    settings = APPLIED["settings"]
    changed = {
        # page-size updates in place, region-label is destroyed, the renamed release parameter is replaced.
        "settings": {"log-level": settings["log-level"], "page-size": "100"},
        "release_parameter": "/plan-fixture/release-v2",
    }
    variants: dict[str, tuple[dict[str, Any], bool]] = {
        "changes": (changed, False),
        "no-change": (APPLIED, False),
        "failed": ({**APPLIED, "read_missing_parameter": True}, True),
    }
    with ThreadPoolExecutor(max_workers=len(variants)) as pool:
        futures = {
            name: pool.submit(plan, name, values, fails=fails) for name, (values, fails) in variants.items()
        }
        return {name: future.result() for name, future in futures.items()}
