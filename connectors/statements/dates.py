"""Statement dates and year inference (reference/statements.md §4).

Formats are written as in the layout files: ``DD.MM``, ``DD/MM``, ``DD.MM.YY``, ``DD/MM/YYYY``, ...
A year-less booking date takes the year that puts it inside the period (± 7 days); the classic bug of
giving every row ``period_end.year`` puts ``28.12`` of a December→January statement in the wrong year.
"""
from __future__ import annotations

import datetime as dt
import re

SLACK = dt.timedelta(days=7)


def format_regex(fmt: str) -> re.Pattern[str]:
    """``'DD.MM.YY'`` -> a full-match regex with groups d, m and (when present) y."""
    out = re.escape(fmt)
    out = out.replace("YYYY", r"(?P<y>\d{4})").replace("YY", r"(?P<y>\d{2})")
    out = out.replace("DD", r"(?P<d>\d{2})").replace("MM", r"(?P<m>\d{2})")
    return re.compile(f"^{out}$")


def parse_loose(text: str) -> dt.date:
    """``'15.12.2023'``, ``'15/12/23'`` -> date (used for period lines). Raises ValueError."""
    d, m, y = re.split(r"[./]", text)
    year = int(y) + 2000 if len(y) == 2 else int(y)
    return dt.date(year, int(m), int(d))


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:       # 29.02 in a non-leap candidate year
        return None


def explicit(match: re.Match[str]) -> dt.date | None:
    """The date of a regex match that carries a year, else None. Raises ValueError if impossible."""
    y = match.groupdict().get("y")
    if y is None:
        return None
    year = int(y) + 2000 if len(y) == 2 else int(y)
    return dt.date(year, int(match["m"]), int(match["d"]))


def booking_candidates(match: re.Match[str], start: dt.date, end: dt.date) -> list[dt.date]:
    """Candidates inside [start − 7 d, end + 7 d], oldest first (reference/statements.md §4 steps 1–2)."""
    exp = explicit(match)
    cands = [exp] if exp else [_make(y, int(match["m"]), int(match["d"]))
                               for y in (end.year - 1, end.year)]
    return sorted(c for c in cands if c and start - SLACK <= c <= end + SLACK)


def value_date(match: re.Match[str], booking: dt.date) -> dt.date | None:
    """A value date: explicit year, else the candidate nearest to the booking date (never rejected)."""
    exp = explicit(match)
    if exp:
        return exp
    cands = [_make(y, int(match["m"]), int(match["d"])) for y in (booking.year - 1, booking.year,
                                                                 booking.year + 1)]
    return min((c for c in cands if c), key=lambda c: abs((c - booking).days), default=None)
