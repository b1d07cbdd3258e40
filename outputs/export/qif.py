"""The QIF export (Quicken Interchange Format, read by GnuCash, HomeBank, KMyMoney, ...): one
``!Account`` block per account, then its transactions under ``!Type:Bank`` (``!Type:CCard`` for a card).
Dates are written MM/DD/YYYY, Quicken's US order, which the importers expect unless told otherwise."""
from __future__ import annotations

from outputs.export.ledger import Account, Ledger


def _line(code: str, text: str | None) -> str:
    # a QIF field is one line; the record separator ^ at the start of a line would end the record
    clean = " ".join((text or "").split())
    return f"{code}{clean}\n" if clean else ""


def account_name(a: Account) -> str:
    return f"{a.name or a.type or 'Account'} {a.account_number}"


def to_qif(ledger: Ledger) -> bytes:
    out: list[str] = []
    for a in ledger.accounts:
        qtype = "CCard" if a.is_card else "Bank"
        out.append("!Account\n" + _line("N", account_name(a)) + f"T{qtype}\n"
                   + _line("D", f"{a.bank} {a.iban or a.account_number}") + "^\n")
        out.append(f"!Type:{qtype}\n")
        for t in ledger.of(a.account_id):
            out.append(f"D{t.booking_date:%m/%d/%Y}\nT{t.amount}\n" + _line("P", t.payee) + _line("M", t.label_raw)
                       + _line("L", t.category) + "^\n")
    return "".join(out).encode("utf-8")
