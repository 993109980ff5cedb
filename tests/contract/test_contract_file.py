"""The contract file is the one list of SSM keys: it must be well-formed and agree with its readers."""

from __future__ import annotations

import re
from pathlib import Path

from scripts.contract_table import CONTRACT_FILE, load_parameters, main

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = load_parameters()
SAM_LIST_TYPES = {"List<String>", "List<AWS::EC2::Subnet::Id>", "List<AWS::EC2::SecurityGroup::Id>"}


def test_keys_are_lowercase_paths_of_two_segments() -> None:
    bad = [k for k in CONTRACT if not re.fullmatch(r"[a-z0-9-]+/[a-z0-9-]+", k)]
    assert bad == []


def test_each_entry_names_type_sam_type_consumer_and_meaning() -> None:
    for key, spec in CONTRACT.items():
        assert set(spec) == {"type", "sam_type", "consumer", "description"}, key
        assert spec["consumer"] in {"template", "deploy"}, key
        assert spec["description"].strip(), key


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
    assert CONTRACT_FILE.name == "parameters.json"
