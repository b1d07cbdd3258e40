"""Dates printed inside bank labels (``CARTE 13/06/22 ...``, ``CB ... 10/09``): each bank's parser finds
the day, month and optional year with its own pattern; this resolves them against the booking date,
the same way for every bank."""
from __future__ import annotations

import datetime as dt

#: a card payment is booked at most this long after it was made; a date further off is label text
MAX_BOOKING_DELAY = dt.timedelta(days=60)


def label_date(day: int, month: int, year: str | None, booked: dt.date | None) -> dt.date | None:
    """The date a label prints, or None when it is not a plausible payment date.

    * a four-digit year is taken as is; a two-digit one in the century closest to the booking date
      (``31/12/24`` booked on 2025-01-02 is 2024-12-31);
    * without a year, the nearest such day on or before the booking date;
    * with a booking date, the result must fall within :data:`MAX_BOOKING_DELAY` before it (a pending
      row has no booking date yet: no check).
    """
    candidates: list[int]
    if year:
        y = int(year)
        if len(year) == 2:
            ref = booked.year if booked else 2000 + y
            y = min((ref // 100 * 100 + k * 100 + y for k in (-1, 0, 1)), key=lambda c: abs(c - ref))
        candidates = [y]
    elif booked:
        candidates = [booked.year, booked.year - 1]
    else:
        return None
    for y in candidates:
        try:
            found = dt.date(y, month, day)
        except ValueError:
            continue
        if booked is None or dt.timedelta(0) <= booked - found <= MAX_BOOKING_DELAY:
            return found
    return None
