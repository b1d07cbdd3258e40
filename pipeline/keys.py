"""Identity keys of API/CSV rows, column-wise (docs/design.md §6; rules in :mod:`transforms.identify`).

The window and the hashing run in DuckDB (``warehouse/compute/transaction_keys.sql`` through
:func:`warehouse.db.compute`, a private in-memory database per process, fork-safe); the label
normalization is the pure :func:`transforms.identify.label_forms`, so it is one function everywhere.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from connectors.records import Transaction
from transforms.identify import label_forms
from warehouse.db import compute

KEYS_SCHEMA = pa.schema([("i", pa.int64()), ("payload", pa.int32()), ("bank", pa.string()),
                         ("account_ref", pa.string()), ("pending", pa.bool_()), ("booking_date", pa.date32()),
                         ("amount", pa.decimal128(18, 2)), ("nlabel", pa.string()),
                         ("bank_txn_id", pa.string()), ("by_id", pa.bool_())])


def transaction_key_columns(columns: dict[str, pa.Array | list]) -> pa.Table:
    """``txn_id``, ``source_key``, ``occurrence`` for each row, in input order. ``columns`` are those of
    :data:`KEYS_SCHEMA` but ``i`` (see ``warehouse/compute/transaction_keys.sql``). Thread-safe."""
    n = len(columns["bank"])
    keys_in = pa.table([pa.array(np.arange(n, dtype=np.int64))]
                       + [c if isinstance(c, pa.Array) else pa.array(c, f.type)
                          for f in KEYS_SCHEMA if f.name != "i" for c in (columns[f.name],)], schema=KEYS_SCHEMA)
    return compute("transaction_keys.sql", {"keys_in": keys_in})


def transaction_keys(bank: str, rows: Sequence[Transaction], *, unique_ids: bool) -> list[tuple[str, str, int]]:
    """(txn_id, source_key, occurrence) for each row of ONE snapshot, in order (row-wise front of
    :func:`transaction_key_columns`)."""
    if not rows:
        return []
    ids = [t.bank_txn_id for t in rows]
    _spaced, nlabel = label_forms(pa.array([t.label_raw for t in rows], pa.string()))
    out = transaction_key_columns({
        "payload": [0] * len(rows), "bank": [bank] * len(rows), "account_ref": [t.account_ref for t in rows],
        "pending": [t.pending for t in rows], "booking_date": [t.booking_date for t in rows],
        "amount": [t.amount for t in rows], "nlabel": nlabel, "bank_txn_id": ids,
        "by_id": [bool(unique_ids and x) for x in ids]})
    return list(zip(out["txn_id"].to_pylist(), out["source_key"].to_pylist(), out["occurrence"].to_pylist(),
                    strict=True))
