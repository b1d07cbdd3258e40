"""The Parquet lake: one file per raw artifact and entity, with lineage columns.

``<data>/lake/<entity>/bank=<bank>/<sha256>.parquet``. An ``artifacts`` entity gets one row per raw
artifact (even one that yields no records), so "this payload was parsed" is recorded in the lake itself.
Money columns are ``decimal128(18, 2)``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.artifact import ArtifactMeta

MONEY = pa.decimal128(18, 2)
TS = pa.timestamp("us")

_LINEAGE = [("bank", pa.string()), ("connection", pa.string()), ("raw_sha256", pa.string()),
            ("fetched_at", TS), ("row_number", pa.int32())]

SCHEMAS: dict[str, pa.Schema] = {
    "accounts": pa.schema(_LINEAGE + [
        ("account_id", pa.string()), ("account_ref", pa.string()), ("account_number", pa.string()),
        ("iban", pa.string()), ("name", pa.string()), ("type", pa.string()), ("currency", pa.string()),
        ("balance", MONEY), ("balance_date", pa.date32()), ("deleted", pa.bool_()), ("disabled", pa.bool_())]),
    "transactions": pa.schema(_LINEAGE + [
        ("txn_id", pa.string()), ("account_id", pa.string()), ("account_ref", pa.string()),
        ("source_key", pa.string()), ("occurrence", pa.int32()), ("source", pa.string()),
        ("booking_date", pa.date32()), ("value_date", pa.date32()), ("operation_date", pa.date32()),
        ("amount", MONEY), ("currency", pa.string()), ("label_raw", pa.string()), ("label", pa.string()),
        ("merchant", pa.string()), ("kind", pa.string()), ("category", pa.string()),
        ("category_source", pa.string()), ("pending", pa.bool_()), ("bank_txn_id", pa.string()),
        ("bank_category", pa.string()), ("bank_type", pa.string()), ("deleted_at", TS),
        ("source_updated_at", TS), ("window_start", pa.date32()), ("window_end", pa.date32())]),
    "balances": pa.schema(_LINEAGE + [
        ("account_id", pa.string()), ("account_ref", pa.string()), ("date", pa.date32()),
        ("balance", MONEY), ("source", pa.string())]),
    "statements": pa.schema(_LINEAGE + [
        ("statement_id", pa.string()), ("account_id", pa.string()), ("account_ref", pa.string()),
        ("period_start", pa.date32()), ("period_end", pa.date32()), ("opening_balance", MONEY),
        ("closing_balance", MONEY), ("total_debits", MONEY), ("total_credits", MONEY),
        ("line_count", pa.int32())]),
    "statement_lines": pa.schema(_LINEAGE + [
        ("statement_id", pa.string()), ("txn_id", pa.string()), ("account_id", pa.string()),
        ("account_ref", pa.string()), ("booking_date", pa.date32()), ("value_date", pa.date32()),
        ("operation_date", pa.date32()), ("amount", MONEY), ("currency", pa.string()),
        ("label_raw", pa.string()), ("label", pa.string()), ("merchant", pa.string()), ("kind", pa.string()),
        ("category", pa.string()), ("category_source", pa.string())]),
    "artifacts": pa.schema([
        ("bank", pa.string()), ("connection", pa.string()), ("raw_sha256", pa.string()),
        ("raw_path", pa.string()), ("kind", pa.string()), ("resource", pa.string()),
        ("account_ref", pa.string()), ("fetched_at", TS), ("window_start", pa.date32()),
        ("window_end", pa.date32()), ("request_path", pa.string()), ("http_status", pa.int32()),
        ("source_name", pa.string()), ("rows", pa.int32())]),
}


class Lake:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, entity: str, bank: str, sha256: str) -> Path:
        return self.root / entity / f"bank={bank}" / f"{sha256}.parquet"

    def has(self, bank: str, sha256: str) -> bool:
        return self.path("artifacts", bank, sha256).exists()

    def write(self, meta: ArtifactMeta, raw_path: Path, rows: dict[str, list[dict[str, Any]]]) -> dict[str, Path]:
        """Write every non-empty entity, then the artifacts row last (its presence marks completion)."""
        written: dict[str, Path] = {}
        for entity, entity_rows in rows.items():
            if not entity_rows:
                continue
            written[entity] = self._write(entity, meta.bank, meta.sha256, entity_rows)
        n = sum(len(r) for r in rows.values())
        art = [{"bank": meta.bank, "connection": meta.connection, "raw_sha256": meta.sha256,
                "raw_path": str(raw_path), "kind": meta.kind, "resource": meta.resource,
                "account_ref": meta.account_ref, "fetched_at": meta.fetched_at,
                "window_start": meta.window_start, "window_end": meta.window_end,
                "request_path": meta.request_path, "http_status": meta.http_status,
                "source_name": meta.source_name, "rows": n}]
        written["artifacts"] = self._write("artifacts", meta.bank, meta.sha256, art)
        return written

    def _write(self, entity: str, bank: str, sha256: str, rows: list[dict[str, Any]]) -> Path:
        path = self.path(entity, bank, sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(rows, schema=SCHEMAS[entity])
        tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
        return path

    def files(self, entity: str, bank: str, shas: list[str]) -> list[str]:
        return [str(p) for s in shas if (p := self.path(entity, bank, s)).exists()]
