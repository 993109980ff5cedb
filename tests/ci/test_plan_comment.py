"""The plan comment, rendered from real plans of the emulator and from a synthetic huge one."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from scripts import plan_comment
from scripts.plan_comment import (
    COMMENT_LIMIT,
    Where,
    change_set_lines,
    full_text_block,
    render_failed,
    render_fork,
    render_plan,
    size,
)
from tests.ci.conftest import Plan

ROOT = Path(__file__).resolve().parents[2]
CHANGE_SET = Path(__file__).parent / "data" / "change-set.json"
WHERE = Where(env="dev", run_url="https://github.com/o/r/actions/runs/1", commit="feedc0ffee1234")


def render(plan: Plan, stack_section: list[str] | None = None, limit: int = COMMENT_LIMIT) -> str:
    return render_plan(
        "dev", plan.json, plan.text, stack_section=stack_section or [], where=WHERE, limit=limit
    )


def cli(command: str, *more: str) -> None:
    """python -m scripts.plan_comment with these arguments."""
    plan_comment.main([*shlex.split(command), *more])


def well_formed(body: str) -> None:
    """Within GitHub's limit, found again by its marker, every code fence closed."""
    assert len(body.encode()) <= COMMENT_LIMIT
    assert body.startswith("<!-- splitstack:plan:dev -->\n")
    fences = [line for line in body.splitlines() if re.fullmatch(r"`{3,}\w*", line)]
    assert len(fences) % 2 == 0, fences
    assert body.count("<details>") == body.count("</details>")


def test_the_cut_full_text_stays_within_its_budget() -> None:
    """Whatever the width of the numbers it shows ("first 1,234 of 2,500 lines")."""
    text = "\n".join(f"+ r{i}" for i in range(2_500))
    over = [
        budget
        for budget in range(9_000, 10_000)
        if size("\n".join(full_text_block(text, budget, "see the job summary"))) > budget
    ]
    assert over == []


@pytest.mark.emulator
def test_a_create_only_plan_of_the_platform_counts_its_creates_by_module(platform_plan: Plan) -> None:
    body = render(platform_plan)

    well_formed(body)
    creates = len([c for c in platform_plan.json["resource_changes"] if c["change"]["actions"] == ["create"]])
    assert f":green_circle: **dev: {creates} to create.** Nothing is destroyed or replaced." in body
    assert f"| 0 | 0 | {creates} | 0 |" in body
    assert "[!CAUTION]" not in body
    platform_contract = "**`module.stack.module.contract`** — 15 to create"
    assert f'{platform_contract}\n\n- `+` `aws_ssm_parameter.this["api/domain-name"]`' in body
    service_contract = re.search(
        r'\*\*`(module\.stack\.module\.service\["[a-z0-9]+"\]\.module\.contract)`\*\* — (\d+) to create'
        r"\n\n- `\+` `aws_ssm_parameter",
        body,
    )
    assert service_contract, "each service's contract is a section of its own"
    in_module = [
        c for c in platform_plan.json["resource_changes"] if c.get("module_address") == service_contract[1]
    ]
    assert int(service_contract[2]) == len(in_module)
    # The plan text is far over a comment's size: its head is shown, and where the rest is.
    assert len(platform_plan.text) > 1.5 * COMMENT_LIMIT
    assert "<details><summary>Full plan (first " in body
    assert "bytes) does not fit: see" in body
    assert "more lines of this list" not in body  # the text gives way before the lists
    for limit in range(20_000, COMMENT_LIMIT, 97):
        smaller = render(platform_plan, limit=limit)
        assert size(smaller) <= limit
        assert "<details>" not in smaller or "more lines of this list" not in smaller, limit
    assert "more lines: see [the job summary](https://github.com/o/r/actions/runs/1)" in body


