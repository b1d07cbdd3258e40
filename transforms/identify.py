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
import os
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from importlib import resources

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


# what str.split() splits ASCII text on (Python's whitespace in the ASCII range), as RE2 classes
_ASCII_WS = r"[\t\n\x0b\x0c\r\x1c-\x1f ]+"
# labels the split/join changes: other whitespace than one space, two spaces, a space at either end
_UNSPACED = r"[\t\n\x0b\x0c\r\x1c-\x1f]|  |^ | $"


def label_forms(label_raw: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """``(spaced, normalized)`` for each raw label: ``" ".join(label.split())`` and :func:`normalize_label`.
    Column-wise (Arrow, RE2) for ASCII labels, the Python functions for the others: the same results."""
    raw = label_raw.combine_chunks() if isinstance(label_raw, pa.ChunkedArray) else label_raw
    spaced = raw
    unspaced = pc.match_substring_regex(raw, _UNSPACED)
    if pc.any(unspaced).as_py():  # the replace costs 8x the match: only where it changes something
        fixed = pc.utf8_trim(pc.replace_substring_regex(pc.filter(raw, unspaced), _ASCII_WS, " "), " ")
        spaced = pc.replace_with_mask(raw, unspaced, fixed)
    norm = pc.ascii_upper(spaced)
    other = pc.invert(pc.string_is_ascii(raw))
    if pc.any(other).as_py():
        texts = pc.filter(raw, other).to_pylist()
        spaced = pc.replace_with_mask(spaced, other, pa.array([" ".join(t.split()) for t in texts], pa.string()))
        norm = pc.replace_with_mask(norm, other, pa.array([normalize_label(t) for t in texts], pa.string()))
    return spaced, norm


def account_id_column(bank: pa.Array, account_ref: pa.Array) -> pa.Array:
    """:func:`account_id` of each row, hashed once per distinct account."""
    enc = pc.binary_join_element_wise(bank, account_ref, "\x1f").dictionary_encode()
    ids = pa.array([hashlib.sha256(k.encode("utf-8")).hexdigest()[:16] for k in enc.dictionary.to_pylist()],
                   pa.string())
    return ids.take(enc.indices)


def _sql(name: str) -> str:
    return resources.files("transforms").joinpath("sql", name).read_text("utf-8")


_DUCK: tuple[int, duckdb.DuckDBPyConnection] | None = None  # (pid, in-memory DuckDB) of this process
_DUCK_LOCK = threading.Lock()
# A DuckDB inherited through fork must never be closed or collected in the child: its destructor waits
# for worker threads that only exist in the parent (the child hangs). It is parked here instead.
_INHERITED: list[duckdb.DuckDBPyConnection] = []


def _cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on this process's in-memory DuckDB, created on first use (and again in a forked child: a
    DuckDB opened before a fork is not used after it)."""
    global _DUCK
    with _DUCK_LOCK:
        if _DUCK is None or _DUCK[0] != os.getpid():
            if _DUCK is not None:
                _INHERITED.append(_DUCK[1])
            con = duckdb.connect(":memory:")
            con.execute(_sql("macros.sql"))
            _DUCK = (os.getpid(), con)
        return _DUCK[1].cursor()

_KEYS_SQL = _sql("transaction_keys.sql")

KEYS_SCHEMA = pa.schema([("i", pa.int64()), ("payload", pa.int32()), ("bank", pa.string()),
                         ("account_ref", pa.string()), ("pending", pa.bool_()), ("booking_date", pa.date32()),
                         ("amount", pa.decimal128(18, 2)), ("nlabel", pa.string()),
                         ("bank_txn_id", pa.string()), ("by_id", pa.bool_())])


def transaction_key_columns(columns: dict[str, pa.Array | list]) -> pa.Table:
    """``txn_id``, ``source_key``, ``occurrence`` for each row, in input order. ``columns`` are those of
    :data:`KEYS_SCHEMA` but ``i`` (see ``transforms/sql/transaction_keys.sql``). Thread-safe: each call
    has its own cursor on one in-memory DuckDB."""
    n = len(columns["bank"])
    keys_in = pa.table([pa.array(np.arange(n, dtype=np.int64))]
                       + [c if isinstance(c, pa.Array) else pa.array(c, f.type)
                          for f in KEYS_SCHEMA if f.name != "i" for c in (columns[f.name],)], schema=KEYS_SCHEMA)
    cur = _cursor()
    try:
        cur.register("keys_in", keys_in)
        return cur.sql(_KEYS_SQL).to_arrow_table()
    finally:
        cur.close()


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


def statement_id(bank: str, statement: Statement) -> str:
    """A statement is its account and its period (issue 11): a re-saved, re-downloaded or decrypted
    copy of a statement (same content, other bytes) gets the same id, so its lines load once."""
    return "st-" + _h(bank, statement.account_ref, statement.period_start.isoformat(),
                      statement.period_end.isoformat(), n=16)


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
