"""The report on a hand-built ledger: a failed connection, a failed check and a coverage gap show up
with what to do; an empty warehouse still gives a page."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from outputs.report import build_report
from outputs.report.format import money
from tests.marts.helpers import D, balances, load, snapshot, tx
from tests.outputs import pageparse
from pipeline.datadir import DataDir


def _run(status: str, message: str, at: dt.datetime) -> dict:
    return {"run_id": at.isoformat(), "connection": "c1", "bank": "boursorama", "started_at": at, "finished_at": at,
            "status": status, "message": message, "artifacts_fetched": 0, "artifacts_new": 0, "rows_inserted": 0,
            "rows_updated": 0, "requests": 1}


def test_failures_and_gaps_show_with_next_steps(tmp_path):
    dd = DataDir(tmp_path)
    load(dd, [snapshot(dd, [tx(D(2026, 9, 3), "-20.00", "CARTE 03/09 MONOP")], start=D(2026, 9, 1), end=D(2026, 9, 30)),
              snapshot(dd, [tx(D(2026, 11, 4), "-30.00", "CARTE 04/11 MONOP")], start=D(2026, 11, 1), end=D(2026, 11, 30)),
              balances(dd, [(D(2026, 11, 30), "950.00", "api")])])
    with dd.open_warehouse() as wh:
        wh.record_run(_run("ok", "", dt.datetime(2026, 11, 30, 8)))
        wh.record_run(_run("sca_required", "approve the login in the app", dt.datetime(2026, 12, 1, 8)))
        wh.query("INSERT INTO ops.checks VALUES (?, 'balance_mismatch', 2, 'sample rows')", [dt.datetime(2026, 12, 1, 9)])
        wh.query("INSERT INTO ops.checks VALUES (?, 'duplicate_keys', 0, NULL)", [dt.datetime(2026, 12, 1, 9)])
    with dd.open_warehouse(read_only=True) as wh:
        path = build_report(wh, tmp_path / "report")
    tree, charts = pageparse.load(path)
    runs = pageparse.table(tree, "runs")
    assert [(r[0][0], r[2][0]) for r in runs] == [("c1", "sca_required")]
    assert "approve the login in your bank's app" in runs[0][6][0] and "bankflow sync --connection c1" in runs[0][6][0]
    assert runs[0][4][0] == "30 Nov 2026 08:00 UTC"  # the last success is kept in view
    checks = pageparse.table(tree, "checks")
    assert [(r[0][0], r[2][0], r[3][1]) for r in checks] == [("balance_mismatch", "failed", "2"),
                                                             ("duplicate_keys", "passed", "0")]
    assert tree.css_first('[data-card="health"] .v').text() == "Needs attention"
    gaps = pageparse.table(tree, "coverage-gaps")
    assert [(r[1][0], r[2][0], r[3][1]) for r in gaps] == [("1 Oct 2026", "31 Oct 2026", "31")]
    (hm,) = charts["chart-coverage"]["data"]
    assert hm["z"] == [[1, 3, 1]]


def test_an_empty_warehouse_gives_a_page_that_says_so(tmp_path):
    dd = DataDir(tmp_path)
    dd.open_warehouse().close()
    with dd.open_warehouse(read_only=True) as wh:
        path = build_report(wh, tmp_path / "report")
    tree, charts = pageparse.load(path)
    assert charts == {}
    assert "No data for this chart yet." in path.read_text("utf-8")
    assert pageparse.table(tree, "accounts") == []


def test_money_is_written_exactly():
    assert money(Decimal("-1234567.05")) == "-1,234,567.05 €"
    assert money(Decimal("0.10"), "USD") == "0.10 $"
    assert money(Decimal("999.99"), "XYZ") == "999.99 XYZ"
