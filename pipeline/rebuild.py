"""``bankflow rebuild``: recreate the lake and the warehouse from ``raw/`` plus the user's edits.

Payloads are parsed one by one and normalized in batches of about :data:`PART_ROWS` rows per bank; each
batch is written as one lake part (see :mod:`warehouse.lake`) by :class:`PartWriter`, then everything is
loaded in one transaction and the user's edits are replayed.
"""
from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from connectors.artifact import ArtifactMeta
from connectors.records import ParsedBatch
from connectors.registry import get_spec
from pipeline.datadir import DataDir
from pipeline.edits import mirror_links, refresh
from pipeline.ingest import load_many, parse_artifact
from pipeline.normalize import normalize_many
from warehouse.db import read_ops_history
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
        tables = normalize_many([(m, b, unique) for m, _p, b in items])
        self.seconds["normalize"] += time.perf_counter() - t
        self._writes.append(self._pool.submit(self.dd.lake.write_part, bank, [(m, p) for m, p, _b in items], tables))
        self.parts += 1


def rebuild(dd: DataDir, *, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Recreate the lake and the warehouse from ``raw/`` plus the user's edits (docs/design.md §1,
    invariant 2).

    All or nothing, even under ``kill -9``: the new lake and warehouse are built in a staging folder
    (``.rebuild-new-*``) while the old ones stay in place; replacing the warehouse file (one rename) is
    the moment the rebuild takes effect, the lake follows. A crash before it leaves the old state plus a
    staging folder, removed by the next rebuild (:func:`clean_staging`); a crash between the two renames
    leaves the new warehouse with the old lake, which is consistent (the warehouse holds no lake path;
    the lake is a cache of raw/ that the next load or rebuild completes).

    Payloads are parsed one by one and normalized in batches of ~:data:`PART_ROWS` rows per bank, each
    batch written as one lake part (see :mod:`warehouse.lake`), then everything is loaded in one
    transaction. The run history (``ops.sync_runs``, ``ops.checks``, ``ops.categorize_runs``) is carried
    over from the warehouse being replaced when it can be read."""
    clean_staging(dd)
    history = read_ops_history(dd.warehouse_path)
    stage_root = dd.root / f".rebuild-new-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}"
    stage_root.mkdir(parents=True)
    stage = DataDir(dd.root)
    stage.lake = Lake(stage_root / "lake")
    stage.warehouse_path = stage_root / dd.warehouse_path.name
    try:
        paths = list(dd.raw.iter_paths())
        loaded: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        with PartWriter(stage) as parts:
            for i, path in enumerate(paths):
                art = dd.raw.read(path)
                key = (art.meta.bank, art.meta.sha256)
                if key not in seen:  # the same bytes landed for two connections: parsed once, as to_lake does
                    seen.add(key)
                    parts.add(art.meta, path, parse_artifact(dd, art, path))
                    loaded.append(key)
                if progress:
                    progress(i + 1, len(paths))
        with stage.open_warehouse() as wh:
            inserted = load_many(stage, wh, loaded).inserted
            wh.restore_ops_history(history)
            # the user's edits (links, overrides, rules) are part of what rebuild restores
            mirror_links(dd.root, wh)
            refresh(dd.root, wh)
        fault_point("rebuild:swap")
        os.replace(stage.warehouse_path, dd.warehouse_path)  # the rebuild takes effect here
        old_lake = stage_root / "old-lake"
        if dd.lake.root.exists():
            os.replace(dd.lake.root, old_lake)
        if stage.lake.root.exists():
            os.replace(stage.lake.root, dd.lake.root)
        dd.lake = Lake(dd.lake.root)
    finally:
        shutil.rmtree(stage_root, ignore_errors=True)
    return {"payloads": len(paths), "transactions": inserted}


def clean_staging(dd: DataDir) -> list[Path]:
    """Remove what an interrupted rebuild left (its staging folders; older bankflow: its aside folders,
    put back first when the warehouse is missing). Returns the folders removed."""
    removed = []
    for old in sorted(dd.root.glob(".rebuild-old-*")):  # the layout of bankflow before the staging folder
        for p in (dd.lake.root, dd.warehouse_path):
            if not p.exists() and (old / p.name).exists():
                os.replace(old / p.name, p)
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old)
    for new in sorted(dd.root.glob(".rebuild-new-*")):
        shutil.rmtree(new, ignore_errors=True)
        removed.append(new)
    return removed
