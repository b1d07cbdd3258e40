"""Deterministic ground truth for the Boursorama simulator.

Each day's operations are a pure function of ``(seed, day)``, so two sandboxes started with the same seed
but different ``today`` agree on their common past: a card payment pending at ``today`` (shown with the
merchant-style label ``CARREFOUR CITY PARIS FR`` and no value date) is found booked later under its
bank label ``CARTE 13/06/22 CARREFOUR CITY PARIS CB*4242``.

Accounts: a current account (``cav``), a savings booklet (``epargne/csl``) and a deferred-debit card
(``carte``, number = masked PAN as Boursorama prints it), whose month total is debited on the current
account as ``Relevé différé Carte …``. History starts on the first day of the month ``months`` before
today. Every 9th day of a month has two identical coffees (identical same-day rows).
"""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from decimal import Decimal

from connectors.records import Statement, StatementLine

MERCHANTS = [  # (label merchant, category, parent, supplier, min, max)
    ("CARREFOUR CITY PARIS", "Alimentation", "Vie quotidienne", "carrefour", 4, 60),
    ("MONOPRIX PARIS 11", "Alimentation", "Vie quotidienne", "monoprix", 6, 90),
    ("VELIB METROPOLE 2", "Transports quotidiens (métro, bus…)", "Voyages & Transports", "velib", 1, 5),
    ("SNCF INTERNET", "Train", "Voyages & Transports", "sncf", 20, 140),
    ("AMAZON PAYMENTS", "Shopping", "Achats & Shopping", "amazon", 8, 120),
    ("PHARMACIE DU MARCHE", "Pharmacie", "Santé", "pharmacie", 5, 40),
    ("BOULANGERIE PAUL", "Alimentation", "Vie quotidienne", "paul", 2, 12),
]
BIG = ("FNAC PARIS", "Culture", "Loisirs & Sorties", "fnac", 1000, 1300)  # rare: exercises thousands
COFFEE = ("CAFE DE FLORE PARIS", "Restaurants, bars", "Loisirs & Sorties", "cafe de flore")


@dataclass(frozen=True, slots=True)
class SimAccount:
    key: str            # 32-hex account key used in URLs and the export form
    number: str         # as printed (Account.number / CSV accountNum / TruthRow.account_number)
    name: str           # dashboard label
    csv_label: str      # CSV accountLabel
    path: str           # URL segment: cav, epargne/csl, carte
    statements: bool    # has monthly PDF statements in the simulator


@dataclass(slots=True)
class SimTxn:
    account: str        # account number
    op_date: dt.date    # dateOp (booking date once booked)
    booking_date: dt.date
    amount: Decimal
    label: str          # label once booked
    pending_label: str  # label while pending
    category: str = "Non catégorisé"
    parent: str = "Non catégorisé"
    supplier: str = ""
    tag: str = ""
    seq: int = 0        # generation order, for stable sorting

    def booked(self, today: dt.date) -> bool:
        return self.booking_date <= today

    def shown_date(self, today: dt.date) -> dt.date:
        """The CSV ``dateOp``: the booking date once booked, the payment date while pending."""
        return self.booking_date if self.booked(today) else self.op_date


@dataclass
class Ledger:
    seed: int
    today: dt.date
    start: dt.date
    accounts: list[SimAccount]
    txns: list[SimTxn] = field(default_factory=list)

    def account(self, key: str) -> SimAccount | None:
        return next((a for a in self.accounts if a.key == key), None)

    def visible(self, number: str) -> list[SimTxn]:
        """What the bank shows today for one account: booked rows and pending ones (op date reached)."""
        return [t for t in self.txns if t.account == number and t.op_date <= self.today]

    def booked(self, number: str | None = None) -> list[SimTxn]:
        return [t for t in self.txns if t.booked(self.today) and (number is None or t.account == number)]

    def balance(self, number: str, through: dt.date | None = None) -> Decimal:
        end = through or self.today
        return sum((t.amount for t in self.booked(number) if t.booking_date <= end), Decimal("0.00"))

    def statement(self, acc: SimAccount, year: int, month: int) -> Statement:
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        rows = sorted((t for t in self.booked(acc.number) if first <= t.booking_date <= last),
                      key=lambda t: (t.booking_date, t.seq))
        opening = self.balance(acc.number, first - dt.timedelta(days=1))
        debits = sum((-t.amount for t in rows if t.amount < 0), Decimal("0.00"))
        credits = sum((t.amount for t in rows if t.amount > 0), Decimal("0.00"))
        lines = tuple(StatementLine(booking_date=t.booking_date, amount=t.amount, label_raw=t.label,
                                    value_date=t.booking_date) for t in rows)
        return Statement(account_ref=acc.number, period_start=first, period_end=last, opening_balance=opening,
                         closing_balance=opening + credits - debits, total_debits=debits,
                         total_credits=credits, lines=lines)


def _hex(seed: int, what: str) -> str:
    return hashlib.md5(f"bankflow-bourso:{seed}:{what}".encode()).hexdigest()


def _digits(seed: int, what: str, n: int) -> str:
    return str(int(_hex(seed, what), 16))[:n].rjust(n, "0")


def make_accounts(seed: int) -> list[SimAccount]:
    last4 = _digits(seed, "pan", 4)
    return [
        SimAccount(_hex(seed, "cav"), "000" + _digits(seed, "cav-n", 8), "BoursoBank", "BoursoBank", "cav", True),
        SimAccount(_hex(seed, "csl"), "000" + _digits(seed, "csl-n", 8), "Compte sur Livret",
                   "COMPTE SUR LIVRET", "epargne/csl", True),
        SimAccount(_hex(seed, "carte"), f"4979********{last4}", "CB Visa Premier", "CB Visa Premier",
                   "carte", False),
    ]


