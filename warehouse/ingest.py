"""Raw -> lake -> warehouse for landed payloads.

``to_lake`` parses one landed payload with its bank's pure parser and writes its lake files (skipped
when the lake already has them: a payload is parsed once). ``load`` loads a set of payloads of one
connection into the warehouse in one transaction.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa

from connectors.artifact import ArtifactMeta, RawArtifact
from connectors.errors import ParseError
from connectors.records import ParsedBatch
from connectors.registry import get_spec
from transforms.normalize import normalize, normalize_many
from warehouse.db import LoadFiles, LoadResult, Warehouse
from warehouse.lake import Lake
from warehouse.raw_store import RawStore


class DataDir:
    """The layout of a data directory (docs/design.md §1)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.raw = RawStore(self.root / "raw")
        self.lake = Lake(self.root / "lake")
        self.warehouse_path = self.root / "warehouse.duckdb"

    def open_warehouse(self, *, read_only: bool = False) -> Warehouse:
        return Warehouse(self.warehouse_path, read_only=read_only)


def parse_artifact(dd: DataDir, art: RawArtifact, path: Path) -> ParsedBatch:
    """One landed payload through its bank's pure parser; any failure is a ParseError naming the file."""
    meta = art.meta
    if meta.kind == "pdf":
        from connectors import statements

        statements.use_cache(dd.root / "cache" / "statements")
    try:
        return get_spec(meta.bank).parse(art.body, meta)
    except ParseError:
        raise
    except Exception as exc:  # a parser bug must still name the file
        raise ParseError(f"{type(exc).__name__}: {exc}", file=str(path),
                         remedy="this looks like a bankflow parser bug; please report it with the file") from exc


def to_lake(dd: DataDir, path: Path) -> tuple[str, str, str]:
    """Parse a landed payload into the lake. Returns (bank, connection, sha256)."""
    art = dd.raw.read(path)
    meta = art.meta
    if not dd.lake.has(meta.bank, meta.sha256):
        batch = parse_artifact(dd, art, path)
        dd.lake.write(meta, path, normalize(batch, meta, unique_ids=get_spec(meta.bank).unique_txn_ids))
    return meta.bank, meta.connection, meta.sha256


def load(dd: DataDir, wh: Warehouse, bank: str, shas: Iterable[str]) -> LoadResult:
    """Load the lake files of ``shas`` (one bank) in one warehouse transaction."""
    return load_many(dd, wh, [(bank, s) for s in shas])


def load_many(dd: DataDir, wh: Warehouse, items: Iterable[tuple[str, str]]) -> LoadResult:
    """Load the lake files of several (bank, sha256) payloads in one warehouse transaction."""
    by_bank: dict[str, list[str]] = {}
    for bank, sha in sorted(set(items)):
        by_bank.setdefault(bank, []).append(sha)
    if not by_bank:
        return LoadResult()
    lake = dd.lake

    def files(entity: str) -> list[str]:
        return [f for bank, shas in by_bank.items() for f in lake.files(entity, bank, shas)]

    return wh.load(LoadFiles(
        transactions=files("transactions"), accounts=files("accounts"), balances=files("balances"),
        statements=files("statements"), statement_lines=files("statement_lines"), artifacts=files("artifacts")))


def pending_shas(dd: DataDir, wh: Warehouse, bank: str, connection: str) -> list[Path]:
    """Landed payloads of a connection that the warehouse has not loaded yet (e.g. after a crash)."""
    loaded = wh.loaded_shas(bank, connection)
    return [p for p in dd.raw.iter_paths(bank, connection) if p.name.split(".", 1)[0] not in loaded]


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
    """Recreate the lake and the warehouse from ``raw/`` alone (docs/design.md §1.1, invariant 2). The old lake and
    warehouse are moved aside first and removed only once the rebuild succeeded.

    Payloads are parsed one by one and normalized in batches of ~:data:`PART_ROWS` rows per bank, each
    batch written as one lake part (see :mod:`warehouse.lake`), then everything is loaded in one
    transaction. The run history (``ops.sync_runs``, ``ops.checks``, ``ops.categorize_runs``) is carried
    over from the warehouse being replaced when it can be read."""
    import shutil

    history = _ops_history(dd.warehouse_path)
    stamp = time.strftime("%Y%m%d%H%M%S")
    aside = dd.root / f".rebuild-old-{stamp}"
    aside.mkdir(parents=True)
    for p in (dd.lake.root, dd.warehouse_path):
        if p.exists():
            shutil.move(str(p), aside / p.name)
    dd.lake = Lake(dd.lake.root)
    try:
        paths = list(dd.raw.iter_paths())
        loaded: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        with PartWriter(dd) as parts:
            for i, path in enumerate(paths):
                art = dd.raw.read(path)
                key = (art.meta.bank, art.meta.sha256)
                if key not in seen:  # the same bytes landed for two connections: parsed once, as to_lake does
                    seen.add(key)
                    parts.add(art.meta, path, parse_artifact(dd, art, path))
                    loaded.append(key)
                if progress:
                    progress(i + 1, len(paths))
        with dd.open_warehouse() as wh:
            inserted = load_many(dd, wh, loaded).inserted
            wh.restore_ops_history(history)
            # the user's edits (links, overrides, rules) are part of what rebuild restores
            from transforms.user_edits import refresh
            from transforms.user_links import mirror_links

            mirror_links(dd.root, wh)
            refresh(dd.root, wh)
    except BaseException:
        # put the previous state back
        for p in (dd.lake.root, dd.warehouse_path):
            if p.exists():
                shutil.rmtree(p) if p.is_dir() else p.unlink()
            if (aside / p.name).exists():
                shutil.move(str(aside / p.name), p)
        dd.lake = Lake(dd.lake.root)
        shutil.rmtree(aside, ignore_errors=True)
        raise
    shutil.rmtree(aside, ignore_errors=True)
    return {"payloads": len(paths), "transactions": inserted}


OPS_HISTORY = ("sync_runs", "checks", "categorize_runs")


def _ops_history(path: Path) -> dict[str, pa.Table]:
    """The ``ops`` run-history tables of an existing warehouse (empty when there is none, or when it
    cannot be read: a damaged warehouse is a reason to rebuild, not a reason to fail)."""
    import duckdb

    if not path.exists():
        return {}
    out: dict[str, pa.Table] = {}
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            for name in OPS_HISTORY:
                try:
                    out[name] = con.table(f"ops.{name}").to_arrow_table()
                except duckdb.CatalogException:  # an older warehouse without that table
                    pass
    except duckdb.Error:
        return {}
    return out
