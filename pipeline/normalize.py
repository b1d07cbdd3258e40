"""Parsed payloads -> lake tables (Arrow, one per entity, schemas in ``connectors.lake_schemas``).

:func:`normalize_many` works column-wise over any number of payloads at once (a sync normalizes one
payload, ``bankflow rebuild`` hundreds of thousands of rows): transaction keys are computed by DuckDB
(:func:`pipeline.keys.transaction_key_columns`) and kind/merchant/category once per distinct label
(:func:`transforms.describe_bulk.describe_columns`). Accounts, balances and statements are few and stay
row-wise.

Lineage on every row: ``raw_sha256`` (the landed file), ``connection``, ``fetched_at``, ``row_number``
(position in its payload).
"""
from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from connectors.artifact import ArtifactMeta
from connectors.records import ParsedBatch
from transforms.describe_bulk import describe_columns
from connectors.lake_schemas import SCHEMAS
from pipeline.keys import transaction_key_columns
from transforms.identify import account_id, account_id_column, label_forms, statement_id, statement_line_keys

SOURCE_BY_KIND = {"json": "api", "html": "api", "csv": "csv", "pdf": "statement"}
ENTITIES = ("accounts", "transactions", "balances", "statements", "statement_lines")

# (meta, batch, unique_ids): unique_ids says the bank's transaction ids are unique and stable
Item = tuple[ArtifactMeta, ParsedBatch, bool]


def normalize(batch: ParsedBatch, meta: ArtifactMeta, *, unique_ids: bool) -> dict[str, pa.Table]:
    """The lake tables of one payload."""
    return normalize_many([(meta, batch, unique_ids)])


def normalize_many(items: Sequence[Item]) -> dict[str, pa.Table]:
    """The lake tables of several payloads (each row keeps its own lineage), entity -> table."""
    rows: dict[str, list[dict[str, Any]]] = {e: [] for e in ENTITIES if e != "transactions"}
    for meta, batch, _u in items:
        _small_entities(meta, batch, rows)
    out = {e: pa.Table.from_pylist(r, schema=SCHEMAS[e]) for e, r in rows.items()}
    out["transactions"] = _transactions(items)
    return {e: out[e] for e in ENTITIES}


def _lineage(meta: ArtifactMeta) -> dict[str, Any]:
    return {"bank": meta.bank, "connection": meta.connection, "raw_sha256": meta.sha256,
            "fetched_at": meta.fetched_at}


