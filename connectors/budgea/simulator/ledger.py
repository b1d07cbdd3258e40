"""The simulator's deterministic ground truth: users, Powens connections, accounts and transactions.

Everything derives from ``(seed, today, users)``: the same inputs give the same ids, amounts, labels and
timestamps. Amounts are exact ``Decimal``. Datetimes are naive Europe/Paris wall time, as Powens sends
them (reference/budgea.md §1), and every ``last_update`` lies in the past of the simulator clock ``now`` (the
clock's day at 23:00; rows are stamped between 05:00 and 17:00 of their day).

Per user: two connections. ``perso`` (Boursorama-like connector) holds a checking account, a savings
account and a deferred-debit card; ``famille`` (LCL-like) holds a joint account, an LDDS and a closed
account (``deleted``, no rows). Accounts start disabled (GDPR, reference/budgea.md §5) until activated.

Lifecycle rules (reference/budgea.md §6.3, in ../shared):

* card payments book 1-3 days after the purchase; until then they are ``coming`` with a provisional
  label (``PAIEMENT CB EN COURS`` on the checking account, ``CB <MERCHANT> dd/mm`` on the joint one);
* :meth:`Ledger.advance_days` moves the clock, adds the new days' rows and books the due pending rows
  either ``in_place`` (same id, ``coming`` false, label and date updated, ``last_update`` bumped) or by
  ``recreate`` (the pending id gets ``deleted``, a new id carries the booked row), and edits one older
  row's user ``wording`` per day (a ``last_update`` bump that changes no truth);
* one duplicated Amazon charge is ``deleted`` by the bank two days after it appeared;
* identical same-day rows: two coffees, same account, date, amount and label, on some days (always on
  ``today-10`` and ``today-400``).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from connectors.budgea.simulator import catalog

HISTORY_DAYS = 760  # a little over two years


@dataclass(slots=True)
class SimTxn:
    id: int
    id_account: int
    rdate: dt.date               # operation (card purchase) date
    date: dt.date                # debit date; provisional (= rdate) while coming
    book_on: dt.date             # day the row books
    value: Decimal
    type: str
    original_wording: str
    simplified_wording: str
    wording: str
    coming: bool
    date_scraped: dt.datetime
    last_update: dt.datetime
    booked_wording: str
    booked_simplified: str
    deleted: dt.datetime | None = None
    category: tuple[str, str] | None = None


@dataclass(slots=True)
class SimAccount:
    id: int
    id_connection: int
    id_user: int
    key: str                     # checking | savings | card | joint | ldds | closed
    name: str
    number: str
    iban: str | None
    type: str
    id_type: int
    opening: Decimal
    created: dt.datetime
    disabled: dt.datetime | None
    deleted: dt.datetime | None = None
    rows: list[SimTxn] = field(default_factory=list)

    def booked_balance(self) -> Decimal:
        return self.opening + sum((t.value for t in self.rows if not t.coming and t.deleted is None),
                                  Decimal("0.00"))

    def coming_sum(self) -> Decimal:
        return sum((t.value for t in self.rows if t.coming and t.deleted is None), Decimal("0.00"))


@dataclass(slots=True)
class SimConnection:
    id: int
    id_user: int
    slot: str                    # perso | famille
    connector: dict
    created: dt.datetime
    last_update: dt.datetime | None = None
    state: str | None = None
    validating_left: int = 0     # GET polls still answering "validating"
    #: while a one-time code is asked (state additionalInformationNeeded): the field announced, the code
    #: the "SMS" carried, when it was sent (monotonic seconds) and the bank's last message
    otp_fields: list[dict] | None = None
    otp_code: str | None = None
    otp_sent_at: float = 0.0
    error_message: str | None = None
    accounts: list[SimAccount] = field(default_factory=list)


@dataclass(slots=True)
class SimUser:
    id: int
    token: str
    signin: dt.datetime
    connections: list[SimConnection] = field(default_factory=list)


_ACCOUNT_TYPE_IDS = {"checking": 2, "savings": 1, "card": 3, "joint": 2, "ldds": 1}


def _stamp(day: dt.date, rng: random.Random) -> dt.datetime:
    """A naive Paris datetime between 05:00 and 17:00 of ``day``."""
    return dt.datetime.combine(day, dt.time(5, 0)) + dt.timedelta(minutes=rng.randrange(720),
                                                                  seconds=rng.randrange(60))


def _cents(rng: random.Random, lo: int, hi: int) -> Decimal:
    return Decimal(rng.randint(lo, hi)).scaleb(-2)


def _rib_key(bank: str, branch: str, account: str) -> str:
    table = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")
    acc = int(account.translate(table))
    return f"{97 - ((89 * int(bank) + 15 * int(branch) + 3 * acc) % 97):02d}"


def _iban(bank: str, branch: str, account: str) -> str:
    bban = f"{bank}{branch}{account}{_rib_key(bank, branch, account)}"
    digits = "".join(str(int(c, 36)) for c in bban + "FR00")
    return f"FR{98 - int(digits) % 97:02d}{bban}"


class Ledger:
    """Ground truth for ``users`` Powens users. Mutated by :meth:`advance_days` and by activation."""

    def __init__(self, seed: int = 0, today: dt.date | None = None, users: int = 1) -> None:
        self.seed = seed
        self.today = today or dt.date.today()
        self.start = self.today - dt.timedelta(days=HISTORY_DAYS)
        self.users: list[SimUser] = []
        self._next_conn, self._next_acc, self._next_txn = 1, 100, 10_000
        for i in range(users):
            self.users.append(self._make_user(i))
        for user in self.users:
            day = self.start
            while day <= self.today:
                self._gen_day(user, day)
                day += dt.timedelta(days=1)
            self._seed_specials(user)

    # ------------------------------------------------------------------ clock
    @property
    def now(self) -> dt.datetime:
        """The simulator clock: 23:00 (Paris) of its current day, after every row's stamp."""
        return dt.datetime.combine(self.today, dt.time(23, 0))

    def advance_days(self, n: int, booking_variant: str = "in_place") -> None:
        """Move the clock ``n`` days: new rows appear, due pending rows book, old rows get edited."""
        if booking_variant not in ("in_place", "recreate"):
            raise ValueError(f"booking_variant must be in_place or recreate, not {booking_variant!r}")
        for _ in range(n):
            self.today += dt.timedelta(days=1)
            for user in self.users:
                self._book_due(user, booking_variant)
                self._gen_day(user, self.today)
                self._edit_one(user, self.today)

    # ------------------------------------------------------------------ lookups
    def user_by_token(self, token: str) -> SimUser | None:
        return next((u for u in self.users if u.token == token), None)

    def accounts(self, user: SimUser) -> list[SimAccount]:
        return [a for c in user.connections for a in c.accounts]

    # ------------------------------------------------------------------ construction
    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def _make_user(self, i: int) -> SimUser:
        rng = self._rng("user", i)
        created = dt.datetime.combine(self.start, dt.time(9, 30))
        user = SimUser(id=1000 + i, token=f"sim-token-{self.seed}-{i}", signin=created)
        perso = self._make_conn(user, "perso", catalog.CONNECTORS[0], created)
        bourso = [f"0004{rng.randrange(10**7):07d}" for _ in range(3)]
        self._make_acc(perso, "checking", "Compte courant", bourso[0], ("40618", "80000", bourso[0]), "1500.00")
        self._make_acc(perso, "savings", "Livret A", bourso[1], ("40618", "80000", bourso[1]), "8000.00")
        self._make_acc(perso, "card", "Carte Visa Premier", f"4974{rng.randrange(10**12):012d}", None,
                       "0.00")
        famille = self._make_conn(user, "famille", catalog.CONNECTORS[1], created)
        agency = f"{rng.randrange(10**5):05d}"
        # LCL prints agency (5 digits) + account (6 digits + key letter); the RIB pads the account to 11
        lcl = [f"{rng.randrange(10**6):06d}{rng.choice('ABCDEFGHJK')}" for _ in range(3)]
        self._make_acc(famille, "joint", "Compte joint", agency + lcl[0], ("30002", agency, "0000" + lcl[0]),
                       "3000.00")
        self._make_acc(famille, "ldds", "LDDS", agency + lcl[1], ("30002", agency, "0000" + lcl[1]), "5000.00")
        closed = self._make_acc(famille, "checking", "Ancien compte", agency + lcl[2],
                                ("30002", agency, "0000" + lcl[2]), "0.00")
        closed.key = "closed"
        closed.deleted = created + dt.timedelta(days=30)
        return user

    def _make_conn(self, user: SimUser, slot: str, connector: dict, created: dt.datetime) -> SimConnection:
        conn = SimConnection(id=self._next_conn, id_user=user.id, slot=slot, connector=connector,
                             created=created, last_update=self.now - dt.timedelta(hours=20))
        self._next_conn += 1
        user.connections.append(conn)
        return conn

    def _make_acc(self, conn: SimConnection, key: str, name: str, number: str,
                  rib: tuple[str, str, str] | None, opening: str) -> SimAccount:
        iban = _iban(*rib) if rib else None
        acc = SimAccount(id=self._next_acc, id_connection=conn.id, id_user=conn.id_user, key=key, name=name,
                         number=number, iban=iban, type=key, id_type=_ACCOUNT_TYPE_IDS.get(key, 2),
                         opening=Decimal(opening), created=conn.created, disabled=conn.created)
        self._next_acc += 1
        conn.accounts.append(acc)
        return acc

    # ------------------------------------------------------------------ rows
    def _add(self, acc: SimAccount, rdate: dt.date, book_on: dt.date, value: Decimal, typ: str,
             booked: str, simplified: str, pending: str | None = None,
             category: tuple[str, str] | None = None) -> SimTxn:
        rng = self._rng("stamp", self._next_txn)
        scraped = _stamp(rdate, rng)
        if book_on <= self.today:
            t = SimTxn(id=self._next_txn, id_account=acc.id, rdate=rdate, date=book_on, book_on=book_on,
                       value=value, type=typ, original_wording=booked, simplified_wording=simplified,
                       wording=simplified, coming=False, date_scraped=scraped,
                       last_update=max(scraped, _stamp(book_on, rng)), booked_wording=booked,
                       booked_simplified=simplified, category=category)
        else:
            label = pending or booked
            t = SimTxn(id=self._next_txn, id_account=acc.id, rdate=rdate, date=rdate, book_on=book_on,
                       value=value, type=typ, original_wording=label, simplified_wording=label,
                       wording=label, coming=True, date_scraped=scraped, last_update=scraped,
                       booked_wording=booked, booked_simplified=simplified, category=category)
        self._next_txn += 1
        acc.rows.append(t)
        return t

    def _card(self, acc: SimAccount, day: dt.date, rng: random.Random, merchants: list, typ: str,
              pending_style: str | None) -> None:
        name, lo, hi, cat, parent = rng.choice(merchants)
        book_on = day + dt.timedelta(days=rng.randint(1, 3))
        pending = {"generic": catalog.PENDING_CARD_LABEL,
                   "short": f"CB {name} {day:%d/%m}"}.get(pending_style or "")
        self._add(acc, day, book_on, -_cents(rng, lo, hi), typ, f"CARTE {day:%d/%m/%y} {name}", name,
                  pending, (cat, parent) if cat else None)

    def _gen_day(self, user: SimUser, day: dt.date) -> None:
        """Every row whose operation happens on ``day``, for all of ``user``'s accounts."""
        accs = {a.key: a for a in self.accounts(user)}
        rng = self._rng("day", user.id, day.isoformat())
        chk, sav, card, joint, ldds = (accs[k] for k in ("checking", "savings", "card", "joint", "ldds"))
        for _ in range(rng.choice((0, 1, 1, 1, 2, 2))):
            self._card(chk, day, rng, catalog.MERCHANTS_PARIS, "card", "generic")
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            self._card(card, day, rng, catalog.MERCHANTS_PARIS, "deferred_card", None)
        for _ in range(rng.choice((0, 1, 1, 2))):
            self._card(joint, day, rng, catalog.MERCHANTS_LYON, "card", "short")
        offset = (day - self.today).days
        if rng.random() < 0.03 or offset in (-10, -400):
            coffee, cents = catalog.COFFEE
            book_on = day + dt.timedelta(days=1)
            for _ in range(2):  # two identical coffees: same account, date, amount and label
                self._add(chk, day, book_on, -Decimal(cents).scaleb(-2), "card",
                          f"CARTE {day:%d/%m/%y} {coffee}", coffee, catalog.PENDING_CARD_LABEL,
                          ("restaurants", "food_and_restaurants"))
        if rng.random() < 0.06:
            amount = Decimal(rng.choice((20, 40, 60, 80)))
            self._add(chk, day, day, -amount.quantize(Decimal("0.01")), "withdrawal",
                      f"RETRAIT DAB {day:%d/%m/%y} PARIS 11 BASTILLE", "RETRAIT DAB PARIS 11 BASTILLE")
        if rng.random() < 0.02:
            num = rng.randrange(10**7)
            self._add(joint, day, day, -_cents(rng, 2000, 30000), "check", f"CHQ {num:07d}", f"CHQ {num:07d}")
        self._monthly(day, rng, chk, sav, joint, ldds)

    def _monthly(self, day: dt.date, rng: random.Random, chk: SimAccount, sav: SimAccount,
                 joint: SimAccount, ldds: SimAccount) -> None:
        d, ym = day.day, f"{day:%m/%Y}"
        if d == 28:
            self._add(chk, day, day, Decimal("2850.00") + _cents(rng, 0, 15000), "transfer",
                      f"VIR SEPA ACME SAS SALAIRE {ym}", "ACME SAS SALAIRE")
        if d == 2:
            self._add(chk, day, day, Decimal("-200.00"), "transfer", "VIR SEPA VERS LIVRET A", "VERS LIVRET A")
            self._add(sav, day, day, Decimal("200.00"), "transfer", "VIR SEPA DE COMPTE COURANT",
                      "DE COMPTE COURANT")
        if d == 5:
            self._add(chk, day, day, -_cents(rng, 4500, 12000), "order", "PRLV SEPA EDF", "EDF")
        if d == 10:
            self._add(chk, day, day, Decimal("-19.99"), "order", "PRLV SEPA FREE MOBILE", "FREE MOBILE")
        if d == 3:
            self._add(chk, day, day, Decimal("-86.40"), "order", "PRLV SEPA COMUTITRES NAVIGO", "NAVIGO")
        if d == 1:
            self._add(joint, day, day, Decimal("800.00"), "transfer", "VIR SEPA DUPONT JEAN", "DUPONT JEAN")
            self._add(joint, day, day, Decimal("800.00"), "transfer", "VIR SEPA DUPONT MARIE", "DUPONT MARIE")
        if d == 4:
            self._add(joint, day, day, Decimal("-1150.00"), "order", "PRLV SEPA FONCIA LOYER", "FONCIA LOYER")
        if d == 15:
            self._add(ldds, day, day, Decimal("100.00"), "transfer", "VIR SEPA EPARGNE", "EPARGNE")
        if day.month == 12 and d == 31:
            self._add(sav, day, day, _cents(rng, 5000, 20000), "bank", f"INTERETS {day.year}", "INTERETS")
            self._add(ldds, day, day, _cents(rng, 3000, 12000), "profit", f"INTERETS {day.year}", "INTERETS")

    def _seed_specials(self, user: SimUser) -> None:
        """A charge the bank deletes, and a few user edits, relative to the initial clock."""
        chk = next(a for a in self.accounts(user) if a.key == "checking")
        day = self.today - dt.timedelta(days=40)
        dup = self._add(chk, day, day + dt.timedelta(days=1), Decimal("-34.99"), "card",
                        f"CARTE {day:%d/%m/%y} AMAZON PAYMENTS LUXEMBOURG", "AMAZON PAYMENTS LUXEMBOURG")
        dup.deleted = dup.last_update = dt.datetime.combine(day + dt.timedelta(days=2), dt.time(9, 12))
        lo, hi = self.today - dt.timedelta(days=60), self.today - dt.timedelta(days=30)
        candidates = [t for t in chk.rows if lo <= t.date <= hi and t.deleted is None and not t.coming]
        for k, t in enumerate(candidates[:3]):
            t.wording = f"{t.simplified_wording.title()} (renommé)"
            t.last_update = dt.datetime.combine(self.today - dt.timedelta(days=5), dt.time(14, k))

    def _book_due(self, user: SimUser, variant: str) -> None:
        for acc in self.accounts(user):
            for t in list(acc.rows):
                if not t.coming or t.deleted is not None or t.book_on > self.today:
                    continue
                stamp = _stamp(t.book_on, self._rng("book", t.id))
                if variant == "in_place":
                    t.coming, t.date = False, t.book_on
                    t.original_wording = t.booked_wording
                    t.simplified_wording = t.wording = t.booked_simplified
                    t.last_update = stamp
                    continue
                t.deleted = t.last_update = stamp
                new = SimTxn(id=self._next_txn, id_account=acc.id, rdate=t.rdate, date=t.book_on,
                             book_on=t.book_on, value=t.value, type=t.type, original_wording=t.booked_wording,
                             simplified_wording=t.booked_simplified, wording=t.booked_simplified, coming=False,
                             date_scraped=stamp, last_update=stamp, booked_wording=t.booked_wording,
                             booked_simplified=t.booked_simplified, category=t.category)
                self._next_txn += 1
                acc.rows.append(new)

    def _edit_one(self, user: SimUser, day: dt.date) -> None:
        """The user renames one row of ~3 weeks ago: only ``wording`` and ``last_update`` change."""
        chk = next(a for a in self.accounts(user) if a.key == "checking")
        lo, hi = day - dt.timedelta(days=25), day - dt.timedelta(days=15)
        cands = [t for t in chk.rows if lo <= t.date <= hi and not t.coming and t.deleted is None
                 and "renommé" not in t.wording]
        if cands:
            t = self._rng("edit", user.id, day.isoformat()).choice(cands)
            t.wording = f"{t.simplified_wording.title()} (renommé)"
            t.last_update = _stamp(day, self._rng("editstamp", t.id))
