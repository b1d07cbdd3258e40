"""Synthetic, consistent statements (seeded) for tests, benchmarks and demos.

Holders, accounts and labels are invented; nothing comes from a real statement. A statement built
here always adds up (opening + credits − debits = closing, totals = sums), and includes the traps
the parser must survive: labels with numbers (``TVA 20,00 %``, FX lines), a label starting with
``SOLDE``, long labels that wrap, amounts over a thousand, value dates before the booking date.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from connectors.records import Statement, StatementLine

_DEBITS = [
    "CB CARREFOUR CITY LE {dm}", "CB MONOPRIX PARIS 11 LE {dm}", "CB SNCF INTERNET LE {dm}",
    "PRLV SEPA EDF CLIENTS PARTICULIERS REF.MANDAT FR12EDF000123", "PRLV SEPA FREE MOBILE",
    "CB RETRAIT DU {dm} PARIS REPUBLIQUE", "CB AMAZON EU SARL LE {dm} 46,99EUR 1 EURO = 1,000000",
    "SOLDE IMPOT REVENUS 2022 DGFIP", "PRLV SEPA ORANGE SA FACTURE INTERNET DONT TVA 8,70EUR",
    "CB BOULANGERIE DU MARCHE LE {dm}", "COTISATION OFFRE ESSENTIEL TVA 20,00 %",
    "VIR SEPA LOYER APPARTEMENT RUE DES LILAS REF 2023-LOY",
]
_CREDITS = [
    "VIR SEPA EMPLOYEUR SA SALAIRE", "VIR SEPA CAF ALLOCATIONS FAMILIALES",
    "REMBOURSEMENT CB AMAZON EU SARL", "VIR SEPA M DUPONT JEAN EPARGNE",
]


def _amount(rng: random.Random, big: bool) -> Decimal:
    cents = rng.randint(100_000, 350_000) if big else rng.randint(50, 25_000)
    return Decimal(cents).scaleb(-2)


def synth_statement(seed: int, start: dt.date, end: dt.date, n_lines: int, *,
                    account_ref: str = "", opening: Decimal | None = None) -> Statement:
    """A balanced statement of ``n_lines`` operations, booking dates sorted inside [start, end]."""
    rng = random.Random(seed)
    span = (end - start).days
    booking = sorted(start + dt.timedelta(days=rng.randint(0, span)) for _ in range(n_lines))
    lines: list[StatementLine] = []
    for i, day in enumerate(booking):
        credit = rng.random() < 0.18
        pool = _CREDITS if credit else _DEBITS
        label = pool[rng.randrange(len(pool))].format(
            dm=(day - dt.timedelta(days=rng.randint(0, 2))).strftime("%d/%m"))
        if rng.random() < 0.15:
            label += " " + " ".join(f"REF{rng.randint(10**7, 10**8 - 1)}" for _ in range(rng.randint(3, 7)))
        amount = _amount(rng, big=credit and rng.random() < 0.5 or rng.random() < 0.03)
        value = day - dt.timedelta(days=rng.choice([0, 0, 0, 1, 2, 40]))
        lines.append(StatementLine(booking_date=day, amount=amount if credit else -amount,
                                   label_raw=label, value_date=value if i % 7 else None))
    if opening is None:
        opening = Decimal(rng.randint(-50_000, 400_000)).scaleb(-2)
    debits = sum((-ln.amount for ln in lines if ln.amount < 0), Decimal("0.00"))
    credits = sum((ln.amount for ln in lines if ln.amount > 0), Decimal("0.00"))
    return Statement(account_ref=account_ref, period_start=start, period_end=end,
                     opening_balance=opening, closing_balance=opening + credits - debits,
                     total_debits=debits, total_credits=credits, lines=tuple(lines))
