"""`make local`: the whole system on this machine, in the foreground.

1. the AWS emulator (moto's server with the layer of localcloud.emulator_server) on
   127.0.0.1:LOCAL_AWS_PORT;
2. `terraform apply` of terraform/envs/local against it (a fresh state: the emulator keeps
   nothing between runs), which writes the SSM contract;
3. the local runtime of every service's template, sam/<service>/template.yaml (localcloud.runtime):
   their APIs on 127.0.0.1:LOCAL_API_PORT under each service's name, the stream pollers, the
   queue pollers and the schedules.

Prints `READY http://127.0.0.1:<port>` when everything is up. Ctrl-C or SIGTERM stops what it
started, by process id, and frees both ports. Terraform's own output goes to
.local/terraform-apply.log; the console gets a progress line every few seconds.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from localcloud.runtime import arguments, run
from localcloud.template import TemplateError

ROOT = Path(__file__).resolve().parent.parent
LOCAL_ENV = ROOT / "terraform" / "envs" / "local"
PROGRESS_SECONDS = 10
PR_SET_PDEATHSIG = 1


class StartError(RuntimeError):
    """Start-up cannot go on; the message is the one line to show."""


class Stopped(Exception):  # a signal, not an error
    """SIGINT or SIGTERM arrived during start-up."""


def _stop_during_startup(_signum: int, _frame: FrameType | None) -> None:
    raise Stopped


def die_with_parent() -> None:
    """In a child, before exec: receive SIGTERM when this process dies, even by SIGKILL (Linux).
    The signal follows the thread that started the child: only the main thread starts them."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def check_port_free(port: int, variable: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As a server binds: connections closing in TIME_WAIT do not hold the port, a listener does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise StartError(
                f"port {port} on 127.0.0.1 is taken: stop what listens there or set {variable} to a free port"
            ) from None


@contextmanager
def emulator(port: int, log: Path) -> Iterator[str]:
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "localcloud.emulator_server", "-H", "127.0.0.1", "-p", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},
            start_new_session=True,
            preexec_fn=die_with_parent,  # noqa: PLW1509  # only prctl, which is safe after fork
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise StartError(f"the emulator exited with {process.returncode}: see {log}")
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):  # noqa: S310  # loopback
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise StartError(
                        f"the emulator did not answer on {endpoint} within 60 s: see {log}"
                    ) from None
                time.sleep(0.2)
        print(f"emulator    {endpoint} (pid {process.pid}, log {_shown(log)})", flush=True)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def terraform(*args: str, log: Path, data_dir: Path) -> None:
    """Run terraform in envs/local, output to the log, a progress line on the console."""
    environment = {**os.environ, "TF_DATA_DIR": str(data_dir), "TF_IN_AUTOMATION": "1"}
    command = ["terraform", f"-chdir={LOCAL_ENV}", *args, "-no-color", "-input=false"]
    with log.open("a") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
            start_new_session=True,
            preexec_fn=die_with_parent,  # noqa: PLW1509  # only prctl, which is safe after fork
        )
        created, last_report, started = 0, time.monotonic(), time.monotonic()
        try:
            for line in process.stdout:  # type: ignore[union-attr]  # a PIPE
                out.write(line)
                if re.search(r": Creation complete after", line):
                    created += 1
                if args[0] == "apply" and time.monotonic() - last_report >= PROGRESS_SECONDS:
                    last_report = time.monotonic()
                    print(f"  {created} resources created ({last_report - started:.0f} s)", flush=True)
            process.wait()
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait()
    if process.returncode != 0:
        tail = "".join(log.read_text().splitlines(keepends=True)[-15:])
        hint = ""
        if "Failed to query available provider packages" in tail:
            hint = "\nStart it with `make local`: it points Terraform at the provider in TF_PLUGIN_DIR."
        raise StartError(
            f"terraform {args[0]} failed ({process.returncode}); the end of {log}:\n{tail}{hint}"
        )
    if args[0] == "apply":
        print(f"  {created} resources created in {time.monotonic() - started:.0f} s", flush=True)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def apply_platform(aws_port: int, work: Path) -> None:
    state = work / "terraform.tfstate"
    state.unlink(missing_ok=True)  # the new emulator is empty: a state from an earlier run would lie
    log = work / "terraform-apply.log"
    log.write_text("")
    data_dir = work / "terraform-data"
    print(f"terraform   apply terraform/envs/local (log {_shown(log)})", flush=True)
    terraform("init", f"-backend-config=path={state}", "-reconfigure", log=log, data_dir=data_dir)
    parallelism = os.environ.get("TF_PARALLELISM", "20")
    apply = ("apply", "-auto-approve", f"-parallelism={parallelism}", f"-var=emulator_port={aws_port}")
    terraform(*apply, log=log, data_dir=data_dir)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument(
        "--aws-port",
        type=int,
        default=int(os.environ.get("LOCAL_AWS_PORT", "5050")),
        help="the emulator's port (default LOCAL_AWS_PORT or %(default)s)",
    )
    parser.add_argument(
        "--work-dir", type=Path, default=ROOT / ".local", help="state and logs (default %(default)s)"
    )
    args: Any = parser.parse_args()
    signal.signal(signal.SIGINT, _stop_during_startup)
    signal.signal(signal.SIGTERM, _stop_during_startup)
    started = time.monotonic()
    work: Path = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        check_port_free(args.aws_port, "LOCAL_AWS_PORT")
        check_port_free(args.port, "LOCAL_API_PORT")
        with emulator(args.aws_port, work / "emulator.log") as endpoint:
            apply_platform(args.aws_port, work)
            print(
                f"runtime     sam/*/template.yaml ({time.monotonic() - started:.0f} s since start)",
                flush=True,
            )
            run(endpoint, args, started)
    except Stopped:
        print("stopped", file=sys.stderr)
    except (StartError, TemplateError) as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
