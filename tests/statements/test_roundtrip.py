"""render -> parse gives back exactly the statement (every line, amount, date, balance)."""
from __future__ import annotations

import dataclasses
import io
import datetime as dt
from decimal import Decimal

import pdfplumber
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.records import Statement, StatementLine
from connectors.statements import parse_statement_pdf, render_statement_pdf, sniff_pdf
from connectors.statements.synth import synth_statement

LAYOUTS = ["lcl", "boursorama"]
NUMBER = {"lcl": "00412 0123456Z", "boursorama": "00040754305"}


def roundtrip(statement: Statement, layout: str, **kw: object) -> Statement:
    body = render_statement_pdf(statement, layout=layout, account_number=NUMBER[layout], **kw)
    assert sniff_pdf(body)
    batch = parse_statement_pdf(body, source=f"{layout}.pdf")
    assert len(batch.statements) == 1
    assert (batch.window_start, batch.window_end) == (statement.period_start, statement.period_end)
    return batch.statements[0]


def expected(statement: Statement, layout: str) -> Statement:
    return dataclasses.replace(statement, account_ref=NUMBER[layout].replace(" ", ""))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_december_to_january_two_pages(layout: str) -> None:
    st0 = synth_statement(7, dt.date(2023, 12, 15), dt.date(2024, 1, 14), 40)
    got = roundtrip(st0, layout, rows_per_page=30)
    assert got == expected(st0, layout)
    # the classic bug: 28.12 given the end year would land in 2024
    assert {ln.booking_date.year for ln in got.lines} == {2023, 2024}
    assert all(st0.period_start <= ln.booking_date <= st0.period_end for ln in got.lines)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_label_continuation_crosses_page_break(layout: str) -> None:
    long = "VIR SEPA EMPLOYEUR SA SALAIRE DECEMBRE " + " ".join(f"REF{i:08d}" for i in range(25))
    lines = (StatementLine(dt.date(2024, 3, 2), Decimal("-12.50"), "CB CAFE DE LA GARE LE 01/03"),
             StatementLine(dt.date(2024, 3, 3), Decimal("1234567.89"), long, dt.date(2024, 1, 31)),
             StatementLine(dt.date(2024, 3, 4), Decimal("-8.70"), "SOLDE IMPOT REVENUS 2022 TVA 20,00 %"))
    st0 = Statement("", dt.date(2024, 3, 1), dt.date(2024, 3, 31), Decimal("-468.60"),
                    Decimal("1234078.09"), Decimal("21.20"), Decimal("1234567.89"), lines)
    # 3 rows per page: the long label's continuation lines spill over onto later pages
    body = render_statement_pdf(st0, layout=layout, account_number=NUMBER[layout], rows_per_page=4)
    got = parse_statement_pdf(body, source="x.pdf").statements[0]
    assert got == expected(st0, layout)
    assert got.lines[1].label_raw == long
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        assert len(pdf.pages) >= 3
        page2 = pdf.pages[1].extract_text()
    assert "REF00000" in page2 and "SOLDE IMPOT" not in page2  # the continuation is on page 2


@pytest.mark.parametrize("layout", LAYOUTS)
def test_empty_statement_and_negative_balances(layout: str) -> None:
    st0 = Statement("", dt.date(2024, 2, 1), dt.date(2024, 2, 29), Decimal("-15.32"),
                    Decimal("-15.32"), Decimal("0.00"), Decimal("0.00"), ())
    assert roundtrip(st0, layout) == expected(st0, layout)


def test_annual_statement_year_inference() -> None:
    """~one year: both years fit the window for some DD.MM; table order decides (reference/statements.md §4 step 3)."""
    st0 = synth_statement(3, dt.date(2023, 1, 2), dt.date(2024, 1, 2), 60)
    lines = (StatementLine(dt.date(2023, 1, 3), Decimal("-1.00"), "CB A"),) + st0.lines + (
        StatementLine(dt.date(2024, 1, 2), Decimal("-1.00"), "CB B"),)
    st1 = dataclasses.replace(st0, lines=lines, total_debits=st0.total_debits + 2,
                              closing_balance=st0.closing_balance - 2)
    got = roundtrip(st1, "lcl")
    assert got.lines[0].booking_date == dt.date(2023, 1, 3)
    assert got.lines[-1].booking_date == dt.date(2024, 1, 2)
    assert got == expected(st1, "lcl")


def test_render_is_deterministic() -> None:
    st0 = synth_statement(1, dt.date(2023, 12, 15), dt.date(2024, 1, 14), 20)
    a = render_statement_pdf(st0, layout="lcl", account_number="1")
    b = render_statement_pdf(st0, layout="lcl", account_number="1")
    assert a == b
    assert render_statement_pdf(st0, layout="lcl", account_number="2") != a


def test_render_refuses_bad_input() -> None:
    st0 = synth_statement(1, dt.date(2023, 12, 15), dt.date(2024, 1, 14), 2)
    with pytest.raises(ValueError, match="unknown layout"):
        render_statement_pdf(st0, layout="bnp", account_number="1")
    zero = dataclasses.replace(st0, lines=(StatementLine(dt.date(2024, 1, 1), Decimal("0.00"), "X"),))
    with pytest.raises(ValueError, match="zero"):
        render_statement_pdf(zero, layout="lcl", account_number="1")


# --- property test: any generated statement survives the round trip --------------------------------

_word = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=10)


@st.composite
def statements(draw: st.DrawFn) -> Statement:
    start = draw(st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)))
    end = start + dt.timedelta(days=draw(st.integers(0, 330)))
    n = draw(st.integers(0, 45))
    days = sorted(draw(st.lists(st.integers(0, (end - start).days), min_size=n, max_size=n)))
    lines = []
    for d in days:
        cents = draw(st.integers(1, 10**9)) * draw(st.sampled_from([-1, 1]))
        label = " ".join(draw(st.lists(_word, min_size=1, max_size=14)))
        booking = start + dt.timedelta(days=d)
        value = draw(st.none() | st.integers(-70, 5).map(lambda k: booking + dt.timedelta(days=k)))
        lines.append(StatementLine(booking, Decimal(cents).scaleb(-2), label, value))
    opening = Decimal(draw(st.integers(-10**8, 10**8))).scaleb(-2)
    debits = sum((-ln.amount for ln in lines if ln.amount < 0), Decimal("0.00"))
    credits = sum((ln.amount for ln in lines if ln.amount > 0), Decimal("0.00"))
    return Statement("", start, end, opening, opening + credits - debits, debits, credits, tuple(lines))


@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statement=statements(), rows=st.none() | st.integers(5, 40))
def test_property_roundtrip(layout: str, statement: Statement, rows: int | None) -> None:
    assert roundtrip(statement, layout, rows_per_page=rows) == expected(statement, layout)
