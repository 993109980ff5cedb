"""Run one function of a service's template (sam/<service>/template.yaml) once, in this process,
against the local emulator: the Docker-free `sam local invoke`.

    python -m localcloud.invoke <service>/ApiFunction sam/<service>/events/api/health.json [--endpoint URL]

The function gets the environment the template gives it (Globals merged, SSM parameters
resolved from the emulator), the emulator's endpoint and credentials, its code directory and
layers on the import path, and a context object; its timeout from the template is enforced.
Its logs go to standard error, its response to standard output as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from localcloud.emulator import DEFAULT_ENDPOINT, REGION, sdk_endpoint_variables, session
from localcloud.template import Function, TemplateError, find_function
from localcloud.worker import LambdaContext


class FunctionTimedOut(RuntimeError):
    """The function ran past the timeout of its template."""


def runtime_environment(function: Function, endpoint: str) -> dict[str, str]:
    """What the Lambda runtime sets, pointed at the emulator, then the template's variables."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **sdk_endpoint_variables(endpoint),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",  # the emulator's, not a secret
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        # No X-Ray daemon runs locally; Tracer would only warn on every segment.
        "POWERTOOLS_TRACE_DISABLED": "true",
        **function.environment,
    }


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise FunctionTimedOut(f"Task timed out after {seconds} seconds")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def invoke(function: Function, event: Any, endpoint: str) -> Any:
    """Import the function's handler in this process with its own environment and call it once."""
    os.environ.clear()
    os.environ.update(runtime_environment(function, endpoint))
    sys.path[:0] = [str(function.code_dir), *(str(d) for d in function.layer_dirs)]
    path = function.code_dir / f"{function.module_name}.py"
    spec = importlib.util.spec_from_file_location(function.module_name, path)
    if spec is None or spec.loader is None:
        raise TemplateError(f"{function.logical_id}: no handler module at {path}")
    context = LambdaContext(
        function_name=function.name,
        memory_limit_in_mb=function.memory_mb,
        aws_request_id=str(uuid.uuid4()),
        deadline_ms=int((time.time() + function.timeout_seconds) * 1000),
    )
    with deadline(function.timeout_seconds):
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module, function.function_name)(event, context)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "function",
        help="logical id (ApiFunction, or <service>/ApiFunction where two services have one) or name",
    )
    parser.add_argument("event", type=Path, help="a JSON event, e.g. sam/<service>/events/api/health.json")
    parser.add_argument("--endpoint", default=DEFAULT_ENDPOINT, help="the emulator (default %(default)s)")
    parser.add_argument(
        "--parameter", action="append", default=[], metavar="NAME=VALUE", help="template parameter override"
    )
    args = parser.parse_args()
    try:
        event = json.loads(args.event.read_text())
    except (OSError, ValueError) as error:
        sys.exit(f"cannot read the event {args.event}: {error}")
    overrides = dict(p.split("=", 1) for p in args.parameter)
    ssm = session().client("ssm", endpoint_url=args.endpoint)
    try:
        function = find_function(ssm, args.function, overrides)
    except TemplateError as error:
        sys.exit(str(error))
    except OSError as error:
        sys.exit(f"no AWS emulator at {args.endpoint} ({error}): start one with `make emulator`")
    response_out = sys.stdout
    sys.stdout = sys.stderr  # the function's logs and metrics go where `sam local invoke` puts them
    response = invoke(function, event, args.endpoint)
    response_out.write(json.dumps(response) + "\n")


if __name__ == "__main__":
    main()
