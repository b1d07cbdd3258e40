"""Canonical records: what every parser returns, whatever the bank.

Money is ``Decimal`` (never float). Dates are ``datetime.date``; timestamps are naive UTC unless a field
says otherwise. ``account_ref`` is the bank's own key for an account inside one connection (Budgea
account id, Boursorama 32-hex key, LCL contract id); it is stable across runs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")


def money(value: object) -> Decimal:
    """Exact Decimal with two places from an int, str or Decimal. Floats are refused: a float amount
    has already lost the cents' exactness (JSON is parsed with ``parse_float=Decimal``)."""
    if isinstance(value, float):
        raise TypeError("refusing a float amount; parse JSON with parse_float=Decimal")
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    q = d.quantize(CENT)
    if q != d:
        raise ValueError(f"amount {value!r} has more than two decimal places")
    return q


@dataclass(frozen=True, slots=True)
class Account:
    account_ref: str
    number: str | None = None
    iban: str | None = None
    name: str | None = None
    type: str | None = None
    currency: str = "EUR"
    balance: Decimal | None = None
    balance_date: dt.date | None = None
    deleted: bool = False
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class Transaction:
    account_ref: str
    booking_date: dt.date
    amount: Decimal
    label_raw: str
    label: str | None = None
    currency: str = "EUR"
    value_date: dt.date | None = None
    operation_date: dt.date | None = None
    pending: bool = False
    bank_txn_id: str | None = None       # the bank's own id, when unique and stable
    bank_category: str | None = None     # the bank's category, a hint only
    bank_type: str | None = None         # the bank's own kind (Budgea ``type``), a hint only
    deleted_at: dt.datetime | None = None  # removed at the bank (Budgea ``deleted``)
    source_updated_at: dt.datetime | None = None  # server-side last modification (cursor material)


@dataclass(frozen=True, slots=True)
class BalanceSnapshot:
    account_ref: str
    date: dt.date
    balance: Decimal
    source: str  # 'api' | 'csv' | 'statement'


@dataclass(frozen=True, slots=True)
class StatementLine:
    booking_date: dt.date
    amount: Decimal
    label_raw: str
    value_date: dt.date | None = None
    #: where the row is printed (1-based page, 1-based line on that page), for lineage; not part of
    #: the row's identity (two copies of a statement hold equal lines)
    page: int | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Statement:
    account_ref: str
    period_start: dt.date
    period_end: dt.date
    opening_balance: Decimal
    closing_balance: Decimal
    total_debits: Decimal
    total_credits: Decimal
    lines: tuple[StatementLine, ...] = ()


@dataclass(slots=True)
class ParsedBatch:
    """What one raw artifact yields. ``window_*`` is the period the artifact fully covers (a snapshot),
    when known: identity uses it to count identical same-day rows (docs/design.md §6)."""

    accounts: list[Account] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    balances: list[BalanceSnapshot] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    #: a column-wise parser's transactions: a ``pyarrow.Table`` whose columns are named after Transaction's
    #: fields (a field it lacks takes its default), in place of ``transactions`` (no Python object per row)
    transaction_columns: Any = None
    #: the same for ``balances`` (columns ``account_ref``, ``date``, ``balance``, ``source``)
    balance_columns: Any = None
