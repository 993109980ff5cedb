"""Cold-start cost of each handler and the size of what `sam build` produced.

Init time: a fresh interpreter imports the handler module (settings, clients, Powertools, the
orders package) the way the Lambda runtime does, timed around the import;
a bare handler that only creates a boto3 DynamoDB client is measured the same way. The median of
RUNS fresh processes is reported. This machine runs Python 3.11 on x86_64, not the runtime's 3.13
on arm64, so the layers' code comes from layers/common and layers/orders and its dependencies from the dev
environment (the same pinned versions; the built layer's arm64 binaries cannot load here):
compare the numbers with each other, not with Lambda's INIT duration.

Run with `make bench` (it builds first).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / ".aws-sam" / "build"
RUNS = 11
BARE = "import boto3\nclient = boto3.client('dynamodb')\ndef lambda_handler(event, context):\n    return {}\n"
ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "POWERTOOLS_SERVICE_NAME": "orders",
    "POWERTOOLS_METRICS_NAMESPACE": "orders/bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "TABLE_NAME": "orders-bench-main",
    "TABLE_GSI1_NAME": "gsi1",
    "IDEMPOTENCY_TABLE_NAME": "orders-bench-idempotency",
    "EVENT_BUS_NAME": "orders-bench",
    "EVENT_SOURCE": "/orders/bench",
}
PROBE = """
import importlib.util, sys, time
started = time.perf_counter()
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print((time.perf_counter() - started) * 1000)
"""


def init_ms(handler: Path) -> float:
    env = {**{k: v for k, v in os.environ.items() if k == "PATH"}, **ENVIRONMENT}
    env["PYTHONPATH"] = os.pathsep.join(str(ROOT / "layers" / name) for name in ("common", "orders"))
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # the build directories stay as sam build left them
    times = []
    for _ in range(RUNS):
        out = subprocess.run(  # noqa: S603  # this interpreter, on a file of this repository
            [sys.executable, "-c", PROBE, str(handler)], env=env, capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout))
    return statistics.median(times)


def zipped_bytes(directory: Path) -> int:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory))
    return len(buffer.getvalue())


def main() -> None:
    if not (BUILD / "template.yaml").exists():
        sys.exit("no SAM build in .aws-sam/build: run `make build` first")
    bare = BUILD.parent / "bench-bare"
    bare.mkdir(exist_ok=True)
    (bare / "app.py").write_text(BARE)
    init = {"bare boto3 handler": round(init_ms(bare / "app.py"), 1)}
    for function in ("ApiFunction", "ProcessorFunction", "ScheduledFunction"):
        init[function] = round(init_ms(BUILD / function / "app.py"), 1)
    artifacts = {}
    for artifact in ("ApiFunction", "ProcessorFunction", "ScheduledFunction", "SharedLayer"):
        directory = BUILD / artifact
        unzipped = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
        artifacts[artifact] = {"unzipped_bytes": unzipped, "zipped_bytes": zipped_bytes(directory)}
    results = {"runs": RUNS, "python": sys.version.split()[0], "init_ms": init, "artifacts": artifacts}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
