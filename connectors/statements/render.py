"""Render a canonical :class:`~connectors.records.Statement` as a realistic bank statement PDF.

Used by the LCL and Boursorama simulators (their ``statements as real PDFs``) and by the tests of the
generic parser. The layouts follow ``reference/statements.md`` §6 (LCL facts are from third-party code
only, see there):

* ``lcl``: ``DD.MM`` booking dates (no year), ``DD.MM.YY`` value dates, ``1 234,56`` amounts, debits
  carry a trailing ``.``, ``ANCIEN SOLDE`` / ``SOLDE INTERMEDIAIRE`` at each page break /
  ``TOTAUX`` / ``SOLDE EN EUROS``.
* ``boursorama``: ``DD/MM/YYYY`` dates, ``1.234,56`` amounts (a dot for thousands in the PDF, unlike
  the CSV), ``SOLDE AU : DD/MM/YYYY`` above and below the table, ``TOTAL DES MOUVEMENTS``.

Both: two amount columns (debit / credit) told apart only by x position, right-aligned under their
header; the column header is repeated on every page; even pages are shifted ~9.6 pt to the right (recto/
verso margins, measured on a real statement); labels wider than the label column wrap onto undated
continuation lines (which may cross a page break); a ``Page n / m`` footer with legal text.

What the statement says is printed as given (opening, closing, totals and every line): nothing is
recomputed, so a caller can build a statement that does not add up (negative fixtures).

Line labels: the label is wrapped at spaces (a ``\\n`` forces a break). The parser joins continuation
lines with one space, so a label made of single-space-separated words round-trips exactly.

The output is deterministic: the PDF creation date is fixed to the day after the period end, 06:00 UTC,
so the same input always gives the same bytes (and sha256). Library: fpdf2 (pure Python).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from fpdf import FPDF

from connectors.records import Statement

PAGE_H = 841.89
PITCH = 10.8            # row pitch measured on real statements (reference/statements.md §2.4)
FONT_SIZE = 8
TABLE_TOP = 190.0       # y of the column header
TABLE_BOTTOM = 770.0    # last usable row baseline area
EVEN_PAGE_SHIFT = 9.6   # recto/verso margin difference (CIC sample, reference/statements.md §2.5)


@dataclass(frozen=True)
class _Geometry:
    bank_lines: tuple[str, ...]
    title: str
    header: tuple[tuple[str, float, str], ...]   # (word, x, align "L" = x0 / "R" = x1)
    date_x: float
    label_x: float
    label_w: float
    cont_indent: float
    value_x: float
    debit_x1: float
    credit_x1: float
    booking_fmt: str
    value_fmt: str
    period_fmt: str
    thousands: str
    debit_suffix: str
    footer: tuple[str, ...]


_GEOMETRY = {
    "lcl": _Geometry(
        bank_lines=("LCL - CREDIT LYONNAIS", "AGENCE PARIS REPUBLIQUE", "12 PLACE DE LA REPUBLIQUE",
                    "75003 PARIS"),
        title="RELEVE DE COMPTE COURANT",
        header=(("DATE", 41.0, "L"), ("LIBELLE", 197.0, "L"), ("VALEUR", 364.0, "L"),
                ("DEBIT", 459.0, "R"), ("CREDIT", 537.0, "R")),
        date_x=41.0, label_x=75.0, label_w=280.0, cont_indent=0.0, value_x=364.0,
        debit_x1=459.0, credit_x1=537.0,
        booking_fmt="%d.%m", value_fmt="%d.%m.%y", period_fmt="%d.%m.%Y",
        thousands=" ", debit_suffix=".",
        footer=("Credit Lyonnais - SA au capital de 2 037 713 591 euros - SIREN 954 509 741 RCS Lyon",
                "Ce document ne vaut pas facture"),
    ),
    "boursorama": _Geometry(
        bank_lines=("BOURSORAMA BANQUE", "44 RUE TRAVERSIERE - CS 80134", "92772 BOULOGNE-BILLANCOURT CEDEX",
                    "BIC : BOUSFRPPXXX"),
        title="RELEVE DE COMPTE",
        header=(("Date", 40.0, "L"), ("Libellé", 160.0, "L"), ("Valeur", 372.0, "L"),
                ("Débit", 470.0, "R"), ("Crédit", 545.0, "R")),
        date_x=40.0, label_x=88.0, label_w=276.0, cont_indent=6.0, value_x=372.0,
        debit_x1=470.0, credit_x1=545.0,
        booking_fmt="%d/%m/%Y", value_fmt="%d/%m/%Y", period_fmt="%d/%m/%Y",
        thousands=".", debit_suffix="",
        footer=("BOURSORAMA S.A. au capital de 51 171 597,60 euros - RCS Nanterre 351 058 151",
                "Mediateur : www.mediateur.boursorama.com"),
    ),
}


def format_amount(value: Decimal, thousands: str = " ") -> str:
    """``Decimal('-1234.5')`` -> ``'1 234,50'`` (absolute value; the column carries the sign)."""
    cents = abs(int((value * 100).to_integral_value()))
    units, dec = divmod(cents, 100)
    groups: list[str] = []
    s = str(units)
    while len(s) > 3:
        groups.insert(0, s[-3:])
        s = s[:-3]
    groups.insert(0, s)
    return f"{thousands.join(groups)},{dec:02d}"


@dataclass
class _Row:
    date: str = ""
    label: str = ""
    value: str = ""
    debit: str = ""
    credit: str = ""
    indent: float = 0.0
    delta: Decimal | None = None   # the signed amount of an operation's first line


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy word wrap at spaces; ``\\n`` forces a break. A single over-long word is kept whole."""
    out: list[str] = []
    for para in text.split("\n"):
        cur = ""
        for word in para.split(" "):
            cand = f"{cur} {word}" if cur else word
            if cur and pdf.get_string_width(cand) > width:
                out.append(cur)
                cur = word
            else:
                cur = cand
        out.append(cur)
    return out


