"""CSV cells that a spreadsheet will not run: a text cell starting with ``= + - @`` (or a tab or carriage
return, which some spreadsheets skip before reading a formula) is prefixed with a single quote, as
OWASP's advice on CSV injection says; spreadsheets show the quote-prefixed text as plain text.
Numbers are written as they are (``-12.50`` stays a number)."""
from __future__ import annotations

from typing import Any

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: str) -> str:
    """``text`` made safe to open in a spreadsheet."""
    return "'" + text if text.startswith(DANGEROUS_FIRST) else text


def cell(value: Any) -> str:
    """One value as a CSV cell: None empty, text neutralised, anything else (numbers exact: Decimal,
    int; dates ISO) as ``str`` gives it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize(value)
    return str(value)
