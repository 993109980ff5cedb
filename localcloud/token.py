"""Print an ID token of a user of one tenant, from the emulator's Cognito user pool.

    python -m localcloud.token --tenant acme [--user alice]

A user is an email address (the pool signs in by email); a bare name becomes
<name>@example.com. The user is created on first use with `custom:tenant` set (the attribute
is immutable, so a user belongs to one tenant for good); each call sets a fresh random
password and signs in with it (USER_PASSWORD_AUTH), so no password is stored anywhere. The
pool and its app client are the platform's, read from the contract as every service's template
reads them.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
import threading
import urllib.request
from typing import TYPE_CHECKING, Any

from localcloud.emulator import DEFAULT_ENDPOINT, session
from localcloud.template import TemplateError
from scripts.contract import APP

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient

TENANT = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def user_pool(ssm: SSMClient) -> tuple[str, str]:
    """The platform's Cognito user pool and app client, from the contract."""
    try:
        pool, client_id = (
            ssm.get_parameter(Name=f"/{APP}/local/auth/{key}")["Parameter"]["Value"]
            for key in ("user-pool-id", "user-pool-client-id")
        )
    except ssm.exceptions.ParameterNotFound:
        raise TemplateError(
            f"/{APP}/local/auth/ holds no user pool: apply the platform first (make tf-apply ENV=local)"
        ) from None
    return pool, client_id


def id_token(endpoint: str, tenant: str, user: str) -> str:
    aws = session()
    pool, client_id = user_pool(aws.client("ssm", endpoint_url=endpoint))
    cognito = aws.client("cognito-idp", endpoint_url=endpoint)
    try:
        cognito.admin_create_user(
            UserPoolId=pool,
            Username=user,
            UserAttributes=[{"Name": "custom:tenant", "Value": tenant}],
            MessageAction="SUPPRESS",
        )
    except cognito.exceptions.UsernameExistsException:
        attributes = cognito.admin_get_user(UserPoolId=pool, Username=user)["UserAttributes"]
        current = next((a["Value"] for a in attributes if a["Name"] == "custom:tenant"), None)
        if current != tenant:
            raise TemplateError(
                f"user {user} belongs to tenant {current}: choose another USER for {tenant}"
            ) from None
    password = f"Lc-{secrets.token_urlsafe(18)}1!"
    cognito.admin_set_user_password(UserPoolId=pool, Username=user, Password=password, Permanent=True)
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user, "PASSWORD": password},
    )
    return answer["AuthenticationResult"]["IdToken"]


class ApiClient:
    """A service's API of the running local cloud, as each tenant's user calls it: one user per
    tenant (<tenant>-user@example.com), signed in once. Thread-safe."""

    def __init__(self, base_url: str, endpoint: str) -> None:
        self.base_url = base_url
        self.endpoint = endpoint
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def token(self, tenant: str) -> str:
        """An ID token of the tenant's user, made once (the user is created on the first call)."""
        with self._lock:
            if tenant not in self._tokens:
                self._tokens[tenant] = id_token(self.endpoint, tenant, f"{tenant}-user@example.com")
            return self._tokens[tenant]

    def get(self, tenant: str, path: str) -> Any:
        """The JSON answer of GET <path> as the tenant's user."""
        request = urllib.request.Request(  # noqa: S310  # the local API, on loopback
            f"{self.base_url}{path}", headers={"Authorization": self.token(tenant)}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310  # loopback
            return json.load(answer)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tenant", required=True, help="lowercase letters, digits and '-'")
    parser.add_argument("--user", help="an email, or a name for <name>@example.com (default: <tenant>-user)")
    parser.add_argument("--endpoint", default=DEFAULT_ENDPOINT, help="the emulator (default %(default)s)")
    args = parser.parse_args()
    if not TENANT.match(args.tenant):
        sys.exit(f"TENANT={args.tenant!r} is not a tenant id: use lowercase letters, digits and '-'")
    try:
        user = args.user or f"{args.tenant}-user"
        print(id_token(args.endpoint, args.tenant, user if "@" in user else f"{user}@example.com"))
    except TemplateError as error:
        sys.exit(str(error))
    except OSError as error:
        sys.exit(f"no AWS emulator at {args.endpoint} ({error}): start one with `make emulator`")


if __name__ == "__main__":
    main()
