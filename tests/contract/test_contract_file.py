"""The contract files are the one list of SSM keys per level: well-formed, agreeing with their readers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.contract import PLATFORM_FILE, SERVICE_FILE, load
from scripts.contract_table import main

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = load(PLATFORM_FILE)
SERVICE = load(SERVICE_FILE)
CONTRACT = {**PLATFORM, **SERVICE}
SAM_LIST_TYPES = {"List<String>", "List<AWS::EC2::Subnet::Id>", "List<AWS::EC2::SecurityGroup::Id>"}


def test_keys_are_lowercase_paths_of_two_segments() -> None:
    bad = [k for k in CONTRACT if not re.fullmatch(r"([a-z0-9-]+|\{function\})/[a-z0-9-]+", k)]
    assert bad == []


def test_the_levels_share_no_key() -> None:
    """A service's template reads both levels by the same parameter naming rule."""
    assert set(PLATFORM).isdisjoint(SERVICE)


@pytest.mark.parametrize(("contract", "extra"), [(PLATFORM, set()), (SERVICE, {"scope"})])
def test_each_entry_names_type_sam_type_consumer_and_meaning(
    contract: dict[str, dict[str, str]], extra: set[str]
) -> None:
    for key, spec in contract.items():
        assert set(spec) == {"type", "sam_type", "consumer", "description", *extra}, key
        assert spec["consumer"] in {"template", "deploy"}, key
        assert spec["description"].strip(), key


def test_a_function_key_exists_per_function_and_a_service_key_once() -> None:
    for key, spec in SERVICE.items():
        assert spec["scope"] in {"service", "api", "function", "stream", "schedule", "queue"}, key
        assert ("{function}" in key) == (spec["scope"] in {"function", "stream", "schedule", "queue"}), key


def test_ssm_and_sam_types_agree() -> None:
    for key, spec in CONTRACT.items():
        if spec["type"] == "StringList":
            assert spec["sam_type"] in SAM_LIST_TYPES, key
        else:
            assert (spec["type"], spec["sam_type"]) == ("String", "String"), key


def test_subnets_and_security_groups_use_the_ec2_list_types() -> None:
    assert CONTRACT["network/private-subnet-ids"]["sam_type"] == "List<AWS::EC2::Subnet::Id>"
    assert CONTRACT["network/lambda-security-group-ids"]["sam_type"] == "List<AWS::EC2::SecurityGroup::Id>"


def test_readme_table_is_generated_from_the_contract_file() -> None:
    assert main(["--check", str(ROOT / "README.md")]) == 0, "run 'make docs'"
