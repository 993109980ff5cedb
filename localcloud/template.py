"""A service's template as the local cloud runs it: the CloudFormation template that
CloudFormation would run, translated here the same way, with its parameters resolved.

CloudFormation runs the template's transforms in order. AWS::LanguageExtensions comes first: here
it resolves Fn::If from the template's conditions (all the templates need of it, the Auth of the
Api; `make sam-translate` runs the SAM CLI's full implementation against every environment).
AWS::Serverless then runs in-process: aws-sam-translator, the library CloudFormation's transform
runs, at the version the SAM CLI pins. Globals, event sources, aliases, the REST API's OpenAPI body
and its authorizers are then what they would be on AWS, and the local cloud reads only the
resulting CloudFormation resources: AWS::Lambda::Function (its code and layers are the local
directories the template names), AWS::Lambda::EventSourceMapping, AWS::Scheduler::Schedule,
AWS::ApiGateway::RestApi and its Stage, AWS::SQS::Queue, AWS::Events::Rule and
AWS::SQS::QueuePolicy.

Parameters resolve the way CloudFormation resolves them: an `AWS::SSM::Parameter::Value<...>`
parameter reads the SSM parameter its value names (the default, or an override), and a name that
does not exist stops everything with an error naming it. Intrinsic functions are evaluated where
they can be without a deployment: Ref to parameters and pseudo parameters, Fn::Sub, Fn::If,
Fn::Equals, Fn::Not; Ref and Fn::GetAtt of a resource the local cloud created (see `provide`); any
other Fn::GetAtt is left as it is, for whoever needs its value to refuse with a message.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from scripts.sam_template import SERVICES, load_template, template_path

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient

SSM_TYPE = re.compile(r"^AWS::SSM::Parameter::Value<(.+)>$")
SUBSTITUTION = re.compile(r"\$\{([^}!]+)\}")
NO_VALUE = object()
SERVERLESS = "AWS::Serverless-2016-10-31"
# Where the code of each function and layer is, as `sam package` would have put it in S3: the
# translator takes only S3 locations; the key is the resource's logical id.
LOCAL_CODE = "local-code"
ARTIFACTS = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


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
    reserved_concurrency: int | None = None

    @property
    def module_name(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def function_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]


@dataclass(frozen=True)
class Invoker:
    """A resource that invokes a function: an event source mapping or a schedule, its logical id,
    the function's logical id and its evaluated properties."""

    logical_id: str
    function: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class Method:
    """One method of a REST API's OpenAPI body: what API Gateway serves, and who may call it."""

    method: str  # GET, POST, ... or ANY
    path: str  # /items/{item_id}
    function: str  # the logical id of the function of its Lambda proxy integration
    security: list[dict[str, list[str]]]


