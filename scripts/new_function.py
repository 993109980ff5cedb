"""Add a function of a stream, queue or schedule trigger to a service: `make new-function
SERVICE=<service> NAME=<key> TRIGGER=stream|queue|schedule` (docs/extending.md).

Writes, from templates/function/<trigger>/: its entry in terraform/stack/services/<service>.yaml;
in sam/<service>/template.yaml its contract parameters (before the template's own settings), the
function and what its trigger needs (before the pre-traffic hook), its rollback alarm on the new
version's error rate (before the outputs) and its kind in the hook's PRETRAFFIC_CHECKS; and its
handler, functions/<service>/<key>/ (app.py, Makefile). Nothing is written unless every place
is found. `make docs` then writes the service's samconfig.toml.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from scripts.contract import APP, PRETRAFFIC, ROOT
from scripts.sam_template import load_template

SNIPPETS = ROOT / "templates" / "function"
TRIGGERS = ("stream", "queue", "schedule")
NAME = re.compile(r"^[a-z][a-z0-9]{1,11}$")
# Where each part goes in a service's template: before these lines.
PARAMETERS_BEFORE = "  # --- Settings of this template"
RESOURCES_BEFORE = "  # CodeDeploy's pre-traffic hook"
ALARM_BEFORE = "Outputs:"
CHECKS = re.compile(r"^(\s+PRETRAFFIC_CHECKS: !Sub '\{.*)\}'$", re.MULTILINE)


class GeneratorError(Exception):
    """Why the function cannot be added, in one line."""


def render(trigger: str, part: str, service: str, name: str) -> str:
    text = (SNIPPETS / trigger / part).read_text()
    return (
        text.replace("__Fn__", name.capitalize())
        .replace("__fn__", name)
        .replace("__service__", service)
        .replace("__app__", APP)
    )


def insert_before(text: str, marker: str, block: str, where: str) -> str:
    lines = text.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if line.startswith(marker)]
    if len(found) != 1:
        raise GeneratorError(f"{where} has no line starting {marker.strip()!r} to add the function before")
    return "".join([*lines[: found[0]], block, *lines[found[0] :]])


def with_function(services_yaml: str, block: str) -> str:
    """The service's definition with the function's entry last of its `functions`."""
    lines = services_yaml.splitlines(keepends=True)
    end = next((i for i, line in enumerate(lines) if line.startswith("metric_alarms:")), len(lines))
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join([*lines[:end], block, *lines[end:]])


def plan(service: str, name: str, trigger: str) -> dict[Path, str]:
    """Every file the function touches, with its new text."""
    definition_path = ROOT / "terraform" / "stack" / "services" / f"{service}.yaml"
    template_path = ROOT / "sam" / service / "template.yaml"
    if not definition_path.exists() or not template_path.exists():
        raise GeneratorError(f"no service {service}: make new-service NAME={service} first")
    if not NAME.match(name) or name == PRETRAFFIC:
        raise GeneratorError(f"NAME={name!r}: 2-12 lowercase letters and digits, starting with a letter")
    definition = definition_path.read_text()
    if name in (yaml.safe_load(definition).get("functions") or {}):
        raise GeneratorError(f"{service} has a function {name} already")
    code = ROOT / "functions" / service / name
    if code.exists():
        raise GeneratorError(f"{code.relative_to(ROOT)} exists already")
    resources = load_template(template_path)["Resources"]
    readers = [
        logical_id
        for logical_id, r in resources.items()
        if any(e["Type"] == "DynamoDB" for e in r.get("Properties", {}).get("Events", {}).values())
    ]
    if trigger == "stream" and readers:
        raise GeneratorError(
            f"{service} reads its table's stream in {readers[0]} already: give that function the work"
            " (a third reader of a shard is throttled, and one reader keeps the order)"
        )
    template = template_path.read_text()
    where = str(template_path.relative_to(ROOT))
    for marker, part in [
        (PARAMETERS_BEFORE, "parameters.yaml"),
        (RESOURCES_BEFORE, "resources.yaml"),
        (ALARM_BEFORE, "alarm.yaml"),
    ]:
        template = insert_before(template, marker, render(trigger, part, service, name), where)
    entry = f', "${{{name.capitalize()}FunctionName}}": "{trigger}"'
    template, found = CHECKS.subn(lambda checks: f"{checks[1]}{entry}}}'", template)
    if found != 1:
        raise GeneratorError(
            f"{where} has no PRETRAFFIC_CHECKS (its pre-traffic hook) to add the function to"
        )
    makefile = (
        f"# `sam build` runs this for {name.capitalize()}Function (BuildMethod: makefile): the handler only,"
        " its\n# dependencies are in the layers.\n"
        f"build-{name.capitalize()}Function:\n\tcp app.py $(ARTIFACTS_DIR)/\n"
    )
    return {
        definition_path: with_function(definition, render(trigger, "service.yaml", service, name)),
        template_path: template,
        code / "app.py": render(trigger, "app.py.tmpl", service, name),
        code / "Makefile": makefile,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--service", required=True)
    parser.add_argument("--name", required=True, help="the function's key, in its name and its contract keys")
    parser.add_argument("--trigger", required=True, choices=TRIGGERS)
    args = parser.parse_args()
    try:
        files = plan(args.service, args.name, args.trigger)
    except GeneratorError as error:
        sys.exit(str(error))
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
