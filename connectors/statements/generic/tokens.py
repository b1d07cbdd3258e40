"""Tokens of a statement line: amounts and dates found among pdfplumber words (no layout needed).

Amounts (reference/statements.md §3.2): an optional sign, digit groups, a comma and exactly two
decimals, an optional currency after it (``€``, ``EUR``, ``¤``). ``1 234,56`` may come out as several
words a few points apart, so adjacent words are joined. An amount followed by another currency code
(``USD``, ``F``/``FRF`` for a francs equivalent) or by ``%`` (a rate) is not a euro amount.
Dates: ``DD.MM.YYYY``, ``DD/MM/YY``, ``DD-MM-YYYY``, year-less ``DD.MM``/``DD/MM``, and dates in words
(``17. juillet 2020``, ``vendredi, 17 juillet 2020``, ``1er mars 2021``).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from connectors.statements.layouts import norm
from connectors.statements.pages import Word

JOIN_GAP = 4.0
_AMOUNT = re.compile(
    r"^(?P<sign>[-+\u2212] ?)?(?P<int>\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+),(?P<dec>\d{2})"
    r"(?P<dot>\.)?(?: ?(?P<cur>€|EUR|¤))?$")
_FOREIGN = re.compile(r"^(?:[A-Z]{3}|F|FF|FRF|%)$")
_NUM_DATE = re.compile(r"^(?P<d>\d{1,2})[./-](?P<m>\d{1,2})(?:[./-](?P<y>\d{4}|\d{2}))?$")
MONTHS = {"JANVIER": 1, "FEVRIER": 2, "MARS": 3, "AVRIL": 4, "MAI": 5, "JUIN": 6, "JUILLET": 7,
          "AOUT": 8, "SEPTEMBRE": 9, "OCTOBRE": 10, "NOVEMBRE": 11, "DECEMBRE": 12,
          "JANV": 1, "FEV": 2, "FEVR": 2, "AVR": 4, "JUIL": 7, "SEPT": 9, "OCT": 10, "NOV": 11, "DEC": 12}
WEEKDAYS = {"LUNDI", "MARDI", "MERCREDI", "JEUDI", "VENDREDI", "SAMEDI", "DIMANCHE"}


@dataclass(frozen=True)
class Amount:
    value: Decimal          # unsigned unless printed with a sign
    signed: bool            # a +/- was printed
    x0: float
    x1: float
    n_words: int
    dot: bool = False       # trailing '.' (LCL debit mark)


@dataclass(frozen=True)
class DateTok:
    day: int
    month: int
    year: int | None
    x0: float
    x1: float
    n_words: int
    text: str

    def resolve(self, year: int) -> dt.date | None:
        try:
            return dt.date(self.year or year, self.month, self.day)
        except ValueError:
            return None


def parse_amount_text(text: str) -> tuple[Decimal, bool, bool, bool] | None:
    """``'-1 234,56 €'`` -> (value, signed, debit dot, has currency) or None."""
    m = _AMOUNT.match(text.strip())
    if not m:
        return None
    digits = re.sub(r"[ \u00a0\u202f.]", "", m["int"])
    value = Decimal(f"{digits}.{m['dec']}")
    sign = (m["sign"] or "").strip()
    if sign in ("-", "\u2212"):
        value = -value
    return value, bool(sign), bool(m["dot"]), bool(m["cur"])


def find_amounts(words: list[Word]) -> tuple[list[Amount], list[int]]:
    """Euro amounts among ``words`` (sorted by x0) and the indexes of the words they use.

    Longest join first: ``1 234,56`` over ``234,56``; a lone sign word or currency word is joined too.
    """
    out: list[Amount] = []
    used: list[int] = []
    i = 0
    while i < len(words):
        best: tuple[int, tuple[Decimal, bool, bool, bool]] | None = None
        for j in range(min(len(words), i + 5), i, -1):
            if any(words[k].x0 - words[k - 1].x1 > JOIN_GAP for k in range(i + 1, j)):
                continue
            got = parse_amount_text(" ".join(w.text for w in words[i:j]))
            if got:
                best = (j, got)
                break
        if best is None:
            i += 1
            continue
        j, (value, signed, dot, _cur) = best
        nxt = words[j] if j < len(words) else None
        if nxt is not None and nxt.x0 - words[j - 1].x1 <= 8 and _FOREIGN.match(nxt.text.upper()):
            i = j + 1          # a foreign-currency amount, a francs equivalent or a rate: label text
            continue
        out.append(Amount(value, signed, words[i].x0, words[j - 1].x1, j - i, dot))
        used.extend(range(i, j))
        i = j
    return out, used


def _year(y: str | None) -> int | None:
    if y is None:
        return None
    return int(y) + 2000 if len(y) == 2 else int(y)


def find_dates(words: list[Word]) -> tuple[list[DateTok], list[int]]:
    """Dates among ``words``: numeric (one word) or in words (``17. juillet 2020``)."""
    out: list[DateTok] = []
    used: list[int] = []
    i = 0
    while i < len(words):
        t = words[i].text.rstrip(",*")       # "AU 30/11/2023*": a footnote star on a balance date
        m = _NUM_DATE.match(t)
        if m and 1 <= int(m["d"]) <= 31 and 1 <= int(m["m"]) <= 12 and len(m["d"]) == 2 == len(m["m"]):
            out.append(DateTok(int(m["d"]), int(m["m"]), _year(m["y"]), words[i].x0, words[i].x1, 1, t))
            used.append(i)
            i += 1
            continue
        day = re.match(r"^(\d{1,2})(?:\.|ER)?$", norm(t))
        if day and i + 1 < len(words):
            month = MONTHS.get(norm(words[i + 1].text).rstrip(".,"))
            if month and 1 <= int(day[1]) <= 31:
                n, year = 2, None
                if i + 2 < len(words) and re.match(r"^\d{4},?$", words[i + 2].text):
                    n, year = 3, int(words[i + 2].text.rstrip(","))
                text = " ".join(w.text for w in words[i:i + n])
                out.append(DateTok(int(day[1]), month, year, words[i].x0, words[i + n - 1].x1, n, text))
                used.extend(range(i, i + n))
                i += n
                continue
        i += 1
    return out, used
