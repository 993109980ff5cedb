"""`make local`: the whole system on this machine, in the foreground.

1. the AWS emulator (moto's server with the layer of localcloud.emulator_server) on
   127.0.0.1:LOCAL_AWS_PORT;
2. `terraform apply` of terraform/envs/local against it (a fresh state: a new emulator holds
   nothing), which writes the SSM contract;
3. the local runtime of every service's template, sam/<service>/template.yaml (localcloud.runtime):
   their APIs on 127.0.0.1:LOCAL_API_PORT under each service's name, the stream pollers, the
   queue pollers and the schedules.

Prints `READY http://127.0.0.1:<port>` when everything is up. Ctrl-C or SIGTERM stops what it
started, by process id, and frees both ports. Terraform's own output goes to
.local/terraform-apply.log; the console gets a progress line every few seconds.

With --keep-emulator (`make local`), the emulator outlives the run: its process id, port and a
fingerprint of what filled it (the Terraform, the contract files, the emulator and its layer) are
written to emulator.json in the work directory, and the next run whose fingerprint is the same
takes it as it is, applies nothing and starts the runtime at once, each stream mapping resuming
after its checkpoint (stream-positions.json). Anything else (a changed fingerprint, a dead or
foreign process, --fresh) stops the kept emulator and starts from scratch. --stop stops it.
(Decision 0020.)
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
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

from localcloud.emulator import die_with_parent
from localcloud.runtime import arguments, run
from localcloud.template import TemplateError

ROOT = Path(__file__).resolve().parent.parent
LOCAL_ENV = ROOT / "terraform" / "envs" / "local"
PROGRESS_SECONDS = 10


class StartError(RuntimeError):
    """Start-up cannot go on; the message is the one line to show."""


class Stopped(Exception):  # a signal, not an error
    """SIGINT or SIGTERM arrived during start-up."""


def _stop_during_startup(_signum: int, _frame: FrameType | None) -> None:
    raise Stopped


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


EMULATOR = ("-m", "localcloud.emulator_server")
# What fills the emulator, and so decides whether a kept one can be used again.
FILLED_FROM = ("terraform/**/*.tf", "terraform/**/*.json", "localcloud/emulator*.py")


def answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):  # noqa: S310  # loopback
            return True
    except OSError:
        return False


def start_emulator(port: int, log: Path, *, keep: bool) -> subprocess.Popen[bytes]:
    """The emulator on 127.0.0.1:port, answering; it dies with this process unless kept."""
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *EMULATOR, "-H", "127.0.0.1", "-p", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},
            start_new_session=True,
            preexec_fn=None if keep else die_with_parent,  # noqa: PLW1509  # only prctl, safe after fork
        )
    deadline = time.monotonic() + 60
    while not answers(endpoint):
        if process.poll() is not None:
            raise StartError(f"the emulator exited with {process.returncode}: see {log}")
        if time.monotonic() > deadline:
            stop_process(process.pid)
            raise StartError(f"the emulator did not answer on {endpoint} within 60 s: see {log}")
        time.sleep(0.2)
    print(f"emulator    {endpoint} (pid {process.pid}, log {_shown(log)})", flush=True)
    return process


def stop_process(pid: int) -> None:
    """SIGTERM, then SIGKILL after 10 s, to a process of ours."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while command_of(pid) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        if command_of(pid) is not None:
            os.kill(pid, signal.SIGKILL)


def command_of(pid: int) -> str | None:
    """The command line of a running process; None when there is none, or only its zombie."""
    shown = subprocess.run(
        ["ps", "-ww", "-o", "stat=,command=", "-p", str(pid)], capture_output=True, text=True, check=False
    ).stdout.strip()
    return shown.split(maxsplit=1)[1] if shown and not shown.startswith("Z") and " " in shown else None