def _transactions(items: Sequence[Item]) -> pa.Table:
    schema = SCHEMAS["transactions"]
    per_payload: dict[str, list[Any]] = {k: [] for k in (
        "payload", "bank", "connection", "raw_sha256", "fetched_at", "row_number", "source", "window_start",
        "window_end", "unique")}
    txs = []
    for p, (meta, batch, unique_ids) in enumerate(items):
        n = len(batch.transactions)
        if not n:
            continue
        txs.extend(batch.transactions)
        for k, v in (*_lineage(meta).items(), ("payload", p), ("source", SOURCE_BY_KIND.get(meta.kind, meta.kind)),
                     ("window_start", batch.window_start), ("window_end", batch.window_end), ("unique", unique_ids)):
            per_payload[k].extend([v] * n)
        per_payload["row_number"].extend(range(n))
    if not txs:
        return schema.empty_table()

    def col(name: str) -> pa.Array:
        return pa.array(list(map(attrgetter(name), txs)), schema.field(name).type)

    bank = pa.array(per_payload["bank"], pa.string())
    account_ref, label_raw, amount = col("account_ref"), col("label_raw"), col("amount")
    pending, booking_date, bank_txn_id = col("pending"), col("booking_date"), col("bank_txn_id")
    spaced, nlabel = label_forms(label_raw)
    # the bank's id is the key when its ids are unique (ConnectorSpec.unique_txn_ids) and the row has one
    has_id = pc.and_(pc.is_valid(bank_txn_id), pc.not_equal(pc.fill_null(bank_txn_id, ""), ""))
    by_id = pc.and_(pa.array(per_payload.pop("unique"), pa.bool_()), has_id)
    ids = transaction_key_columns({
        "payload": pa.array(per_payload.pop("payload"), pa.int32()), "bank": bank, "account_ref": account_ref,
        "pending": pending, "booking_date": booking_date, "amount": amount, "nlabel": nlabel,
        "bank_txn_id": bank_txn_id, "by_id": by_id})
    bank_category = col("bank_category")
    described = describe_columns(label_raw, amount, bank_category)
    shown = col("label")  # the bank's display label, else the raw one with single spaces
    label = pc.if_else(pc.fill_null(pc.not_equal(shown, ""), False), shown, spaced)
    cols: dict[str, Any] = {
        **per_payload, "bank": bank,
        "txn_id": ids["txn_id"], "account_id": account_id_column(bank, account_ref), "account_ref": account_ref,
        "source_key": ids["source_key"], "occurrence": ids["occurrence"],
        "booking_date": booking_date, "value_date": col("value_date"), "operation_date": col("operation_date"),
        "amount": amount, "currency": col("currency"), "label_raw": label_raw, "label": label,
        "merchant": described["merchant"], "kind": described["kind"], "category": described["category"],
        "category_source": described["category_source"], "pending": pending, "bank_txn_id": bank_txn_id,
        "bank_category": bank_category, "bank_type": col("bank_type"), "deleted_at": col("deleted_at"),
        "source_updated_at": col("source_updated_at")}
    arrays = [c if isinstance(c, (pa.Array, pa.ChunkedArray)) else pa.array(c, f.type)
              for f in schema for c in (cols[f.name],)]
    return pa.Table.from_arrays([a.cast(f.type) if a.type != f.type else a for a, f in zip(arrays, schema)],
                                schema=schema)


def _small_entities(meta: ArtifactMeta, batch: ParsedBatch, out: dict[str, list[dict[str, Any]]]) -> None:
    """Accounts, balances, statements and their lines of one payload, as rows."""
    from transforms.categorize import describe

    bank = meta.bank
    lineage = _lineage(meta)
    for i, a in enumerate(batch.accounts):
        out["accounts"].append({
            **lineage, "row_number": i, "account_id": account_id(bank, a.account_ref),
            "account_ref": a.account_ref, "account_number": a.number or a.account_ref, "iban": a.iban,
            "name": a.name, "type": a.type, "currency": a.currency, "balance": a.balance,
            "balance_date": a.balance_date, "deleted": a.deleted, "disabled": a.disabled})
    for i, b in enumerate(batch.balances):
        out["balances"].append({**lineage, "row_number": i, "account_id": account_id(bank, b.account_ref),
                                "account_ref": b.account_ref, "date": b.date, "balance": b.balance,
                                "source": b.source})
    for i, s in enumerate(batch.statements):
        sid = statement_id(bank, s)      # by content (account, period), not by the file's bytes
        out["statements"].append({
            **lineage, "row_number": i, "statement_id": sid, "account_id": account_id(bank, s.account_ref),
            "account_ref": s.account_ref, "period_start": s.period_start, "period_end": s.period_end,
            "opening_balance": s.opening_balance, "closing_balance": s.closing_balance,
            "total_debits": s.total_debits, "total_credits": s.total_credits, "line_count": len(s.lines)})
        line_keys = statement_line_keys(bank, s)
        for j, (ln, txn_id) in enumerate(zip(s.lines, line_keys, strict=True)):
            kind, merchant, category, cat_source = describe(ln.label_raw, ln.amount, None)
            out["statement_lines"].append({
                **lineage, "row_number": j, "statement_id": sid, "txn_id": txn_id,
                "account_id": account_id(bank, s.account_ref), "account_ref": s.account_ref,
                "booking_date": ln.booking_date, "value_date": ln.value_date, "operation_date": None,
                "amount": ln.amount, "currency": "EUR", "label_raw": ln.label_raw,
                "label": " ".join(ln.label_raw.split()), "merchant": merchant, "kind": kind,
                "category": category, "category_source": cat_source, "page": ln.page, "line": ln.line})
