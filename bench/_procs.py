"""Process helpers the server benchmarks share: ports, CPU time, fd limits, py-spy."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # a bench script runs with bench/ first on the path

from tests.net import free_port  # noqa: E402  (the one free_port, shared with the tests)

__all__ = ["cpu_seconds", "free_port", "raise_fd_limit", "start_profiler", "stop_profiler"]

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


def start_profiler(pid: int, out: Path | None, label: str) -> subprocess.Popen[bytes] | None:
    """py-spy on the server while events flow (None without --profile)."""
    if out is None:
        return None
    out.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    cmd = [
        str(spy),
        "record",
        "-p",
        str(pid),
        "-r",
        "200",
        "--nonblocking",
        "-f",
        "raw",
        "-o",
        str(out / f"{label}.txt"),
    ]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def stop_profiler(spy: subprocess.Popen[bytes] | None) -> None:
    if spy is None:
        return
    spy.send_signal(signal.SIGINT)  # py-spy writes its flame graph on SIGINT
    try:
        spy.wait(timeout=60)
    except subprocess.TimeoutExpired:
        spy.kill()
