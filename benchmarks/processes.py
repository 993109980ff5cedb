"""Where this machine's CPU goes while the local cloud runs: each process's user and system time
over an interval, from /proc (Linux), in percent of one core. A function's workers are counted
together under the function's name; the emulator's two processes apart (decision 0022).

Run it beside a load, e.g. `python -m benchmarks.load --api http://127.0.0.1:3000` on a running
`make local`:

    python -m benchmarks.processes [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from pathlib import Path

PROC = Path("/proc")


def name(arguments: list[str]) -> str:
    """A worker by its function's name (its spec, the argument after worker.py); any other process
    by its command line."""
    for index, argument in enumerate(arguments[:-1]):
        if argument.endswith("worker.py"):
            try:
                return f"worker {json.loads(arguments[index + 1])['name']}"
            except (ValueError, KeyError):
                break
    return " ".join(arguments)[:120]


def cpu_ticks() -> dict[int, tuple[int, str]]:
    """Each process's user + system clock ticks so far, and its name."""
    found = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            arguments = [
                a.decode(errors="replace") for a in (entry / "cmdline").read_bytes().split(b"\0") if a
            ]
        except OSError:  # it ended meanwhile
            continue
        found[int(entry.name)] = (ticks(stat), name(arguments))
    return found


def ticks(stat: str) -> int:
    """A process's user + system clock ticks so far, from its /proc/<pid>/stat."""
    fields = stat.rsplit(")", 1)[1].split()  # after the command's name, which may hold anything
    return int(fields[11]) + int(fields[12])  # utime, stime


def sample(seconds: float) -> tuple[float, dict[str, float]]:
    before, started = cpu_ticks(), time.monotonic()
    time.sleep(seconds)
    after, elapsed = cpu_ticks(), time.monotonic() - started
    per_core = os.sysconf("SC_CLK_TCK") * elapsed
    shares: defaultdict[str, float] = defaultdict(float)
    for pid, (ticks, label) in after.items():
        used = ticks - before[pid][0] if pid in before else ticks
        if used > 0 and label:
            shares[label] += 100 * used / per_core
    return elapsed, shares


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--top", type=int, default=15, help="processes shown (default %(default)s)")
    args = parser.parse_args()
    elapsed, shares = sample(args.seconds)
    print(f"{sum(shares.values()):.0f} % of one core in all over {elapsed:.1f} s ({os.cpu_count()} cores)")
    for label, share in sorted(shares.items(), key=lambda item: -item[1])[: args.top]:
        print(f"{share:6.1f} %  {label}")


if __name__ == "__main__":
    main()
