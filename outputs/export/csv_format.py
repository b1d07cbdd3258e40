"""The CSV export: one row per booked transaction, every account, amounts as exact decimals with a dot,
text cells neutralised against spreadsheet formulas (``outputs.export.csv_safe``)."""
from __future__ import annotations

import csv
import io

from outputs.export.csv_safe import cell
from outputs.export.ledger import Ledger

COLUMNS = ("account_number", "bank", "account_name", "booking_date", "value_date", "amount", "currency",
           "payee", "label", "label_raw", "category", "kind", "txn_id")


def to_csv(ledger: Ledger) -> bytes:
    accounts = {a.account_id: a for a in ledger.accounts}
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for t in ledger.transactions:
        a = accounts[t.account_id]
        w.writerow([cell(v) for v in (a.account_number, a.bank, a.name, t.booking_date, t.value_date, t.amount,
                                      t.currency, t.payee, t.label, t.label_raw, t.category, t.kind, t.txn_id)])
    return buf.getvalue().encode("utf-8")
