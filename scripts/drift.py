"""Drift of one environment, for the nightly drift workflow.

    python -m scripts.drift stack --stack <app>-dev-<service> --out stack-drift.json
    python -m scripts.drift report --env dev [--plan-json plan.json] --stack-drift stack-drift.json [...] \\
        [--run-url URL] --out drift.md

`stack` runs CloudFormation's drift detection on the SAM stack, waits for it, and writes the
resources that drifted (MODIFIED or DELETED) as JSON. `report` writes the drift issue's body from
that and from `terraform show -json` of a plan with changes (no plan file: Terraform found none);
the file is empty when nothing drifted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from scripts.plan_comment import (
    COMMENT_LIMIT,
    changed_outside,
    changes,
    counts_phrase,
    fit_lines,
    module_lines,
)

DRIFTED = ["MODIFIED", "DELETED"]
POLL_SECONDS = 5
DETECTION_TIMEOUT = 900


def detect_stack_drift(cloudformation: Any, stack: str) -> dict[str, Any]:
    """Drift detection of the stack, waited for; the drifted resources and their properties."""
    detection = cloudformation.detect_stack_drift(StackName=stack)["StackDriftDetectionId"]
    deadline = time.monotonic() + DETECTION_TIMEOUT
    while True:
        status = cloudformation.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
        if status["DetectionStatus"] != "DETECTION_IN_PROGRESS":
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"drift detection of {stack} still running after {DETECTION_TIMEOUT} s")
        time.sleep(POLL_SECONDS)
    resources: list[dict[str, Any]] = []
    query: dict[str, Any] = {"StackName": stack, "StackResourceDriftStatusFilters": DRIFTED}
    while True:
        page = cloudformation.describe_stack_resource_drifts(**query)
        for drift in page["StackResourceDrifts"]:
            resources.append(
                {
                    "logical_id": drift["LogicalResourceId"],
                    "type": drift["ResourceType"],
                    "status": drift["StackResourceDriftStatus"],
                    "properties": [d["PropertyPath"] for d in drift.get("PropertyDifferences", [])],
                }
            )
        if not page.get("NextToken"):
            break
        query["NextToken"] = page["NextToken"]
    return {
        "stack": stack,
        "detection": status["DetectionStatus"],
        # DETECTION_FAILED still reports what it checked: some resource types cannot be checked.
        "reason": status.get("DetectionStatusReason", ""),
        "resources": resources,
    }


def _properties(resource: dict[str, Any]) -> str:
    return ", ".join(f"`{path}`" for path in resource["properties"]) or "—"


def report(env: str, plan: dict[str, Any] | None, stacks: list[dict[str, Any]], run_url: str | None) -> str:
    """The drift issue's body, or "" when neither Terraform nor CloudFormation (on any service's
    stack) found drift."""
    outside = changed_outside(plan or {})
    pending = changes(plan or {})
    drifted = sum(len(stack["resources"]) for stack in stacks)
    if not (outside or pending or drifted):
        return ""
    lines = [f"## Drift in {env}", ""]
    found = []
    if outside:
        found.append(f"{len(outside)} resource(s) changed outside Terraform")
    if pending:
        counts = counts_phrase(Counter(change.action for change in pending))
        found.append(f"the code would change {len(pending)} resource(s) ({counts})")
    if drifted:
        found.append(f"{drifted} resource(s) of the SAM stacks drifted")
    lines += [":warning: **" + "; ".join(found) + ".**", ""]
    sections: list[list[str]] = []
    if outside:
        listed = [f"- `{address}`" for address in outside]
        note = "The next apply changes them back, unless the code is changed to match."
        sections.append(["### Changed outside Terraform", "", *listed, "", note])
    if pending:
        note = "Either the last deploy of this environment did not run, or the change was made by hand."
        sections.append(["### Changes the code would make (not applied)", *module_lines(pending), "", note])
    for stack in stacks:
        if stack["resources"]:
            rows = [
                f"| `{r['logical_id']}` | `{r['type']}` | {r['status']} | {_properties(r)} |"
                for r in stack["resources"]
            ]
            header = ["| Logical ID | Type | Drift | Properties |", "|---|---|---|---|"]
            sections.append([f"### SAM stack `{stack['stack']}`", "", *header, *rows])
        if stack.get("reason"):
            lines += [f"CloudFormation on `{stack['stack']}`: {stack['detection']}: {stack['reason']}", ""]
    footer = [f"<sub>[drift run]({run_url})</sub>"] if run_url else []
    budget = COMMENT_LIMIT - len("\n".join(lines + footer).encode()) - 200
    for section in sections:
        kept = fit_lines(section, max(0, budget // len(sections)), "see the drift run's log")
        lines += [*kept, ""]
    return "\n".join(lines + footer) + "\n"


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    stack = commands.add_parser("stack", help="CloudFormation drift detection of the SAM stack")
    stack.add_argument("--stack", required=True)
    stack.add_argument("--out", type=Path, required=True)
    render = commands.add_parser("report", help="the drift issue's body (empty: no drift)")
    render.add_argument("--env", required=True)
    render.add_argument("--plan-json", type=Path, help="terraform show -json of a plan with changes")
    render.add_argument(
        "--stack-drift",
        type=Path,
        action="append",
        required=True,
        help="the output of `stack`, once per service",
    )
    render.add_argument("--run-url")
    render.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(None if argv is None else list(argv))

    try:
        if args.command == "stack":
            result = detect_stack_drift(boto3.client("cloudformation"), args.stack)
            args.out.write_text(json.dumps(result, indent=2) + "\n")
            print(f"{args.stack}: {len(result['resources'])} drifted resource(s) ({result['detection']})")
        else:
            plan = json.loads(args.plan_json.read_text()) if args.plan_json else None
            stacks = [json.loads(path.read_text()) for path in args.stack_drift]
            body = report(args.env, plan, stacks, args.run_url)
            args.out.write_text(body)
            print(f"{args.env}: {'drift' if body else 'no drift'}")
    except (OSError, json.JSONDecodeError, TimeoutError, BotoCoreError, ClientError) as error:
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
