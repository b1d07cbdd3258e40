"""French statement amounts (reference/statements.md §3.2): ``1 234,56``, ``1.234,56``, ``12,50.``.

The comma is always the decimal separator; thousands groups are exactly three digits, separated by a
space, NBSP, U+202F or a dot. A trailing ``.`` marks an LCL debit. Values are Decimal, never float.
"""
from __future__ import annotations

import re
from decimal import Decimal

_AMOUNT = re.compile(
    r"^(?P<sign>[-\u2212] ?)?(?P<int>\d{1,3}(?:[ \u00a0\u202f.]\d{3})*|\d+),(?P<dec>\d{2})"
    r"(?P<dot>\.)?(?: ?(?:€|EUR))?$")
_NUMERIC = re.compile(r"^[-\u2212]?[\d \u00a0\u202f.,]*\d[\d \u00a0\u202f.,]*\.?(?: ?(?:€|EUR))?$")


def looks_numeric(text: str) -> bool:
    """True when ``text`` is made of digits and separators (so it is meant as an amount)."""
    return bool(_NUMERIC.match(text.strip()))


def parse_amount(text: str) -> tuple[Decimal, bool]:
    """``'1 234,56.'`` -> ``(Decimal('1234.56'), True)`` (value, trailing debit dot).

    Raises ValueError on anything else (``1234,5``, ``12 34,56``, ``1,234.56``). An ungrouped integer
    part longer than three digits (``1234,56``) is accepted: some banks print it without separators.
    """
    m = _AMOUNT.match(text.strip())
    if not m:
        raise ValueError(f"not a French amount: {text!r}")
    digits = re.sub(r"[ \u00a0\u202f.]", "", m["int"])
    value = Decimal(f"{digits}.{m['dec']}")
    if m["sign"]:
        value = -value
    return value, bool(m["dot"])


def fmt(value: Decimal) -> str:
    """``Decimal('-1804.16')`` -> ``'-1 804,16'`` for error messages."""
    sign = "-" if value < 0 else ""
    units, dec = divmod(abs(int((value * 100).to_integral_value())), 100)
    return f"{sign}{units:,}".replace(",", " ") + f",{dec:02d}"
