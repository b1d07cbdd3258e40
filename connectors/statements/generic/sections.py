"""From classified lines to account sections: which lines are operations, and which balances frame them.

Two orders exist in real statements and both are read: *inline* (an opening balance, the rows, a
closing balance: LCL, Boursorama, CIC, BP) and *summary* (the rows, then a summary block with the old
and new balance: N26). A file may hold several sections (a current account and a savings book, or
several periods). Rows printed after the last closing balance that belong to no section (BP repeats
its SEPA operations there) are not read. The reconciliation (reconcile.py) is the judge.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from connectors.statements.generic.lines import TLine
from connectors.statements.generic.tokens import Amount, DateTok

OP_KINDS = ("debit", "credit", "signed")
AMOUNT_COLUMNS = OP_KINDS + ("balance",)


@dataclass
class Op:
    line: TLine
    amount: Amount
    column: str | None            # debit | credit | signed | None (no column header)
    booking: DateTok
    value: DateTok | None
    running: Amount | None = None  # the running-balance column on this row, when there is one
    label: list[str] = field(default_factory=list)
    #: a row printed without a date under a dated one (banks that print a day's date once): it takes
    #: the date above (only with a column header, and only for an amount in an amount column)
    optional: bool = False
    booking_date: dt.date | None = None
    value_date: dt.date | None = None


@dataclass
class Section:
    opening: TLine | None = None
    closing: TLine | None = None
    ops: list[Op] = field(default_factory=list)
    before: list[Op] = field(default_factory=list)   # rows seen before the opening (summary order)
    totals: list[TLine] = field(default_factory=list)
    first_index: int = 0
    #: balances printed between rows (a mid-table "SOLDE AU"), with the number of rows before each
    intermediates: list[tuple[TLine, int]] = field(default_factory=list)


def column_of(a: Amount, cols: dict[str, tuple[float, float]]) -> str | None:
    """The header column an amount sits under: the nearest header word centre, within 60 pt."""
    best, dist = None, 60.0
    for name, (x0, x1) in cols.items():
        if name not in AMOUNT_COLUMNS:
            continue
        overlap = min(a.x1, x1 + 8) - max(a.x0, x0 - 8)
        d = 0.0 if overlap > 0 else abs((a.x0 + a.x1) / 2 - (x0 + x1) / 2)
        if overlap > 0:
            d = abs(a.x1 - x1) / 100   # several overlaps: the best right-edge match wins
        if d < dist:
            best, dist = name, d
    return best


def build_sections(events: list[tuple[str, object]]) -> tuple[list[Section], list[Op]]:
    """Walk ``events`` (kind, payload) in document order; returns the sections and the rows left over."""
    sections: list[Section] = []
    cur: Section | None = None
    pending: list[Op] = []
    pending_totals: list[TLine] = []
    for idx, (kind, obj) in enumerate(events):
        is_open = cur is not None and cur.closing is None
        if kind == "op":
            (cur.ops if is_open else pending).append(obj)  # type: ignore[union-attr, arg-type]
        elif kind == "opening" or (kind == "either" and not is_open):
            if is_open and not cur.ops:  # type: ignore[union-attr]
                continue   # a second opening figure before any row (summary + table): keep the first
            cur = Section(opening=obj, before=pending, first_index=idx,  # type: ignore[arg-type]
                          totals=pending_totals)
            sections.append(cur)
            pending, pending_totals = [], []
        elif kind in ("closing", "either"):
            if is_open:
                cur.closing = obj  # type: ignore[union-attr, assignment]
            elif kind == "closing" and cur is not None and pending and not pending_totals:
                # the balance that closed the section was a mid-table one: rows go on after it
                cur.intermediates.append((cur.closing, len(cur.ops)))  # type: ignore[arg-type]
                cur.ops.extend(pending)
                cur.closing, pending = obj, []  # type: ignore[assignment]
            elif kind == "closing" and cur is None:
                cur = Section(closing=obj, before=pending, first_index=idx,  # type: ignore[arg-type]
                              totals=pending_totals)
                sections.append(cur)
                pending, pending_totals = [], []
        elif kind == "totals":
            if is_open:
                cur.totals.append(obj)  # type: ignore[union-attr, arg-type]
            else:               # summary order: the totals come before the balances of their section
                pending_totals.append(obj)  # type: ignore[arg-type]
    for s in sections:
        if not s.ops and s.before:
            s.ops, s.before = s.before, []       # summary order: rows, then the balances
    if sections and not sections[-1].ops and pending and sections[-1].closing is not None:
        sections[-1].ops, pending = pending, []  # a summary printed above the rows
    return _without_repeats(sections), pending


def _figures(t: TLine | None) -> tuple:
    return tuple(a.value for a in t.amounts) if t is not None else ()


def _without_repeats(sections: list[Section]) -> list[Section]:
    """Drop a section without rows that repeats the balances of one with rows (a recap block)."""
    full = [(set(_figures(s.opening)), set(_figures(s.closing))) for s in sections if s.ops]

    def repeats(s: Section) -> bool:   # its figures are among those of a section with rows
        o, c = set(_figures(s.opening)), set(_figures(s.closing))
        return any(o <= fo and c <= fc for fo, fc in full)

    return [s for s in sections if s.ops or not repeats(s)]
