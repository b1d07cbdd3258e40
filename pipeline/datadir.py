"""The layout of a data directory (docs/design.md §1) and who opens what in it.

``raw/`` (landed payloads), ``lake/`` (Parquet), ``warehouse.duckdb`` (the published snapshot: readers
only) and ``.warehouse/`` (the writer's private ``writer.duckdb``, its lock, runs to record, and the
staging of a rebuild). See :mod:`warehouse.snapshot` for why readers and the writer never share a file.

* ``open_warehouse(read_only=True)``: the published snapshot, read-only (analysts, reports, queries);
* ``open_warehouse()``: the writer, under the writer lock (bounded wait); closing it publishes a new
  snapshot when the session changed anything, then releases the lock. Opening it first finishes or
  undoes an interrupted ``bankflow rebuild`` and moves an older data dir, whose ``warehouse.duckdb`` was
  the writer, to this layout.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from warehouse.db import Warehouse
from warehouse.failures import WarehouseUnusable, unusable
from warehouse.lake import Lake
from warehouse.raw_store import RawStore
from warehouse.snapshot import WriterLock, publish, stamp

log = logging.getLogger("bankflow.warehouse")

STATE_DIR = ".warehouse"
#: a rebuild's new lake and writer file are built here, then swapped in (see :meth:`DataDir.recover`)
REBUILD_DIR = "rebuild"
#: written (atomically) into REBUILD_DIR once the new lake and writer are complete
REBUILD_DONE = "COMPLETE"


__all__ = ["DataDir", "WarehouseUnusable", "unusable"]


class DataDir:
    """A data directory: the raw store, the lake, the writer file and the published snapshot."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.raw = RawStore(self.root / "raw")
        self.lake = Lake(self.root / "lake")
        #: the published snapshot; only :func:`warehouse.snapshot.publish` writes it
        self.warehouse_path = self.root / "warehouse.duckdb"
        self.state_dir = self.root / STATE_DIR
        #: the writer's private file: only a holder of the writer lock opens it
        self.writer_path = self.state_dir / "writer.duckdb"
        self.rebuild_dir = self.state_dir / REBUILD_DIR
        #: seconds the last writer session waited for the lock and spent publishing
        self.last_wait = 0.0
        self.last_publish = 0.0

    # -- readers ---------------------------------------------------------------------------------
    def open_warehouse(self, *, read_only: bool = False, wait: float | None = None,
                       memory_limit: str | None = None) -> Warehouse:
        """The published snapshot (``read_only=True``) or the writer (see the module doc).
        ``memory_limit``: DuckDB's, for the writer (``bankflow import`` of a large file keeps flat)."""
        if read_only:
            return Warehouse(self.warehouse_path, read_only=True)
        return self.open_writer(wait=wait, memory_limit=memory_limit)

    # -- the writer ------------------------------------------------------------------------------
    def writer_lock(self) -> WriterLock:
        return WriterLock(self.state_dir / "writer.lock")

    def open_writer(self, *, wait: float | None = None, lock: WriterLock | None = None,
                    memory_limit: str | None = None) -> Warehouse:
        """Take the writer lock (or use ``lock``, already held by the caller: it is then left held at
        close), recover, open the writer file; closing it publishes and releases the lock."""
        own = lock is None
        lock = lock or self.writer_lock().acquire(
            wait, on_wait=lambda who: log.warning("waiting for the warehouse writer, held by %s", who))
        self.last_wait = lock.waited
        if lock.waited > 0.5:
            log.warning("waited %.1f s for the warehouse writer", lock.waited)
        try:
            self.recover()
            before = stamp(self.writer_path)
            wh = Warehouse(self.writer_path, memory_limit=memory_limit,
                           on_close=lambda: self._after_write(lock if own else None, before))
        except BaseException:
            if own:
                lock.release()
            raise
        try:
            self._record_journaled_runs(wh)
        except BaseException:
            wh.close()
            raise
        return wh

    def _after_write(self, lock: WriterLock | None, before: tuple[int, int] | None) -> None:
        try:
            if stamp(self.writer_path) != before or not self.warehouse_path.exists():
                self.last_publish = publish(self.writer_path, self.warehouse_path)
        finally:
            if lock is not None:
                lock.release()

    def publish(self) -> float:
        """Publish the writer file now (the caller holds the writer lock and has closed the writer)."""
        self.last_publish = publish(self.writer_path, self.warehouse_path)
        return self.last_publish

    # -- runs that could not be recorded when they ended --------------------------------------------
    @property
    def runs_journal(self) -> Path:
        return self.state_dir / "unrecorded_runs.jsonl"

    def journal_runs(self, rows: list[Mapping[str, Any]]) -> None:
        """Keep ``ops.sync_runs`` rows that could not be written (the writer was busy or broken): the next
        writer session records them."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self.runs_journal.open("a", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps({k: v.isoformat() if isinstance(v, dt.datetime) else v
                                    for k, v in row.items()}) + "\n")

    def _record_journaled_runs(self, wh: Warehouse) -> None:
        path = self.runs_journal
        if not path.exists():
            return
        rows = []
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                for k in ("started_at", "finished_at"):
                    if row.get(k):
                        row[k] = dt.datetime.fromisoformat(row[k])
                rows.append(row)
        wh.record_runs(rows)
        path.unlink()

    # -- recovery --------------------------------------------------------------------------------
    def recover(self) -> None:
        """Under the writer lock, before opening the writer: finish a rebuild that completed but was
        killed while swapping in, or drop one that did not complete; restore what the rebuild of older
        versions left aside; move an older layout's ``warehouse.duckdb`` (the writer then) to the writer
        file."""
        for tmp in self.root.glob(f".{self.warehouse_path.name}.*.publishing"):  # a publish killed mid-copy
            tmp.unlink(missing_ok=True)
        staged = self.rebuild_dir
        if staged.exists():
            if (staged / REBUILD_DONE).exists():
                self._swap_in_rebuild()
            else:
                shutil.rmtree(staged)
        for aside in sorted(self.root.glob(".rebuild-old-*")):  # bankflow before issue 17
            for name, target in (("lake", self.lake.root), ("warehouse.duckdb", self.warehouse_path)):
                if (aside / name).exists() and not target.exists():
                    os.replace(aside / name, target)
            shutil.rmtree(aside, ignore_errors=True)
        if not self.writer_path.exists() and self.warehouse_path.exists():
            self.state_dir.mkdir(parents=True, exist_ok=True)
            wal = self.warehouse_path.with_name(self.warehouse_path.name + ".wal")
            if wal.exists():
                os.replace(wal, self.writer_path.with_name(self.writer_path.name + ".wal"))
            os.replace(self.warehouse_path, self.writer_path)
            log.warning("moved %s to %s (the writer's file); a snapshot is published for readers",
                        self.warehouse_path, self.writer_path)

    def _swap_in_rebuild(self, on_step: Callable[[str], None] | None = None) -> None:
        """Move a complete rebuild's lake and writer file into place (each step idempotent, so a kill
        during the swap is finished by the next writer), publish, then drop the staging folder."""
        staged = self.rebuild_dir
        step = on_step or (lambda _s: None)
        for name, target in (("lake", self.lake.root), ("writer.duckdb", self.writer_path)):
            src = staged / name
            if not src.exists():
                continue  # moved by an earlier, interrupted swap
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            if name == "writer.duckdb":  # the old file's log must never meet the new file
                target.with_name(target.name + ".wal").unlink(missing_ok=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, target)
            step(f"swapped {name}")
        self.lake = Lake(self.lake.root)
        self.publish()
        step("published")
        shutil.rmtree(staged)
