"""Each export of the demo ledger read back by a real parser of its format (ofxtools, quiffen, beancount's
loader and bean-check, Python's csv) gives the same transaction count and total per account as
marts.transactions (booked rows); the same ledger gives the same bytes."""
from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from outputs.export import FORMATS, export

BEAN_CHECK = Path(sys.executable).with_name("bean-check")


@pytest.fixture(scope="module")
def files(demo_wh) -> dict[str, bytes]:
    return {fmt: export(demo_wh, fmt) for fmt in FORMATS}


@pytest.fixture(scope="module")
def want(demo_wh) -> dict[str, tuple[int, Decimal]]:
    """account_number -> (booked rows, their sum), from marts.transactions."""
    rows = demo_wh.query("SELECT a.account_number, count(*), sum(t.amount) FROM marts.transactions t "
                         "JOIN marts.accounts a USING (account_id) WHERE NOT t.pending GROUP BY 1").fetchall()
    assert len(rows) == 11
    return {n: (c, s) for n, c, s in rows}


def per_account(pairs) -> dict[str, tuple[int, Decimal]]:
    acc: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    for key, amount in pairs:
        acc[key][0] += 1
        acc[key][1] += amount
    return {k: (n, s) for k, (n, s) in acc.items()}


def test_ofx_read_back_by_ofxtools(files, want, demo_wh):
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    tree.parse(io.BytesIO(files["ofx"]))
    ofx = tree.convert()
    got = per_account((s.account.acctid, t.trnamt) for s in ofx.statements for t in s.transactions)
    assert got == want
    fitids = {t.fitid for s in ofx.statements for t in s.transactions}
    assert fitids == {i for i, in demo_wh.query("SELECT txn_id FROM marts.transactions WHERE NOT pending").fetchall()}
    ledger = {s.account.acctid: (s.ledgerbal.balamt, s.ledgerbal.dtasof.date()) for s in ofx.statements}
    # each statement's own balance: a card's is its outstanding (marts.accounts keeps it out of the total)
    assert ledger == {n: (b, d) for n, b, d in demo_wh.query(
        "SELECT account_number, coalesce(balance, card_outstanding), balance_date FROM marts.accounts").fetchall()}
    cards = [s for s in ofx.statements if type(s).__name__ == "CCSTMTRS"]
    assert len(cards) == 2  # the two card accounts are card statements


def test_qif_read_back_by_quiffen(files, want, tmp_path):
    import quiffen

    path = tmp_path / "x.qif"
    path.write_bytes(files["qif"])
    qif = quiffen.Qif.parse(path, day_first=False)
    got = per_account((name.rsplit(" ", 1)[-1], t.amount) for name, a in qif.accounts.items()
                      for ts in a.transactions.values() for t in ts)
    assert got == want


def test_beancount_passes_its_checker_with_the_banks_balances(files, want, demo_wh, tmp_path):
    from beancount import loader
    from beancount.core import data

    path = tmp_path / "ledger.beancount"
    path.write_bytes(files["beancount"])
    check = subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout + check.stderr == ""
    entries, errors, _ = loader.load_file(str(path))
    assert errors == []
    number = {o.account: o.account.rsplit("-", 1)[-1] for o in entries if isinstance(o, data.Open)
              and o.account.startswith(("Assets:", "Liabilities:")) and not o.account.startswith("Assets:Transfers")}
    got = per_account((number[p.account], p.units.number) for e in entries if isinstance(e, data.Transaction)
                      and "txn_id" in e.meta for p in e.postings if p.account in number)
    assert got == {n.rsplit("*", 1)[-1]: v for n, v in want.items()}  # a masked card number keeps its end
    n_reported = demo_wh.query("SELECT count(*) FROM marts.daily_balances WHERE reported_balance IS NOT NULL").fetchone()[0]
    assert sum(isinstance(e, data.Balance) for e in entries) == n_reported > 300


def test_bean_check_fires_on_a_wrong_balance(files, tmp_path):
    text = files["beancount"].decode()
    i = text.index(" balance ")
    line_end = text.index("\n", i)
    date, _, rest = text[text.rindex("\n", 0, i) + 1:line_end].partition(" balance ")
    account, amount, cur = rest.split()
    bad = text[:text.rindex("\n", 0, i) + 1] + f"{date} balance {account}  {Decimal(amount) + 1} {cur}" + text[line_end:]
    path = tmp_path / "bad.beancount"
    path.write_text(bad)
    check = subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True)
    assert check.returncode != 0 and "Balance failed" in check.stdout + check.stderr


def test_csv_read_back(files, want):
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode("utf-8"), newline="")))
    assert per_account((r["account_number"], Decimal(r["amount"])) for r in rows) == want


def test_same_ledger_same_bytes(files, demo):
    with demo.open_warehouse(read_only=True) as wh:
        again = {fmt: export(wh, fmt) for fmt in FORMATS}
    assert again == files


def test_one_account_since_a_date_still_balances(demo_wh, tmp_path):
    since = dt.date(2026, 6, 1)
    number = "01542267533A"
    n, total = demo_wh.query("SELECT count(*), sum(amount) FROM marts.transactions WHERE NOT pending "
                             "AND account_number = ? AND booking_date >= ?", [number, since]).fetchone()
    rows = list(csv.DictReader(io.StringIO(export(demo_wh, "csv", account=number, since=since).decode())))
    assert per_account((r["account_number"], Decimal(r["amount"])) for r in rows) == {number: (n, total)}
    path = tmp_path / "part.beancount"
    path.write_bytes(export(demo_wh, "beancount", account=number, since=since))
    # the opening balance of the period makes every later bank balance assert
    check = subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Opening balance" in path.read_text()
