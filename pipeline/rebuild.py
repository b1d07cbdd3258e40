"""``bankflow rebuild``: recreate the lake and the warehouse from ``raw/`` plus the user's edits.

Payloads are parsed one by one and normalized in batches of about :data:`PART_ROWS` rows per bank; each
batch is written as one lake part (see :mod:`warehouse.lake`) by :class:`PartWriter`, then everything is
loaded in one transaction and the user's edits are replayed.
"""
from __future__ import annotations

import copy
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from connectors.artifact import ArtifactMeta
from connectors.records import ParsedBatch
from connectors.registry import get_spec
from pipeline.datadir import REBUILD_DONE, DataDir
from pipeline.edits import mirror_links, refresh_after_rebuild
from pipeline.ingest import load_many, parse_artifact
from pipeline.normalize import normalize_many
from transforms.describe_bulk import DescribeMemo
from warehouse.db import Warehouse, read_ops_history
from warehouse.failures import fault_point
from warehouse.lake import Lake


# rows per lake part written by rebuild: bounds the parsed records held in memory (~1 KB per row)
PART_ROWS = 250_000


class PartWriter:
    """Collects parsed payloads per bank and writes them as lake parts of about ``part_rows`` rows (the
    last part of each bank at :meth:`close`, which must be called).

    A part is normalized in the caller's thread and written by one background thread, so writing part k
    overlaps normalizing part k+1 (the Parquet writer releases the GIL). ``seconds["normalize"]`` adds up
    normalizing (the rebuild benchmark reports it apart from the writes)."""

    def __init__(self, dd: DataDir, part_rows: int | None = None) -> None:
        self.dd, self.part_rows = dd, part_rows or PART_ROWS
        self._held: dict[str, list[tuple[ArtifactMeta, Path, ParsedBatch]]] = {}
        self._rows: dict[str, int] = {}
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="lake-part")
        self._writes: list[Future[str]] = []
        self.seconds = {"normalize": 0.0}
        self._memo = DescribeMemo()  # labels seen in an earlier part are not described again
        self.parts = 0

    def add(self, meta: ArtifactMeta, raw_path: Path, batch: ParsedBatch) -> None:
        self._held.setdefault(meta.bank, []).append((meta, raw_path, batch))
        n = self._rows.get(meta.bank, 0) + len(batch.transactions) + sum(len(s.lines) for s in batch.statements)
        self._rows[meta.bank] = n
        if n >= self.part_rows:
            self._flush(meta.bank)

    def close(self) -> None:
        """Write what is held and wait for every write; a failed write raises here."""
        try:
            for bank in list(self._held):
                self._flush(bank)
            for f in self._writes:
                f.result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "PartWriter":
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.close()
        else:  # no new part; let a write in flight finish before the caller cleans up
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _flush(self, bank: str) -> None:
        items = self._held.pop(bank, [])
        self._rows.pop(bank, None)
        if not items:
            return
        for f in self._writes:  # a failed earlier write stops the run now, not at close()
            if f.done() and f.exception():
                f.result()
        unique = get_spec(bank).unique_txn_ids
        t = time.perf_counter()
        tables = normalize_many([(m, b, unique) for m, _p, b in items], self._memo)
        self.seconds["normalize"] += time.perf_counter() - t
        self._writes.append(self._pool.submit(self.dd.lake.write_part, bank, [(m, p) for m, p, _b in items], tables))
        self.parts += 1


def rebuild(dd: DataDir, *, progress: Callable[[int, int], None] | None = None,
            on_step: Callable[[str], None] | None = None, wait: float | None = None) -> dict[str, int]:
    """Recreate the lake and the warehouse from ``raw/`` plus the user's edits (docs/design.md §1.1,
    invariant 2), crash-safe: the new lake and writer file are built beside the old ones, in
    ``DATA/.warehouse/rebuild/``, and swapped in only once complete (a ``COMPLETE`` marker, written
    atomically, says so). A kill before the marker leaves the old lake and warehouse in place (the next
    writer drops the unfinished staging); a kill after it is finished by the next writer
    (:meth:`DataDir.recover`). The writer lock is held throughout: syncs wait (bounded) meanwhile, readers
    keep the published snapshot.

    Payloads are parsed one by one and normalized in batches of ~:data:`PART_ROWS` rows per bank, each
    batch written as one lake part (see :mod:`warehouse.lake`), then everything is loaded in one
    transaction. The run history (``ops.sync_runs``, ``ops.checks``, ``ops.categorize_runs``) is carried
    over from the writer file being replaced when it can be read. ``on_step(name)`` is called at each
    stage (tests kill the process there)."""
    step = on_step or (lambda _s: None)
    lock = dd.writer_lock().acquire(wait)
    try:
        dd.recover()
        history = read_ops_history(dd.writer_path)
        staged = dd.rebuild_dir
        if staged.exists():
            shutil.rmtree(staged)
        staged.mkdir(parents=True)
        work = copy.copy(dd)  # the same raw/ and edits; the lake being built
        work.lake = Lake(staged / "lake")
        step("started")
        paths = list(dd.raw.iter_paths())
        loaded: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        with PartWriter(work) as parts:
            for i, path in enumerate(paths):
                art = dd.raw.read(path)
                key = (art.meta.bank, art.meta.sha256)
                if key not in seen:  # the same bytes landed for two connections: parsed once, as to_lake does
                    seen.add(key)
                    parts.add(art.meta, path, parse_artifact(dd, art, path))
                    loaded.append(key)
                if progress:
                    progress(i + 1, len(paths))
        step("parsed")
        with Warehouse(staged / "writer.duckdb") as wh:
            inserted = load_many(work, wh, loaded).inserted
            step("loaded")
            wh.restore_ops_history(history)
            # the user's edits (links, overrides, rules) are part of what rebuild restores
            mirror_links(dd.root, wh)
            refresh_after_rebuild(dd.root, wh)
            wh.con.execute("CHECKPOINT")
        step("closed")
        _mark_complete(staged / REBUILD_DONE)
        step("complete")
        fault_point("rebuild:swap")   # test-only fault injection (BANKFLOW_FAULT)
        dd._swap_in_rebuild(on_step=step)
        step("done")
    finally:
        lock.release()
    return {"payloads": len(paths), "transactions": inserted}


def _mark_complete(path: Path) -> None:
    """Write the marker durably: the staged files first, then the marker, then its directory."""
    for f in path.parent.rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("complete\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
