"""`bankflow import` and `bankflow backfill DIR`: overlapping files add nothing twice, bad files change
nothing, statements reconcile or are refused."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.boursorama.simulator.csv_profiles import render_csv, select_rows
from connectors.boursorama.simulator.ledger import build_ledger
from connectors.records import Statement, StatementLine
from connectors.statements import render_statement_pdf
from pipeline.importer import import_files
from pipeline.datadir import DataDir

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def ledger():
    return build_ledger(seed=3, today=TODAY)


def _export(ledger, start: dt.date, end: dt.date, profile: str = "p2024") -> bytes:
    acc = next(a for a in ledger.accounts if ledger.booked(a.number))
    return render_csv(ledger, acc, select_rows(ledger, acc, start, end, None), profile)


def _state(dd: DataDir) -> tuple:
    with dd.open_warehouse(read_only=True) as wh:
        return (wh.query("SELECT count(*), sum(amount) FROM core.transactions").fetchone(),
                wh.query("SELECT count(*) FROM core.raw_files").fetchone()[0])


def test_same_rows_twice_add_nothing(tmp_path, ledger):
    dd = DataDir(tmp_path / "data")
    a = tmp_path / "export-a.csv"
    b = tmp_path / "export-b.csv"
    again = tmp_path / "export-a-copy.csv"
    a.write_bytes(_export(ledger, dt.date(2026, 6, 1), dt.date(2026, 8, 31)))
    b.write_bytes(_export(ledger, dt.date(2026, 8, 1), dt.date(2026, 10, 31)))  # overlaps August
    again.write_bytes(a.read_bytes())
    r1 = import_files(dd, [a])
    assert r1[0].status == "ok", r1[0].message
    n_a = _state(dd)[0][0]
    assert n_a > 0
    r2 = import_files(dd, [b, again])
    assert [r.status for r in r2] == ["ok", "ok"]
    assert not r2[1].new  # same bytes: landed once
    with dd.open_warehouse(read_only=True) as wh:
        got = wh.query("SELECT count(*), sum(amount) FROM marts.transactions WHERE NOT pending").fetchone()
    acc = next(x for x in ledger.accounts if ledger.booked(x.number))
    want = [t for t in ledger.booked(acc.number) if dt.date(2026, 6, 1) <= t.booking_date <= dt.date(2026, 10, 31)]
    assert len(want) > 20
    assert got == (len(want), sum(t.amount for t in want))  # the overlap counted once, nothing lost
    # importing everything again changes nothing at all
    before = _state(dd)
    assert all(r.status == "ok" for r in import_files(dd, [a, b, again]))
    assert _state(dd) == before


@pytest.mark.parametrize("content, expected", [
    (b"<html><head><title>BoursoBank</title></head><body>Connexion</body></html>", "parse_error"),
    (b"dateOp;dateVal;label;category;categoryParent;amount;comment;accountNum;accountLabel;accountbalance\n"
     b"2026-01-02;2026-01-02;\"CARTE 01/01/26 CAFE\";\"Bar\";\"Sorties\";-3,", "parse_error"),
    (b"a,b,c\n1,2,3\n", "parse_error"),
])
def test_bad_files_change_nothing(tmp_path, ledger, content, expected):
    dd = DataDir(tmp_path / "data")
    good = tmp_path / "good.csv"
    good.write_bytes(_export(ledger, dt.date(2026, 9, 1), dt.date(2026, 9, 30)))
    import_files(dd, [good])
    before = _state(dd)
    raw_before = sorted(p.name for p in (dd.root / "raw").rglob("*") if p.is_file())
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    res = import_files(dd, [bad])
    assert res[0].status == expected
    assert "bad.csv" in res[0].message
    assert _state(dd) == before
    assert sorted(p.name for p in (dd.root / "raw").rglob("*") if p.is_file()) == raw_before


def _statement(closing_delta: str = "0") -> Statement:
    lines = (StatementLine(dt.date(2025, 12, 3), Decimal("-42.10"), "CB CARREFOUR 02/12"),
             StatementLine(dt.date(2025, 12, 28), Decimal("1800.00"), "VIR SEPA SALAIRE"),
             StatementLine(dt.date(2026, 1, 2), Decimal("-3.50"), "CB CAFE DE FLORE 01/01"))
    return Statement(account_ref="0123400098765X", period_start=dt.date(2025, 12, 1),
                     period_end=dt.date(2026, 1, 4), opening_balance=Decimal("100.00"),
                     closing_balance=Decimal("1854.40") + Decimal(closing_delta),
                     total_debits=Decimal("45.60"), total_credits=Decimal("1800.00"), lines=lines)


def test_backfill_folder_loads_reconciled_statements_and_refuses_the_others(tmp_path):
    dd = DataDir(tmp_path / "data")
    folder = tmp_path / "releves"
    (folder / "2025").mkdir(parents=True)
    (folder / "2025" / "ok.pdf").write_bytes(render_statement_pdf(_statement(), layout="lcl",
                                                                  account_number="0123400098765X"))
    res = import_files(dd, sorted(folder.rglob("*.pdf")), connection="backfill")
    assert [r.status for r in res] == ["ok"], res[0].message
    with dd.open_warehouse(read_only=True) as wh:
        rows = wh.query("SELECT booking_date, amount, sources FROM marts.transactions ORDER BY booking_date").fetchall()
    assert rows == [(dt.date(2025, 12, 3), Decimal("-42.10"), "statement"),
                    (dt.date(2025, 12, 28), Decimal("1800.00"), "statement"),
                    (dt.date(2026, 1, 2), Decimal("-3.50"), "statement")]
    # a statement whose balances do not reconcile is refused and loads nothing
    (folder / "bad.pdf").write_bytes(render_statement_pdf(
        _statement(closing_delta="0.01"), layout="lcl", account_number="0123400098765X"))
    before = _state(dd)
    res = import_files(dd, [folder / "bad.pdf"], connection="backfill")
    assert res[0].status == "parse_error" and "bad.pdf" in res[0].message
    assert _state(dd) == before
