"""The layout of a data directory (docs/design.md §1): ``raw/``, ``lake/``, ``warehouse.duckdb``."""
from __future__ import annotations

from pathlib import Path

from warehouse.db import Warehouse
from warehouse.lake import Lake
from warehouse.raw_store import RawStore


class DataDir:
    """A data directory: the raw store, the lake and the warehouse file under one root."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.raw = RawStore(self.root / "raw")
        self.lake = Lake(self.root / "lake")
        self.warehouse_path = self.root / "warehouse.duckdb"

    def open_warehouse(self, *, read_only: bool = False, memory_limit: str | None = None) -> Warehouse:
        return Warehouse(self.warehouse_path, read_only=read_only, memory_limit=memory_limit)
