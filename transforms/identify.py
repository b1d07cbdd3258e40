"""Stable identities (DESIGN §6, minimal form for the spine).

* ``account_id`` = hash(bank, account_ref): the same account seen by a sync, a CSV import or a PDF
  statement gets the same id, because account_ref is the printed account number.
* ``txn_id`` = hash(bank, account_ref, key) where key is

  - ``id:<bank id>`` when the bank's id is unique and stable (Budgea), or
  - ``<booking_date>|<amount>|<normalized raw label>|<k>`` with ``k`` the occurrence index: the k-th
    identical row of that day *within one snapshot*. Two identical coffees on one day stay two
    transactions; the same two coffees seen again in an overlapping snapshot get the same two ids, so
    across snapshots the count of identical rows on a day is the largest count any snapshot saw.
    Pending rows get a ``p|`` prefix: a pending row and its booked twin are different rows (linking them
    is the identity issue's job).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from connectors.records import Statement, Transaction

_SPACES = re.compile(r"\s+")


def _h(*parts: str, n: int = 20) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:n]


def account_id(bank: str, account_ref: str) -> str:
    return _h(bank, account_ref, n=16)


def normalize_label(label: str) -> str:
    """Case-, accent- and whitespace-insensitive form of a raw label, for keys and matching."""
    s = unicodedata.normalize("NFKD", label)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return _SPACES.sub(" ", s).strip().upper()


def content_key(t: Transaction) -> str:
    return f"{'p|' if t.pending else ''}{t.booking_date.isoformat()}|{t.amount}|{normalize_label(t.label_raw)}"


def transaction_keys(bank: str, rows: Iterable[Transaction], *, unique_ids: bool) -> list[tuple[str, str, int]]:
    """(txn_id, source_key, occurrence) for each row of ONE snapshot, in order."""
    seen: Counter[tuple[str, str]] = Counter()
    out: list[tuple[str, str, int]] = []
    for t in rows:
        if unique_ids and t.bank_txn_id:
            key, occ = f"id:{t.bank_txn_id}", 0
        else:
            base = content_key(t)
            occ = seen[(t.account_ref, base)]
            seen[(t.account_ref, base)] += 1
            key = f"{base}|{occ}"
        out.append((_h(bank, t.account_ref, key), key, occ))
    return out


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
