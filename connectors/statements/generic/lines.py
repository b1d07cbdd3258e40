"""Statement lines with their tokens, the column header, page furniture, and what each line is.

A line is classified from its own words only: a balance (opening / closing / either), a totals line,
a carry-over (``A REPORTER``, ``SOLDE INTERMEDIAIRE``: excluded, never an operation), a date heading
(``vendredi, 17. juillet 2020`` alone on its line), the column header, or plain text. Whether a line
holding an amount is an operation is decided later, by position (sections.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from connectors.statements.generic.tokens import WEEKDAYS, Amount, DateTok, find_amounts, find_dates
from connectors.statements.layouts import norm
from connectors.statements.pages import Line, Word

_D = r"\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?"
# Balance phrases (§5.1). Never a bare "SOLDE" prefix: "SOLDE IMPOT REVENUS" is an operation.
OPENING = re.compile(r"\b(ANCIEN SOLDE|SOLDE PRECEDENT|SOLDE INITIAL|SOLDE D'OUVERTURE|SOLDE DE DEBUT"
                     r"|SOLDE AU DEBUT|SOLDE REPORTE|SOLDE DEBUT)\b")
CLOSING = re.compile(r"\b(NOUVEAU SOLDE|SOLDE FINAL|SOLDE EN EUROS|SOLDE DE FIN|SOLDE A LA FIN|SOLDE FIN"
                     r"|SOLDE ACTUEL|SOLDE DE CLOTURE)\b")
EITHER = re.compile(r"\bSOLDE (?:(?:CREDITEUR|DEBITEUR|EN EUR|EN EUROS) )*(?:AU|LE|DU) ?:? ?" + _D)
CARRY = re.compile(r"\b(SOLDE INTERMEDIAIRE|A REPORTER|REPORT\b|SOUS[- ]TOTAL|TOTAL INTERMEDIAIRE)")
TOTALS = re.compile(r"^(?:REF ?: ?\S+ )?(TOTAL|TOTAUX|MONTANT TOTAL|TRANSACTIONS SORTANTES"
                    r"|TRANSACTIONS ENTRANTES|SOMME DES)\b")
LEGAL = re.compile(r"\b(AU CAPITAL DE|RCS|SIREN|ORIAS|SIEGE SOCIAL)\b")
BARE_SOLDE = re.compile(r"^(?:VOTRE )?SOLDE\b")
DEBIT_WORDS = re.compile(r"\b(DEBIT|DEBITS|DEBITEUR|DEBITEURS|SORTANTES?|DEPENSES)\b")
CREDIT_WORDS = re.compile(r"\b(CREDIT|CREDITS|CREDITEUR|CREDITEURS|ENTRANTES?|RECETTES)\b")
HEADER_AMOUNT = {"DEBIT": "debit", "DEBITS": "debit", "CREDIT": "credit", "CREDITS": "credit",
                 "MONTANT": "signed", "SOLDE": "balance", "DEBIT/CREDIT": "signed"}
UNITS = {"EUROS", "EURO", "EUR", "€", "¤"}
HEADER_OTHER = {"DATE", "LIBELLE", "LIBELLES", "OPERATION", "OPERATIONS", "DESCRIPTION", "NATURE",
                "VALEUR", "DETAIL", "DETAILS", "REFERENCE"}


@dataclass
class TLine:
    """One line of one page with its tokens; ``kind`` is set by :func:`classify`."""

    page: int
    no: int                   # 1-based line number on its page
    top: float
    words: list[Word]
    amounts: list[Amount]
    dates: list[DateTok]
    label: list[Word]         # the words that are neither amounts nor dates
    kind: str = "text"        # opening | closing | either | totals | carry | heading | header | text | furniture
    norm_text: str = ""
    columns: dict[str, tuple[float, float]] = field(default_factory=dict)   # header lines only
    ctx: dict[str, tuple[float, float]] | None = None    # the column header in force on this line

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def label_text(self) -> str:
        return " ".join(w.text for w in self.label)


def tokenize(page: int, lines: list[Line]) -> list[TLine]:
    out = []
    for no, line in enumerate(lines, start=1):
        words = line.words
        amounts, used_a = find_amounts(words)
        rest = [w for k, w in enumerate(words) if k not in set(used_a)]
        dates, used_d = find_dates(rest)
        label = [w for k, w in enumerate(rest) if k not in set(used_d)]
        t = TLine(page, no, line.top, words, amounts, dates, label)
        t.norm_text = norm(t.text)
        out.append(t)
    return out


def _header_columns(t: TLine) -> dict[str, tuple[float, float]] | None:
    cols: dict[str, tuple[float, float]] = {}
    other = 0
    extend = None                  # "Date de réservation", "Date d'opération": one column header
    for w in t.words:
        key = norm(w.text).strip(".:()")
        if extend and not extend.endswith("!") and key not in HEADER_AMOUNT and key not in HEADER_OTHER \
                and w.x0 - cols[extend][1] < 12:
            cols[extend] = (cols[extend][0], w.x1)
            continue
        prev, extend = extend, None
        if key in HEADER_AMOUNT and HEADER_AMOUNT[key] not in cols:
            cols[HEADER_AMOUNT[key]] = (w.x0, w.x1)
            extend = HEADER_AMOUNT[key] + "!"      # "Débit EUROS", "Crédit (€)": the unit word too
        elif prev and prev.endswith("!") and key in UNITS and w.x0 - cols[prev[:-1]][1] < 12:
            cols[prev[:-1]] = (cols[prev[:-1]][0], w.x1)
        elif key in HEADER_OTHER:
            other += 1
            if key == "VALEUR" and "value" not in cols:
                cols["value"] = (w.x0, w.x1)
            elif key == "DATE" and "date" not in cols:
                cols["date"] = (w.x0, w.x1)
                extend = "date"
    if t.amounts or t.dates or not cols or other == 0 or not (set(cols) & {"debit", "credit", "signed"}):
        return None
    if len(t.words) > 12:
        return None
    return cols


def classify(t: TLine) -> None:
    """Set ``t.kind`` from the line's own words (see the module docstring)."""
    txt = t.norm_text
    cols = _header_columns(t)
    if cols:
        t.kind, t.columns = "header", cols
        return
    if not t.amounts:
        words = [norm(w.text).strip(",.") for w in t.label]
        if len(t.dates) == 1 and all(w in WEEKDAYS or w == "" for w in words):
            t.kind = "heading"
        return
    if CARRY.search(txt):
        t.kind = "carry"
    elif OPENING.search(txt):
        t.kind = "opening"
    elif CLOSING.search(txt):
        t.kind = "closing"
    elif EITHER.search(txt):
        t.kind = "either"
    elif TOTALS.search(txt):
        t.kind = "totals"
    elif BARE_SOLDE.search(norm(t.label_text)) and not t.dates:
        t.kind = "bare_balance"


def mark_furniture(pages: list[list[TLine]], heights: list[float]) -> None:
    """Page headers and footers: lines printed at the same height (± 2 pt) with the same text (digits
    aside) on at least two pages and half of them, near the top or bottom of the page; page numbers
    and legal mentions (``au capital de``, ``RCS``). Never an operation nor a continuation."""
    def key(t: TLine) -> str:
        return re.sub(r"\d+", "#", t.norm_text)

    seen: dict[str, list[tuple[int, float]]] = {}
    for lines in pages:
        for t in lines:
            seen.setdefault(key(t), []).append((t.page, t.top))
    need = max(2, (len(pages) + 1) // 2)
    for lines, h in zip(pages, heights):
        for t in lines:
            if t.kind != "text" or (t.amounts and not LEGAL.search(t.norm_text)):
                continue
            edge = t.top < 0.25 * h or t.top > 0.8 * h
            same = {p for p, top in seen.get(key(t), []) if abs(top - t.top) <= 2}
            if edge and (len(same) >= need or LEGAL.search(t.norm_text)
                         or re.fullmatch(r"(PAGE )?# ?/ ?#|PAGE #( SUR #)?", key(t))):
                t.kind = "furniture"
