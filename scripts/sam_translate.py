"""Transform every service's template as CloudFormation does, for every environment and AuthMode.

CloudFormation runs the template's transforms in order: AWS::LanguageExtensions (which resolves
the Fn::If of the Auth settings from AuthMode), then AWS::Serverless (aws-sam-translator).
`sam validate` runs only the second, on the template's defaults, and `sam validate --lint` and
cfn-lint run neither, so a template they pass can still fail its first deployment. Here: the SAM
CLI's own implementation of the language extensions, then the translator, with the parameters of
each environment (the service's samconfig.toml; the template's defaults for local) and each allowed
AuthMode; local code paths become S3 URIs, as `sam package` makes them. The translated REST API
must then keep /health and /openapi.json public and put every other method behind the mode's
authorization.

Runs in the SAM CLI's environment: `make sam-translate`.
"""

from __future__ import annotations

import copy
import logging
import shlex
import sys
import tomllib
from pathlib import Path
from typing import Any

from samcli.lib.cfn_language_extensions.api import process_template
from samcli.lib.cfn_language_extensions.models import PseudoParameterValues, ResolutionMode
from samcli.yamlhelper import yaml_parse
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform

from scripts.sam_template import SAM, SERVICES, template_path

PUBLIC = {"/health", "/openapi.json"}
# What API Gateway is told to check on the other methods, per AuthMode.
SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "COGNITO": [{"CognitoAuthorizer": []}],
    "IAM": [{"AWS_IAM": []}],
    "API_KEY": [{"api_key": []}],
}
ARTIFACTS = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}


class NoManagedPolicies:
    """The functions take Terraform's roles (`Role`), so no managed policy name is looked up."""

    def load(self) -> dict[str, str]:
        return {}


def environments(template: dict[str, Any], samconfig: Path) -> dict[str, dict[str, Any]]:
    """Each environment's parameter values: the template's defaults, then samconfig's overrides."""
    defaults = {name: spec.get("Default") for name, spec in template["Parameters"].items()}
    found = {"local": defaults}
    for env, config in tomllib.loads(samconfig.read_text()).items():
        if not isinstance(config, dict):  # the file's version
            continue
        overrides = config.get("deploy", {}).get("parameters", {}).get("parameter_overrides", "")
        found[env] = {**defaults, **dict(pair.split("=", 1) for pair in shlex.split(overrides))}
    return found


def translate(template: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    expanded = process_template(
        copy.deepcopy(template),
        parameter_values=parameters,
        pseudo_parameters=PseudoParameterValues(region="eu-west-1", account_id="123456789012"),
        resolution_mode=ResolutionMode.PARTIAL,
    )
    for resource in expanded["Resources"].values():
        key = ARTIFACTS.get(resource["Type"])
        if key and not str(resource["Properties"].get(key, "s3://")).startswith("s3://"):
            resource["Properties"][key] = "s3://artifacts/package.zip"
    translated: dict[str, Any] = transform(expanded, parameters, NoManagedPolicies())
    return translated


def wrong_security(translated: dict[str, Any], mode: str) -> list[str]:
    """The methods of the translated REST API whose authorization is not what the mode asks for."""
    (api,) = [r for r in translated["Resources"].values() if r["Type"] == "AWS::ApiGateway::RestApi"]
    wrong = []
    for path, methods in api["Properties"]["Body"]["paths"].items():
        for method, spec in methods.items():
            security = spec.get("security", [])
            public = security in ([], [{"NONE": []}])
            if (path in PUBLIC) != public or (path not in PUBLIC and security != SECURITY[mode]):
                wrong.append(f"{method.upper()} {path}: {security}")
    return wrong


def main() -> int:
    logging.disable(logging.WARNING)  # the translator's notes on feature toggles and metrics
    failed = False
    for service in SERVICES:
        template = yaml_parse(template_path(service).read_text())
        modes = template["Parameters"]["AuthMode"]["AllowedValues"]
        for env, parameters in environments(template, SAM / service / "samconfig.toml").items():
            for mode in modes:
                where = f"{service} {env} AuthMode={mode}"
                try:
                    translated = translate(template, {**parameters, "AuthMode": mode})
                except InvalidDocumentException as error:
                    causes = "; ".join(str(c) for c in error.causes)
                    print(f"{where}: the SAM translator refuses the template: {causes}")
                    failed = True
                    continue
                if wrong := wrong_security(translated, mode):
                    print(f"{where}: translated, but with the wrong authorization: {wrong}")
                    failed = True
                    continue
                print(f"{where}: {len(translated['Resources'])} CloudFormation resources")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
