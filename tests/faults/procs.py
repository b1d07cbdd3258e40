"""Processes of the fault-injection suite: start a ``bankflow`` command as a real process, kill it at a
moment, and count what it left (by the lifeline mark its children carry, pipeline/lifeline.py)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.lifeline import _start_time, marked_processes

ROOT = Path(__file__).resolve().parents[2]


def start_cli(*args: str, env: dict[str, str] | None = None, log: Path | None = None) -> subprocess.Popen:
    """``python -m flows.cli ARGS`` in its own process group, output to ``log`` (or discarded)."""
    e = {k: v for k, v in os.environ.items() if k != "BANKFLOW_LIFELINE"}
    e.update({"PYTHONPATH": str(ROOT), "COLUMNS": "120", **(env or {})})
    out = open(log, "wb") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen([sys.executable, "-m", "flows.cli", *args], env=e, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        if log:
            out.close()


def mark_of(proc: subprocess.Popen) -> str:
    """The lifeline mark the command's children carry (its pid and start time)."""
    for _ in range(200):
        st = _start_time(proc.pid)
        if st is not None:
            return f"{proc.pid}:{st}"
        time.sleep(0.01)
    raise AssertionError(f"process {proc.pid} vanished")


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def children_of(mark: str) -> dict[int, str]:
    """pid -> command line of every live process carrying ``mark`` (the command itself excluded)."""
    owner = int(mark.split(":")[0])
    return {p: cmdline(p) for p, m in marked_processes().items() if m == mark and p != owner and _alive(p)}


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(pred: Callable[[], bool], timeout: float, proc: subprocess.Popen | None = None) -> bool:
    """Poll ``pred`` until true (True), the timeout, or ``proc`` ended (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the command's process only (not its group: the children must end by themselves)."""
    try:
        os.kill(proc.pid, sig)
    except ProcessLookupError:
        pass
    proc.wait(60)


def leftovers(mark: str, timeout: float = 20.0) -> dict[int, str]:
    """What still carries ``mark`` once ``timeout`` seconds passed without it going away."""
    wait_for(lambda: not children_of(mark), timeout)
    return children_of(mark)