@contextmanager
def emulator(port: int, log: Path) -> Iterator[str]:
    """An emulator for this run only."""
    process = start_emulator(port, log, keep=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fingerprint() -> str:
    digest = hashlib.sha256(importlib.metadata.version("moto").encode())
    for pattern in FILLED_FROM:
        for path in sorted(ROOT.glob(pattern)):
            if ".terraform" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class KeptEmulator:
    """The emulator `make local` keeps between runs, as recorded in the work directory."""

    def __init__(self, work: Path, port: int) -> None:
        self.record = work / "emulator.json"
        self.positions = work / "stream-positions.json"
        self.state = work / "terraform.tfstate"
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"

    def _recorded(self) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = json.loads(self.record.read_text())
        except (OSError, ValueError):
            return None
        return found

    def _ours(self, pid: int) -> bool:
        """The process is still the emulator that was recorded, not a process that took its id."""
        return "localcloud.emulator_server" in (command_of(pid) or "")

    def reusable(self) -> str | None:
        """Why the kept emulator cannot be used as it is, or None when it can."""
        recorded = self._recorded()
        if recorded is None:
            return "none was kept"
        if not self._ours(int(recorded["pid"])):
            return "it is no longer running"
        if recorded["port"] != self.port:
            return f"it listens on {recorded['port']}, not LOCAL_AWS_PORT={self.port}"
        if recorded["fingerprint"] != fingerprint():
            return "the Terraform, the contract or the emulator changed since it was filled"
        if not self.state.exists() or not answers(self.endpoint):
            return "its Terraform state or its answers are gone"
        return None

    def stop(self) -> bool:
        """Stop the kept emulator, if there is one; forget it either way."""
        recorded = self._recorded()
        stopped = recorded is not None and self._ours(int(recorded["pid"]))
        if stopped and recorded is not None:
            stop_process(int(recorded["pid"]))
        for path in (self.record, self.positions):
            path.unlink(missing_ok=True)
        return stopped

    def keep(self, process: subprocess.Popen[bytes]) -> None:
        self.record.write_text(
            json.dumps({"pid": process.pid, "port": self.port, "fingerprint": fingerprint()}) + "\n"
        )


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
    parser.add_argument("--keep-emulator", action="store_true", help="keep the emulator for a warm restart")
    parser.add_argument("--fresh", action="store_true", help="with --keep-emulator: start from scratch")
    parser.add_argument("--stop", action="store_true", help="stop the kept emulator, and nothing else")
    args: Any = parser.parse_args()
    signal.signal(signal.SIGINT, _stop_during_startup)
    signal.signal(signal.SIGTERM, _stop_during_startup)
    started = time.monotonic()
    work: Path = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    kept = KeptEmulator(work, args.aws_port)
    if args.stop:
        print("the kept emulator stopped" if kept.stop() else "no emulator was kept")
        return
    try:
        if args.keep_emulator:
            warm(kept, args, started, work)
        else:
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


def warm(kept: KeptEmulator, args: Any, started: float, work: Path) -> None:
    """`make local`: the kept emulator as it is when it can be, else a new one, filled and kept."""
    why = "FRESH=1 asked for it" if args.fresh else kept.reusable()
    check_port_free(args.port, "LOCAL_API_PORT")
    if why is None:
        recorded = json.loads(kept.record.read_text())
        print(f"emulator    {kept.endpoint} (kept from the last run, pid {recorded['pid']})", flush=True)
        print("terraform   nothing changed since it was applied: not applied again", flush=True)
    else:
        kept.stop()
        check_port_free(args.aws_port, "LOCAL_AWS_PORT")
        print(f"emulator    a new one: {why}", flush=True)
        process = start_emulator(args.aws_port, work / "emulator.log", keep=True)
        try:
            apply_platform(args.aws_port, work)
        except BaseException:
            stop_process(process.pid)
            raise
        kept.keep(process)
    print(f"runtime     sam/*/template.yaml ({time.monotonic() - started:.0f} s since start)", flush=True)
    try:
        run(kept.endpoint, args, started, positions_file=kept.positions)
    finally:
        print(f"the emulator keeps running for the next start ({kept.endpoint}); make local-stop stops it")


if __name__ == "__main__":
    main()
