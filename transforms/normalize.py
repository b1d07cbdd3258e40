"""ParsedBatch + ArtifactMeta -> lake rows (plain dicts, one list per entity), with lineage columns.

Lineage on every row: ``raw_sha256`` (the landed file), ``connection``, ``fetched_at``, ``row_number``.
"""
from __future__ import annotations

from typing import Any

from connectors.artifact import ArtifactMeta
from connectors.records import ParsedBatch
from transforms.categorize import describe
from transforms.identify import account_id, statement_line_keys, transaction_keys

SOURCE_BY_KIND = {"json": "api", "html": "api", "csv": "csv", "pdf": "statement"}


def normalize(batch: ParsedBatch, meta: ArtifactMeta, *, unique_ids: bool) -> dict[str, list[dict[str, Any]]]:
    bank = meta.bank
    lineage = {"bank": bank, "connection": meta.connection, "raw_sha256": meta.sha256,
               "fetched_at": meta.fetched_at}
    source = SOURCE_BY_KIND.get(meta.kind, meta.kind)
    out: dict[str, list[dict[str, Any]]] = {"accounts": [], "transactions": [], "balances": [],
                                            "statements": [], "statement_lines": []}
    for i, a in enumerate(batch.accounts):
        out["accounts"].append({
            **lineage, "row_number": i, "account_id": account_id(bank, a.account_ref),
            "account_ref": a.account_ref, "account_number": a.number or a.account_ref, "iban": a.iban,
            "name": a.name, "type": a.type, "currency": a.currency, "balance": a.balance,
            "balance_date": a.balance_date, "deleted": a.deleted, "disabled": a.disabled})
    keys = transaction_keys(bank, batch.transactions, unique_ids=unique_ids)
    for i, (t, (txn_id, key, occ)) in enumerate(zip(batch.transactions, keys, strict=True)):
        kind, merchant, category, cat_source = describe(t.label_raw, t.amount, t.bank_category)
        out["transactions"].append({
            **lineage, "row_number": i, "txn_id": txn_id, "account_id": account_id(bank, t.account_ref),
            "account_ref": t.account_ref, "source_key": key, "occurrence": occ, "source": source,
            "booking_date": t.booking_date, "value_date": t.value_date, "operation_date": t.operation_date,
            "amount": t.amount, "currency": t.currency, "label_raw": t.label_raw,
            "label": t.label or " ".join(t.label_raw.split()), "merchant": merchant,
            "kind": kind, "category": category, "category_source": cat_source, "pending": t.pending,
            "bank_txn_id": t.bank_txn_id, "bank_category": t.bank_category, "bank_type": t.bank_type,
            "deleted_at": t.deleted_at, "source_updated_at": t.source_updated_at,
            "window_start": batch.window_start, "window_end": batch.window_end})
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
    return out
