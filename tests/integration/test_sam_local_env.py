"""`make sam-local-env` (scripts/sam_local_env.py) against the contract Terraform wrote: what
`sam local invoke` is handed resolves every SSM-typed parameter to its value, and each function's
variables are those values, as CloudFormation would have resolved them. (Docker cannot run here,
so no container runs them.)"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from scripts.contract import APP
from scripts.sam_local_env import CONTAINER_HOST, write
from scripts.sam_template import SERVICES

if TYPE_CHECKING:
    from tests.conftest import Emulator, LocalPlatform

pytestmark = pytest.mark.emulator


@pytest.mark.parametrize("service", SERVICES)
def test_the_overrides_and_variables_are_the_contracts_values(
    local_platform: LocalPlatform, emulator: Emulator, tmp_path: Path, service: str
) -> None:
    ssm = emulator.session.client("ssm", endpoint_url=emulator.endpoint)
    directory = write(ssm, service, "local", tmp_path, emulator.port)
    pairs = dict(pair.split("=", 1) for pair in shlex.split((directory / "parameters.txt").read_text()))

    assert pairs["AppStageName"] == "local"
    assert (
        pairs["DataTableName"]
        == ssm.get_parameter(Name=f"/{APP}/local/{service}/data/table-name")["Parameter"]["Value"]
    )
    paths = {
        parameter["Name"]
        for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=f"/{APP}/local", Recursive=True)
        for parameter in page["Parameters"]
    }
    assert not [name for name, value in pairs.items() if value in paths], "an SSM path left as a value"
    subnets = ssm.get_parameter(Name=f"/{APP}/local/network/private-subnet-ids")["Parameter"]["Value"]
    assert pairs["NetworkPrivateSubnetIds"] == subnets  # a list parameter, comma-separated as SAM takes it

    variables = json.loads((directory / "env.json").read_text())
    api = variables["ApiFunction"]
    assert api["TABLE_NAME"] == pairs["DataTableName"]
    assert api["AWS_ENDPOINT_URL"] == f"http://{CONTAINER_HOST}:{emulator.port}"
    assert not [v for fn in variables.values() for v in fn.values() if v in paths]
