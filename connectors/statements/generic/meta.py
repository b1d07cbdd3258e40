"""What a statement is about: its period and its account number, found without a layout.

Period: ``du D au D``, ``D jusqu'au D``, ``D - D``, ``D au D`` or two dates side by side (BoursoBank's
account line), the nearest before the section; else the dates of the balance lines; else the rows'.
Account: a line naming the account number (``N° de compte``, ``Compte n°``) or an IBAN outside the
rows (page header/footer, the account block above the table), the nearest before the section.
"""
from __future__ import annotations

import datetime as dt
import re

from connectors.statements.generic.lines import TLine
from connectors.statements.generic.tokens import DateTok

_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[0-9A-Z*X]{4}){2,7}(?: ?[0-9A-Z*X]{1,3})?)\b")
_NUMBER = re.compile(r"(?:N°|NO|NUMERO|N )\s*(?:DE\s+)?(?:COMPTE|CPTE)?\s*:?\s*"
                     r"([0-9A-Z*]*\d[0-9A-Z*]*(?:[ -][0-9A-Z*]*\d[0-9A-Z*]*)*)")
_ACCOUNT_WORDS = re.compile(r"\b(COMPTE|CPTE|LIVRET|EPARGNE|CODEVI|LDDS?|PEL|CEL)\b")
CONNECTORS = {"AU", "JUSQU'AU", "JUSQU AU", "-", "–", "A"}


def _year_ok(d: DateTok) -> bool:
    return d.year is not None


def period_on_line(t: TLine) -> tuple[dt.date, dt.date] | None:
    """A period written on one line: two dated tokens joined by au/jusqu'au/-, or side by side."""
    ds = [d for d in t.dates if _year_ok(d)]
    for a, b in zip(ds, ds[1:]):
        between = [w.text for w in t.words if a.x1 < w.x0 and w.x1 <= b.x0 + 0.1]
        joined = " ".join(between).upper().replace("’", "'")
        if joined and joined not in CONNECTORS:
            continue
        da, db = a.resolve(a.year or 0), b.resolve(b.year or 0)
        if da and db and da <= db and (db - da).days <= 400:
            return da, db
    return None


def account_on_line(t: TLine) -> tuple[str, int] | None:
    """(account number without spaces, strength) printed on ``t``: 2 = named as the account, 1 = IBAN."""
    txt = t.norm_text
    if _ACCOUNT_WORDS.search(txt):
        m = _NUMBER.search(txt)
        if m:
            num = re.sub(r"[ -]", "", m[1])
            if sum(c.isdigit() for c in num) >= 5:
                return num, 2
    m = _IBAN.search(txt)
    if m and ("IBAN" in txt or m.start() == 0 or _ACCOUNT_WORDS.search(txt) or " " in m[1]):
        return m[1].replace(" ", ""), 1
    return None
