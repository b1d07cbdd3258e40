"""A family of synthetic statement layouts (fpdf2) varying what real French banks vary (issue 11).

Each :class:`Variant` picks a column order, one signed ``Montant`` column or ``Débit``/``Crédit``,
a date format, dates on rows or as headings, continuation lines, how balances are printed (``ANCIEN
SOLDE``/``NOUVEAU SOLDE``, ``SOLDE AU``, ``SOLDE CREDITEUR/DEBITEUR AU``, an N26-like summary block),
a totals line, a running-balance column, the thousands separator, and 1 or 2 accounts per file. Rows
per page are few, so blocks break across pages. Written for the tests; no bank's layout is copied.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from fpdf import FPDF

FIXED = dt.datetime(2024, 1, 15, 6, 0, tzinfo=dt.timezone.utc)
JOURS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre"]
LABELS = ["CB CARREFOUR MARKET", "PRLV SEPA EDF CLIENTS", "VIR SEPA SALAIRE ACME", "CB SNCF LE 12/03",
          "RETRAIT DAB PARIS", "COTISATION CARTE VISA", "VIR INST M DUPONT", "CHEQUE 0001234"]
CONTS = ["Réf : X7Y8Z9K2", "RUM FR12ZZZ123456", "Carte - Courses", "Motif : loyer"]
FOOTER_Y = 810.0   # baseline of the page footer
BOTTOM_Y = 780.0   # the last baseline a table line may use: a real statement never prints over its footer


@dataclass(frozen=True)
class Row:
    date: dt.date
    amount: Decimal
    label: str
    value: dt.date | None = None


@dataclass(frozen=True)
class Account:
    number: str
    start: dt.date
    end: dt.date
    opening: Decimal
    rows: tuple[Row, ...]

    @property
    def closing(self) -> Decimal:
        return self.opening + sum((r.amount for r in self.rows), Decimal("0.00"))


@dataclass(frozen=True)
class Variant:
    order: tuple[str, ...] = ("date", "label", "value", "amount")
    signed: bool = False
    date_fmt: str = "%d/%m/%Y"
    headings: bool = False
    continuations: int = 1
    balances: str = "ancien"      # ancien | solde_au | crediteur | summary
    totals: bool = False
    running: bool = False
    thousands: str = " "
    currency: bool = False
    rows_per_page: int = 12
    date_once: bool = False       # a day's date printed on its first row only
    recap: bool = False           # a recap block repeating the balances after the table
    fx: bool = False              # card rows in a foreign currency: "12,34 USD" before the EUR amount
    francs: bool = False          # the closing balance's francs equivalent printed after it
    shared_page: bool = False     # the 2nd account follows on the same page, with the other amount
                                  # columns (signed <-> debit/credit) under its own header


def money(v: Decimal, var: Variant, *, sign: bool) -> str:
    units, cents = divmod(abs(int(v * 100)), 100)
    s = f"{units:,}".replace(",", var.thousands) + f",{cents:02d}"
    if sign and v < 0:
        s = "-" + s
    return s + (" EUR" if var.currency else "")


def _x(var: Variant) -> dict[str, float]:
    """Left x of text columns, right x of amount columns, from the column order."""
    widths = {"date": 60, "label": 200, "value": 60, "amount": 120 if not var.signed else 70}
    x, out = 30.0, {}
    for col in var.order:
        if col == "amount":
            if var.signed:
                out["signed"] = x + 65
            else:
                out["debit"], out["credit"] = x + 55, x + 115
        else:
            out[col] = x
        x += widths[col]
    if var.running:
        out["balance"] = x + 60
    return out


class _Writer:
    def __init__(self, var: Variant) -> None:
        self.var, self.x = var, _x(var)
        self.pdf = FPDF(unit="pt", format="A4")
        self.pdf.set_creation_date(FIXED)
        self.pdf.set_auto_page_break(False)
        self.y = 0.0
        self.rows_on_page = 0

    def text(self, x: float, s: str, right: bool = False) -> None:
        self.pdf.set_font("Helvetica", "", 8)
        w = self.pdf.get_string_width(s)
        self.pdf.text(x - w if right else x, self.y, s)

    def new_page(self, acc: Account) -> None:
        self.pdf.add_page()
        self.y = 40
        self.text(30, "BANQUE EXEMPLE - RELEVE DE COMPTE")
        self.y += 14
        self.account_head(acc)

    def account_head(self, acc: Account) -> None:
        self.text(30, f"Compte courant N° {acc.number}")
        self.y += 12
        self.text(30, f"Période du {acc.start:%d/%m/%Y} au {acc.end:%d/%m/%Y}")
        self.y += 20
        self.header()
        self.rows_on_page = 0
        self.text(30, f"Page {self.pdf.page_no()}") if False else None

    def header(self) -> None:
        names = {"date": "Date", "label": "Libellé", "value": "Valeur"}
        for col in self.var.order:
            if col == "amount":
                if self.var.signed:
                    self.text(self.x["signed"], "Montant", right=True)
                else:
                    self.text(self.x["debit"], "Débit", right=True)
                    self.text(self.x["credit"], "Crédit", right=True)
            else:
                self.text(self.x[col], names[col])
        if self.var.running:
            self.text(self.x["balance"], "Solde", right=True)
        self.y += 14

    def footer(self) -> None:
        if getattr(self, "_footed", None) == self.pdf.page_no():
            return
        self._footed = self.pdf.page_no()
        y, self.y = self.y, FOOTER_Y
        self.text(30, f"Banque Exemple SA au capital de 1 000 000 EUR - Page {self.pdf.page_no()}")
        self.y = y

    def line(self) -> None:
        self.y += 11
        self.rows_on_page += 1

    def maybe_break(self, acc: Account) -> None:
        """A new page when this page holds its rows or is full (a second account on a shared page
        starts half-way down)."""
        if self.rows_on_page >= self.var.rows_per_page:
            self.footer()
            self.new_page(acc)
        else:
            self.room(acc, 1)

    def room(self, acc: Account, lines: int) -> None:
        """A new page unless ``lines`` more lines fit above the footer."""
        if self.y + 11 * (lines - 1) > BOTTOM_Y:
            self.footer()
            self.new_page(acc)

    def amount(self, v: Decimal, *, balance: bool = False) -> None:
        var = self.var
        if var.signed:
            self.text(self.x["signed"], money(v, var, sign=True) if balance or v < 0 else
                      ("+" if var.currency else "") + money(v, var, sign=False), right=True)
        else:
            self.text(self.x["debit" if v < 0 else "credit"], money(v, var, sign=False), right=True)

    def balance(self, label: str, v: Decimal, day: dt.date) -> None:
        style = self.var.balances
        if style == "crediteur":
            word = "DEBITEUR" if v < 0 else "CREDITEUR"
            self.text(self.x["label"], f"SOLDE {word} AU {day:%d/%m/%Y}")
            col = "signed" if self.var.signed else "credit"
            self.text(self.x[col], money(abs(v), self.var, sign=False), right=True)
        else:
            self.text(self.x["label"], label if style != "solde_au" else f"SOLDE AU {day:%d/%m/%Y}")
            self.amount(v, balance=True)
        self.line()


def render_family(accounts: list[Account], var: Variant, *, printed: list[list[Row]] | None = None) -> bytes:
    """One PDF holding ``accounts``; ``printed`` (optional) replaces the rows actually printed (for
    mutations: the balances stay those of ``accounts``)."""
    w = _Writer(var)
    for k, acc in enumerate(accounts):
        rows = printed[k] if printed is not None else list(acc.rows)
        if k and var.shared_page and w.y < 600:
            w.var = replace(var, signed=not var.signed)
            w.x = _x(w.var)
            w.y += 30
            w.account_head(acc)
        else:
            w.new_page(acc)
        if var.balances != "summary":
            w.balance("ANCIEN SOLDE", acc.opening, acc.start - dt.timedelta(days=1))
        running = acc.opening
        last_day = None
        for r in rows:
            w.maybe_break(acc)
            if var.headings and r.date != last_day:
                w.text(30, f"{JOURS[r.date.weekday()]}, {r.date.day}. {MOIS[r.date.month - 1]} {r.date.year}")
                w.line()
                last_day = r.date
            if not var.headings and not (var.date_once and r.date == last_day):
                w.text(w.x["date"], r.date.strftime(var.date_fmt))
            last_day = r.date
            w.text(w.x["label"], r.label)
            if var.fx and len(r.label) % 3 == 0:   # in the label column, after the merchant
                w.text(w.x["label"] + 190, money(abs(r.amount) * Decimal("1.08"), Variant(), sign=False)
                       .split(",")[0] + ",00 USD", right=True)
            if r.value is not None and "value" in w.x and not var.headings:
                w.text(w.x["value"], r.value.strftime(var.date_fmt))
            w.amount(r.amount)
            running += r.amount
            if var.running:
                w.text(w.x["balance"], money(running, var, sign=True), right=True)
            w.line()
            for c in range(var.continuations):
                w.maybe_break(acc)
                w.text(w.x["label"] + 6, CONTS[(c + len(r.label)) % len(CONTS)])
                w.line()
        debits = sum((-r.amount for r in acc.rows if r.amount < 0), Decimal("0.00"))
        credits = sum((r.amount for r in acc.rows if r.amount > 0), Decimal("0.00"))
        if var.totals:
            w.room(acc, 1 if not w.var.signed else 2)
        if var.totals and not w.var.signed:
            w.text(w.x["label"], "TOTAL DES OPERATIONS")
            w.text(w.x["debit"], money(debits, var, sign=False), right=True)
            w.text(w.x["credit"], money(credits, var, sign=False), right=True)
            w.line()
        elif var.totals:
            w.text(w.x["label"], "Total des débits")
            w.amount(-debits)
            w.line()
            w.text(w.x["label"], "Total des crédits")
            w.amount(credits if credits else Decimal("0.00"), balance=True)
            w.line()
        if var.balances == "summary":
            w.room(acc, 4)
            w.y += 20
            w.balance("Ancien solde", acc.opening, acc.start)
            w.balance("Votre nouveau solde", acc.closing, acc.end)
        else:
            w.room(acc, 1)
            w.balance("NOUVEAU SOLDE", acc.closing, acc.end)
            if var.francs:   # "soit 8 098,76": on the same line, right of every column
                w.y -= 11
                w.text(max(w.x.values()) + 20, "soit " + money(acc.closing * Decimal("6.55957")
                                                             .quantize(Decimal("0.01")), Variant(), sign=True))
                w.y += 11
        if var.recap and var.balances != "summary":
            w.room(acc, 5)
            w.y += 20
            w.text(w.x["label"], "RECAPITULATIF DE VOTRE COMPTE")
            w.line()
            w.balance("ANCIEN SOLDE", acc.opening, acc.start - dt.timedelta(days=1))
            w.balance("NOUVEAU SOLDE", acc.closing, acc.end)
        w.footer()
    return bytes(w.pdf.output())
