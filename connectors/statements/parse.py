"""One generic statement parser driven by the layouts kept in the bank folders
(``connectors/<bank>/statements/layout*.toml``; reference/statements.md §2, in ../shared).

Pipeline: vet the PDF (pages.py) → identify the layout from page 1 → period and account number →
per page: find the column header, derive column bands, walk the table lines (operation start,
continuation, balance, totals, intermediate, footer) → resolve dates → check the invariant (statements.md §5.2).
Everything or nothing: any failure raises a :class:`ParseError` subclass naming the file and the page.

Design notes
* The table's continuation lines are joined to the operation's label with one space (the contract's
  StatementLine has no ``details`` field, so ``REF.``/``ID.`` detail lines stay in ``label_raw``).
* A page break does not end an operation: undated lines at the top of the next page continue it; an
  intermediate balance (LCL ``SOLDE INTERMEDIAIRE``) does not end it either.
* Balance/totals patterns are only tried on lines with an amount and no booking date, so a label
  starting with ``SOLDE`` (``SOLDE IMPOT REVENUS``) stays an operation.
* Stops at the closing balance (later pages and repeated sections are ignored).
* pdfplumber is synchronous: call this from a worker thread in async code.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

from connectors.records import BalanceSnapshot, ParsedBatch, Statement, StatementLine
from connectors.statements import dates
from connectors.statements.amounts import fmt, looks_numeric, parse_amount
from connectors.statements.errors import (
    AmountFormatError, DateOutsidePeriodError, GluedTextError, NoTextLayerError, NotAStatementError,
    PeriodNotFoundError, StatementInvariantError, StatementStructureError, UnknownLayoutError,
    UnreadablePdfError)
from connectors.statements.layouts import Layout, load_layouts, non_statement_markers, norm
from connectors.statements.pages import JOIN_GAP, MIN_CHARS, Bands, Line, Word, find_bands, \
    header_words, looks_glued, open_pdf, page_lines

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")


@dataclass
class _Op:
    page: int
    top: float
    booking: re.Match[str]
    value: re.Match[str] | None
    amount: Decimal
    label: list[str] = field(default_factory=list)
    line_no: int | None = None     # 1-based line on its page (lineage)


def identify(text_norm: str, source: str) -> Layout:
    """The one layout whose identifiers all appear in page 1, or a clear refusal."""
    hits = [lay for lay in load_layouts() if lay.matches(text_norm)]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise UnknownLayoutError(f"ambiguous layout: matches {[h.id for h in hits]}", file=source,
                                 where="page 1")
    for marker, what in non_statement_markers().items():
        if marker in text_norm:
            raise NotAStatementError(f"not an account statement: this is {what}", file=source,
                                     where="page 1")
    squeezed = text_norm.replace(" ", "")
    for lay in load_layouts():
        if all(norm(i).replace(" ", "") in squeezed for i in lay.identifiers):
            raise GluedTextError(f"text layer without spaces between words ({lay.id} identifiers "
                                 "found only glued)", file=source, where="page 1")
    if "SOLDE" in text_norm and "RELEVE" in text_norm:
        known = ", ".join(lay.id for lay in load_layouts())
        raise UnknownLayoutError(f"statement of an unknown layout (known: {known}); first line: "
                                 f"{text_norm.splitlines()[0][:60]!r}", file=source, where="page 1")
    raise NotAStatementError("not an account statement (no statement identifiers, no balance "
                             "lines)", file=source, where="page 1")


class _Assembler:
    """Walks table lines page by page and accumulates operations, balances and totals."""

    def __init__(self, layout: Layout, source: str) -> None:
        self.layout, self.source = layout, source
        self.booking_re = dates.format_regex(layout.booking_fmt)
        self.value_re = dates.format_regex(layout.value_fmt)
        self.ops: list[_Op] = []
        self.current: _Op | None = None
        self.opening: Decimal | None = None
        self.closing: Decimal | None = None
        self.closing_page = 0
        self.totals: tuple[Decimal, Decimal, int] | None = None
        self.intermediates: list[tuple[Decimal, int, int, float]] = []   # value, n ops, page, y
        self.done = False
        self.line_no: dict[int, int] = {}   # id(Line) -> 1-based line number on its page

    def _where(self, page: int, line: Line) -> str:
        return f"page {page}, y={line.top:.0f}"

    def _amounts(self, words: list[Word], page: int, line: Line) -> tuple[Decimal | None, bool]:
        """Join adjacent words of one amount column and parse them (value, trailing-dot flag)."""
        if not words:
            return None, False
        groups = [[words[0]]]
        for w in words[1:]:
            if w.x0 - groups[-1][-1].x1 < JOIN_GAP:
                groups[-1].append(w)
            else:
                groups.append([w])
        text = " ".join(w.text for w in groups[-1])
        if len(groups) > 1:
            raise AmountFormatError(f"two amounts in one column: {[' '.join(x.text for x in g) for g in groups]}",
                                    file=self.source, where=self._where(page, line))
        try:
            return parse_amount(text)
        except ValueError:
            raise AmountFormatError(f"expected an amount like '1 234,56' in the amount column, found "
                                    f"{text!r}", file=self.source, where=self._where(page, line)) from None

    def feed(self, page: int, lines: list[Line], bands: Bands) -> None:
        lay = self.layout
        for line in lines:
            if line.top <= bands.header_top + 1:
                continue
            whole = norm(line.text)
            if any(p.search(whole) for p in lay.footer):
                return                      # the table ends at the footer
            if any(p.search(whole) for p in lay.skip) or header_words(line, lay):
                continue
            words = list(line.words)
            booking = None
            if abs(words[0].x0 - bands.date_x0) <= 6:
                booking = self.booking_re.match(words[0].text)
                if booking:
                    words = words[1:]
            cols: dict[str, list[Word]] = {"debit": [], "credit": []}
            label: list[Word] = []
            value = None
            for w in words:
                col = bands.column_of(w)
                if col and looks_numeric(w.text):
                    cols[col].append(w)
                elif value is None and w.x0 >= bands.value_x0 - 8 and self.value_re.match(w.text):
                    value = self.value_re.match(w.text)
                else:
                    label.append(w)
            label_text = " ".join(w.text for w in label)
            debit, ddot = self._amounts(cols["debit"], page, line)
            credit, cdot = self._amounts(cols["credit"], page, line)
            if cdot:
                raise AmountFormatError("a trailing '.' (debit mark) on an amount in the credit column",
                                        file=self.source, where=self._where(page, line))
            if booking:
                self._start_op(page, line, booking, value, debit, credit, label_text)
            elif debit is not None or credit is not None:
                self._balance_line(page, line, norm(label_text), debit, credit)
                if self.done:
                    return
            elif label_text and self.current is not None:
                self.current.label.append(label_text)
            else:
                log.info("%s: page %d: skipped line outside any operation: %r", self.source, page,
                         line.text[:80])

    def _start_op(self, page: int, line: Line, booking: re.Match[str], value: re.Match[str] | None,
                  debit: Decimal | None, credit: Decimal | None, label: str) -> None:
        if (debit is None) == (credit is None):
            found = "none" if debit is None else f"debit {fmt(debit)} and credit {fmt(credit)}"
            raise StatementStructureError(f"operation {booking[0]} {label!r}: expected exactly one "
                                          f"amount (debit or credit), found {found}",
                                          file=self.source, where=self._where(page, line))
        amount = -debit if debit is not None else credit
        if amount == 0:
            raise StatementStructureError(f"operation {booking[0]} {label!r} has a zero amount",
                                          file=self.source, where=self._where(page, line))
        self.current = _Op(page, line.top, booking, value, amount, [label] if label else [],
                           self.line_no.get(id(line)))
        self.ops.append(self.current)

    def _balance_line(self, page: int, line: Line, label: str, debit: Decimal | None,
                      credit: Decimal | None) -> None:
        lay = self.layout

        def signed() -> Decimal:
            if debit is not None and credit is not None:
                raise StatementStructureError(f"balance line {label!r} has amounts in both columns",
                                              file=self.source, where=self._where(page, line))
            return -debit if debit is not None else credit  # type: ignore[operator]

        if self.opening is None and not self.ops and any(p.search(label) for p in lay.opening):
            self.opening = signed()
            self.current = None
        elif any(p.search(label) for p in lay.totals):
            self.totals = (debit or ZERO, credit or ZERO, page)
            self.current = None
        elif any(p.search(label) for p in lay.intermediate):
            self.intermediates.append((signed(), len(self.ops), page, line.top))
        elif self.opening is not None and any(p.search(label) for p in lay.closing):
            self.closing, self.closing_page = signed(), page
            self.done = True
        else:
            log.info("%s: page %d: skipped unrecognised line with an amount: %r", self.source, page,
                     line.text[:80])


def _resolve_dates(asm: _Assembler, start: dt.date, end: dt.date, source: str) -> list[StatementLine]:
    out: list[StatementLine] = []
    prev: dt.date | None = None
    for op in asm.ops:
        where = f"page {op.page}, y={op.top:.0f}"
        try:
            cands = dates.booking_candidates(op.booking, start, end)
        except ValueError:
            raise DateOutsidePeriodError(f"impossible date {op.booking[0]!r}", file=source,
                                         where=where) from None
        if not cands:
            raise DateOutsidePeriodError(f"booking date {op.booking[0]!r} is not inside the period "
                                         f"{start:%d.%m.%Y}–{end:%d.%m.%Y} (± 7 days)",
                                         file=source, where=where)
        booking = cands[0]
        if len(cands) > 1:   # ~annual statement: keep booking dates non-decreasing (reference/statements.md §4 step 3)
            booking = next((c for c in cands if prev is None or c >= prev), cands[-1])
            log.warning("%s: %s: year of %r ambiguous, took %s", source, where, op.booking[0], booking)
        prev = booking
        try:
            value = dates.value_date(op.value, booking) if op.value else None
        except ValueError:
            value = None   # never reject on value dates (reference/statements.md §4 step 4)
        out.append(StatementLine(booking_date=booking, amount=op.amount, label_raw=" ".join(op.label),
                                 value_date=value, page=op.page, line=op.line_no))
    return out


def _check(asm: _Assembler, lines: list[StatementLine], start: dt.date, end: dt.date, n_pages: int,
           source: str) -> tuple[Decimal, Decimal]:
    """The invariant of reference/statements.md §5.2; returns (total debits, total credits)."""
    lay = asm.layout
    if asm.opening is None:
        raise StatementStructureError("opening balance not found (expected one of "
                                      f"{[p.pattern for p in lay.opening]})", file=source)
    if asm.closing is None:
        raise StatementStructureError("closing balance not found (expected one of "
                                      f"{[p.pattern for p in lay.closing]}) — truncated statement?",
                                      file=source, where=f"page {n_pages}")
    debits = sum((-ln.amount for ln in lines if ln.amount < 0), ZERO)
    credits = sum((ln.amount for ln in lines if ln.amount > 0), ZERO)
    head = (f"({lay.id}, {start:%d.%m.%Y}–{end:%d.%m.%Y}, {n_pages} pages, {len(lines)} rows): ")
    running = asm.opening
    for value, n_ops, page, top in asm.intermediates:
        expected = asm.opening + sum((ln.amount for ln in lines[:n_ops]), ZERO)
        if value != expected:
            raise StatementInvariantError(
                head + f"intermediate balance {fmt(value)} ≠ running balance {fmt(expected)} "
                f"(opening {fmt(running)} + {n_ops} rows; diff {fmt(value - expected)})",
                file=source, where=f"page {page}, y={top:.0f}")
    totals_txt = "no totals line"
    if asm.totals is not None:
        t_debit, t_credit, t_page = asm.totals
        agree = t_debit == debits and t_credit == credits
        totals_txt = (f"totals line: debit {fmt(t_debit)} credit {fmt(t_credit)} "
                      + ("(column sums agree)" if agree else
                         f"≠ column sums: debit {fmt(debits)} credit {fmt(credits)}"))
        if not agree:
            raise StatementInvariantError(head + totals_txt, file=source, where=f"page {t_page}")
    result = asm.opening + credits - debits
    if result != asm.closing:
        raise StatementInvariantError(
            head + f"opening {fmt(asm.opening)} + credits {fmt(credits)} − debits {fmt(debits)} = "
            f"{fmt(result)} ≠ closing {fmt(asm.closing)} (diff {fmt(result - asm.closing)}); {totals_txt}",
            file=source, where=f"page {asm.closing_page}")
    return debits, credits


def _lines(page: object, no: int, source: str) -> list[Line]:
    """page_lines, with pdfminer failures on a damaged page turned into a ParseError naming the page."""
    try:
        return page_lines(page)  # type: ignore[arg-type]
    except (PSException, PdfminerException, ValueError, KeyError, TypeError) as exc:
        raise UnreadablePdfError(f"cannot read page content ({type(exc).__name__}: {exc})",
                                 file=source, where=f"page {no}") from None


def parse_statement_pdf(body: bytes, *, source: str, account_ref: str | None = None) -> ParsedBatch:
    """Parse one statement PDF into a ParsedBatch holding one checked Statement.

    ``source`` names the file in errors. ``account_ref`` (optional) is what the caller expects: the
    printed account number (spaces removed) must equal it; it is used when none is printed.
    ``window_start``/``window_end`` = the statement period; ``balances`` holds the closing balance.
    """
    with open_pdf(body, source) as pdf:
        pages = pdf.pages
        if not pages:
            raise StatementStructureError("PDF without pages", file=source)
        first = _lines(pages[0], 1, source)
        if len(pages[0].chars) < MIN_CHARS:
            raise NoTextLayerError(f"page 1 has no text layer ({len(pages[0].chars)} characters, "
                                   f"{len(pages[0].images)} images): a scan?", file=source, where="page 1")
        text1 = norm("\n".join(line.text for line in first))
        layout = identify(text1, source)
        m = layout.period.search("\n".join(line.text for line in first))
        if not m:
            raise PeriodNotFoundError(f"statement period not found (expected {layout.period.pattern!r})",
                                      file=source, where="page 1")
        start, end = dates.parse_loose(m[1]), dates.parse_loose(m[2])
        acct = layout.account.search("\n".join(line.text for line in first))
        printed = acct[1].replace(" ", "") if acct else None
        if printed and account_ref and printed != account_ref.replace(" ", ""):
            raise StatementStructureError(f"statement is for account {printed}, expected {account_ref}",
                                          file=source, where="page 1")
        ref = printed or account_ref
        if not ref:
            raise StatementStructureError("account number not found on page 1 and none given",
                                          file=source, where="page 1")
        asm = _Assembler(layout, source)
        for no, page in enumerate(pages, start=1):
            lines = first if no == 1 else _lines(page, no, source)
            if len(page.chars) < MIN_CHARS:
                raise NoTextLayerError(f"page {no} has no text layer ({len(page.chars)} characters)",
                                       file=source, where=f"page {no}")
            found = find_bands(lines, layout)
            if found is None:
                if looks_glued(lines, layout):
                    raise GluedTextError("column header found only without spaces between words",
                                         file=source, where=f"page {no}")
                raise StatementStructureError(f"column header {list(layout.header.values())} not found",
                                              file=source, where=f"page {no}")
            asm.line_no = {id(ln): k for k, ln in enumerate(lines, start=1)}
            asm.feed(no, lines[found[0] + 1:], found[1])
            page.close()
            if asm.done:
                break
        n_pages = len(pages)
    lines = _resolve_dates(asm, start, end, source)
    debits, credits = _check(asm, lines, start, end, n_pages, source)
    assert asm.opening is not None and asm.closing is not None
    statement = Statement(account_ref=ref, period_start=start, period_end=end,
                          opening_balance=asm.opening, closing_balance=asm.closing,
                          total_debits=debits, total_credits=credits, lines=tuple(lines))
    return ParsedBatch(statements=[statement],
                       balances=[BalanceSnapshot(ref, end, asm.closing, "statement")],
                       window_start=start, window_end=end)
