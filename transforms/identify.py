"""Stable identities (docs/design.md §6).

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

The keys of API/CSV rows are computed column-wise by DuckDB (``warehouse/compute/transaction_keys.sql``,
through :func:`pipeline.keys.transaction_key_columns`), for one payload or a million rows alike; the label
normalization stays here in Python (:func:`normalize_label`, :func:`label_forms`) so it is one function
everywhere. This module is pure: values in, values out.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc

from connectors.records import Statement

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
