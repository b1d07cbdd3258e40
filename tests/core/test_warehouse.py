"""Warehouse loads: idempotent, atomic, exact."""
import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from connectors.artifact import make_artifact
from connectors.records import Account, ParsedBatch, Transaction
from pipeline.normalize import normalize
from pipeline.datadir import DataDir
from pipeline.ingest import load


def _land(dd, txns, *, body, accounts=()):
    art = make_artifact(body, bank="budgea", connection="c1", kind="json", resource="transactions",
                        fetched_at=dt.datetime(2026, 11, 2, 9))
    path, _ = dd.raw.land(art)
    rows = normalize(ParsedBatch(accounts=list(accounts), transactions=txns), art.meta, unique_ids=False)
    dd.lake.write(art.meta, path, rows)
    return art.meta.sha256


def _t(day, amount, label="CARTE CAFE"):
    return Transaction(account_ref="A1", booking_date=dt.date(2026, 10, day), amount=Decimal(amount), label_raw=label)


def test_load_is_idempotent_and_exact(tmp_path):
    dd = DataDir(tmp_path)
    sha = _land(dd, [_t(1, "-3.50"), _t(1, "-3.50"), _t(2, "1234.56", "VIR SALAIRE")], body=b"1",
                accounts=[Account(account_ref="A1", number="0001", name="Courant")])
    with dd.open_warehouse() as wh:
        r1 = load(dd, wh, "budgea", [sha])
        r2 = load(dd, wh, "budgea", [sha])
        rows = wh.query("SELECT account_number, amount FROM marts.transactions ORDER BY amount").fetchall()
        typ = wh.query("SELECT typeof(amount) FROM marts.transactions LIMIT 1").fetchone()[0]
    assert (r1.inserted, r1.updated) == (3, 0)
    assert (r2.inserted, r2.updated) == (0, 0)
    assert rows == [("0001", Decimal("-3.50")), ("0001", Decimal("-3.50")), ("0001", Decimal("1234.56"))]
    assert typ == "DECIMAL(18,2)"


def test_a_failing_load_leaves_the_warehouse_unchanged(tmp_path):
    dd = DataDir(tmp_path)
    good = _land(dd, [_t(1, "-3.50")], body=b"good")
    bad = _land(dd, [_t(3, "-9.99")], body=b"bad")
    # corrupt the second payload's lake file: the load must fail as a whole
    dd.lake.path("transactions", "budgea", bad).write_bytes(b"not parquet")
    with dd.open_warehouse() as wh:
        with pytest.raises(duckdb.Error):
            load(dd, wh, "budgea", [good, bad])
        assert wh.query("SELECT count(*) FROM core.transactions").fetchone()[0] == 0
        assert wh.query("SELECT count(*) FROM core.raw_files").fetchone()[0] == 0


def test_fetch_arrow_gives_the_rows_fetch_gives_even_after_an_unfinished_result(tmp_path):
    """The categories refresh reads the ledger as Arrow: the same rows as fetch(), also when an earlier
    result on the connection was not read to its end (DuckDB's con.sql() refuses to run then)."""
    dd = DataDir(tmp_path)
    sha = _land(dd, [_t(1, "-3.50"), _t(1, "-3.50"), _t(2, "1234.56", "VIR SALAIRE")], body=b"1")
    with dd.open_warehouse() as wh:
        load(dd, wh, "budgea", [sha])
        wh.con.execute("SELECT txn_id FROM core.transactions").fetchone()
        table = wh.fetch_arrow("categorize_rows.sql")
        assert sorted(zip(*(c.to_pylist() for c in table.columns))) == sorted(wh.fetch("categorize_rows.sql"))
        assert table.num_rows == 3