def _money(rng: random.Random, lo: float, hi: float) -> Decimal:
    return Decimal(rng.randint(int(lo * 100), int(hi * 100))) / 100


def build_ledger(seed: int = 0, today: dt.date | None = None, months: int = 30) -> Ledger:
    today = today or dt.date.today()
    y, m = today.year, today.month - months
    while m <= 0:
        y, m = y - 1, m + 12
    start = dt.date(y, m, 1)
    accounts = make_accounts(seed)
    cav, csl, card = accounts
    ledger = Ledger(seed=seed, today=today, start=start, accounts=accounts)
    pan4 = card.number[-4:]
    seq = 0

    def add(acc: SimAccount, op: dt.date, booked: dt.date, amount: Decimal, label: str, pending: str = "",
            cat: tuple[str, str] = ("Non catégorisé", "Non catégorisé"), supplier: str = "", tag: str = "") -> None:
        nonlocal seq
        seq += 1
        ledger.txns.append(SimTxn(acc.number, op, booked, amount, label, pending or label, cat[0], cat[1],
                                  supplier, tag, seq))

    add(cav, start, start, Decimal("1500.00"), "VIR VIREMENT CREATION COMPTE", cat=("Virements reçus", "Virements reçus"))
    add(csl, start, start, Decimal("10.00"), "VIR VIREMENT CREATION COMPTE",
        cat=("Virements reçus de comptes à comptes", "Mouvements internes créditeurs"))
    add(cav, start, start, Decimal("-10.00"), "VIR VIREMENT CREATION COMPTE",
        cat=("Virements émis de comptes à comptes", "Mouvements internes débiteurs"))
    card_month: dict[tuple[int, int], Decimal] = {}
    day = start
    horizon = today + dt.timedelta(days=5)
    while day <= horizon:
        rng = random.Random(f"{seed}:{day.isoformat()}")
        # card payments (deferred debit card): booked 1-2 days after the payment
        for i in range(rng.randint(0, 2) + (1 if rng.random() < 0.02 else 0)):
            merchant, cat, parent, supplier, lo, hi = BIG if i == 2 else rng.choice(MERCHANTS)
            booked = day + dt.timedelta(days=rng.randint(1, 2))
            amount = -_money(rng, lo, hi)
            add(card, day, booked, amount, f"CARTE {day:%d/%m/%y} {merchant} CB*{pan4}", f"{merchant} FR",
                (cat, parent), supplier, "#vacances" if rng.random() < 0.03 else "")
        if day.day % 9 == 0:  # two identical coffees, same day, same amount, same label
            for _ in range(2):
                add(card, day, day + dt.timedelta(days=1), Decimal("-2.40"),
                    f"CARTE {day:%d/%m/%y} {COFFEE[0]} CB*{pan4}", f"{COFFEE[0]} FR", COFFEE[1:3], COFFEE[3])
        if day.day == 5:
            add(cav, day, day, Decimal("-1150.00"), "PRLV SEPA FONCIA GESTION LOYER", cat=("Loyer", "Logement"))
        if day.day == 10:
            add(cav, day, day, -_money(rng, 45, 110), "PRLV SEPA EDF CLIENTS PARTICULIERS",
                cat=("Electricité, gaz", "Logement"))
        if day.day == 15:
            add(cav, day, day, Decimal("-19.99"), "PRLV SEPA FREE MOBILE", cat=("Téléphone", "Abonnements"))
        if day.day == 2:
            amt = _money(rng, 100, 300)
            add(cav, day, day, -amt, "VIR SEPA Virement vers COMPTE SUR LIVRET",
                cat=("Virements émis de comptes à comptes", "Mouvements internes débiteurs"))
            add(csl, day, day, amt, "VIR SEPA Virement depuis BOURSOBANK",
                cat=("Virements reçus de comptes à comptes", "Mouvements internes créditeurs"))
        if day.day == 27:
            add(cav, day, day, _money(rng, 3200, 3500), "VIR SEPA ACME SAS SALAIRE", cat=("Salaires", "Revenus"))
        if rng.random() < 0.06:
            add(cav, day, day + dt.timedelta(days=1), -Decimal(rng.choice([20, 40, 60, 100])),
                f"RETRAIT DAB {day:%d/%m/%y} PARIS BASTILLE", cat=("Retraits", "Retraits cash"))
        if rng.random() < 0.05:
            add(cav, day, day, -_money(rng, 10, 80), "VIR INST M. MARTIN REMBOURSEMENT",
                cat=("Virements émis", "Virements émis"))
        if day.month == 12 and day.day == 31:
            add(csl, day, day, _money(rng, 5, 40), f"*INTERETS CREDITEURS {day.year}", cat=("Intérêts", "Revenus"))
        day += dt.timedelta(days=1)
    # the card's month total hits the current account on the month's last day ("Relevé différé Carte")
    for t in ledger.txns:
        if t.account == card.number:
            k = (t.booking_date.year, t.booking_date.month)
            card_month[k] = card_month.get(k, Decimal("0.00")) + t.amount
    for (yy, mm), total in sorted(card_month.items()):
        last = dt.date(yy, mm, calendar.monthrange(yy, mm)[1])
        if last <= horizon:
            add(cav, last, last, total, f"Relevé différé Carte {card.number[:4]}XXXXXXXX{pan4}",
                cat=("Mouvements internes débiteurs", "Mouvements internes débiteurs"))
    return ledger
