"""Parsed payloads -> lake tables (Arrow, one per entity, schemas in ``warehouse.lake.SCHEMAS``).

:func:`normalize_many` works column-wise over any number of payloads at once (a sync normalizes one
payload, ``bankflow rebuild`` hundreds of thousands of rows): transaction keys are computed by DuckDB
(:func:`transforms.identify.transaction_key_columns`) and kind/merchant/category once per distinct label
(:func:`transforms.describe_bulk.describe_columns`). Accounts, balances and statements are few and stay
row-wise.

Lineage on every row: ``raw_sha256`` (the landed file), ``connection``, ``fetched_at``, ``row_number``
(position in its payload).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from connectors.artifact import ArtifactMeta
from connectors.records import ParsedBatch
try:  # TEMP until describe_bulk lands
    from transforms.describe_bulk import describe_columns
except ImportError:
    def describe_columns(label_raw, amount, bank_category):  # type: ignore[no-redef]
        from transforms.categorize import describe
        r = [describe(a, b, c) for a, b, c in zip(label_raw.to_pylist(), amount.to_pylist(), bank_category.to_pylist())]
        return pa.table({"kind": [x[0] for x in r], "merchant": [x[1] for x in r], "category": [x[2] for x in r],
                         "category_source": [x[3] for x in r]})
from transforms.identify import account_id, keys_input, keys_table, statement_line_keys, transaction_key_columns
from warehouse.lake import SCHEMAS

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
        "bank", "connection", "raw_sha256", "fetched_at", "row_number", "source", "window_start", "window_end")}
    keys: dict[str, list[Any]] = {}
    labels: dict[str, str] = {}
    txs = []
    for p, (meta, batch, unique_ids) in enumerate(items):
        n = len(batch.transactions)
        if not n:
            continue
        txs.extend(batch.transactions)
        for k, v in (("bank", meta.bank), ("connection", meta.connection), ("raw_sha256", meta.sha256),
                     ("fetched_at", meta.fetched_at), ("source", SOURCE_BY_KIND.get(meta.kind, meta.kind)),
                     ("window_start", batch.window_start), ("window_end", batch.window_end)):
            per_payload[k].extend([v] * n)
        per_payload["row_number"].extend(range(n))
        for k, v in keys_input(meta.bank, batch.transactions, unique_ids=unique_ids, payload=p,
                               labels=labels).items():
            keys.setdefault(k, []).extend(v)
    if not txs:
        return schema.empty_table()
    ids = transaction_key_columns(keys_table(keys))
    label_raw = [t.label_raw for t in txs]
    label_raw_a = pa.array(label_raw, pa.string())
    amount = pa.array(keys["amount"], schema.field("amount").type)
    bank_category = pa.array([t.bank_category for t in txs], pa.string())
    described = describe_columns(label_raw_a, amount, bank_category)
    spaced: dict[str, str] = {}

    def label(t) -> str:  # the bank's display label, else the raw one with single spaces
        if t.label:
            return t.label
        s = spaced.get(t.label_raw)
        if s is None:
            s = spaced[t.label_raw] = " ".join(t.label_raw.split())
        return s

    cols: dict[str, Any] = {
        **per_payload,
        "txn_id": ids["txn_id"], "account_id": ids["account_id"], "account_ref": keys["account_ref"],
        "source_key": ids["source_key"], "occurrence": ids["occurrence"],
        "booking_date": keys["booking_date"], "value_date": [t.value_date for t in txs],
        "operation_date": [t.operation_date for t in txs], "amount": amount,
        "currency": [t.currency for t in txs], "label_raw": label_raw_a, "label": [label(t) for t in txs],
        "merchant": described["merchant"], "kind": described["kind"], "category": described["category"],
        "category_source": described["category_source"], "pending": keys["pending"],
        "bank_txn_id": keys["bank_txn_id"], "bank_category": bank_category,
        "bank_type": [t.bank_type for t in txs], "deleted_at": [t.deleted_at for t in txs],
        "source_updated_at": [t.source_updated_at for t in txs]}
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
        sid = f"{meta.sha256[:16]}-{i}"
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
                "category": category, "category_source": cat_source})
