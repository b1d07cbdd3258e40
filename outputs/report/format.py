"""How the page writes figures for people: amounts with thousands separators and the currency, dates
as "5 Nov 2026". The exact value always rides along in a ``data-value`` attribute."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}


def money(v: Decimal | None, currency: str | None = "EUR") -> str:
    """``-1,234.56 €``: exact digits, never rounded through a float."""
    if v is None:
        return ""
    sign = "-" if v < 0 else ""
    whole, _, cents = f"{abs(v):.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{','.join(groups)}.{cents} {SYMBOLS.get(currency or 'EUR', currency or '')}".rstrip()


def day(d: dt.date | dt.datetime | None) -> str:
    if d is None:
        return ""
    if isinstance(d, dt.datetime):
        return f"{d.day} {d:%b %Y %H:%M} UTC"
    return f"{d.day} {d:%b %Y}"


def month(d: dt.date | None) -> str:
    return "" if d is None else f"{d:%B %Y}"
