"""French amounts and dates as Boursorama writes them (pure helpers shared by the parsers).

Quirks recorded in reference/boursorama.md §5 and §8:
* thousands separators: space, NBSP (U+00A0) or narrow NBSP (U+202F): ``1 718,70``, ``"4 810,00"``;
* decimal separator: comma in amounts (``-2,00``) but a **dot** in ``accountbalance`` since 2022
  (``226.68``), so one CSV row mixes both conventions;
* negatives on HTML pages use U+2212 followed by a space: ``− 94 959,82 €``.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from connectors.labels import label_date
from connectors.records import money

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d{1,2})?|[.,]\d{1,2})$")


def parse_amount(text: str) -> Decimal:
    """Tolerant French decimal: drop spaces (any kind) and the euro sign, map U+2212 to ``-``; if both
    ``.`` and ``,`` occur, the last one is the decimal separator and the other a thousands separator.
    Raises ValueError with the text when it is not an amount."""
    s = _SPACES.sub("", text.replace("\u2212", "-").replace("€", "").replace("EUR", ""))
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "")
        else:
            s = s.replace(",", "")
    s = s.replace(",", ".")
    if not _NUMBER.match(s):
        raise ValueError(f"not an amount: {text!r}")
    try:
        return money(Decimal(s))
    except (InvalidOperation, ValueError):
        raise ValueError(f"not an amount: {text!r}") from None


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y")


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` (every export since 2019), ``DD/MM/YYYY`` or ``DD/MM/YY`` (2018 exports)."""
    s = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date (expected YYYY-MM-DD or DD/MM/YYYY): {text!r}")


# ``CARTE 13/06/22 ...``, ``ACHAT CARTE ...``, ``AVOIR 13/06/22 ...``, ``RETRAIT DAB 13/06/22`` or
# ``RETRAIT DAB 1306/22`` (the slash may be missing), and the 2026 ``<Merchant> | CARTE 13/06/22`` form.
_LABEL_DATE = re.compile(
    r"(?:^|\|\s*)(?:ACHAT |PAIEMENT )?(?:CARTE|AVOIR|RETRAIT DAB)\s+(\d{2})/?(\d{2})/(\d{2}|\d{4})\b")


def operation_date_from_label(label: str, booked: dt.date | None) -> dt.date | None:
    """The card/withdrawal date printed in the label, or None (see :func:`connectors.labels.label_date`)."""
    m = _LABEL_DATE.search(label)
    if not m:
        return None
    return label_date(int(m.group(1)), int(m.group(2)), m.group(3), booked)
    day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
    y = int(year)
    if len(year) == 2:
        base = (booked.year if booked else 2000) // 100 * 100
        candidates = [base - 100 + y, base + y, base + 100 + y]
        ref = booked.year if booked else base + y
        y = min(candidates, key=lambda c: abs(c - ref))
    try:
        return dt.date(y, month, day)
    except ValueError:
        return None