def _balance_cells(value: Decimal, g: _Geometry) -> tuple[str, str]:
    """A balance goes in the credit column when >= 0, else in the debit column (no sign printed)."""
    txt = format_amount(value, g.thousands)
    return ("", txt) if value >= 0 else (txt + g.debit_suffix, "")


def _build_rows(pdf: FPDF, st: Statement, g: _Geometry, layout: str) -> tuple[list[_Row], list[_Row]]:
    """Return (body rows, trailer rows). The trailer (totals + closing) stays together on the last page."""
    rows: list[_Row] = []
    d, c = _balance_cells(st.opening_balance, g)
    if layout == "lcl":
        rows.append(_Row(label="ANCIEN SOLDE", debit=d, credit=c))
    else:
        rows.append(_Row(label=f"SOLDE AU : {st.period_start.strftime('%d/%m/%Y')}", debit=d, credit=c))
    for line in st.lines:
        if line.amount == 0:
            raise ValueError("a statement line cannot have a zero amount")
        parts = _wrap(pdf, line.label_raw, g.label_w)
        amt = format_amount(line.amount, g.thousands)
        first = _Row(date=line.booking_date.strftime(g.booking_fmt), label=parts[0],
                     value=line.value_date.strftime(g.value_fmt) if line.value_date else "",
                     delta=line.amount)
        if line.amount < 0:
            first.debit = amt + g.debit_suffix
        else:
            first.credit = amt
        rows.append(first)
        rows.extend(_Row(label=p, indent=g.cont_indent) for p in parts[1:])
    totals_label = "TOTAUX" if layout == "lcl" else "TOTAL DES MOUVEMENTS"
    trailer = [_Row(label=totals_label, debit=format_amount(st.total_debits, g.thousands),
                    credit=format_amount(st.total_credits, g.thousands))]
    d, c = _balance_cells(st.closing_balance, g)
    if layout == "lcl":
        trailer.append(_Row(label="SOLDE EN EUROS", debit=d, credit=c))
    else:
        trailer.append(_Row(label=f"SOLDE AU : {st.period_end.strftime('%d/%m/%Y')}", debit=d, credit=c))
    return rows, trailer


def _paginate(rows: list[_Row], trailer: list[_Row], per_page: int, layout: str,
              opening: Decimal, g: _Geometry) -> list[list[_Row]]:
    """Cut rows into pages of ``per_page`` table rows; LCL closes each non-last page with
    ``SOLDE INTERMEDIAIRE`` (the running balance, which the parser checks)."""
    reserve = 1 if layout == "lcl" else 0
    pages: list[list[_Row]] = []
    cur: list[_Row] = []
    running = opening
    for row in rows:
        if len(cur) >= per_page - reserve:
            if reserve:
                d, c = _balance_cells(running, g)
                cur.append(_Row(label="SOLDE INTERMEDIAIRE", debit=d, credit=c))
            pages.append(cur)
            cur = []
        cur.append(row)
        if row.delta is not None:
            running += row.delta
    if len(cur) + len(trailer) > per_page:
        if reserve:
            d, c = _balance_cells(running, g)
            cur.append(_Row(label="SOLDE INTERMEDIAIRE", debit=d, credit=c))
        pages.append(cur)
        cur = []
    cur.extend(trailer)
    pages.append(cur)
    return pages


