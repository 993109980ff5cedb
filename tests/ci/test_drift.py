"""The drift report, from a real plan of the emulator, and drift detection of the SAM stack
against CloudFormation's API model (botocore's Stubber checks every request and answer against
it; the emulator has no drift detection)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from scripts import drift
from scripts.plan_comment import COMMENT_LIMIT
from tests.ci.conftest import Plan

STACK = "demo-dev-catalog"
NO_STACK_DRIFT = {"stack": STACK, "detection": "DETECTION_COMPLETE", "reason": "", "resources": []}


@pytest.mark.emulator
def test_no_drift_anywhere_is_an_empty_report(fixture_plans: dict[str, Plan]) -> None:
    assert drift.report("dev", fixture_plans["no-change"].json, [NO_STACK_DRIFT], None) == ""
    assert (
        drift.report("dev", None, [NO_STACK_DRIFT, {**NO_STACK_DRIFT, "stack": "demo-dev-delivery"}], None)
        == ""
    )


@pytest.mark.emulator
def test_unapplied_changes_and_stack_drift_are_reported(fixture_plans: dict[str, Plan]) -> None:
    stack = {
        **NO_STACK_DRIFT,
        "resources": [
            {
                "logical_id": "ApiFunction",
                "type": "AWS::Lambda::Function",
                "status": "MODIFIED",
                "properties": ["/Timeout"],
            }
        ],
    }

    calm = {**NO_STACK_DRIFT, "stack": "demo-dev-delivery"}
    run = "https://github.com/o/r/actions/runs/9"
    body = drift.report("dev", fixture_plans["changes"].json, [calm, stack], run)

    assert body.startswith("## Drift in dev\n")
    assert "the code would change 3 resource(s) (1 to destroy, 1 to replace, 1 to update)" in body
    assert "1 resource(s) of the SAM stacks drifted" in body
    assert "### SAM stack `demo-dev-catalog`" in body
    assert "demo-dev-delivery" not in body, "a stack without drift gets no section"
    assert "| `ApiFunction` | `AWS::Lambda::Function` | MODIFIED | `/Timeout` |" in body
    assert '- `~` `aws_ssm_parameter.this["page-size"]`' in body
    assert body.endswith("<sub>[drift run](https://github.com/o/r/actions/runs/9)</sub>\n")


def test_changes_outside_terraform_are_reported_and_a_huge_report_fits() -> None:
    addresses = [f"aws_ssm_parameter.p{n}" for n in range(20_000)]
    plan = {
        "resource_drift": [{"address": a, "change": {"actions": ["update"]}} for a in addresses],
        "resource_changes": [
            {"address": a, "mode": "managed", "change": {"actions": ["update"]}} for a in addresses
        ],
    }
    # Drift Terraform takes as it is (attributes the configuration does not set) is not reported.
    plan["resource_drift"].append(
        {"address": "aws_ssm_parameter.untouched", "change": {"actions": ["update"]}}
    )

    body = drift.report("prod", plan, [NO_STACK_DRIFT], None)

    assert "20000 resource(s) changed outside Terraform" in body
    assert "- `aws_ssm_parameter.p0`" in body
    assert "untouched" not in body
    assert len(body.encode()) <= COMMENT_LIMIT
    assert "more lines of this list: see the drift run's log" in body


def test_stack_drift_detection_waits_and_reads_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drift, "POLL_SECONDS", 0)
    client = boto3.client(
        "cloudformation", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    detection = "8f2a9a60-1b2c-11f0-9c3a-0a1b2c3d4e5f"
    stack_id = (
        f"arn:aws:cloudformation:eu-west-1:123456789012:stack/{STACK}/5d1f3a40-c8b2-11ef-9a4e-0a1b2c3d4e5f"
    )
    status: dict[str, Any] = {
        "StackId": stack_id,
        "StackDriftDetectionId": detection,
        "Timestamp": "2026-11-23T04:17:00Z",
    }

    def resource_drift(logical_id: str, kind: str, state: str, paths: list[str]) -> dict[str, Any]:
        return {
            "StackId": stack_id,
            "LogicalResourceId": logical_id,
            "ResourceType": kind,
            "StackResourceDriftStatus": state,
            "Timestamp": "2026-11-23T04:18:00Z",
            "PropertyDifferences": [
                {"PropertyPath": p, "ExpectedValue": "30", "ActualValue": "60", "DifferenceType": "NOT_EQUAL"}
                for p in paths
            ],
        }

    filters = {"StackName": STACK, "StackResourceDriftStatusFilters": ["MODIFIED", "DELETED"]}
    with Stubber(client) as stub:
        stub.add_response("detect_stack_drift", {"StackDriftDetectionId": detection}, {"StackName": STACK})
        stub.add_response(
            "describe_stack_drift_detection_status",
            {**status, "DetectionStatus": "DETECTION_IN_PROGRESS"},
            {"StackDriftDetectionId": detection},
        )
        stub.add_response(
            "describe_stack_drift_detection_status",
            {**status, "DetectionStatus": "DETECTION_COMPLETE", "StackDriftStatus": "DRIFTED"},
            {"StackDriftDetectionId": detection},
        )
        stub.add_response(
            "describe_stack_resource_drifts",
            {
                "StackResourceDrifts": [
                    resource_drift("ApiFunction", "AWS::Lambda::Function", "MODIFIED", ["/Timeout"])
                ],
                "NextToken": "2",
            },
            filters,
        )
        stub.add_response(
            "describe_stack_resource_drifts",
            {"StackResourceDrifts": [resource_drift("ScheduledDlq", "AWS::SQS::Queue", "DELETED", [])]},
            {**filters, "NextToken": "2"},
        )

        found = drift.detect_stack_drift(client, STACK)

    assert found == {
        "stack": STACK,
        "detection": "DETECTION_COMPLETE",
        "reason": "",
        "resources": [
            {
                "logical_id": "ApiFunction",
                "type": "AWS::Lambda::Function",
                "status": "MODIFIED",
                "properties": ["/Timeout"],
            },
            {"logical_id": "ScheduledDlq", "type": "AWS::SQS::Queue", "status": "DELETED", "properties": []},
        ],
    }


def test_a_missing_stack_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    client = boto3.client(
        "cloudformation", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stub = Stubber(client)
    stub.add_client_error(
        "detect_stack_drift", "ValidationError", "Stack with id demo-dev-catalog does not exist"
    )
    monkeypatch.setattr(boto3, "client", lambda _service: client)

    with stub, pytest.raises(SystemExit, match=r"error: .*Stack with id demo-dev-catalog does not exist"):
        drift.main(["stack", "--stack", STACK, "--out", str(tmp_path / "drift.json")])
