"""No process outlives bankflow: SIGKILL of a running demo (its parent process only) leaves none of its
simulators, parse workers, resource tracker or Prefect server behind; a later run ends what a crash of
the whole group left (the reaper killed too)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import lifeline
from tests.faults.procs import children_of, kill, leftovers, mark_of, start_cli, wait_for

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
SEED = int(os.environ.get("BANKFLOW_FAULT_SEED", "12"))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize("mode", ["--prefect", "--no-prefect"])
def test_killed_demo_leaves_no_process(tmp_path: Path, sig: int, mode: str) -> None:
    """The moment: once Prefect's server (uvicorn) runs beside the simulators (``--prefect``), or once the
    sync has started in the demo's own process (``--no-prefect``), plus a seeded delay."""
    log = tmp_path / "demo.log"
    proc = start_cli("demo", mode, "--data-dir", str(tmp_path / "data"), log=log)
    mark = mark_of(proc)
    try:
        if mode == "--prefect":
            up = wait_for(lambda: any("uvicorn" in c for c in children_of(mark).values()), 240, proc)
        else:
            up = wait_for(lambda: "syncing" in log.read_text() and bool(children_of(mark)), 240, proc)
        assert up, log.read_text()
        seen = children_of(mark)
        assert any("spawn_main" in c for c in seen.values())  # the simulators' process
        time.sleep(random.Random(SEED + sig).uniform(0, 3))
        kill(proc, sig)
        assert leftovers(mark) == {}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        lifeline.end_processes(lambda m: m == mark, grace=0)


def _marked_sleeper(mark: str) -> subprocess.Popen:
    env = {**os.environ, lifeline.MARK: mark}
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], env=env,
                            start_new_session=True)


def test_a_later_run_ends_what_a_crash_left(tmp_path: Path) -> None:
    """Leftovers whose owner is gone (pid and start time) are ended by the next guard(); those of a
    live owner (another bankflow still running) are not."""
    dead_owner = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_owner.wait()
    orphan = _marked_sleeper(f"{dead_owner.pid}:1")
    live = _marked_sleeper(lifeline.my_mark())  # its owner, this test process, is running
    try:
        assert wait_for(lambda: orphan.pid in lifeline.marked_processes(), 10)
        ended = lifeline.end_orphans()
        assert orphan.pid in ended and live.pid not in ended
        assert orphan.wait(10) is not None
        assert live.poll() is None
    finally:
        for p in (orphan, live):
            if p.poll() is None:
                p.kill()
                p.wait()


def test_the_reaper_ends_children_when_the_group_dies_later(tmp_path: Path) -> None:
    """A command that starts a child and is SIGKILLed: the child (a plain subprocess, which watches no
    parent) is ended by the reaper within seconds."""
    code = ("import subprocess, sys, time\n"
            "from pipeline.lifeline import guard\n"
            "guard()\n"
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
            "print('ready', flush=True)\n"
            "time.sleep(120)\n")
    env = {k: v for k, v in os.environ.items() if k != lifeline.MARK}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        mark = mark_of(proc)
        # the reaper and the sleeper (a scan waits for a child still inside execve: test_lifeline_scan.py)
        assert wait_for(lambda: len(children_of(mark)) == 2, 10, proc), children_of(mark)
        kill(proc)
        assert leftovers(mark, 10) == {}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
