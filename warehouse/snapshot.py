"""The writer's private DuckDB file and the snapshot readers open (issue 17).

Analysts, ``bankflow query`` and the reports open ``DATA/warehouse.duckdb`` read-only while schedules
sync. DuckDB allows one writing process per file and a read-only connection holds a shared lock that a
writer cannot take, so the two never share a file: the loader writes ``DATA/.warehouse/writer.duckdb``
(nobody else opens it) and, after each write session that changed it, :func:`publish` copies it to a
new file beside the snapshot and renames that over ``DATA/warehouse.duckdb`` (``os.replace``, atomic on
one filesystem). A reader sees the whole previous load or the whole new one, never half; a connection
opened before a publish keeps reading the file it opened (its inode lives on until it closes).

Writers take :class:`WriterLock` (an ``flock`` on ``DATA/.warehouse/writer.lock``) for a whole session,
with a bounded wait: two syncs queue instead of failing on DuckDB's lock, and a reader never takes it.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time
from pathlib import Path

from connectors.errors import BankflowError

#: how long a writer waits for another writer (a sync, an import, a rebuild) before giving up
DEFAULT_WAIT = float(os.environ.get("BANKFLOW_WRITER_WAIT", "600"))


class WarehouseBusy(BankflowError):
    """Another bankflow process held the warehouse writer for longer than the wait allowed."""

    outcome = "load_error"
    remedy = "run again once the other bankflow command has finished (BANKFLOW_WRITER_WAIT sets the wait)"


class WriterLock:
    """An exclusive ``flock`` on ``path``, taken by :meth:`acquire` within ``wait`` seconds. The holder
    writes its pid and command into the file, so a waiting writer can say who it waits for."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self.waited = 0.0

    def acquire(self, wait: float | None = None, *, on_wait=None) -> "WriterLock":
        """Take the lock; raise :class:`WarehouseBusy` after ``wait`` seconds (default
        :data:`DEFAULT_WAIT`). ``on_wait(holder)`` is called once if the lock is not free at once."""
        wait = DEFAULT_WAIT if wait is None else wait
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        t0 = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait is not None:
                    on_wait(self.holder())
                    told = True
                if time.monotonic() - t0 >= wait:
                    holder = self.holder()
                    os.close(fd)
                    raise WarehouseBusy(f"the warehouse writer was held by {holder} for more than {wait:.0f} s "
                                        f"({self.path})") from None
                time.sleep(0.05)
        self.waited = time.monotonic() - t0
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} ({' '.join(os.path.basename(a) for a in sys.argv[:3])})".encode(), 0)
        self._fd = fd
        return self

    def holder(self) -> str:
        try:
            return self.path.read_text("utf-8", errors="replace").strip() or "another process"
        except OSError:
            return "another process"

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> "WriterLock":
        return self if self.held else self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    @property
    def held(self) -> bool:
        return self._fd is not None


def stamp(path: Path) -> tuple[int, int] | None:
    """(size, mtime_ns) of a file, None when absent: DuckDB leaves a file it only read untouched, so a
    changed stamp means a write session changed something."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns


def publish(writer: Path, published: Path) -> float:
    """Copy the (closed, checkpointed) writer file to a new file beside ``published`` and rename it over
    ``published``. Returns the seconds it took. The copy is made read-only (0444) as a hint that
    writing to it is pointless: the next publish replaces it."""
    t = time.perf_counter()
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.publishing")
    try:
        shutil.copyfile(writer, tmp)
        os.chmod(tmp, 0o444)
        os.replace(tmp, published)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return time.perf_counter() - t
