"""Amount syntax and year inference (reference/statements.md §3.2 and §4, in ../shared)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from connectors.statements import dates
from connectors.statements.amounts import fmt, parse_amount
from connectors.statements.render import format_amount


@pytest.mark.parametrize("text,value,dot", [
    ("1 234,56", "1234.56", False), ("1\u00a0234,56", "1234.56", False),
    ("1\u202f234,56", "1234.56", False), ("1.234,56", "1234.56", False), ("12,50.", "12.50", True),
    ("- 1 461,89 €", "-1461.89", False), ("\u22123 090,90 EUR", "-3090.90", False), ("0,00", "0.00", False),
    ("1 234 567,89", "1234567.89", False),
])
def test_amounts(text: str, value: str, dot: bool) -> None:
    assert parse_amount(text) == (Decimal(value), dot)


@pytest.mark.parametrize("text", ["1234,5", "12 34,56", "1,234.56", "12.5", "1 2345,00", "abc"])
def test_bad_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def test_format_roundtrip() -> None:
    assert format_amount(Decimal("-1234567.8")) == "1 234 567,80"
    assert format_amount(Decimal("1234.5"), ".") == "1.234,50"
    assert fmt(Decimal("-1804.16")) == "-1 804,16"


def test_december_january_inference() -> None:
    rx = dates.format_regex("DD.MM")
    start, end = dt.date(2023, 12, 15), dt.date(2024, 1, 14)
    assert dates.booking_candidates(rx.match("28.12"), start, end) == [dt.date(2023, 12, 28)]
    assert dates.booking_candidates(rx.match("03.01"), start, end) == [dt.date(2024, 1, 3)]
    assert dates.booking_candidates(rx.match("15.06"), start, end) == []
    vrx = dates.format_regex("DD.MM.YY")
    assert dates.value_date(vrx.match("02.01.24"), dt.date(2024, 1, 3)) == dt.date(2024, 1, 2)
    # a year-less value date goes to the candidate nearest the booking date
    assert dates.value_date(rx.match("30.12"), dt.date(2024, 1, 2)) == dt.date(2023, 12, 30)
