"""What every export writes: the accounts, their booked transactions and the bank-reported balances,
read from the marts (named queries ``export_*.sql``). Amounts are ``Decimal``; the order is stable, so
the same ledger gives the same bytes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from connectors.errors import BankflowError
from warehouse.db import Warehouse


class ExportError(BankflowError):
    outcome = "export_error"


@dataclass(frozen=True, slots=True)
class Account:
    account_id: str
    bank: str
    account_number: str
    iban: str | None
    name: str | None
    type: str | None
    currency: str
    balance: Decimal | None           # the latest balance the bank reported
    balance_date: dt.date | None
    opening_date: dt.date | None      # first day of the exported period
    opening_balance: Decimal | None   # the balance before that day

    @property
    def is_card(self) -> bool:
        return (self.type or "").lower() in ("card", "credit_card", "creditcard")


@dataclass(frozen=True, slots=True)
class Txn:
    txn_id: str
    account_id: str
    booking_date: dt.date
    value_date: dt.date | None
    amount: Decimal
    currency: str
    label_raw: str | None
    label: str | None
    merchant: str | None
    kind: str | None
    category: str | None

    @property
    def payee(self) -> str:
        return self.merchant or self.label or self.label_raw or ""


@dataclass(frozen=True, slots=True)
class Balance:
    account_id: str
    date: dt.date
    balance: Decimal
    source: str


@dataclass(frozen=True, slots=True)
class Ledger:
    accounts: list[Account]
    transactions: list[Txn]
    balances: list[Balance]

    def of(self, account_id: str) -> list[Txn]:
        return [t for t in self.transactions if t.account_id == account_id]


def read_ledger(wh: Warehouse, *, account: str | None = None, since: dt.date | None = None) -> Ledger:
    """The ledger to export; ``account`` (an account number or id) that matches nothing is an error."""
    params = {"account": account, "since": since}
    accounts = [Account(**r) for r in wh.fetch_dicts("export_accounts.sql", params)]
    if account is not None and not accounts:
        known = ", ".join(r["account_number"] for r in wh.fetch_dicts("export_accounts.sql",
                                                                      {"account": None, "since": None}))
        raise ExportError(f"no account {account!r} in the warehouse",
                          remedy=f"use one of: {known}" if known else "run `bankflow sync` first")
    txns = [Txn(**r) for r in wh.fetch_dicts("export_transactions.sql", params)]
    balances = [Balance(**r) for r in wh.fetch_dicts("export_reported_balances.sql", params)]
    return Ledger(accounts=accounts, transactions=txns, balances=balances)