def _text(pdf: FPDF, x: float, y: float, s: str, align: str = "L") -> None:
    if not s:
        return
    if align == "R":
        x -= pdf.get_string_width(s)
    pdf.text(x, y, s)


def _page_header(pdf: FPDF, st: Statement, g: _Geometry, dx: float, account_number: str,
                 holder: str, page_no: int, n_pages: int) -> None:
    pdf.set_font("Helvetica", "B", 9)
    y = 50.0
    for i, line in enumerate(g.bank_lines):
        _text(pdf, 41 + dx, y + i * 11, line)
        if i == 0:
            pdf.set_font("Helvetica", "", 8)
    pdf.set_font("Helvetica", "B", 9)
    _text(pdf, 340 + dx, 72, holder)
    pdf.set_font("Helvetica", "", 8)
    _text(pdf, 340 + dx, 83, "8 RUE DES LILAS")
    _text(pdf, 340 + dx, 94, "69003 LYON")
    pdf.set_font("Helvetica", "B", 10)
    _text(pdf, 41 + dx, 130, g.title)
    pdf.set_font("Helvetica", "", 8)
    period = (f"du {st.period_start.strftime(g.period_fmt)} au {st.period_end.strftime(g.period_fmt)}")
    _text(pdf, 41 + dx, 142, period)
    _text(pdf, 41 + dx, 154, f"N° de compte : {account_number}")
    _text(pdf, 340 + dx, 154, "Devise : EUR")
    if g is _GEOMETRY["lcl"]:
        _text(pdf, 41 + dx, 170, "ECRITURES DE LA PERIODE")
    pdf.set_font("Helvetica", "B", FONT_SIZE)
    for word, x, align in g.header:
        _text(pdf, x + dx, TABLE_TOP, word, align)
    pdf.line(36 + dx, TABLE_TOP + 3, 550 + dx, TABLE_TOP + 3)
    pdf.set_font("Helvetica", "", 7)
    for i, line in enumerate(g.footer):
        _text(pdf, 41 + dx, 800 + i * 9, line)
    _text(pdf, 500 + dx, 820, f"Page {page_no} / {n_pages}")


def render_statement_pdf(statement: Statement, *, layout: str, account_number: str,
                         holder: str = "M. JEAN DUPONT", rows_per_page: int | None = None) -> bytes:
    """Render ``statement`` with the bank ``layout`` ("lcl" | "boursorama") and return the PDF bytes.

    ``account_number`` is printed as given (the parser returns it with spaces removed as
    ``account_ref``). ``rows_per_page`` caps the table rows per page (continuation lines count; the
    default fills the page, about 52 rows). Line amounts are signed (negative = debit column);
    ``total_debits``/``total_credits`` are positive. Labels must be Latin-1 (core PDF fonts).
    """
    if layout not in _GEOMETRY:
        raise ValueError(f"unknown layout {layout!r}; expected one of {sorted(_GEOMETRY)}")
    g = _GEOMETRY[layout]
    capacity = int((TABLE_BOTTOM - (TABLE_TOP + 14)) // PITCH)
    per_page = min(rows_per_page or capacity, capacity)
    if per_page < 3:
        raise ValueError("rows_per_page must be at least 3")
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(dt.datetime.combine(statement.period_end + dt.timedelta(days=1),
                                              dt.time(6, 0), tzinfo=dt.timezone.utc))
    pdf.set_title(f"Releve {statement.period_start:%Y-%m-%d} {statement.period_end:%Y-%m-%d}")
    pdf.set_producer("bankflow statement simulator")
    pdf.set_font("Helvetica", "", FONT_SIZE)
    rows, trailer = _build_rows(pdf, statement, g, layout)
    pages = _paginate(rows, trailer, per_page, layout, statement.opening_balance, g)
    for page_no, page_rows in enumerate(pages, start=1):
        pdf.add_page()
        dx = EVEN_PAGE_SHIFT if page_no % 2 == 0 else 0.0
        _page_header(pdf, statement, g, dx, account_number, holder, page_no, len(pages))
        pdf.set_font("Helvetica", "", FONT_SIZE)
        y = TABLE_TOP + 14
        for r in page_rows:
            _text(pdf, g.date_x + dx, y, r.date)
            _text(pdf, g.label_x + r.indent + dx, y, r.label)
            _text(pdf, g.value_x + dx, y, r.value)
            _text(pdf, g.debit_x1 + dx, y, r.debit, "R")
            _text(pdf, g.credit_x1 + dx, y, r.credit, "R")
            y += PITCH
    return bytes(pdf.output())
