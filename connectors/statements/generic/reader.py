"""The layout-free statement reader: PDF bytes -> ParsedBatch, or a ParseError saying why not.

Pipeline: vet the file (pages.open_pdf: not a PDF, truncated, encrypted, unreadable; here: UTF-16
text, zero pages, no text layer) → words and lines per page (pages.page_lines) → tokens and line kinds
(lines.py) → rows and balances in document order → account sections (sections.py) → for each section
its account, period, dates and the one reading that reconciles (reconcile.py) → labels (labels.py).
Every section of the file must reconcile, or nothing is returned.
"""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from connectors.records import BalanceSnapshot, ParsedBatch, Statement, StatementLine
from connectors.statements.errors import (
    DateOutsidePeriodError, EmptyPdfError, NotAPdfError, NoTextLayerError, PeriodNotFoundError,
    StatementInvariantError, StatementStructureError)
from connectors.statements.generic.labels import attach_labels
from connectors.statements.generic.lines import TLine, classify, mark_furniture, tokenize
from connectors.statements.generic.meta import account_on_line, period_on_line
from connectors.statements.generic.reconcile import NoReading, reconcile
from connectors.statements.generic.refusals import refuse_non_statement
from connectors.statements.generic.sections import OP_KINDS, Op, Section, build_sections, column_of
from connectors.statements.generic.tokens import DateTok
from connectors.statements.pages import MIN_CHARS, open_pdf
from connectors.statements.parse import _lines as read_page_lines

log = logging.getLogger(__name__)
SLACK = dt.timedelta(days=7)
ZERO = Decimal("0.00")


