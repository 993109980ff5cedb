"""The SSM contract's two levels, as the contract files list them and a service's template reads them.

terraform/modules/contract/platform.json lists the platform's keys, published once per app and
environment under /<app>/<env>/; terraform/modules/service/contract.json lists a service's keys,
published under /<app>/<env>/<service>/, some once per service and some once per function of a
trigger ("{function}" in the key). Terraform expands the service file from the `functions` of a
service's module block; here the same expansion starts from the functions of the service's SAM
template, so the contract tests can compare the two both ways.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_FILE = ROOT / "terraform" / "modules" / "contract" / "platform.json"
SERVICE_FILE = ROOT / "terraform" / "modules" / "service" / "contract.json"
# The app's name, region, auth mode and NAT modes, defined once for Terraform, make and the scripts.
PROJECT: dict[str, Any] = json.loads((ROOT / "project.json").read_text())
APP: str = PROJECT["app"]
SSM_TYPE = re.compile(r"^AWS::SSM::Parameter::Value<(.+)>$")
# What invokes a function, by the type of its SAM events.
TRIGGERS = {"Api": "api", "DynamoDB": "stream", "ScheduleV2": "schedule", "SQS": "queue"}
# The key of each service's pre-traffic hook, which CodeDeploy invokes: no events, no function keys.
PRETRAFFIC = "pretraffic"


def load(path: Path) -> dict[str, dict[str, str]]:
    parameters: dict[str, dict[str, str]] = json.loads(path.read_text())["parameters"]
    return parameters


def service_keys(functions: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The service level for these functions (key -> trigger), "{function}" expanded."""
    contract = load(SERVICE_FILE)
    has_api = "api" in functions.values()
    keys = {k: p for k, p in contract.items() if p["scope"] == "service" or (p["scope"] == "api" and has_api)}
    for function, trigger in functions.items():
        keys |= {
            k.replace("{function}", function): p
            for k, p in contract.items()
            if p["scope"] in ("function", trigger)
        }
    return keys


def template_functions(template: Mapping[str, Any]) -> dict[str, str]:
    """Function key -> trigger of every function of a service's template but its pre-traffic hook
    (whose keys are the service's own).

    The key is the contract's name of the function: the path segment of the SSM key its
    FunctionName reads (/<app>/local/<service>/<key>/function-name).
    """
    functions = {}
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        name_parameter = template["Parameters"][resource["Properties"]["FunctionName"]["Ref"]]
        key = name_parameter["Default"].split("/")[-2]
        if key == PRETRAFFIC:
            continue
        types = {event["Type"] for event in resource["Properties"].get("Events", {}).values()}
        triggers = {TRIGGERS[t] for t in types if t in TRIGGERS}
        if len(triggers) != 1:
            raise ValueError(
                f"function {key} must have events of one trigger ({', '.join(TRIGGERS)}), has {types}"
            )
        functions[key] = triggers.pop()
    return functions


def template_parameters(template: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """SSM path under /<app>/local/ -> (template parameter, SAM type) of every SSM-typed parameter."""
    found = {}
    for name, spec in template["Parameters"].items():
        match = SSM_TYPE.match(spec["Type"])
        if match:
            found[spec["Default"].removeprefix(f"/{APP}/local/")] = (name, match.group(1))
    return found
