"""Raw -> lake -> warehouse for landed payloads.

``to_lake`` parses one landed payload with its bank's pure parser and writes its lake files (skipped
when the lake already has them: a payload is parsed once). ``load`` loads a set of payloads of one
connection into the warehouse in one transaction.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from connectors.errors import ParseError
from connectors.registry import get_spec
from transforms.normalize import normalize
from warehouse.db import LoadFiles, LoadResult, Warehouse
from warehouse.lake import Lake
from warehouse.raw_store import RawStore


class DataDir:
    """The layout of a data directory (DESIGN §1)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.raw = RawStore(self.root / "raw")
        self.lake = Lake(self.root / "lake")
        self.warehouse_path = self.root / "warehouse.duckdb"

    def open_warehouse(self, *, read_only: bool = False) -> Warehouse:
        return Warehouse(self.warehouse_path, read_only=read_only)


def to_lake(dd: DataDir, path: Path) -> tuple[str, str, str]:
    """Parse a landed payload into the lake. Returns (bank, connection, sha256)."""
    art = dd.raw.read(path)
    meta = art.meta
    if not dd.lake.has(meta.bank, meta.sha256):
        if meta.kind == "pdf":
            from connectors import statements

            statements.use_cache(dd.root / "cache" / "statements")
        spec = get_spec(meta.bank)
        try:
            batch = spec.parse(art.body, meta)
        except ParseError:
            raise
        except Exception as exc:  # a parser bug must still name the file
            raise ParseError(f"{type(exc).__name__}: {exc}", file=str(path),
                             remedy="this looks like a bankflow parser bug; please report it with the file") from exc
        rows = normalize(batch, meta, unique_ids=spec.unique_txn_ids)
        dd.lake.write(meta, path, rows)
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


def rebuild(dd: DataDir, *, progress=None) -> dict[str, int]:
    """Recreate the lake and the warehouse from ``raw/`` alone (DESIGN invariant 2). The old lake and
    warehouse are moved aside first and removed only once the rebuild succeeded."""
    import shutil

    stamp = __import__("time").strftime("%Y%m%d%H%M%S")
    aside = dd.root / f".rebuild-old-{stamp}"
    aside.mkdir(parents=True)
    for p in (dd.lake.root, dd.warehouse_path):
        if p.exists():
            shutil.move(str(p), aside / p.name)
    try:
        groups: dict[tuple[str, str], list[tuple]] = {}
        paths = list(dd.raw.iter_paths())
        for i, path in enumerate(paths):
            bank, conn, sha = to_lake(dd, path)
            fetched = dd.raw.read(path).meta.fetched_at
            groups.setdefault((bank, conn), []).append((fetched, sha))
            if progress:
                progress(i + 1, len(paths))
        with dd.open_warehouse() as wh:
            inserted = load_many(dd, wh, [(bank, sha) for (bank, _c), items in groups.items()
                                          for _, sha in items]).inserted
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
        shutil.rmtree(aside, ignore_errors=True)
        raise
    shutil.rmtree(aside, ignore_errors=True)
    return {"payloads": len(paths), "transactions": inserted}
