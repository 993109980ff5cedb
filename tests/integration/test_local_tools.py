"""`make token` and `make events` against the local platform in the emulator."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from localcloud.events import drain, line
from localcloud.template import TemplateError
from localcloud.token import id_token
from scripts.contract import APP

if TYPE_CHECKING:
    from tests.conftest import Emulator, LocalPlatform

ROOT = Path(__file__).resolve().parents[2]


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def test_a_token_carries_the_tenant_for_the_pools_client(
    local_platform: LocalPlatform, emulator: Emulator, contract: dict[str, str]
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    result = subprocess.run(
        [sys.executable, "-m", "localcloud.token", "--tenant", tenant, "--endpoint", emulator.endpoint],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    token = claims(result.stdout.strip())
    assert token["custom:tenant"] == tenant
    assert token["token_use"] == "id"  # noqa: S105  # a claim, not a password
    assert token["aud"] == contract["auth/user-pool-client-id"]
    assert token["iss"].endswith("/" + contract["auth/user-pool-id"])
    assert token["email"] == f"{tenant}-user@example.com"


def test_a_user_signs_in_again_but_never_for_another_tenant(
    local_platform: LocalPlatform, emulator: Emulator
) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}@example.com"
    first = claims(id_token(emulator.endpoint, "acme", user))
    again = claims(id_token(emulator.endpoint, "acme", user))
    assert (first["sub"], again["custom:tenant"]) == (again["sub"], "acme")
    with pytest.raises(
        TemplateError, match=f"user {user} belongs to tenant acme: choose another USER for globex"
    ):
        id_token(emulator.endpoint, "globex", user)


def test_a_bad_tenant_is_one_line() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "localcloud.token",
            "--tenant",
            "Not A Tenant",
            "--endpoint",
            "http://127.0.0.1:9",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr.strip()) == (
        1,
        "TENANT='Not A Tenant' is not a tenant id: use lowercase letters, digits and '-'",
    )


def test_the_tap_receives_every_event_of_the_bus(
    local_platform: LocalPlatform, emulator: Emulator, contract: dict[str, str]
) -> None:
    drain(emulator.endpoint)
    events = emulator.session.client("events", endpoint_url=emulator.endpoint)
    detail = {"id": "e-1", "subject": "01THING", "tenant": "acme", "type": "things.thing.created"}
    events.put_events(
        Entries=[
            {
                "EventBusName": contract["events/bus-name"],
                "Source": f"/{APP}/local/things",
                "DetailType": "things.thing.created",
                "Detail": json.dumps(detail),
            }
        ]
    )

    [arrived] = drain(emulator.endpoint)
    assert arrived["detail"] == detail
    assert "things.thing.created" in line(arrived)
    assert "tenant=acme subject=01THING id=e-1" in line(arrived)
    assert drain(emulator.endpoint) == []
