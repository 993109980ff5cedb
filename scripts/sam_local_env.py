"""What `sam local invoke` (with Docker) needs to run a service's functions on an environment's
contract. The SAM CLI does not resolve `AWS::SSM::Parameter::Value<...>` parameters locally
(aws-sam-cli #8277, closed as not supported): without this, every function gets the SSM *path* as
its value, `/<app>/local/<service>/data/table-name` as its table name.

For each service, read from SSM (the local emulator, or an account with the usual credentials) and
written under .local/sam-local/<env>/<service>/:
  parameters.txt  for --parameter-overrides: every SSM-typed parameter by its value
  env.json        for --env-vars: each function's variables as the template resolves them (and,
                  for the local emulator, AWS_ENDPOINT_URL pointing the SDK at it from the
                  container)

    make sam-local-env [ENV=local] [SERVICE=<service>]
    sam local invoke ApiFunction -t sam/<service>/template.yaml \\
      --parameter-overrides "$(cat .local/sam-local/local/<service>/parameters.txt)" \\
      --env-vars .local/sam-local/local/<service>/env.json -e sam/<service>/events/api/health.json
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from localcloud.emulator import session
from localcloud.template import SSM_TYPE, Template, TemplateError
from scripts.sam_template import SERVICES, template_path
from scripts.samconfig import overrides

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient

ROOT = Path(__file__).resolve().parent.parent
# How a container reaches the host's emulator (Docker Desktop; on Linux, run the SAM CLI with
# --add-host host.docker.internal:host-gateway).
CONTAINER_HOST = "host.docker.internal"


def write(ssm: SSMClient, service: str, env: str, out: Path, emulator_port: int | None) -> Path:
    """Both files of one service; the directory they are in."""
    path = template_path(service)
    names = {} if env == "local" else dict(pair.split("=", 1) for pair in overrides(service, env))
    template = Template(ssm, path, {k: v for k, v in names.items() if k in Template.declared(path)})
    resolved = {
        name: ",".join(value) if isinstance(value, list) else str(value)
        for name, value in template.parameters.items()
        if SSM_TYPE.match(template.raw["Parameters"][name]["Type"])
    }
    extra = {"AWS_ENDPOINT_URL": f"http://{CONTAINER_HOST}:{emulator_port}"} if emulator_port else {}
    variables = {f.logical_id: {**f.environment, **extra} for f in template.functions().values()}
    directory = out / env / service
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "parameters.txt").write_text(
        " ".join(f"{name}={shlex.quote(value)}" for name, value in resolved.items()) + "\n"
    )
    (directory / "env.json").write_text(json.dumps(variables, indent=2, sort_keys=True) + "\n")
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", default="local")
    parser.add_argument("--service", choices=SERVICES, help="one service (default: every one)")
    parser.add_argument("--endpoint", help="the local emulator, e.g. http://127.0.0.1:5050 (ENV=local)")
    parser.add_argument("--out", type=Path, default=ROOT / ".local" / "sam-local")
    args = parser.parse_args()
    if (args.env == "local") != bool(args.endpoint):
        sys.exit("ENV=local reads the emulator (--endpoint); another env reads its account (no --endpoint)")
    port = int(args.endpoint.rsplit(":", 1)[1]) if args.endpoint else None
    try:
        # The emulator with its local credentials, or an account with the caller's, as `sam deploy`.
        ssm = session().client("ssm", endpoint_url=args.endpoint) if args.endpoint else boto3.client("ssm")
        for service in [args.service] if args.service else SERVICES:
            directory = write(ssm, service, args.env, args.out, port)
            print(f"{service}: {directory}")
    except TemplateError as error:
        sys.exit(str(error))
    except (BotoCoreError, ClientError) as error:
        sys.exit(
            f"cannot read the {args.env} contract from SSM: {error} (set AWS_PROFILE or keys, and AWS_REGION)"
        )


if __name__ == "__main__":
    main()
