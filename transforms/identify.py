"""Stable identities (DESIGN §6).

* ``account_id`` = hash(bank, account_ref): the same account seen by a sync, a CSV import or a PDF
  statement gets the same id, because account_ref is the printed account number.
* ``txn_id`` = hash(bank, account_ref, key) where key is

  - ``id:<bank id>`` when the bank's id is unique and stable (Budgea), or
  - ``<booking_date>|<amount>|<normalized raw label>|<k>`` with ``k`` the occurrence index: the k-th
    identical row of that day *within one snapshot*. Two identical coffees on one day stay two
    transactions; the same two coffees seen again in an overlapping snapshot get the same two ids, so
    across snapshots the count of identical rows on a day is the largest count any snapshot saw.
    Pending rows get a ``p|`` prefix: a pending row and its booked twin are different rows (linking them
    is the identity views' job, ``warehouse/views/11_int_pending.sql``).

The keys of API/CSV rows are computed column-wise by DuckDB (``transforms/sql/transaction_keys.sql``,
:func:`transaction_key_columns`), for one payload or a million rows alike; the label normalization stays
in Python (:func:`normalize_label`, once per distinct label) so it is one function everywhere.
"""
from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from importlib import resources

import duckdb
import pyarrow as pa

from connectors.records import Statement, Transaction

_SPACES = re.compile(r"\s+")


def _h(*parts: str, n: int = 20) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:n]


def account_id(bank: str, account_ref: str) -> str:
    return _h(bank, account_ref, n=16)


def normalize_label(label: str) -> str:
    """Case-, accent- and whitespace-insensitive form of a raw label, for keys and matching."""
    if label.isascii():  # fast path, same result: NFKD changes no ASCII text
        return " ".join(label.split()).upper()
    s = unicodedata.normalize("NFKD", label)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return _SPACES.sub(" ", s).strip().upper()


_KEYS_SQL = resources.files("transforms").joinpath("sql", "transaction_keys.sql").read_text("utf-8")
_DUCK = duckdb.connect(":memory:")
_DUCK_LOCK = threading.Lock()


def transaction_key_columns(keys_in: pa.Table) -> pa.Table:
    """``txn_id``, ``account_id``, ``source_key``, ``occurrence`` for each row of ``keys_in`` (columns: see
    ``transforms/sql/transaction_keys.sql``), in input order. Thread-safe: each call has its own cursor."""
    with _DUCK_LOCK:
        cur = _DUCK.cursor()
    try:
        cur.register("keys_in", keys_in)
        return cur.sql(_KEYS_SQL).to_arrow_table()
    finally:
        cur.close()


def keys_input(bank: str, rows: Sequence[Transaction], *, unique_ids: bool, payload: int = 0,
               labels: dict[str, str] | None = None) -> dict[str, list]:
    """The columns of ``keys_in`` for the rows of one payload (``labels`` caches normalize_label)."""
    cache = {} if labels is None else labels
    nlabel = []
    for t in rows:
        n = cache.get(t.label_raw)
        if n is None:
            n = cache[t.label_raw] = normalize_label(t.label_raw)
        nlabel.append(n)
    ids = [t.bank_txn_id for t in rows]
    return {"payload": [payload] * len(rows), "bank": [bank] * len(rows),
            "account_ref": [t.account_ref for t in rows], "pending": [t.pending for t in rows],
            "booking_date": [t.booking_date for t in rows], "amount": [t.amount for t in rows],
            "nlabel": nlabel, "bank_txn_id": ids, "by_id": [bool(unique_ids and x) for x in ids]}


KEYS_SCHEMA = pa.schema([("i", pa.int64()), ("payload", pa.int32()), ("bank", pa.string()),
                         ("account_ref", pa.string()), ("pending", pa.bool_()), ("booking_date", pa.date32()),
                         ("amount", pa.decimal128(18, 2)), ("nlabel", pa.string()),
                         ("bank_txn_id", pa.string()), ("by_id", pa.bool_())])


def keys_table(columns: dict[str, list]) -> pa.Table:
    n = len(columns["bank"])
    return pa.table({"i": pa.array(range(n), pa.int64()),
                     **{f.name: pa.array(columns[f.name], f.type) for f in KEYS_SCHEMA if f.name != "i"}},
                    schema=KEYS_SCHEMA)


def transaction_keys(bank: str, rows: Sequence[Transaction], *, unique_ids: bool) -> list[tuple[str, str, int]]:
    """(txn_id, source_key, occurrence) for each row of ONE snapshot, in order."""
    if not rows:
        return []
    out = transaction_key_columns(keys_table(keys_input(bank, rows, unique_ids=unique_ids)))
    return list(zip(out["txn_id"].to_pylist(), out["source_key"].to_pylist(), out["occurrence"].to_pylist(),
                    strict=True))


def statement_line_keys(bank: str, statement: Statement) -> list[str]:
    """txn_id of each line of a statement: content plus occurrence within the statement, in a key space
    of its own (``stmt|``) so a line never collides with an API or CSV row; matching a line to such a row
    is the cross-source linker's job."""
    seen: Counter[str] = Counter()
    out = []
    for ln in statement.lines:
        base = f"stmt|{ln.booking_date.isoformat()}|{ln.amount}|{normalize_label(ln.label_raw)}"
        out.append(_h(bank, statement.account_ref, f"{base}|{seen[base]}"))
        seen[base] += 1
    return out
