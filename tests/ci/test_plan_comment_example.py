"""The template's example of a plan comment, docs/examples/plan-comment.md, is what the renderer
makes of the platform's plan (a project made with copier has neither the example nor this test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.plan_comment import COMMENT_LIMIT
from tests.ci.conftest import Plan
from tests.ci.test_plan_comment import CHANGE_SET, cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "plan-comment.md"
EXAMPLE_RUN = "https://github.com/example/splitstack/actions/runs/123456789"
EXAMPLE_COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.emulator
def test_the_committed_example_is_what_the_renderer_makes_of_the_platforms_plan(
    platform_plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/examples/plan-comment.md: the create-only plan of the whole platform (envs/local),
    with the sample change set. Regenerated here; a difference means the example is stale."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.json").write_text(json.dumps(platform_plan.json))
    (tmp_path / "plan.txt").write_text(platform_plan.text)

    cli(
        "plan --env local --plan-json plan.json --plan-text plan.txt --out comment.md",
        *(
            "--change-set",
            f"demo-local-catalog={CHANGE_SET}",
            "--run-url",
            EXAMPLE_RUN,
            "--commit",
            EXAMPLE_COMMIT,
        ),
    )

    rendered = (tmp_path / "comment.md").read_text()
    assert len(rendered.encode()) <= COMMENT_LIMIT
    example = EXAMPLE.relative_to(ROOT)
    assert rendered == EXAMPLE.read_text(), (
        f"{example} is stale; if intended: cp {tmp_path}/comment.md {example}"
    )
