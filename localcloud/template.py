"""A service's template as the local cloud runs it: parameters resolved, functions with their code,
handler, timeout, layers and environment.

Parameters resolve the way CloudFormation resolves them: an `AWS::SSM::Parameter::Value<...>`
parameter reads the SSM parameter its value names (the default, or an override), and a name that
does not exist stops everything with an error naming it. Intrinsic functions are evaluated where
they can be without a deployment: Ref to parameters and pseudo parameters, Fn::Sub, Fn::If on
conditions over parameters (what AWS::LanguageExtensions resolves before SAM), Fn::Equals, Fn::Not;
Ref and Fn::GetAtt of a resource the local cloud created (see `provide`); any other Fn::GetAtt is
left as it is, for whoever needs its value to refuse with a message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.sam_template import SERVICES, load_template, template_path

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient

SSM_TYPE = re.compile(r"^AWS::SSM::Parameter::Value<(.+)>$")
NO_VALUE = object()


class TemplateError(RuntimeError):
    """The template cannot run locally as it is; the message says what to fix."""


@dataclass(frozen=True)
class Function:
    logical_id: str
    name: str
    code_dir: Path
    handler: str
    timeout_seconds: int
    memory_mb: int
    layer_dirs: tuple[Path, ...]
    environment: dict[str, str]
    events: dict[str, dict[str, Any]]
    reserved_concurrency: int | None = None

    @property
    def module_name(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def function_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]


class Template:
    def __init__(
        self,
        ssm: SSMClient,
        path: Path,
        overrides: Mapping[str, str] | None = None,
        region: str = "us-east-1",
        account_id: str = "123456789012",
    ) -> None:
        self.path = path
        self.raw = load_template(path)
        self.pseudo = {"AWS::Region": region, "AWS::AccountId": account_id, "AWS::Partition": "aws"}
        self.parameters = self._resolve_parameters(ssm, overrides or {})
        self.provided: dict[str, dict[str, str]] = {}
        self.conditions = {name: bool(self.evaluate(c)) for name, c in self.raw.get("Conditions", {}).items()}

    @staticmethod
    def declared(path: Path) -> list[str]:
        """The parameters a template declares, without resolving any."""
        return list(load_template(path)["Parameters"])

    def _resolve_parameters(self, ssm: SSMClient, overrides: Mapping[str, str]) -> dict[str, Any]:
        unknown = sorted(set(overrides) - set(self.raw["Parameters"]))
        if unknown:
            raise TemplateError(f"{self.path} has no parameter {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, spec in self.raw["Parameters"].items():
            value = overrides.get(name, spec.get("Default"))
            if value is None:
                raise TemplateError(f"parameter {name} has no default and no override")
            match = SSM_TYPE.match(spec["Type"])
            if match:
                try:
                    value = ssm.get_parameter(Name=str(value))["Parameter"]["Value"]
                except ssm.exceptions.ParameterNotFound:
                    raise TemplateError(
                        f"SSM parameter {value} (template parameter {name}) does not exist: "
                        "apply the platform first (make tf-apply ENV=local)"
                    ) from None
                if match.group(1).startswith("List<"):
                    value = value.split(",")
            values[name] = value
        return values

    def evaluate(self, node: Any) -> Any:  # noqa: PLR0911  # one branch per intrinsic function
        """The value of a template node, with every intrinsic function that can be evaluated here."""
        if isinstance(node, list):
            return [v for v in (self.evaluate(n) for n in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"}:
            return self._ref(node["Ref"])
        if set(node) == {"Fn::Sub"}:
            return re.sub(r"\$\{([^}!]+)\}", lambda m: str(self._ref(m.group(1))), node["Fn::Sub"])
        if set(node) == {"Fn::If"}:
            condition, if_true, if_false = node["Fn::If"]
            return self.evaluate(if_true if self.conditions[condition] else if_false)
        if set(node) == {"Fn::GetAtt"}:
            target = node["Fn::GetAtt"]
            logical_id, attribute = target.split(".", 1) if isinstance(target, str) else target
            return self.provided.get(logical_id, {}).get(attribute, node)
        if set(node) == {"Fn::Equals"}:
            left, right = (self.evaluate(n) for n in node["Fn::Equals"])
            return str(left) == str(right)
        if set(node) == {"Fn::Not"}:
            return not self.evaluate(node["Fn::Not"][0])
        return {k: v for k, v in ((k, self.evaluate(v)) for k, v in node.items()) if v is not NO_VALUE}

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.provided:
            return self.provided[name]["Ref"]
        if name in self.raw["Resources"]:
            return name
        raise TemplateError(f"Ref to {name}, which is neither a parameter nor a resource of {self.path}")

    def provide(self, logical_id: str, ref: str, **attributes: str) -> None:
        """Record a resource the local cloud created: its Ref value and its Fn::GetAtt attributes."""
        self.provided[logical_id] = {"Ref": ref, **attributes}

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """The evaluated properties of every resource of one type, by logical id."""
        return {
            logical_id: self.evaluate(resource.get("Properties", {}))
            for logical_id, resource in self.raw["Resources"].items()
            if resource["Type"] == resource_type
        }

    def functions(self) -> dict[str, Function]:
        """Every AWS::Serverless::Function, Globals merged in, keyed by logical id."""
        globals_ = self.evaluate(self.raw.get("Globals", {}).get("Function", {}))
        found = {}
        for logical_id, resource in self.raw["Resources"].items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            own = self.evaluate(resource["Properties"])
            merged = {**globals_, **own}
            environment = {
                **globals_.get("Environment", {}).get("Variables", {}),
                **own.get("Environment", {}).get("Variables", {}),
            }
            found[logical_id] = Function(
                logical_id=logical_id,
                name=str(merged.get("FunctionName", logical_id)),
                code_dir=(self.path.parent / merged["CodeUri"]).resolve(),
                handler=merged["Handler"],
                timeout_seconds=int(merged.get("Timeout", 3)),
                memory_mb=int(merged.get("MemorySize", 128)),
                layer_dirs=tuple(self._layer_dir(layer) for layer in merged.get("Layers", [])),
                environment={k: str(v) for k, v in environment.items()},
                events=own.get("Events", {}),
                reserved_concurrency=(
                    int(merged["ReservedConcurrentExecutions"])
                    if "ReservedConcurrentExecutions" in merged
                    else None
                ),
            )
        return found

    def _layer_dir(self, logical_id: str) -> Path:
        layer = self.raw["Resources"].get(logical_id)
        if layer is None or layer["Type"] != "AWS::Serverless::LayerVersion":
            raise TemplateError(f"layer {logical_id} is not an AWS::Serverless::LayerVersion of {self.path}")
        return (self.path.parent / str(layer["Properties"]["ContentUri"])).resolve()

    def function(self, logical_id_or_name: str) -> Function:
        functions = self.functions()
        for function in functions.values():
            if logical_id_or_name in (function.logical_id, function.name):
                return function
        raise TemplateError(f"no function {logical_id_or_name}: the template has {', '.join(functions)}")


def find_function(
    ssm: SSMClient, logical_id_or_name: str, overrides: Mapping[str, str] | None = None
) -> Function:
    """A function of any service's template, by logical id or name; "service/LogicalId" when
    two templates have the same logical id."""
    service, _, wanted = logical_id_or_name.rpartition("/")
    found = []
    for name in [service] if service else SERVICES:
        path = template_path(name)
        own = {k: v for k, v in (overrides or {}).items() if k in Template.declared(path)}
        found += [
            f for f in Template(ssm, path, own).functions().values() if wanted in (f.logical_id, f.name)
        ]
    if len(found) != 1:
        where = "no service's template has" if not found else "several templates have"
        raise TemplateError(f"{where} a function {wanted}: name it service/LogicalId or by its function name")
    return found[0]