def load_lines(body: bytes, source: str) -> list[list[TLine]]:
    """Vet ``body`` and return each page's classified lines."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or body[:3] == b"\xef\xbb\xbf" and b"%PDF-" not in body[:1024]:
        raise NotAPdfError("not a PDF file: a UTF-16/Unicode text file (byte-order mark "
                           f"{body[:2]!r})", file=source, remedy="import the PDF the bank gave you")
    with open_pdf(body, source) as pdf:
        if not pdf.pages:
            raise EmptyPdfError("PDF with zero pages", file=source)
        pages, heights, chars, images = [], [], 0, 0
        for no, page in enumerate(pdf.pages, start=1):
            n, imgs = len(page.chars), len(page.images)
            chars, images = chars + n, images + imgs
            if n < MIN_CHARS and imgs:
                raise NoTextLayerError(f"page {no} has no text layer, only an image ({n} characters, "
                                       f"{imgs} images): a scan?", file=source, where=f"page {no}")
            lines = tokenize(no, read_page_lines(page, no, source))
            for t in lines:
                classify(t)
            pages.append(lines)
            heights.append(float(page.height))
            page.close()
    if chars < MIN_CHARS:
        raise NoTextLayerError(f"no text layer ({chars} characters on {len(pages)} pages, {images} "
                               "images): a scan?", file=source, where="page 1")
    mark_furniture(pages, heights)
    return pages


def _make_op(t: TLine, cols: dict[str, tuple[float, float]] | None, heading: DateTok | None,
             above: DateTok | None) -> Op | None:
    running = None
    if cols:
        placed = [(a, column_of(a, cols)) for a in t.amounts]
        mine = [(a, c) for a, c in placed if c in OP_KINDS]
        if len(mine) > 1:        # "12,50  0,00": an empty column printed as zero
            mine = [(a, c) for a, c in mine if a.value != 0]
        running = next((a for a, c in placed if c == "balance"), None)
        if len(mine) != 1:
            return None
        amount, column = mine[0]
    else:
        amount, column = max(t.amounts, key=lambda a: a.x1), None
    if amount.value == 0:
        return None
    booking, value = _row_dates(t, amount, cols)
    taken = [(x.x0, x.x1) for x in (amount, running, booking, value) if x is not None]
    booking = booking or heading
    optional = booking is None and above is not None and bool(cols)
    booking = booking or (above if optional else None)
    if booking is None:
        return None
    label = " ".join(w.text for w in t.words if not any(x0 - 0.5 <= w.x0 and w.x1 <= x1 + 0.5
                                                         for x0, x1 in taken))
    return Op(t, amount, column, booking, value, running, label=[label] if label else [],
              optional=optional)


def _row_dates(t: TLine, amount, cols) -> tuple[DateTok | None, DateTok | None]:  # type: ignore[no-untyped-def]
    """The booking and value dates of a row: dates in date columns, i.e. before the first or after
    the last label word (a date inside the label, ``CB SNCF LE 02/12``, is label text)."""
    words = [w for w in t.label if w.x1 <= amount.x0]
    first = min((w.x0 for w in words), default=None)
    last = max((w.x1 for w in words), default=None)
    headed = bool(cols) and ("value" in cols or "date" in cols)   # type: ignore[operator]
    cands = [d for d in t.dates if d.x1 <= amount.x0 and
             (headed or first is None or d.x1 <= first + 0.5 or d.x0 >= last - 0.5)]
    if not cands:
        return None, None
    if headed:
        # a header names the date columns: a date belongs to the nearest one, within 40 pt
        placed: dict[str, DateTok] = {}
        for d in cands:
            gaps = [(max(0.0, cols[k][0] - d.x1, d.x0 - cols[k][1]), k) for k in ("date", "value") if k in cols]
            dist, k = min(gaps)
            if dist <= 40 and k not in placed:
                placed[k] = d
        return placed.get("date"), placed.get("value")
    return cands[0], (cands[1] if len(cands) > 1 else None)


def _stream(pages: list[list[TLine]]) -> tuple[list[tuple[str, object]], dict[str, tuple[float, float]] | None]:
    """Document-order (kind, payload): 'op', balances, 'totals', 'text', 'page', ... and the last header."""
    stream: list[tuple[str, object]] = []
    cols: dict[str, tuple[float, float]] | None = None
    heading: DateTok | None = None
    above: DateTok | None = None      # the date of the last dated row, until a balance line
    for lines in pages:
        stream.append(("page", None))
        header = next((t for t in lines if t.kind == "header"), None)   # the page's first one
        for t in lines:
            if t.kind == "header":     # a page may hold two tables with their own columns
                cols = t.columns
            t.ctx = cols
            if t.kind in ("furniture", "header"):
                stream.append((t.kind, t))
            elif t.kind == "heading" and not (header is not None and t.top < header.top):
                heading = t.dates[0]
                stream.append(("heading", t))
            elif t.kind not in ("text", "heading"):
                stream.append((t.kind, t))
                if t.kind in ("opening", "closing", "either"):
                    above = None
            elif t.amounts and not (header is not None and t.top < header.top):
                op = _make_op(t, cols, heading, above)
                if op is not None and not op.optional:
                    above = op.booking
                stream.append(("op", op) if op else ("amount_text", t))
            else:
                stream.append(("text", t))
    return stream, cols


def _seq(stream: list[tuple[str, object]], obj: object) -> int:
    return next(i for i, (_, o) in enumerate(stream) if o is obj)


def _section_meta(stream: list[tuple[str, object]], s: Section, lo: int, hi: int, source: str,
                  account_ref: str | None, only_section: bool) -> tuple[str, dt.date, dt.date]:
    """Account and period of the section whose lines sit in stream[lo:hi] (its head starts at lo)."""
    first = _seq(stream, s.opening if s.opening is not None and (not s.ops or
                 _seq(stream, s.opening) < _seq(stream, s.ops[0])) else s.ops[0])
    in_rows = set()
    if s.ops:
        a, b = _seq(stream, s.ops[0]), _seq(stream, s.ops[-1])
        in_rows = set(range(a, b + 1))
    accounts: list[tuple[int, int, str]] = []
    periods: list[tuple[int, tuple[dt.date, dt.date]]] = []
    for i, (kind, obj) in enumerate(stream):
        if kind in ("op", "page") or obj is None:
            continue
        t: TLine = obj  # type: ignore[assignment]
        local = lo <= i < hi
        if (local and i not in in_rows) or kind == "furniture":
            acc = account_on_line(t)
            if acc:
                accounts.append((acc[1] + (2 if local and i < first else 0), -abs(i - first), acc[0]))
        p = period_on_line(t)
        if p:
            periods.append((i, p))
    ref = max(accounts)[2] if accounts else None
    if account_ref:
        # the caller's name for the account (a connector's account number) wins when the printed one
        # is it or holds it (a French IBAN holds the account number)
        want = account_ref.replace(" ", "").upper()
        if ref is None or want in ref or ref in want:
            ref = want
        elif only_section:
            raise StatementStructureError(f"statement is for account {ref}, expected {account_ref}",
                                          file=source)
    if not ref:
        raise StatementStructureError("account number not found (no 'N° de compte' nor IBAN printed)",
                                      file=source, remedy="pass the account with --account")
    before = [p for i, p in periods if i < first and i >= lo]
    period = before[-1] if before else (periods[0][1] if periods else None)
    if period is None:
        ds = [t.dates[0] for t in (s.opening, s.closing) if t is not None and t.dates and t.dates[0].year]
        if len(ds) == 2:
            period = (ds[0].resolve(0), ds[1].resolve(0))  # type: ignore[assignment]
    if period is None:
        ys = [op.booking.resolve(0) for op in s.ops if op.booking.year]
        if ys and len(ys) == len(s.ops):
            period = (min(ys), max(ys))  # type: ignore[type-var, assignment]
    if period is None:
        raise PeriodNotFoundError("statement period not found (no 'du … au …', no dated balances)",
                                  file=source)
    return ref, period[0], period[1]


def _resolve_dates(s: Section, start: dt.date, end: dt.date, source: str) -> None:
    prev: dt.date | None = None
    for op in s.ops:
        where = f"page {op.line.page}, line {op.line.no}"
        b = op.booking
        if b.year:
            cands = [b.resolve(0)]
        else:
            cands = sorted(c for c in (b.resolve(end.year - 1), b.resolve(end.year))
                           if c and start - SLACK <= c <= end + SLACK)
        cands = [c for c in cands if c]
        if not cands:
            raise DateOutsidePeriodError(f"booking date {b.text!r} is not inside the period "
                                         f"{start:%d.%m.%Y}–{end:%d.%m.%Y} (± 7 days)", file=source,
                                         where=where)
        op.booking_date = next((c for c in cands if prev is None or c >= prev), cands[-1])
        prev = op.booking_date
        if op.value is not None:
            v = op.value
            vc = [v.resolve(0)] if v.year else [v.resolve(op.booking_date.year + k) for k in (-1, 0, 1)]
            op.value_date = min((c for c in vc if c), key=lambda c: abs((c - op.booking_date).days),
                                default=None)  # type: ignore[operator]


def read_statement(body: bytes, *, source: str, account_ref: str | None = None) -> ParsedBatch:
    """Read a French bank statement of any layout; every account section must reconcile."""
    pages = load_lines(body, source)
    refuse_non_statement(pages, source)
    stream, cols = _stream(pages)
    events = [(k, o) for k, o in stream if k in ("op", "opening", "closing", "either", "totals")]
    sections, left = build_sections(events)
    refuse_non_statement(pages, source, sections=sections)
    if left:
        log.info("%s: %d rows after the last closing balance belong to no section (not read)",
                 source, len(left))
    attach_labels([(k, o) for k, o in stream if k in ("op", "text", "amount_text", "page", "header", "opening",
                                                      "closing", "either", "totals", "heading", "carry")])
    statements: list[Statement] = []
    bounds = [0] + [_seq(stream, s.closing) + 1 if s.closing is not None else len(stream)
                    for s in sections]
    for k, s in enumerate(sections):
        if s.opening is None or s.closing is None:
            missing = "opening" if s.opening is None else "closing"
            raise StatementStructureError(f"{missing} balance not found for account section {k + 1} "
                                          "— truncated statement?", file=source)
        ref, start, end = _section_meta(stream, s, bounds[k], bounds[k + 1], source, account_ref,
                                        len(sections) == 1)
        _resolve_dates(s, start, end, source)
        try:
            r = reconcile(s, cols)
        except NoReading as exc:
            page = s.closing.page
            raise StatementInvariantError(f"account {ref}, {start:%d.%m.%Y}–{end:%d.%m.%Y}, "
                                          f"{len(pages)} pages, {len(s.ops)} rows: {exc}",
                                          file=source, where=f"page {page}") from None
        lines = tuple(StatementLine(booking_date=op.booking_date, amount=a,  # type: ignore[arg-type]
                                    label_raw=" ".join(x for x in op.label if x), value_date=op.value_date,
                                    page=op.line.page, line=op.line.no)
                      for op, a in zip(s.ops, r.amounts) if a is not None)
        debits = sum((-ln.amount for ln in lines if ln.amount < 0), ZERO)
        credits = sum((ln.amount for ln in lines if ln.amount > 0), ZERO)
        statements.append(Statement(ref, start, end, r.opening, r.closing, debits, credits, lines))
    return ParsedBatch(statements=statements,
                       balances=[BalanceSnapshot(s.account_ref, s.period_end, s.closing_balance,
                                                 "statement") for s in statements],
                       window_start=min(s.period_start for s in statements),
                       window_end=max(s.period_end for s in statements))
