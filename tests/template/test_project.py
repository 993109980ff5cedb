"""A project of one's own, made from this repository with copier as its users make one
(`copier copy`), and brought up to a later version of the template (`copier update`).

`make template-check` runs this suite (beside the other suites of `make test`); `make
template-test` runs a generated project's whole `make test`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COPIER = Path(sys.executable).parent / "copier"
# The sample services' names and the template's own app name: none may be left in a project made
# without the samples.
SAMPLE_NAMES = re.compile(r"\b(orders|fulfilment|shop)\b", re.IGNORECASE)
ANSWERS = ("--data", "app_name=acme", "--data", "first_service=billing", "--data", "aws_region=eu-central-1")


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False, env=env
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} failed:\n{result.stdout[-4000:]}{result.stderr[-4000:]}"
    )
    return result.stdout


def make_project(source: Path | str, destination: Path, *options: str) -> Path:
    run(COPIER, "copy", "--trust", "--defaults", "--quiet", *ANSWERS, *options, source, destination, cwd=ROOT)
    return destination


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """acme, with its first service billing and without the samples, from this work tree."""
    return make_project(ROOT, tmp_path_factory.mktemp("made") / "acme")


def test_every_name_comes_from_the_answers(acme: Path) -> None:
    assert json.loads((acme / "project.json").read_text()) == {
        "app": "acme",
        "region": "eu-central-1",
        "auth_mode": "COGNITO",
        "nat_mode": {"dev": "single", "staging": "single", "prod": "per_az"},
    }
    assert sorted(p.parent.name for p in (acme / "sam").glob("*/template.yaml")) == ["billing"]
    assert sorted(p.name for p in (acme / "terraform" / "stack" / "services").iterdir()) == ["billing.yaml"]
    samconfig = tomllib.loads((acme / "sam" / "billing" / "samconfig.toml").read_text())
    assert samconfig["prod"]["global"]["parameters"]["stack_name"] == "acme-prod-billing"
    template = (acme / "sam" / "billing" / "template.yaml").read_text()
    assert "Default: /acme/local/billing/data/table-name" in template
    answers = yaml.safe_load((acme / ".copier-answers.yml").read_text())
    assert (answers["app_name"], answers["first_service"], answers["keep_samples"]) == (
        "acme",
        "billing",
        False,
    )


def test_no_name_of_the_samples_is_left(acme: Path) -> None:
    hits = [
        f"{path.relative_to(acme)}:{number}: {line.strip()}"
        for path in sorted(acme.rglob("*"))
        if path.is_file() and ".git" not in path.parts
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if SAMPLE_NAMES.search(line) or SAMPLE_NAMES.search(str(path.relative_to(acme)))
    ]
    assert hits == []


def test_its_lint_contract_and_unit_tests_and_terraform_validate_pass(acme: Path) -> None:
    """With this repository's virtual environment (the project pins the same packages, the same
    file): its make targets and its tests, as they run in the project, with a second service and a
    function of each trigger added to it by the generators."""
    (acme / ".venv").symlink_to(ROOT / ".venv")
    shutil.copystat(ROOT / "requirements" / "dev.txt", acme / "requirements" / "dev.txt")
    run("make", "new-service", "NAME=ledger", cwd=acme)  # a second service, as its users add one
    for trigger in ("stream", "queue", "schedule"):  # and a function of each trigger to it
        run("make", "new-function", "SERVICE=ledger", f"NAME={trigger}s", f"TRIGGER={trigger}", cwd=acme)
    functions = yaml.safe_load((acme / "terraform" / "stack" / "services" / "ledger.yaml").read_text())[
        "functions"
    ]
    assert sorted(functions) == ["api", "queues", "schedules", "streams"]
    run("make", "lint", cwd=acme)
    run(
        ".venv/bin/python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/contract",
        "tests/unit",
        cwd=acme,
    )
    run("make", "tf-validate", cwd=acme)


def test_a_project_with_the_samples_keeps_them_under_its_own_name(tmp_path: Path) -> None:
    project = make_project(ROOT, tmp_path / "shopfront", "--data", "keep_samples=true")
    services = sorted(p.parent.name for p in (project / "sam").glob("*/template.yaml"))
    assert services == ["billing", "fulfilment", "orders"]
    assert (
        "Default: /acme/local/orders/data/table-name"
        in (project / "sam" / "orders" / "template.yaml").read_text()
    )
    run(sys.executable, "-m", "scripts.samconfig", "--check", cwd=project)


GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def git(*args: str, cwd: Path) -> str:
    return run("git", *args, cwd=cwd, env=GIT_ENV).strip()


def commit_all(repository: Path, message: str) -> str:
    git("add", "-A", cwd=repository)
    git("commit", "--quiet", "--no-verify", "--allow-empty", "-m", message, cwd=repository)
    return git("rev-parse", "HEAD", cwd=repository)


def template_repository(destination: Path) -> tuple[str, str]:
    """A copy of this repository whose history holds the first commit with copier.yml (the oldest
    version a project can have been made from) and, on top, this work tree: (that first commit,
    the work tree's commit)."""
    run("git", "clone", "--quiet", "--no-hardlinks", ROOT, destination, cwd=ROOT)
    first = git("log", "--diff-filter=A", "--format=%H", "--", "copier.yml", cwd=ROOT).splitlines()
    for tracked in git("ls-files", "-z", cwd=destination).split("\0"):
        if tracked:
            (destination / tracked).unlink(missing_ok=True)
    for name in git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).split("\0"):
        if name and (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    current = commit_all(destination, "the work tree")
    return (first[-1] if first else current), current


def test_an_update_brings_the_templates_changes_and_keeps_the_users(tmp_path: Path) -> None:
    template = tmp_path / "template"
    older, current = template_repository(template)
    # A later version of the template, on top of this one: a change in a file every project has.
    extending = template / "docs" / "extending.md"
    extending.write_text(extending.read_text() + "\nA paragraph of a later template version.\n")
    later = commit_all(template, "a later version")

    project = make_project(template, tmp_path / "acme", "--vcs-ref", older)
    git("init", "--quiet", cwd=project)
    commit_all(project, "acme, made from the template")
    items = project / "layers" / "billing" / "billing" / "items.py"
    items.write_text(items.read_text().replace("class Item:", "class Item:  # acme's own", 1))
    (project / "README.md").write_text((project / "README.md").read_text() + "\nacme's own section.\n")
    (project / "docs" / "acme.md").write_text("# acme's own document\n")
    commit_all(project, "acme's own changes")

    run(COPIER, "update", "--trust", "--defaults", "--quiet", "--vcs-ref", later, cwd=project)

    assert "A paragraph of a later template version." in (project / "docs" / "extending.md").read_text()
    assert "class Item:  # acme's own" in items.read_text()
    assert "acme's own section." in (project / "README.md").read_text()
    assert (project / "docs" / "acme.md").exists()
    status = git("status", "--porcelain", cwd=project)
    assert not [line for line in status.splitlines() if line.endswith(".rej")], status
    markers = subprocess.run(
        ["git", "grep", "-l", "-e", "^<<<<<<< "], cwd=project, capture_output=True, text=True, check=False
    )
    assert markers.stdout == "", f"conflicts left in {markers.stdout}"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert later.startswith(answers["_commit"]), (answers["_commit"], later, current)
