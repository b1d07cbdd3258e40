"""Monthly statements cut from the ledger, and their PDFs (rendered by the shared statement generator).

Periods start on the account's ``statement_day``: the 1st for the current account and the LDDS, the 15th for
the Livret A, so the Livret A ships December→January statements (``du 15.12.YYYY au 14.01.YYYY``), the year
inference trap of reference/statements.md §4. A statement exists for every period that ended before ``today``; its
opening and closing balances come from the ledger's booked rows, so every statement balances by construction.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from connectors.records import Statement, StatementLine

from .ledger import Entry, Ledger, LedgerAccount

_CARD = re.compile(r"^CB (?P<merchant>.+) (?P<dd>\d\d)/(?P<mm>\d\d)/\d\d$")


@dataclass(frozen=True, slots=True)
class SimStatement:
    account: LedgerAccount
    statement: Statement
    document_date: dt.date   # ``datprddoccli``: the day after the period ends

    @property
    def document_id(self) -> str:
        a = self.account
        return f"{a.agency}{a.number}{a.key}_{self.document_date.isoformat()}"


def pdf_label(entry: Entry) -> str:
    """Statements print card rows as ``CB <MERCHANT> LE DD/MM`` where the API says ``CB <MERCHANT> DD/MM/YY``."""
    m = _CARD.match(entry.label)
    if m:
        return f"CB {m['merchant']} LE {m['dd']}/{m['mm']}"
    return entry.label


def _periods(first: dt.date, last_end: dt.date, day: int) -> list[tuple[dt.date, dt.date]]:
    """Consecutive monthly periods starting on ``day``, from the one holding ``first`` to the last ending
    on or before ``last_end``."""
    start = first.replace(day=day) if first.day >= day else _prev_month(first).replace(day=day)
    out = []
    while True:
        nxt = _next_month(start)
        end = nxt - dt.timedelta(days=1)
        if end > last_end:
            return out
        out.append((start, end))
        start = nxt


def _next_month(d: dt.date) -> dt.date:
    return d.replace(year=d.year + d.month // 12, month=d.month % 12 + 1)


def _prev_month(d: dt.date) -> dt.date:
    return d.replace(year=d.year - (d.month == 1), month=(d.month - 2) % 12 + 1)


def build_statements(ledger: Ledger) -> list[SimStatement]:
    """Every statement of every account whose period ended before ``ledger.today``."""
    out: list[SimStatement] = []
    yesterday = ledger.today - dt.timedelta(days=1)
    for acc in ledger.accounts:
        booked = ledger.booked(acc.internal_id)
        for start, end in _periods(ledger.start, yesterday, acc.statement_day):
            rows = [e for e in booked if start <= e.booking_date <= end]
            opening = ledger.balance(acc.internal_id, before=start)
            debits = sum((-e.amount for e in rows if e.amount < 0), Decimal("0.00"))
            credits = sum((e.amount for e in rows if e.amount > 0), Decimal("0.00"))
            lines = tuple(StatementLine(booking_date=e.booking_date, amount=e.amount, label_raw=pdf_label(e),
                                        value_date=e.value_date) for e in rows)
            st = Statement(account_ref=acc.account_ref, period_start=start, period_end=end,
                           opening_balance=opening, closing_balance=opening + credits - debits,
                           total_debits=debits, total_credits=credits, lines=lines)
            out.append(SimStatement(acc, st, end + dt.timedelta(days=1)))
    return out


def render_pdf(st: SimStatement, holder: str) -> bytes:
    """The statement as a PDF, through the shared generator (``connectors.statements.render``)."""
    from connectors.statements.render import render_statement_pdf  # written by the statements helper

    # the current account's statements run over two pages (SOLDE INTERMEDIAIRE, repeated header, shifted page)
    per_page = 30 if st.account.type == "current" else None
    return render_statement_pdf(st.statement, layout="lcl", account_number=st.account.external_id, holder=holder,
                                rows_per_page=per_page)


def renderer_available() -> bool:
    try:
        from connectors.statements.render import render_statement_pdf  # noqa: F401
    except ImportError:
        return False
    return True
