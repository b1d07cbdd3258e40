"""The lake's tables: one Arrow schema per entity, with lineage columns on every row.

The contract between :mod:`pipeline.normalize` (which builds these tables from parsed records) and
:mod:`warehouse.lake` (which stores them): it lives here, beside the other contracts, so neither side
imports the other. Money columns are ``decimal128(18, 2)``.
"""
from __future__ import annotations

import pyarrow as pa

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
