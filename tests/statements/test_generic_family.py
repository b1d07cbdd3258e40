"""The generic reader on a family of synthetic layouts (tests/statements/family.py): every rendered
statement reads back exactly, and every mutation of its rows (an amount off by 0.01, a row dropped, a
row doubled) is refused, since the printed balances no longer agree with the rows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from connectors.errors import ParseError
from connectors.statements.errors import StatementInvariantError
from connectors.statements.generic import read_statement
from tests.statements.family import LABELS, Account, Row, Variant, render_family

ORDERS = [("date", "label", "value", "amount"), ("date", "value", "label", "amount"),
          ("label", "date", "value", "amount"), ("date", "label", "amount"), ("label", "date", "amount")]
PERIODS = [(dt.date(2024, 3, 1), dt.date(2024, 3, 31)), (dt.date(2023, 12, 15), dt.date(2024, 1, 14)),
           (dt.date(2024, 2, 1), dt.date(2024, 2, 29))]

variants = st.builds(
    Variant, order=st.sampled_from(ORDERS), signed=st.booleans(),
    date_fmt=st.sampled_from(["%d/%m/%Y", "%d.%m.%Y", "%d/%m/%y", "%d.%m", "%d/%m"]),
    headings=st.booleans(), continuations=st.integers(0, 3),
    balances=st.sampled_from(["ancien", "solde_au", "crediteur", "summary"]), totals=st.booleans(),
    running=st.booleans(), thousands=st.sampled_from([" ", "."]), currency=st.booleans(),
    rows_per_page=st.integers(6, 30), date_once=st.booleans(), recap=st.booleans(),
    fx=st.booleans(), francs=st.booleans(), shared_page=st.booleans())


@st.composite
def accounts(draw: st.DrawFn) -> list[Account]:
    start, end = draw(st.sampled_from(PERIODS))
    out = []
    for k in range(draw(st.integers(1, 2))):
        n = draw(st.integers(1, 18))
        days = sorted(draw(st.lists(st.integers(0, (end - start).days), min_size=n, max_size=n)))
        rows = []
        for d in days:
            cents = draw(st.integers(1, 350_000)) * draw(st.sampled_from([1, -1]))
            day = start + dt.timedelta(days=d)
            value = day - dt.timedelta(days=draw(st.integers(0, 3)))
            rows.append(Row(day, Decimal(cents) / 100, draw(st.sampled_from(LABELS)), value))
        opening = Decimal(draw(st.integers(-200_000, 900_000))) / 100
        out.append(Account(f"000{k + 1}2345678{k}", start, end, opening, tuple(rows)))
    return out


def _expect(accs: list[Account], var: Variant, body: bytes) -> None:
    batch = read_statement(body, source="family.pdf")
    assert len(batch.statements) == len(accs)
    for acc, s in zip(accs, batch.statements):
        assert (s.account_ref, s.period_start, s.period_end) == (acc.number, acc.start, acc.end)
        assert (s.opening_balance, s.closing_balance) == (acc.opening, acc.closing)
        assert [(ln.booking_date, ln.amount) for ln in s.lines] == [(r.date, r.amount) for r in acc.rows]
        assert all(ln.label_raw.startswith(r.label) or r.label in ln.label_raw
                   for ln, r in zip(s.lines, acc.rows))
        if "value" in var.order and not var.headings:
            assert [ln.value_date for ln in s.lines] == [r.value for r in acc.rows]


FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking: minutes on PDFs


@FAST
@given(variants, accounts())
def test_every_variant_reads_back_exactly(var: Variant, accs: list[Account]) -> None:
    _expect(accs, var, render_family(accs, var))


@FAST
@given(variants, accounts(), st.sampled_from(["cent", "drop", "double"]), st.data())
def test_every_mutation_is_refused(var: Variant, accs: list[Account], how: str, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, len(accs) - 1))
    rows = [list(a.rows) for a in accs]
    i = data.draw(st.integers(0, len(rows[k]) - 1))
    r = rows[k][i]
    if how == "cent":
        rows[k][i] = Row(r.date, r.amount + Decimal("0.01") if r.amount != Decimal("-0.01")
                         else Decimal("-0.02"), r.label, r.value)
    elif how == "drop":
        del rows[k][i]
    else:
        rows[k].insert(i, r)
    with pytest.raises(ParseError):
        read_statement(render_family(accs, var, printed=rows), source="mutated.pdf")


@pytest.mark.parametrize("var", [Variant(), Variant(signed=True, balances="summary", running=True),
                                 Variant(headings=True, continuations=3, rows_per_page=5, totals=True),
                                 Variant(order=ORDERS[2], balances="crediteur", date_fmt="%d.%m")])
def test_a_changed_amount_says_by_how_much(var: Variant) -> None:
    acc = Account("00012345678", *PERIODS[1], Decimal("100.00"),
                  (Row(dt.date(2023, 12, 20), Decimal("-12.50"), "CB ICI", dt.date(2023, 12, 19)),
                   Row(dt.date(2024, 1, 3), Decimal("250.00"), "VIR SALAIRE", dt.date(2024, 1, 3))))
    _expect([acc], var, render_family([acc], var))
    bad = [[acc.rows[0], Row(acc.rows[1].date, Decimal("250.01"), "VIR SALAIRE", acc.rows[1].value)]]
    with pytest.raises(StatementInvariantError) as ei:
        read_statement(render_family([acc], var, printed=bad), source="off.pdf")
    if not var.totals and not var.running:
        assert "lines add up to 337,51, the statement says 337,50" in str(ei.value)


@pytest.mark.parametrize("var", [Variant(), Variant(signed=True, balances="summary"),
                                 Variant(balances="crediteur", totals=True)])
def test_a_period_without_operations(var: Variant) -> None:
    """Valid only when opening == closing (statements.md §5.2); otherwise refused."""
    empty = Account("00012345678", *PERIODS[0], Decimal("-40.00"), ())
    s = read_statement(render_family([empty], var), source="empty.pdf").statements[0]
    assert (s.opening_balance, s.closing_balance, s.lines) == (Decimal("-40.00"), Decimal("-40.00"), ())
