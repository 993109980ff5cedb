"""When `make local` takes the emulator it kept as it is, and when it starts from scratch: only
the same emulator process, on the same port, filled from the same Terraform, contract and emulator
code, with its state, answering."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from localcloud.up import KeptEmulator, fingerprint


class MotoApi(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # http.server's name
        self.send_response(200 if self.path == "/moto-api/" else 404)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    """A port on which something answers as the emulator does."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), MotoApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def process() -> Iterator[subprocess.Popen[bytes]]:
    """A process whose command line is the emulator's."""
    running = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "-m", "localcloud.emulator_server"]
    )
    yield running
    running.kill()
    running.wait()


def kept(work: Path, port: int, pid: int, stamp: str | None = None) -> KeptEmulator:
    (work / "emulator.json").write_text(
        json.dumps({"pid": pid, "port": port, "fingerprint": stamp or fingerprint()})
    )
    (work / "terraform.tfstate").write_text("{}")
    return KeptEmulator(work, port)


def test_the_same_emulator_filled_from_the_same_files_is_taken_as_it_is(
    tmp_path: Path, port: int, process: subprocess.Popen[bytes]
) -> None:
    assert kept(tmp_path, port, process.pid).reusable() is None


def test_anything_else_starts_from_scratch(
    tmp_path: Path, port: int, process: subprocess.Popen[bytes]
) -> None:
    assert KeptEmulator(tmp_path, port).reusable() == "none was kept"
    assert kept(tmp_path, port, process.pid, stamp="0" * 64).reusable() == (
        "the Terraform, the contract or the emulator changed since it was filled"
    )
    assert kept(tmp_path, port + 1, process.pid).reusable() is not None  # another port asked for
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert kept(tmp_path, port, other.pid).reusable() == "it is no longer running"  # not the emulator
    finally:
        other.kill()
        other.wait()
    (tmp_path / "terraform.tfstate").unlink()
    record = json.loads((tmp_path / "emulator.json").read_text())
    (tmp_path / "emulator.json").write_text(json.dumps({**record, "pid": process.pid}))
    assert KeptEmulator(tmp_path, port).reusable() == "its Terraform state or its answers are gone"


def test_a_dead_emulator_and_a_silent_port_are_not_taken(
    tmp_path: Path, process: subprocess.Popen[bytes]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        silent = probe.getsockname()[1]
    assert kept(tmp_path, silent, process.pid).reusable() == "its Terraform state or its answers are gone"
    process.kill()
    process.wait()
    assert kept(tmp_path, silent, process.pid).reusable() == "it is no longer running"


def test_stop_ends_the_kept_process_and_forgets_it(
    tmp_path: Path, port: int, process: subprocess.Popen[bytes]
) -> None:
    emulator = kept(tmp_path, port, process.pid)
    (tmp_path / "stream-positions.json").write_text("{}")
    assert emulator.stop() is True
    process.wait(timeout=15)
    assert not (tmp_path / "emulator.json").exists()
    assert not (tmp_path / "stream-positions.json").exists()
    assert emulator.stop() is False
