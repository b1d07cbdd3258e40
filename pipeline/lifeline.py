"""No process outlives bankflow: the processes a command starts (Prefect's temporary server, the parse
pool's workers and multiprocessing's resource tracker, the bank simulators) end with it, even when it
is killed with SIGKILL, and a later run ends what an earlier crash left.

How (Linux; elsewhere :func:`guard` does nothing):

* :func:`guard` marks this process's environment with ``BANKFLOW_LIFELINE=<pid>:<start time>``; every
  process started afterwards inherits the mark (Prefect's ``uvicorn`` through ``subprocess``, the
  ``spawn`` workers through exec). It then starts a small *reaper* process whose standard input is a
  pipe from this process. The reaper blocks reading it; the pipe reaches end-of-file when this process
  ends, however it ends (exit, exception, SIGTERM, SIGKILL: the kernel closes the pipe). The reaper
  then ends every process carrying this mark (SIGTERM, then SIGKILL after a grace period). It sits in
  its own session, so a Ctrl-C in the terminal reaches the command, not the reaper.
* At start, :func:`guard` also ends marked processes whose owner is gone (a crash of an earlier run
  whose reaper was killed too, e.g. ``kill -9`` of the whole process group). A mark names its owner by
  pid *and* start time, so a reused pid is not mistaken for the owner.
* Workers we start ourselves also watch their parent (:func:`watch_parent`, a thread polling
  ``os.getppid()``): the second line of defence, and the one on systems without ``/proc``.

Only the standard library is imported here: the reaper runs this file with ``python -S -P``.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

MARK = "BANKFLOW_LIFELINE"
#: seconds between SIGTERM and SIGKILL when ending leftovers
GRACE = 3.0
_reaper: subprocess.Popen | None = None
_lock = threading.Lock()


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (``/proc/PID/stat`` field 22), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def my_mark() -> str:
    return f"{os.getpid()}:{_start_time(os.getpid())}"


def _owner_alive(mark: str) -> bool:
    pid, _, start = mark.partition(":")
    return pid.isdigit() and _start_time(int(pid)) == start


def marked_processes(pids: Iterable[int] | None = None) -> dict[int, str]:
    """pid -> mark of every process (readable by us; of ``pids`` only, when given) whose environment
    carries a lifeline mark.

    A process caught in the middle of ``execve`` shows an empty environment: the kernel lets the parent
    return from ``fork``/``vfork`` + exec (and closes the close-on-exec pipe ``subprocess`` waits on)
    before it has written the new program's environment. Such a process is read again until its
    environment appears (at most ``_EXEC_WAIT`` seconds), so a child started a moment ago is not missed.
    """
    found: dict[int, str] = {}
    blank: list[int] = []
    for pid in (int(d.name) for d in Path("/proc").glob("[0-9]*")) if pids is None else pids:
        env = _environ(pid)
        if env == b"" and _in_exec(pid):
            blank.append(pid)
        elif env:
            _note_mark(found, pid, env)
    deadline = time.monotonic() + _EXEC_WAIT
    while blank and time.monotonic() < deadline:
        time.sleep(0.002)
        still: list[int] = []
        for pid in blank:
            env = _environ(pid)
            if env:
                _note_mark(found, pid, env)
            elif env == b"" and _in_exec(pid):
                still.append(pid)
        blank = still
    return found


#: how long :func:`marked_processes` waits for a process in ``execve`` to show its environment
_EXEC_WAIT = 0.5
_NEEDLE = MARK.encode() + b"="
#: a process with an empty environment is waited for only if it started less than this many seconds ago
_YOUNG = 5.0
#: ``PF_KTHREAD`` in /proc/PID/stat's flags: kernel threads never have an environment
_PF_KTHREAD = 0x00200000


def _environ(pid: int) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None


def _in_exec(pid: int) -> bool:
    """An empty environment that may still fill: a live user process (not a kernel thread or a zombie)
    started less than ``_YOUNG`` seconds ago (a program started long ago with an empty environment is
    not waited for; the children this module cares about exec right after their fork)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError):
        return False
    age = uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return fields[0] not in ("Z", "X") and not int(fields[6]) & _PF_KTHREAD and age < _YOUNG


def _note_mark(found: dict[int, str], pid: int, env: bytes) -> None:
    for entry in env.split(b"\0"):
        if entry.startswith(_NEEDLE):
            found[pid] = entry[len(_NEEDLE):].decode(errors="replace")
            return


def end_processes(match: Callable[[str], bool], *, grace: float = GRACE) -> list[int]:
    """SIGTERM every marked process whose mark ``match``es (never this process), SIGKILL those still
    there after ``grace`` seconds. Returns the pids ended."""
    me = os.getpid()
    targets = [p for p, m in marked_processes().items() if p != me and match(m)]
    for p in targets:
        _signal(p, signal.SIGTERM)
    deadline = time.monotonic() + grace
    left = list(targets)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [p for p in left if _exists(p)]
    for p in left:
        _signal(p, signal.SIGKILL)
    return targets


def end_orphans() -> list[int]:
    """End the marked processes whose owner is no longer running (left by an earlier crash)."""
    return end_processes(lambda m: not _owner_alive(m) and m != os.environ.get(MARK))


def guard() -> None:
    """Make every process started from now on end with this one (see the module docstring). Idempotent
    per process; a no-op without ``/proc``."""
    global _reaper
    if not Path("/proc/self/stat").exists():
        return
    with _lock:
        mark = my_mark()
        if _reaper is not None and os.environ.get(MARK) == mark:
            return
        end_orphans()
        os.environ[MARK] = mark
        _reaper = subprocess.Popen([sys.executable, "-S", "-P", __file__, mark], stdin=subprocess.PIPE,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True,
                                   start_new_session=True)
        # this process keeps the pipe's write end open until it ends; nothing is ever written to it


def watch_parent(parent: int | None = None, interval: float = 0.5) -> None:
    """In a worker: a daemon thread that ends this process as soon as its parent is gone (the parent
    changes to init or a subreaper when it dies)."""
    parent = parent or os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="bankflow-watch-parent", daemon=True).start()


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _exists(pid: int) -> bool:
    st = _start_time(pid)
    if st is None:
        return False
    try:  # a zombie has exited: it only waits for its parent to collect it
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _reap(mark: str) -> None:
    """The reaper's body: wait for the owner's end (EOF on stdin), then end its marked processes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except OSError:
        pass
    end_processes(lambda m: m == mark)


if __name__ == "__main__":
    _reap(sys.argv[1])