@pytest.mark.emulator
def test_destroys_and_replacements_come_first_and_say_why(fixture_plans: dict[str, Plan]) -> None:
    body = render(fixture_plans["changes"])

    well_formed(body)
    assert ":no_entry: **dev: this plan destroys 1 and replaces 1 of its resources.**" in body
    assert "| **1** | **1** | 0 | 1 |" in body
    alert = (
        "> [!CAUTION]\n"
        '> - `-` `module.settings.aws_ssm_parameter.this["region-label"]` — for_each no longer has its key\n'
        "> - `-/+` `aws_ssm_parameter.release` — `name` cannot change in place"
    )
    assert alert in body
    assert body.index(alert) < body.index("Changes by module")
    assert "**`root module`** — 1 to replace\n\n- `-/+` `aws_ssm_parameter.release`" in body
    by_module = (
        "**`module.settings`** — 1 to destroy, 1 to update\n\n"
        '- `-` `aws_ssm_parameter.this["region-label"]` — for_each no longer has its key\n'
        '- `~` `aws_ssm_parameter.this["page-size"]`'
    )
    assert by_module in body
    # Small enough to show whole.
    assert fixture_plans["changes"].text.strip().splitlines()[-1] in body


@pytest.mark.emulator
def test_a_plan_without_changes_says_so_and_lists_nothing(fixture_plans: dict[str, Plan]) -> None:
    body = render(fixture_plans["no-change"])

    well_formed(body)
    assert ":white_check_mark: **dev: no changes.**" in body
    assert "Changes by module" not in body
    assert "| destroy |" not in body


def test_a_plan_that_only_adds_and_updates_says_nothing_is_lost() -> None:
    plan = {
        "resource_changes": [
            {"address": "aws_sqs_queue.a", "mode": "managed", "change": {"actions": ["create"]}},
            {"address": "aws_sqs_queue.b", "mode": "managed", "change": {"actions": ["update"]}},
            {"address": "data.aws_region.here", "mode": "data", "change": {"actions": ["read"]}},
            {"address": "aws_sqs_queue.c", "mode": "managed", "change": {"actions": ["no-op"]}},
        ]
    }

    body = render_plan("dev", plan, "", stack_section=[], where=WHERE)

    assert ":green_circle: **dev: 1 to create, 1 to update.** Nothing is destroyed or replaced." in body


@pytest.mark.emulator
def test_a_failed_plan_posts_the_end_of_its_error(fixture_plans: dict[str, Plan]) -> None:
    output = fixture_plans["failed"].failed_output
    body = render_failed("dev", output, WHERE)

    well_formed(body)
    assert ":x: **dev: the plan failed.**" in body
    assert "/plan-fixture/does-not-exist" in body
    assert "the artifact `plan-dev`" in body


def test_a_failed_plan_keeps_only_the_tail_of_a_long_log() -> None:
    log = "\n".join(f"line {n}" for n in range(10_000)) + "\nError: the real cause\n"

    body = render_failed("dev", log, WHERE)

    well_formed(body)
    assert "Error: the real cause" in body
    assert "line 9999" in body
    assert "line 9000\n" not in body


def test_a_fork_gets_an_explanation_not_a_failure() -> None:
    body = render_fork("dev")

    well_formed(body)
    assert "no plan for a pull request from a fork" in body
    assert "OIDC" in body


def synthetic_plan(resources: int) -> tuple[dict[str, Any], str]:
    """A plan of `resources` changes over 50 modules, a fifth of them destroys, and its text."""
    actions = [["create"], ["update"], ["delete", "create"], ["delete"], ["create"]]
    changes = []
    text = []
    for n in range(resources):
        module = f"module.service_{n % 50:02d}"
        address = f'{module}.aws_ssm_parameter.setting["key-{n:05d}"]'
        change: dict[str, Any] = {"actions": actions[n % 5], "replace_paths": [["name"]]}
        changes.append({"address": address, "module_address": module, "mode": "managed", "change": change})
        text += [f"  # {address} will be changed", '  ~ resource "aws_ssm_parameter" "setting" {', "    }"]
    return {"resource_changes": changes}, "\n".join(text)


def test_a_plan_of_5000_resources_fits_in_a_comment_with_its_verdict_and_counts() -> None:
    plan, text = synthetic_plan(5000)

    body = render_plan("dev", plan, text, stack_section=[], where=WHERE)

    well_formed(body)
    assert ":no_entry: **dev: this plan destroys 1000 and replaces 1000 of its resources.**" in body
    assert "| **1000** | **1000** | 2000 | 1000 |" in body
    # The full text went first, then the lists, each saying where the rest is.
    assert "The full plan (15,000 lines" in body
    assert "more lines of this list: see [the job summary](https://github.com/o/r/actions/runs/1)" in body
    assert "the artifact `plan-dev`" in body
    # Destroys are listed before anything else is cut.
    assert '> - `-` `module.service_03.aws_ssm_parameter.setting["key-00003"]`' in body