@dataclass(frozen=True)
class RestApi:
    logical_id: str
    name: str
    stage: str
    methods: list[Method]
    security_definitions: dict[str, dict[str, Any]]
    binary_media_types: list[str]
    access_log_format: str | None


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
        self.resolved: dict[str, Any] = {}  # the translation's resources, until translated: the template's
        self.conditions = {name: bool(self.evaluate(c)) for name, c in self.raw.get("Conditions", {}).items()}
        self.code: dict[str, Path] = {}
        self.translated = self._translate(region)

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

    def _translate(self, region: str) -> dict[str, Any]:
        """The CloudFormation template CloudFormation would get from the transforms."""
        sam = self._language_extensions(copy.deepcopy(self.raw))
        transforms = sam.get("Transform", [])
        if SERVERLESS not in (transforms if isinstance(transforms, list) else [transforms]):
            raise TemplateError(f"{self.path} is not a SAM template: it has no {SERVERLESS} transform")
        sam["Transform"] = SERVERLESS
        for logical_id, resource in sam["Resources"].items():
            key = ARTIFACTS.get(resource["Type"])
            if key is not None:
                local = resource.get("Properties", {}).get(key)
                if not isinstance(local, str) or local.startswith("s3://"):
                    raise TemplateError(f"{logical_id}: {key} must be a local directory to run locally")
                self.code[logical_id] = (self.path.parent / local).resolve()
                resource["Properties"][key] = f"s3://{LOCAL_CODE}/{logical_id}"
        logging.getLogger("samtranslator").setLevel(logging.ERROR)  # its notes on feature toggles
        translator = Translator({}, Parser(), boto_session=boto3.Session(region_name=region))
        try:
            translated: dict[str, Any] = translator.translate(
                sam, parameter_values={**self.parameters, **self.pseudo}, get_managed_policy_map=dict
            )
        except InvalidDocumentException as error:
            causes = "; ".join(str(c) for c in error.causes)
            raise TemplateError(f"{self.path}: the SAM translator refuses the template: {causes}") from None
        # What CloudFormation would create: a resource whose condition is false is not.
        self.resolved = {
            logical_id: resource
            for logical_id, resource in translated["Resources"].items()
            if "Condition" not in resource or self.conditions[resource["Condition"]]
        }
        return translated

    def _language_extensions(self, node: Any) -> Any:
        """The template with every Fn::If resolved, as AWS::LanguageExtensions leaves it."""
        if isinstance(node, list):
            return [self._language_extensions(n) for n in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Fn::If"}:
            condition, if_true, if_false = node["Fn::If"]
            return self._language_extensions(if_true if self.conditions[condition] else if_false)
        return {k: self._language_extensions(v) for k, v in node.items()}

    def evaluate(self, node: Any) -> Any:  # noqa: PLR0911  # one branch per intrinsic function
        """The value of a template node, with every intrinsic function that can be evaluated here."""
        if isinstance(node, list):
            return [v for v in (self.evaluate(n) for n in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"}:
            return self._ref(node["Ref"])
        if set(node) == {"Fn::Sub"}:
            text, variables = node["Fn::Sub"] if isinstance(node["Fn::Sub"], list) else (node["Fn::Sub"], {})
            values = {k: self.evaluate(v) for k, v in variables.items()}
            return SUBSTITUTION.sub(lambda m: str(values.get(m.group(1), self._sub(m.group(1)))), text)
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

    def _sub(self, name: str) -> Any:
        if "." in name:
            logical_id, attribute = name.split(".", 1)
            return self.provided.get(logical_id, {}).get(attribute, "${" + name + "}")
        return self._ref(name)

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.provided:
            return self.provided[name]["Ref"]
        if name in self.resolved or name in self.raw["Resources"]:
            return name
        raise TemplateError(f"Ref to {name}, which is neither a parameter nor a resource of {self.path}")

    def provide(self, logical_id: str, ref: str, **attributes: str) -> None:
        """Record a resource the local cloud created: its Ref value and its Fn::GetAtt attributes."""
        self.provided[logical_id] = {"Ref": ref, **attributes}

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """The evaluated properties of every resource of one type of the translated template."""
        return {
            logical_id: self.evaluate(resource.get("Properties", {}))
            for logical_id, resource in self.resolved.items()
            if resource["Type"] == resource_type
        }

    def functions(self) -> dict[str, Function]:
        """Every AWS::Lambda::Function, keyed by logical id."""
        found = {}
        for logical_id, properties in self.resources("AWS::Lambda::Function").items():
            found[logical_id] = Function(
                logical_id=logical_id,
                name=str(properties.get("FunctionName", logical_id)),
                code_dir=self._code(properties.get("Code", {}), logical_id),
                handler=str(properties["Handler"]),
                timeout_seconds=int(properties.get("Timeout", 3)),
                memory_mb=int(properties.get("MemorySize", 128)),
                layer_dirs=tuple(
                    self._layer_dir(layer, logical_id) for layer in properties.get("Layers", [])
                ),
                environment={
                    k: str(v) for k, v in properties.get("Environment", {}).get("Variables", {}).items()
                },
                reserved_concurrency=(
                    int(properties["ReservedConcurrentExecutions"])
                    if "ReservedConcurrentExecutions" in properties
                    else None
                ),
            )
        return found

    def _code(self, location: dict[str, Any], owner: str) -> Path:
        if location.get("S3Bucket") != LOCAL_CODE or location.get("S3Key") not in self.code:
            raise TemplateError(f"{owner}: its code is not a local directory of the template")
        return self.code[location["S3Key"]]

    def _layer_dir(self, layer: Any, owner: str) -> Path:
        resource = self.resolved.get(str(layer), {})
        if resource.get("Type") != "AWS::Lambda::LayerVersion":
            raise TemplateError(f"{owner}: layer {layer} is not a layer of {self.path}")
        return self._code(resource["Properties"].get("Content", {}), str(layer))

    def function_of(self, node: Any) -> str | None:
        """The logical id of the function a Ref, Fn::GetAtt or Fn::Sub of the translated template
        names (directly, or through an alias or a version), or None."""
        if isinstance(node, dict) and set(node) == {"Ref"}:
            names = [str(node["Ref"])]
        elif isinstance(node, dict) and set(node) == {"Fn::GetAtt"}:
            target = node["Fn::GetAtt"]
            names = [target.split(".", 1)[0] if isinstance(target, str) else str(target[0])]
        elif isinstance(node, dict) and set(node) == {"Fn::Sub"}:
            text = node["Fn::Sub"][0] if isinstance(node["Fn::Sub"], list) else node["Fn::Sub"]
            names = [m.split(".", 1)[0] for m in SUBSTITUTION.findall(str(text))]
        else:
            return None
        for name in names:
            resource = self.resolved.get(name, {})
            if resource.get("Type") == "AWS::Lambda::Function":
                return name
            if resource.get("Type") in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                return self.function_of(resource["Properties"]["FunctionName"])
        return None

    def invokers(self, resource_type: str) -> list[Invoker]:
        """The event source mappings ("AWS::Lambda::EventSourceMapping") or schedules
        ("AWS::Scheduler::Schedule") of the template's functions."""
        found = []
        for logical_id, resource in self.resolved.items():
            if resource["Type"] != resource_type:
                continue
            properties = resource.get("Properties", {})
            target = (
                properties.get("FunctionName")
                if "FunctionName" in properties
                else properties.get("Target", {}).get("Arn")
            )
            function = self.function_of(target)
            if function is None:
                raise TemplateError(f"{logical_id}: invokes {target}, which is no function of {self.path}")
            found.append(Invoker(logical_id, function, self.evaluate(properties)))
        return found

    def invoke_configs(self) -> dict[str, dict[str, Any]]:
        """Each function's asynchronous invocation settings (AWS::Lambda::EventInvokeConfig:
        retries, on-failure destination), by the function's logical id."""
        found = {}
        for logical_id, resource in self.resolved.items():
            if resource["Type"] == "AWS::Lambda::EventInvokeConfig":
                function = self.function_of(resource["Properties"].get("FunctionName"))
                if function is None:
                    raise TemplateError(f"{logical_id}: configures no function of {self.path}")
                found[function] = self.evaluate(resource["Properties"])
        return found

    def rest_apis(self) -> list[RestApi]:
        """Every REST API, with its stage and the methods of its OpenAPI body."""
        stages = {
            str(resource["Properties"]["RestApiId"].get("Ref")): self.evaluate(resource["Properties"])
            for resource in self.resolved.values()
            if resource["Type"] == "AWS::ApiGateway::Stage"
        }
        found = []
        for logical_id, resource in self.resolved.items():
            if resource["Type"] != "AWS::ApiGateway::RestApi":
                continue
            properties = resource["Properties"]
            body = properties.get("Body")
            if body is None or logical_id not in stages:
                raise TemplateError(f"{logical_id}: a REST API runs locally with an OpenAPI body and a stage")
            methods = []
            for path, operations in body.get("paths", {}).items():
                for verb, operation in operations.items():
                    method = "ANY" if verb == "x-amazon-apigateway-any-method" else verb.upper()
                    if verb.lower() not in HTTP_METHODS and method != "ANY":
                        continue
                    integration = operation.get("x-amazon-apigateway-integration", {})
                    function = self.function_of(integration.get("uri"))
                    if integration.get("type") != "aws_proxy" or function is None:
                        raise TemplateError(
                            f"{logical_id} {method} {path}: only Lambda proxy integrations of this "
                            "template's functions run locally"
                        )
                    methods.append(Method(method, path, function, operation.get("security", [])))
            stage = stages[logical_id]
            found.append(
                RestApi(
                    logical_id=logical_id,
                    name=str(self.evaluate(properties.get("Name", logical_id))),
                    stage=str(stage["StageName"]),
                    methods=methods,
                    security_definitions=self.evaluate(body.get("securityDefinitions", {})),
                    binary_media_types=[
                        str(t).replace("~1", "/")
                        for t in body.get("x-amazon-apigateway-binary-media-types", [])
                    ],
                    access_log_format=stage.get("AccessLogSetting", {}).get("Format"),
                )
            )
        return found

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
