"""The README tables renderer: one row per key, in file order, and refusing documents without markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.contract_table import END, START, main, render, replace_table

SPEC = {
    "events/bus-name": {
        "type": "String",
        "sam_type": "String",
        "consumer": "template",
        "description": "Bus",
    },
    "network/private-subnet-ids": {
        "type": "StringList",
        "sam_type": "List<AWS::EC2::Subnet::Id>",
        "consumer": "template",
        "description": "Subnets | private",
    },
    "deploy/artifacts-bucket": {
        "type": "String",
        "sam_type": "String",
        "consumer": "deploy",
        "description": "B",
    },
}


SERVICE = {
    "data/table-name": {
        "type": "String",
        "sam_type": "String",
        "consumer": "template",
        "scope": "service",
        "description": "T",
    },
    "{function}/dlq-name": {
        "type": "String",
        "sam_type": "String",
        "consumer": "template",
        "scope": "schedule",
        "description": "Q",
    },
}


def rows(table: str) -> list[str]:
    return [line for line in table.splitlines() if line.startswith("| `")]


def test_one_row_per_key_in_file_order_platform_first() -> None:
    assert [r.split("`")[1] for r in rows(render(SPEC, SERVICE))] == [*SPEC, *SERVICE]


def test_row_shows_the_typed_sam_parameter_and_escapes_pipes() -> None:
    row = rows(render(SPEC, SERVICE))[1]
    assert "`AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>`" in row
    assert "Subnets \\| private" in row


def test_deploy_keys_are_marked_as_read_by_sam_deploy() -> None:
    assert "| `sam deploy` |" in rows(render(SPEC, SERVICE))[2]


def test_service_rows_say_for_what_a_key_exists() -> None:
    assert "| every scheduled function |" in rows(render(SPEC, SERVICE))[4]


def test_replace_keeps_the_text_around_the_markers() -> None:
    document = f"before\n{START}\nold table\n{END}\nafter\n"
    assert replace_table(document, "new table") == f"before\n{START}\nnew table\n{END}\nafter\n"


def test_replace_refuses_a_document_without_markers() -> None:
    with pytest.raises(ValueError, match="no contract markers"):
        replace_table("no table here", "t")


def test_check_fails_on_a_stale_table_and_write_fixes_it(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{START}\nstale\n{END}\n")
    assert main(["--check", str(readme)]) == 1
    assert main(["--write", str(readme)]) == 0
    assert main(["--check", str(readme)]) == 0
    assert "stale" not in readme.read_text()
