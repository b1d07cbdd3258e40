"""The generic reader on a family of synthetic layouts (tests/statements/family.py): every rendered
statement reads back exactly, and every mutation of its rows (an amount off by 0.01, a row dropped, a
row doubled) is refused, since the printed balances no longer agree with the rows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
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


def _acc(k: int, opening: str, rows: str) -> Account:
    """An account of March 2024 from ``"day amount value-day label; ..."``."""
    def day(d: str) -> dt.date:
        return dt.date(2024, 3, int(d)) if int(d) else dt.date(2024, 2, 29)
    out = [(day(d), Decimal(a), label, day(v))
           for d, a, v, label in (r.split(maxsplit=3) for r in rows.split(";"))]
    return Account(f"000{k + 1}2345678{k}", dt.date(2024, 3, 1), dt.date(2024, 3, 31), Decimal(opening),
                   tuple(Row(d, a, label, v) for d, a, label, v in out))


# Found by hypothesis: the 2nd account, half-way down a shared page, ran its rows into the page footer
# (the renderer broke pages by row count only) and the row printed over the footer was lost.
OVER_FOOTER = (
    Variant(order=("label", "date", "amount"), signed=True, date_fmt="%d.%m", headings=True, continuations=2,
            balances="solde_au", running=True, rows_per_page=30, date_once=True, recap=True, currency=True,
            shared_page=True),
    [_acc(0, "98.95", "1 -528.45 0 CB SNCF LE 12/03;1 1225.89 1 PRLV SEPA EDF CLIENTS;"
          "2 -1.47 1 VIR INST M DUPONT;3 -19.1 3 PRLV SEPA EDF CLIENTS;3 -85.57 3 CB SNCF LE 12/03;"
          "5 4.26 3 PRLV SEPA EDF CLIENTS;11 -0.38 8 COTISATION CARTE VISA;16 5.08 16 VIR SEPA SALAIRE ACME;"
          "18 -11.89 17 PRLV SEPA EDF CLIENTS;25 -240.84 25 CB CARREFOUR MARKET;28 2.15 27 VIR INST M DUPONT;"
          "30 -41.43 30 RETRAIT DAB PARIS;30 -85.14 29 CB SNCF LE 12/03;31 2717.07 30 VIR INST M DUPONT"),
     _acc(1, "-8.11", "4 4.98 4 PRLV SEPA EDF CLIENTS;6 632.07 5 PRLV SEPA EDF CLIENTS;"
          "9 -2.98 8 PRLV SEPA EDF CLIENTS;10 -6.45 9 CB SNCF LE 12/03;11 -25.22 8 COTISATION CARTE VISA;"
          "11 2.7 8 CB CARREFOUR MARKET;13 450 10 CB CARREFOUR MARKET;13 146.82 10 VIR INST M DUPONT;"
          "14 37.64 14 RETRAIT DAB PARIS;18 -2.9 18 COTISATION CARTE VISA;19 11.65 18 CB SNCF LE 12/03;"
          "19 3133.13 16 COTISATION CARTE VISA;20 41.44 18 VIR SEPA SALAIRE ACME;"
          "26 -38.72 24 PRLV SEPA EDF CLIENTS;29 -2.26 28 RETRAIT DAB PARIS")])


FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking: minutes on PDFs


@FAST
@given(variants, accounts())
@example(*OVER_FOOTER)
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
