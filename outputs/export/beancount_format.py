"""The beancount export: one account per bank account (``Assets:<Bank>:<Name>-<number>``, a card under
``Liabilities:``), its opening balance against ``Equity:Opening-Balances``, each booked transaction
against an account named after its category, and a ``balance`` assertion for every balance the bank
reported. A reported balance is the balance at the END of its day, and beancount checks a ``balance``
at the START of its date: the assertion is dated the next day.

Categories map to ``Income:`` when they are income (``Revenus...``), to ``Assets:Transfers:Internal`` for
money moved between the user's own accounts (both legs meet there), else to ``Expenses:``; a row without
category goes to ``Expenses:Uncategorized`` or ``Income:Uncategorized`` by its sign. Names are folded to
ASCII (beancount account components are ``[A-Z0-9][A-Za-z0-9-]*``)."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from outputs.export.ledger import Account, Ledger, Txn

OPENING = "Equity:Opening-Balances"
INTERNAL = "Assets:Transfers:Internal"
INTERNAL_CATEGORIES = ("Épargne et virements internes", "Mouvements internes")


def component(text: str) -> str:
    """``Alimentation et cafés`` -> ``Alimentation-et-cafes``: a valid account name component."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    c = re.sub(r"[^A-Za-z0-9]+", "-", ascii_).strip("-")
    if not c:
        return "X"
    return c[0].upper() + c[1:]


def bank_account(a: Account) -> str:
    root = "Liabilities" if a.is_card else "Assets"
    label = f"{a.name or a.type or 'Account'} {a.account_number}"
    return f"{root}:{component(a.bank)}:{component(label)}"


def counter_account(t: Txn) -> str:
    cat = t.category
    if not cat:
        return "Income:Uncategorized" if t.amount > 0 else "Expenses:Uncategorized"
    if cat.startswith(INTERNAL_CATEGORIES):
        return INTERNAL
    root = "Income" if cat.startswith("Revenus") else "Expenses"
    return root + "".join(":" + component(p) for p in cat.split(":"))


def _q(text: str | None) -> str:
    return '"' + " ".join((text or "").split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_beancount(ledger: Ledger) -> bytes:
    currencies = sorted({a.currency for a in ledger.accounts}) or ["EUR"]
    out = ['option "title" "bankflow export"\n'] + [f'option "operating_currency" "{c}"\n' for c in currencies] + ["\n"]
    names = {a.account_id: bank_account(a) for a in ledger.accounts}
    first: dict[str, dt.date] = {}
    for a in ledger.accounts:
        days = [t.booking_date for t in ledger.of(a.account_id)] + [b.date for b in ledger.balances if b.account_id == a.account_id]
        if a.opening_date:
            days.append(a.opening_date)
        first[a.account_id] = min(days) if days else (a.balance_date or dt.date(1970, 1, 1))
    counters: dict[str, dt.date] = {}
    for t in ledger.transactions:
        c = counter_account(t)
        counters[c] = min(counters.get(c, t.booking_date), t.booking_date)
    opens = [(d, names[a.account_id], a.currency) for a in ledger.accounts for d in [first[a.account_id]]]
    opens += [(d, c, None) for c, d in counters.items()]
    if any(a.opening_balance for a in ledger.accounts):
        opens.append((min(first.values()), OPENING, None))
    for d, name, cur in sorted(opens, key=lambda o: (o[0], o[1])):
        out.append(f"{d} open {name}" + (f" {cur}" if cur else "") + "\n")
    out.append("\n")
    for a in ledger.accounts:
        acc = names[a.account_id]
        if a.opening_balance:
            out.append(f'{first[a.account_id]} * "Opening balance"\n  {acc}  {a.opening_balance} {a.currency}\n'
                       f"  {OPENING}\n\n")
        for t in ledger.of(a.account_id):
            out.append(f"{t.booking_date} * {_q(t.payee)} {_q(t.label_raw)}\n  txn_id: {_q(t.txn_id)}\n"
                       f"  {acc}  {t.amount} {t.currency}\n  {counter_account(t)}\n\n")
        for b in ledger.balances:
            if b.account_id == a.account_id:
                out.append(f"{b.date + dt.timedelta(days=1)} balance {acc}  {b.balance} {a.currency}\n")
        out.append("\n")
    return "".join(out).encode("utf-8")
