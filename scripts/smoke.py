"""The deploy workflow's smoke test of a service's API: it answers, refuses a call without a token,
and serves a signed-in user. The call is the first GET of the API's own OpenAPI document that takes
no path parameter (besides the public /health and /openapi.json).

    python -m scripts.smoke --stack <app>-dev-<service>  # the URL and app client from the stack's outputs
    python -m scripts.smoke --api-url URL --client-id ID  # or given

The user signs in with SMOKE_USERNAME / SMOKE_PASSWORD (USER_PASSWORD_AUTH on the stack's app
client): a user of a tenant kept for smoke tests, created once per environment. Exit 0 when every
check passes; otherwise one line per failed check, how the gradual deployment rolls back, and
exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

TIMEOUT = 15
ROLLBACK = """\
How this deployment rolls back: while CodeDeploy shifts traffic to the new versions (the
template's DeploymentPreference: AllAtOnce in dev, canary/linear in staging and prod), any of the
functions' rollback alarms going off sends the traffic back to the previous versions on its own.
A smoke test that fails after the shift has finished is not such an alarm: revert the change and
push (this workflow then deploys the previous code), or stop the deployment in CodeDeploy with
rollback while it is still shifting."""


def get(url: str, token: str | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers={"Authorization": token} if token else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except json.JSONDecodeError:
        return status, raw.decode(errors="replace")[:200]


def stack_outputs(stack: str) -> dict[str, str]:
    described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}


def id_token(client_id: str, username: str, password: str, endpoint_url: str | None) -> str:
    cognito = boto3.client("cognito-idp", endpoint_url=endpoint_url)
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    token: str = answer["AuthenticationResult"]["IdToken"]
    return token


PUBLIC = ("/health", "/openapi.json")


def protected_path(document: Any) -> str | None:
    """The first GET of an OpenAPI document that needs a caller and no path parameter."""
    paths = document.get("paths", {}) if isinstance(document, dict) else {}
    return next((p for p, ops in paths.items() if "get" in ops and "{" not in p and p not in PUBLIC), None)


def checks(api_url: str, token: str) -> list[str]:
    """The failed checks, each a line; none when the deployment works."""
    api = api_url.rstrip("/")
    failed = []
    status, body = get(f"{api}/health")
    if status != 200:
        failed.append(f"GET /health answered {status}: {body}")
    status, document = get(f"{api}/openapi.json")
    path = protected_path(document)
    if status != 200 or path is None:
        failed.append(f"GET /openapi.json answered {status} without a GET route to try: {document}")
        return failed
    status, body = get(f"{api}{path}")
    if status != 401:
        failed.append(
            f"GET {path} without a token answered {status}, not 401: the authorizer is not in front"
        )
    status, body = get(f"{api}{path}", token)
    if status != 200:
        failed.append(f"GET {path} as the smoke user answered {status}: {body}")
    return failed


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", help="the SAM stack whose outputs name the API and the app client")
    source.add_argument("--api-url", help="the API's base URL (with --client-id)")
    parser.add_argument("--client-id", help="the Cognito app client (with --api-url)")
    parser.add_argument("--cognito-endpoint", help="a Cognito endpoint other than AWS's (the local cloud)")
    args = parser.parse_args(None if argv is None else list(argv))
    username, password = os.environ.get("SMOKE_USERNAME"), os.environ.get("SMOKE_PASSWORD")
    if not username or not password:
        sys.exit(
            "SMOKE_USERNAME and SMOKE_PASSWORD are not set: create the smoke user (docs/ci-cd.md), pass both"
        )
    if args.stack:
        outputs = stack_outputs(args.stack)
        if "ApiUrl" not in outputs:
            print(f"{args.stack} has no API: nothing to smoke-test")
            return
        api_url, client_id = outputs["ApiUrl"], outputs["UserPoolClientId"]
    elif args.client_id:
        api_url, client_id = args.api_url, args.client_id
    else:
        parser.error("--api-url needs --client-id")

    try:
        token = id_token(client_id, username, password, args.cognito_endpoint)
    except (BotoCoreError, ClientError) as error:
        failed = [f"the smoke user could not sign in: {error}"]
    else:
        failed = checks(api_url, token)
    for line in failed:
        print(f"smoke test failed: {line}")
    if failed:
        print(ROLLBACK)
        sys.exit(1)
    print(f"smoke test passed: {api_url} (/health, 401 without a token, a GET as the smoke user)")


if __name__ == "__main__":
    main()
