"""The judge: of all the readings a statement allows, keep those where opening + rows = closing.

Readings differ where the words alone do not decide: the sign of a column of amounts printed without
sign and without a Débit/Crédit header (all credits or all debits?), and which figure of a balance
line is the euro balance (a francs equivalent may follow it). A reading must also agree with every totals line and running
balance. Exactly one distinct outcome is accepted; none or several is a refusal, never a guess.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

from connectors.statements.amounts import fmt
from connectors.statements.generic.lines import CREDIT_WORDS, DEBIT_WORDS, TLine
from connectors.statements.generic.sections import Op, Section, column_of

ZERO = Decimal("0.00")
MAX_UNKNOWN_COLUMNS = 4


@dataclass(frozen=True)
class Reading:
    opening: Decimal
    closing: Decimal
    amounts: tuple[Decimal | None, ...]   # None: an optional row this reading leaves out

    @property
    def total(self) -> Decimal:
        return self.opening + sum((a for a in self.amounts if a is not None), ZERO)


class NoReading(Exception):
    """No reading reconciles (``best`` is the most plausible one, for the message) or several do."""

    def __init__(self, message: str, best: Reading | None = None) -> None:
        super().__init__(message)
        self.best = best


def balance_options(t: TLine, cols: dict[str, tuple[float, float]] | None,
                    signs_known: bool) -> list[Decimal]:
    """The values a balance line may mean, most plausible first."""
    out: list[Decimal] = []
    txt = t.norm_text
    for a in t.amounts:
        col = column_of(a, cols) if cols else None
        if a.signed:
            opts = [a.value]
        elif "DEBITEUR" in txt:
            opts = [-a.value]
        elif "CREDITEUR" in txt:
            opts = [a.value]
        elif col == "debit":
            opts = [-a.value]
        elif col == "credit":
            opts = [a.value]
        else:
            # French statements mark a debit balance (DEBITEUR, a minus sign, the Débit column): an
            # unmarked one is a credit. Trying the other sign too would only add readings that could
            # reconcile by coincidence (an empty period; the mirror image of an unsigned column).
            opts = [a.value]
        out.extend(o for o in opts if o not in out)
    return out


def _signed(op: Op, sign: int | None) -> Decimal:
    a = op.amount
    if a.signed:
        return a.value
    if op.column == "debit":
        return -a.value
    if op.column in ("credit", "signed"):
        return a.value
    return a.value * (sign or 1)


def _clusters(ops: list[Op]) -> list[int]:
    """Rows whose sign is unknown, grouped by x alignment (right or left edge within 3 pt)."""
    ids: list[int] = []
    reps: list[tuple[float, float]] = []
    for op in ops:
        if op.amount.signed or op.column is not None:
            ids.append(-1)
            continue
        for k, (x0, x1) in enumerate(reps):
            if abs(op.amount.x1 - x1) <= 3 or abs(op.amount.x0 - x0) <= 3:
                ids.append(k)
                break
        else:
            reps.append((op.amount.x0, op.amount.x1))
            ids.append(len(reps) - 1)
    return ids


def _totals_agree(totals: list[TLine], cols: dict[str, tuple[float, float]] | None,
                  amounts: tuple[Decimal, ...]) -> bool:
    debits = sum((-a for a in amounts if a < 0), ZERO)
    credits = sum((a for a in amounts if a > 0), ZERO)
    for t in totals:
        vals = t.amounts
        cols = t.ctx or cols
        if len(vals) == 2:
            if cols and {column_of(vals[0], cols), column_of(vals[1], cols)} == {"debit", "credit"}:
                d = next(v for v in vals if column_of(v, cols) == "debit")
                c = next(v for v in vals if column_of(v, cols) == "credit")
            else:
                d, c = vals
            if abs(d.value) != debits or abs(c.value) != credits:
                return False
        elif len(vals) == 1:
            v, txt = vals[0], t.norm_text
            col = column_of(v, cols) if cols else None
            if DEBIT_WORDS.search(txt) and not CREDIT_WORDS.search(txt) or col == "debit":
                if abs(v.value) != debits:
                    return False
            elif CREDIT_WORDS.search(txt) and not DEBIT_WORDS.search(txt) or col == "credit":
                if abs(v.value) != credits:
                    return False
    return True


def _intermediates_agree(section: Section, cols: dict[str, tuple[float, float]] | None, opening: Decimal,
                         amounts: tuple[Decimal | None, ...]) -> bool:
    for t, n in section.intermediates:
        value = opening + sum((a for a in amounts[:n] if a is not None), ZERO)
        if value not in balance_options(t, t.ctx or cols, True):
            return False
    return True


def _running_agree(ops: list[Op], opening: Decimal, amounts: tuple[Decimal, ...]) -> bool:
    bal = opening
    for op, a in zip(ops, amounts):
        bal += a
        r = op.running
        if r is not None and bal not in (r.value, -r.value if not r.signed else r.value):
            return False
    return True


def reconcile(section: Section, cols: dict[str, tuple[float, float]] | None) -> Reading:
    """The one reading of ``section`` that reconciles, or :class:`NoReading`."""
    ops = section.ops
    ids = _clusters(ops)
    n_unknown = max(ids, default=-1) + 1
    if n_unknown > MAX_UNKNOWN_COLUMNS:
        raise NoReading(f"{n_unknown} columns of unsigned amounts without a Débit/Crédit header")
    assert section.opening is not None and section.closing is not None
    known = n_unknown == 0
    openings = balance_options(section.opening, section.opening.ctx or cols, known)
    closings = balance_options(section.closing, section.closing.ctx or cols, known)
    if section.opening is section.closing:
        raise NoReading("one balance line serves as both opening and closing")
    good: set[Reading] = set()
    best: Reading | None = None
    # rows printed without a date under a dated one are always rows: a reading that leaves them out
    # would be one more way for a wrong reading to reconcile by coincidence
    choices = (True,)
    for signs, with_optional in itertools.product(itertools.product((1, -1), repeat=n_unknown), choices):
        amounts = tuple(_signed(op, signs[k] if k >= 0 else None) if with_optional or not op.optional
                        else None for op, k in zip(ops, ids))
        kept = tuple(a for a in amounts if a is not None)
        kept_ops = [op for op, a in zip(ops, amounts) if a is not None]
        for o, c in itertools.product(openings, closings):
            r = Reading(o, c, amounts)   # type: ignore[arg-type]
            if best is None:
                best = r
            if o + sum(kept, ZERO) == c and _totals_agree(section.totals, cols, kept) and \
                    _running_agree(kept_ops, o, kept) and _intermediates_agree(section, cols, o, amounts):
                good.add(r)
    if len(good) == 1:
        return good.pop()
    if good:
        raise NoReading(f"{len(good)} different readings reconcile (signs of unsigned columns or "
                        "balances cannot be told apart)", best)
    assert best is not None
    debits = sum((-a for a in best.amounts if a is not None and a < 0), ZERO)
    credits = sum((a for a in best.amounts if a is not None and a > 0), ZERO)
    agree = best.total == best.closing
    why = ("the totals line or the running balance disagrees with the rows" if agree else
           f"diff {fmt(best.total - best.closing)}")
    raise NoReading(f"lines add up to {fmt(best.total)}, the statement says {fmt(best.closing)} "
                    f"(opening {fmt(best.opening)} + {len(ops)} lines: credits {fmt(credits)}, "
                    f"debits {fmt(debits)}; {why})", best)
