"""The Parquet lake: Parquet files per entity, with lineage columns on every row.

* ``<data>/lake/<entity>/bank=<bank>/<sha256>.parquet``: one file per raw artifact (what a sync or an
  import writes: DESIGN §1).
* ``<data>/lake/<entity>/bank=<bank>/part-<id>.parquet``: one file holding many artifacts (what
  ``bankflow rebuild`` writes: tens of thousands of small files cost ~100x more to write and to scan than
  the same rows in a few files). The ``raw_sha256`` column tells the artifacts apart, and the part's
  manifest ``<data>/lake/_parts/bank=<bank>/part-<id>.txt`` (written last: its presence marks the part
  complete) lists them, so :meth:`Lake.has` and :meth:`Lake.files` answer per artifact either way.

An ``artifacts`` entity gets one row per raw artifact (even one that yields no records), so "this payload
was parsed" is recorded in the lake itself. Money columns are ``decimal128(18, 2)``.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
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
        ("category", pa.string()), ("category_source", pa.string()),
        ("page", pa.int32()), ("line", pa.int32())]),   # where the statement prints the row (1-based)
    "artifacts": pa.schema([
        ("bank", pa.string()), ("connection", pa.string()), ("raw_sha256", pa.string()),
        ("raw_path", pa.string()), ("kind", pa.string()), ("resource", pa.string()),
        ("account_ref", pa.string()), ("fetched_at", TS), ("window_start", pa.date32()),
        ("window_end", pa.date32()), ("request_path", pa.string()), ("http_status", pa.int32()),
        ("source_name", pa.string()), ("rows", pa.int32())]),
}


Rows = pa.Table | list[dict[str, Any]]


def _table(entity: str, rows: Rows) -> pa.Table:
    if isinstance(rows, pa.Table):
        return rows if rows.schema.equals(SCHEMAS[entity]) else rows.select(SCHEMAS[entity].names).cast(SCHEMAS[entity])
    return pa.Table.from_pylist(rows, schema=SCHEMAS[entity])


def artifact_row(meta: ArtifactMeta, raw_path: Path, rows: int) -> dict[str, Any]:
    return {"bank": meta.bank, "connection": meta.connection, "raw_sha256": meta.sha256,
            "raw_path": str(raw_path), "kind": meta.kind, "resource": meta.resource,
            "account_ref": meta.account_ref, "fetched_at": meta.fetched_at,
            "window_start": meta.window_start, "window_end": meta.window_end,
            "request_path": meta.request_path, "http_status": meta.http_status,
            "source_name": meta.source_name, "rows": rows}


class Lake:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._parts: dict[str, dict[str, str]] | None = None  # bank -> sha256 -> part id (lazy)

    def path(self, entity: str, bank: str, name: str) -> Path:
        """The file of one artifact (``name`` = its sha256) or of one part (``name`` = ``part-<id>``)."""
        return self.root / entity / f"bank={bank}" / f"{name}.parquet"

    def has(self, bank: str, sha256: str) -> bool:
        return self.path("artifacts", bank, sha256).exists() or sha256 in self._part_index().get(bank, {})

    def write(self, meta: ArtifactMeta, raw_path: Path, rows: Mapping[str, Rows]) -> dict[str, Path]:
        """Write one artifact's non-empty entities, then its artifacts row last (its presence marks
        completion)."""
        written: dict[str, Path] = {}
        n = 0
        for entity, entity_rows in rows.items():
            table = _table(entity, entity_rows)
            n += table.num_rows
            if table.num_rows:
                written[entity] = self._write(self.path(entity, meta.bank, meta.sha256), table)
        art = _table("artifacts", [artifact_row(meta, raw_path, n)])
        written["artifacts"] = self._write(self.path("artifacts", meta.bank, meta.sha256), art)
        return written

    def write_part(self, bank: str, members: Sequence[tuple[ArtifactMeta, Path]],
                   tables: Mapping[str, Rows]) -> str:
        """Write the rows of many artifacts of one bank as one file per entity; returns the part id.
        ``tables`` rows carry their artifact in ``raw_sha256``. The manifest is written last."""
        shas = sorted(m.sha256 for m, _p in members)
        part = "part-" + hashlib.sha256("\n".join(shas).encode()).hexdigest()[:16]
        counts: dict[str, int] = dict.fromkeys(shas, 0)
        for entity, rows in tables.items():
            table = _table(entity, rows)
            if table.num_rows:
                for sha, k in _counts(table):
                    counts[sha] = counts.get(sha, 0) + k
                self._write(self.path(entity, bank, part), table)
        art = _table("artifacts", [artifact_row(m, p, counts.get(m.sha256, 0)) for m, p in members])
        self._write(self.path("artifacts", bank, part), art)
        manifest = self.root / "_parts" / f"bank={bank}" / f"{part}.txt"
        manifest.parent.mkdir(parents=True, exist_ok=True)
        tmp = manifest.with_name(f".tmp-{os.getpid()}-{manifest.name}")
        tmp.write_text("\n".join(shas) + "\n", "utf-8")
        os.replace(tmp, manifest)
        if self._parts is not None:
            self._parts.setdefault(bank, {}).update(dict.fromkeys(shas, part))
        return part

    def _part_index(self) -> dict[str, dict[str, str]]:
        if self._parts is None:
            self._parts = {}
            base = self.root / "_parts"
            if base.is_dir():
                for d in base.iterdir():
                    if d.is_dir() and d.name.startswith("bank="):
                        idx = self._parts.setdefault(d.name[5:], {})
                        for f in d.glob("part-*.txt"):
                            idx.update(dict.fromkeys(f.read_text("utf-8").split(), f.stem))
        return self._parts

    def _write(self, path: Path, table: pa.Table) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
        return path

    def files(self, entity: str, bank: str, shas: Iterable[str]) -> list[str]:
        """The files holding these artifacts' rows of ``entity`` (a part file once, however many of its
        artifacts are asked for). An artifact is in a part or in its own file, never both: ``to_lake``
        skips what a part holds, and a rebuild starts from an empty lake."""
        parts = self._part_index().get(bank, {})
        seen: dict[str, bool] = {}
        for s in shas:
            p = str(self.path(entity, bank, parts.get(s, s)))
            if p not in seen:
                seen[p] = os.path.exists(p)
        return [p for p, ok in seen.items() if ok]


def _counts(table: pa.Table) -> list[tuple[str, int]]:
    """Rows per artifact in a part table."""
    g = table.group_by("raw_sha256").aggregate([("raw_sha256", "count")])
    return list(zip(g["raw_sha256"].to_pylist(), g["raw_sha256_count"].to_pylist(), strict=True))
