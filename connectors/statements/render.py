"""Render a canonical :class:`~connectors.records.Statement` as a realistic bank statement PDF.

Used by the LCL and Boursorama simulators (their ``statements as real PDFs``) and by the tests of the
generic parser. This module is the engine only: what differs between banks (header block, column x
positions, date and amount formats, the labels of the balance rows, whether a running balance closes
each page) is data in each bank's folder, ``connectors/<bank>/statements/render*.toml``, discovered
like the layouts (see ``connectors/lcl/statements/render.toml`` for the keys).

Every layout: two amount columns (debit / credit) told apart only by x position, right-aligned under
their header; the column header is repeated on every page; even pages are shifted ~9.6 pt to the right
(recto/verso margins, measured on a real statement); labels wider than the label column wrap onto
undated continuation lines (which may cross a page break); a ``Page n / m`` footer with legal text.

What the statement says is printed as given (opening, closing, totals and every line): nothing is
recomputed, so a caller can build a statement that does not add up (negative fixtures).

Line labels: the label is wrapped at spaces (a ``\\n`` forces a break). The parser joins continuation
lines with one space, so a label made of single-space-separated words round-trips exactly.

The output is deterministic: the PDF creation date is fixed to the day after the period end, 06:00 UTC,
so the same input always gives the same bytes (and sha256). Library: fpdf2 (pure Python).
"""
from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF

from connectors.records import Statement
from connectors.statements.layouts import BANK_STATEMENTS, bank_files

PAGE_H = 841.89
PITCH = 10.8            # row pitch measured on real statements (reference/statements.md §2.4)
FONT_SIZE = 8
TABLE_TOP = 190.0       # y of the column header
TABLE_BOTTOM = 770.0    # last usable row baseline area
EVEN_PAGE_SHIFT = 9.6   # recto/verso margin difference (CIC sample, reference/statements.md §2.5)
RENDER_GLOB = f"*/{BANK_STATEMENTS}/render*.toml"


@dataclass(frozen=True)
class _Geometry:
    """One bank's drawing parameters (a ``render*.toml`` file in its folder)."""

    layout: str
    bank_lines: tuple[str, ...]
    title: str
    subtitle: str                                # printed above the table when not empty
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
    opening_label: str                # str.format templates over {start} and {end} (period dates)
    totals_label: str
    closing_label: str
    intermediate_label: str           # closes each non-last page with the running balance; "" = none

    def label(self, template: str, st: Statement) -> str:
        return template.format(start=st.period_start, end=st.period_end)


def _load_geometry(path: Path) -> _Geometry:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        labels = raw["labels"]
        return _Geometry(
            layout=raw["layout"], bank_lines=tuple(raw["bank_lines"]), title=raw["title"],
            subtitle=raw.get("subtitle", ""),
            header=tuple((str(w), float(x), str(al)) for w, x, al in raw["header"]),
            **{k: float(raw[k]) for k in ("date_x", "label_x", "label_w", "cont_indent", "value_x",
                                          "debit_x1", "credit_x1")},
            **{k: str(raw[k]) for k in ("booking_fmt", "value_fmt", "period_fmt", "thousands",
                                        "debit_suffix")},
            footer=tuple(raw["footer"]), opening_label=labels["opening"], totals_label=labels["totals"],
            closing_label=labels["closing"], intermediate_label=labels.get("intermediate", ""))
    except KeyError as exc:
        raise ValueError(f"{path}: renderer geometry lacks the key {exc}") from None


@functools.lru_cache(maxsize=1)
def geometries() -> dict[str, _Geometry]:
    """Every bank's renderer geometry, by layout id (discovered in the bank folders)."""
    out: dict[str, _Geometry] = {}
    for path in bank_files(RENDER_GLOB):
        g = _load_geometry(path)
        if g.layout in out:
            raise ValueError(f"{path}: renderer geometry for layout {g.layout!r} defined twice")
        out[g.layout] = g
    return out


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


def _build_rows(pdf: FPDF, st: Statement, g: _Geometry) -> tuple[list[_Row], list[_Row]]:
    """Return (body rows, trailer rows). The trailer (totals + closing) stays together on the last page."""
    rows: list[_Row] = []
    d, c = _balance_cells(st.opening_balance, g)
    rows.append(_Row(label=g.label(g.opening_label, st), debit=d, credit=c))
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
    trailer = [_Row(label=g.label(g.totals_label, st), debit=format_amount(st.total_debits, g.thousands),
                    credit=format_amount(st.total_credits, g.thousands))]
    d, c = _balance_cells(st.closing_balance, g)
    trailer.append(_Row(label=g.label(g.closing_label, st), debit=d, credit=c))
    return rows, trailer


def _paginate(rows: list[_Row], trailer: list[_Row], per_page: int, opening: Decimal,
              g: _Geometry) -> list[list[_Row]]:
    """Cut rows into pages of ``per_page`` table rows; a layout with an intermediate label (LCL's
    ``SOLDE INTERMEDIAIRE``) closes each non-last page with the running balance, which the parser checks."""
    reserve = 1 if g.intermediate_label else 0
    pages: list[list[_Row]] = []
    cur: list[_Row] = []
    running = opening
    for row in rows:
        if len(cur) >= per_page - reserve:
            if reserve:
                d, c = _balance_cells(running, g)
                cur.append(_Row(label=g.intermediate_label, debit=d, credit=c))
            pages.append(cur)
            cur = []
        cur.append(row)
        if row.delta is not None:
            running += row.delta
    if len(cur) + len(trailer) > per_page:
        if reserve:
            d, c = _balance_cells(running, g)
            cur.append(_Row(label=g.intermediate_label, debit=d, credit=c))
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
    if g.subtitle:
        _text(pdf, 41 + dx, 170, g.subtitle)
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
    """Render ``statement`` with the bank ``layout`` (a layout id with a ``render*.toml`` in its bank
    folder: "lcl", "boursorama") and return the PDF bytes.

    ``account_number`` is printed as given (the parser returns it with spaces removed as
    ``account_ref``). ``rows_per_page`` caps the table rows per page (continuation lines count; the
    default fills the page, about 52 rows). Line amounts are signed (negative = debit column);
    ``total_debits``/``total_credits`` are positive. Labels must be Latin-1 (core PDF fonts).
    """
    known = geometries()
    if layout not in known:
        raise ValueError(f"unknown layout {layout!r}; expected one of {sorted(known)}")
    g = known[layout]
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
    rows, trailer = _build_rows(pdf, statement, g)
    pages = _paginate(rows, trailer, per_page, statement.opening_balance, g)
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
