"""One function's execution environment: a Python process that imports the handler once and
calls it for each invocation its parent sends, like a warm Lambda sandbox.

The parent (localcloud.functions) starts it as `python -I worker.py <spec-json> <reply-fd>` with
the function's environment only. `-I` keeps the repository and its own directory off the import
path, so the function sees its code directory, its layers and the interpreter's packages, nothing
of the local cloud. This file imports nothing outside the standard library for the same reason.

Once the handler is imported (or failed to import), the worker says so on the reply descriptor:
{"initialised": true}, the end of Lambda's Init phase. Invocations then arrive on standard input,
one JSON document per line ({"event", "request_id", "deadline_ms"}); each reply goes to the reply
descriptor as one JSON line: {"result": ...} or {"error": {"errorType", "errorMessage",
"stackTrace"}}. Standard output and error are the function's logs. The parent enforces the
timeout by killing this process.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any

REGION = os.environ.get("AWS_REGION", "us-east-1")
ACCOUNT_ID = "123456789012"  # the emulator's (localcloud.emulator), not imported: see above


@dataclass
class LambdaContext:
    """The context object the Lambda runtime passes to a handler."""

    function_name: str
    memory_limit_in_mb: int
    aws_request_id: str
    deadline_ms: int
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


def error_body(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    """An error as the Lambda runtime reports it."""
    return {
        "errorType": error_type or type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_exception(error)[1:],
    }


def load_handler(spec: dict[str, Any]) -> Any:
    sys.path[:0] = [spec["code_dir"], *spec["layer_dirs"]]
    module_name, function_name = spec["handler"].rsplit(".", 1)
    path = os.path.join(spec["code_dir"], f"{module_name}.py")
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"no module {module_name} at {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    module_spec.loader.exec_module(module)
    return getattr(module, function_name)


def serve(spec: dict[str, Any], reply: Any) -> None:
    try:
        handler = load_handler(spec)
        init_error = None
    except Exception as error:  # reported for every invocation, as Lambda does
        handler = None
        init_error = error_body(error, f"Runtime.ImportModuleError.{type(error).__name__}")
        traceback.print_exception(error)
    reply.write(json.dumps({"initialised": True}) + "\n")
    reply.flush()
    for line in sys.stdin:
        invocation = json.loads(line)
        if init_error is not None:
            outcome: dict[str, Any] = {"error": init_error}
        else:
            context = LambdaContext(
                function_name=spec["name"],
                memory_limit_in_mb=spec["memory_mb"],
                aws_request_id=invocation["request_id"],
                deadline_ms=invocation["deadline_ms"],
            )
            try:
                outcome = {"result": handler(invocation["event"], context)}
            except Exception as error:  # the function's error is the invocation's result
                traceback.print_exception(error)
                outcome = {"error": error_body(error)}
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            reply.write(json.dumps(outcome) + "\n")
        except (TypeError, ValueError) as error:
            reply.write(json.dumps({"error": error_body(error, "Runtime.MarshalError")}) + "\n")
        reply.flush()


def main() -> None:
    spec = json.loads(sys.argv[1])
    with os.fdopen(int(sys.argv[2]), "w") as reply:
        serve(spec, reply)


if __name__ == "__main__":
    main()
