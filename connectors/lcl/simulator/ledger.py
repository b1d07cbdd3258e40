"""The LCL simulator's ground truth: a deterministic ledger generated from ``seed`` and ``today``.

Three accounts (a current account and two savings books), ``months`` of history (default 26, i.e. 2+ years),
each account opening with a deposit so that the sum of its booked rows equals its booked balance. The data
has the traps a connector must survive: identical same-day rows (two coffees, same label, same amount, same
booking day, and the same non-unique ``id``), card rows booked one to three days after payment (the ones not
yet booked on ``today`` are *pending*, most under LCL's generic pending label ``Operation Carte``), cash
withdrawals with a year-less date in the label, and a savings book that stays dormant for months.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from decimal import Decimal

D = Decimal

MERCHANTS = ("CARREFOUR CITY PARIS", "MONOPRIX PARIS 11", "BOULANGERIE PAUL", "PHARMACIE DU MARCHE",
             "SNCF INTERNET", "FNAC PARIS", "PICARD SURGELES", "DECATHLON", "LECLERC DRIVE", "UBER EATS",
             "AMAZON PAYMENTS", "TOTALENERGIES", "LE PETIT ZINC", "CINEMA UGC")
COFFEE = "CAFE DU COIN PARIS"
TOWNS = ("PARIS 11", "LYON", "NANTES")


@dataclass(frozen=True, slots=True)
class LedgerAccount:
    internal_id: str
    agency: str          # numageclicl, 5 digits
    number: str          # numcptclicl, 6 digits
    key: str             # codlccpt, one letter
    type: str            # "current" | "saving"
    label: str
    product_code: str
    statement_day: int   # day of month a statement period starts (15: periods cross New Year mid-way)

    @property
    def external_id(self) -> str:
        """The number as LCL prints it (API ``external_id`` and statement header)."""
        return f"{self.agency} {self.number}{self.key}"

    @property
    def account_ref(self) -> str:
        return self.external_id.replace(" ", "")

    @property
    def iban(self) -> str:
        return f"FR76 3000 2{self.agency[:3]} {self.agency[3:]}00 00{self.number[:2]} {self.number[2:]}{self.key}0 42"


@dataclass(slots=True)
class Entry:
    account: str                 # internal_id
    seq: int                     # generation order, breaks ties in the newest-first listing
    op_date: dt.date
    booking_date: dt.date
    value_date: dt.date
    amount: Decimal
    label: str                   # booked label
    pending_label: str | None = None  # label while not yet booked (None: same as ``label``)
    txn_id: str = ""             # LCL's non-unique ``id``
    nature: str = ""
    movement_code: int | None = None

    def booked(self, today: dt.date) -> bool:
        return self.booking_date <= today


@dataclass(slots=True)
class Ledger:
    today: dt.date
    start: dt.date
    holder: str
    accounts: list[LedgerAccount]
    entries: dict[str, list[Entry]] = field(default_factory=dict)  # internal_id -> oldest first

    def account(self, internal_id: str) -> LedgerAccount | None:
        return next((a for a in self.accounts if a.internal_id == internal_id), None)

    def listing(self, internal_id: str) -> list[Entry]:
        """Newest first, as the API pages them: pending rows (not booked on ``today``) on top."""
        rows = self.entries.get(internal_id, [])
        return sorted(rows, key=lambda e: (not e.booked(self.today), e.booking_date, e.seq), reverse=True)

    def booked(self, internal_id: str) -> list[Entry]:
        return [e for e in self.entries.get(internal_id, []) if e.booked(self.today)]

    def balance(self, internal_id: str, *, before: dt.date | None = None, booked_only: bool = True) -> Decimal:
        total = D("0.00")
        for e in self.entries.get(internal_id, []):
            if booked_only and not e.booked(self.today):
                continue
            if before is not None and e.booking_date >= before:
                continue
            total += e.amount
        return total


def _month_add(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    return d.replace(year=d.year + y, month=m + 1, day=1)


def _cents(rng: random.Random, lo: int, hi: int) -> Decimal:
    return D(rng.randint(lo, hi)) / 100


def generate(seed: int = 0, today: dt.date | None = None, months: int = 26) -> Ledger:
    """Build the ledger. Everything derives from ``seed`` and ``today``: same inputs, same ledger."""
    today = today or dt.date.today()
    rng = random.Random(f"lcl-{seed}")
    start = _month_add(today.replace(day=1), -months)

    def iid(n: int) -> str:
        return hashlib.sha256(f"lcl-{seed}-{n}".encode()).hexdigest()[:32].upper()

    agency = f"{rng.randint(1000, 9999):05d}"
    accounts = [
        LedgerAccount(iid(1), agency, f"{rng.randint(100000, 999999)}", "A", "current", "Compte de dépôts", "CDE", 1),
        LedgerAccount(iid(2), agency, f"{rng.randint(100000, 999999)}", "K", "saving", "Livret A", "LVA", 15),
        LedgerAccount(iid(3), agency, f"{rng.randint(100000, 999999)}", "M", "saving",
                      "Livret de Dév. Durable et Solidaire", "LDD", 1),
    ]
    cur, liv, ldd = (a.internal_id for a in accounts)
    ledger = Ledger(today=today, start=start, holder="M OU MME CAMILLE MARTIN", accounts=accounts,
                    entries={a.internal_id: [] for a in accounts})
    seq = iter(range(1, 10**9))

    def add(acc: str, op: dt.date, amount: Decimal, label: str, *, delay: int = 0, pending_label: str | None = None,
            nature: str = "", code: int | None = None) -> None:
        booking = op + dt.timedelta(days=delay)
        if op > today or booking > today + dt.timedelta(days=5):
            return
        # LCL's ``id`` is not unique: here it is built from the day and the amount, so identical rows share it
        txn_id = f"{booking:%y%m%d}{abs(int(amount * 100)) % 100000:05d}"
        ledger.entries[acc].append(Entry(acc, next(seq), op, booking, op, amount, label, pending_label, txn_id,
                                         nature, code))

    add(cur, start, D("1500.00"), "VERSEMENT INITIAL")
    add(liv, start, D("500.00"), "VERSEMENT INITIAL")
    add(ldd, start, D("1000.00"), "VERSEMENT INITIAL")

    day = start + dt.timedelta(days=1)
    while day <= today:
        dom = day.day
        if dom == 3:
            add(cur, day, D("-850.00"), "VIR PERMANENT LOYER SCI DES LILAS", nature="LOYER")
        if dom == 5:
            add(cur, day, -_cents(rng, 4500, 9800), "PRLV SEPA EDF CLIENTS PARTICULIERS", code=948,
                nature="PRLV SEPA EDF ECHEANCE")
        if dom == 8:
            add(cur, day, D("-19.99"), "PRLV SEPA FREE MOBILE", code=948)
        if dom == 10:
            add(cur, day, D("-2.50"), "COTISATION OFFRE LCL ESSENTIEL")
        if dom == 12:  # monthly saving: one transfer, two legs
            add(cur, day, D("-100.00"), "VIR SEPA LIVRET A")
            add(liv, day, D("100.00"), "VIR SEPA DEPUIS COMPTE DE DEPOTS")
        if dom == 27:
            add(cur, day, _cents(rng, 245000, 262000), "VIR SEPA RECU /DE ACME SAS /MOTIF SALAIRE",
                nature="SALAIRE")
        if day.month == 12 and dom == 31:
            add(liv, day, _cents(rng, 500, 3000), f"INTERETS {day.year}")
            add(ldd, day, _cents(rng, 800, 2500), f"INTERETS {day.year}")
        if day.month in (3, 9) and dom == 20:  # the LDDS sleeps between these
            add(ldd, day, D("250.00"), "VIR SEPA RECU /DE M MARTIN CAMILLE")
        for _ in range(rng.choice((0, 1, 1, 2))):
            m = rng.choice(MERCHANTS)
            delay = rng.choice((1, 1, 2, 3))
            add(cur, day, -_cents(rng, 250, 8900), f"CB {m} {day:%d/%m/%y}", delay=delay,
                pending_label="Operation Carte" if rng.random() < 0.7 else None)
        if rng.random() < 0.08:  # two identical coffees the same day: two rows, same everything
            price = _cents(rng, 180, 420)
            for _ in range(2):
                add(cur, day, -price, f"CB {COFFEE} {day:%d/%m/%y}", delay=1)
        if rng.random() < 0.06:
            add(cur, day, -D(rng.choice((20, 40, 50, 60, 100))), f"CB RETRAIT DU {day:%d/%m} {rng.choice(TOWNS)}",
                delay=1)
        if rng.random() < 0.01:
            add(cur, day, _cents(rng, 500, 6000), "REMBOURST CB AMAZON PAYMENTS", delay=2)
        day += dt.timedelta(days=1)
    for rows in ledger.entries.values():
        rows.sort(key=lambda e: (e.booking_date, e.seq))
    return ledger