def test_the_job_summary_budget_keeps_more_of_the_same_plan() -> None:
    plan, text = synthetic_plan(5000)

    body = render_plan("dev", plan, text, stack_section=[], where=WHERE, limit=plan_comment.SUMMARY_LIMIT)

    assert COMMENT_LIMIT < len(body.encode()) <= plan_comment.SUMMARY_LIMIT
    assert body.count("- `") > 5000  # the alerts and the whole list by module


def test_backticks_in_the_plan_cannot_close_its_code_block() -> None:
    plan, _ = synthetic_plan(5)
    text = 'value = "```"\n````\nend'

    body = render_plan("dev", plan, text, stack_section=[], where=WHERE)

    assert "`````text\n" + text + "\n`````" in body


def test_the_change_set_table_puts_removals_and_replacements_first() -> None:
    change_set = json.loads(CHANGE_SET.read_text())

    lines = change_set_lines(change_set, None, "demo-dev-catalog")

    rows = [line for line in lines if line.startswith("| ") and "`" in line]
    assert rows[0] == "| **Remove** | `ScheduledDlq` | `AWS::SQS::Queue` | — |"
    assert rows[1] == "| **Modify** | `ProcessorFailureQueue` | `AWS::SQS::Queue` | True |"
    assert "5 resources change (1 add, 3 modify, 1 remove)." in lines


def test_a_change_set_without_changes_or_that_failed() -> None:
    empty = {
        "Changes": [],
        "Status": "FAILED",
        "StatusReason": "The submitted information didn't contain changes.",
    }

    assert ":white_check_mark: No changes to the stack: The submitted information" in "\n".join(
        change_set_lines(empty, None, "demo-dev-catalog")
    )
    failed = "\n".join(
        change_set_lines(None, "Error: Failed to create changeset for the stack", "demo-dev-catalog")
    )
    assert ":x: **`sam deploy --no-execute-changeset` failed.**" in failed
    assert "Error: Failed to create changeset" in failed


@pytest.mark.emulator
def test_the_command_reads_its_inputs_from_files(
    fixture_plans: dict[str, Plan], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    plan = fixture_plans["changes"]
    (tmp_path / "plan.json").write_text(json.dumps(plan.json))
    (tmp_path / "plan.txt").write_text(plan.text)

    (tmp_path / "sam-delivery.log").write_text("Error: Failed to create changeset for the stack\n")
    cli(
        "plan --env dev --plan-json plan.json --plan-text plan.txt --out comment.md",
        *("--change-set", f"demo-dev-catalog={CHANGE_SET}"),
        *("--change-set-error", "demo-dev-delivery=sam-delivery.log"),
    )

    body = (tmp_path / "comment.md").read_text()
    well_formed(body)
    assert body.index("#### SAM change set · `demo-dev-catalog`") < body.index(
        "#### SAM change set · `demo-dev-delivery`"
    ), "one section per service's stack, by name"
    assert ":x: **`sam deploy --no-execute-changeset` failed.**" in body
    assert body.index("[!CAUTION]") < body.index("SAM change set") < body.index("Changes by module")


def test_the_command_names_a_missing_or_broken_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "plan.txt").write_text("")
    with pytest.raises(SystemExit, match=r"missing\.json not found"):
        cli("plan --env dev --plan-json missing.json --plan-text plan.txt --out c.md")
    with pytest.raises(SystemExit, match=r"broken\.json is not JSON"):
        cli("plan --env dev --plan-json broken.json --plan-text plan.txt --out c.md")
    with pytest.raises(SystemExit, match=r"name the stack and the file, STACK=FILE"):
        cli("plan --env dev --plan-json broken.json --plan-text plan.txt --out c.md --change-set cs.json")
    assert not (tmp_path / "c.md").exists()
