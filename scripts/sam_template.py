"""The services' SAM applications, sam/<service>/template.yaml, and a template as plain data:
CloudFormation's short tags become their long forms (`!Ref X` -> {"Ref": "X"},
`!GetAtt A.B` -> {"Fn::GetAtt": ["A", "B"]}, `!Sub s` -> {"Fn::Sub": s})."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAM = ROOT / "sam"
# Every service has one SAM application: a directory of sam/ with a template.yaml.
SERVICES = tuple(sorted(path.parent.name for path in SAM.glob("*/template.yaml")))


def template_path(service: str) -> Path:
    return SAM / service / "template.yaml"


class _Loader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no types
    """A SafeLoader that knows CloudFormation's tags."""


def _construct(loader: _Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _construct)


def load_template(path: Path) -> dict[str, Any]:
    template: dict[str, Any] = yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506  # a SafeLoader
    return template
