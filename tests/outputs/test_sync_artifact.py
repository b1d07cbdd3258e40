"""The markdown a sync publishes: totals, what failed and what to do, where the report is; and no
account number in it."""
from __future__ import annotations

from decimal import Decimal

from flows.sync import report_markdown
from outputs.report.artifact import sync_report_markdown


def test_artifact_has_totals_failures_and_the_report(demo_wh, tmp_path):
    conns = [{"connection": "lcl-demo", "status": "ok", "message": ""},
             {"connection": "boursorama-demo", "status": "auth_error", "message": "wrong password"}]
    md = sync_report_markdown(demo_wh, "r9", conns, tmp_path / "report")
    assert (tmp_path / "report" / "index.html").exists()
    assert md.startswith("# bankflow sync r9") and "**1 of 2 connections OK.**" in md
    n, total = demo_wh.query("SELECT count(*), sum(balance) FROM marts.accounts").fetchone()
    booked = demo_wh.query("SELECT count(*) FROM marts.transactions WHERE NOT pending").fetchone()[0]
    from outputs.report.format import money

    assert f"- {n} accounts in EUR: balance {money(Decimal(total))}, {booked:,} booked transactions" in md
    assert "**boursorama-demo**: `auth_error`: wrong password (next: check the password of boursorama-demo" in md
    assert f"Report: [{tmp_path / 'report' / 'index.html'}](file://" in md
    assert "Failed checks" not in md  # the demo's checks all pass
    numbers = [a for a, in demo_wh.query("SELECT account_number FROM marts.accounts").fetchall()]
    assert not any(num in md for num in numbers)


def test_sync_flow_helper_rebuilds_the_report(demo):
    md = report_markdown(str(demo.root), {"run_id": "r1", "connections": [{"connection": "x", "status": "ok", "message": ""}]})
    assert md is not None and "1 of 1 connections OK" in md and str(demo.root / "report" / "index.html") in md


def test_no_warehouse_no_artifact_text(tmp_path):
    assert report_markdown(str(tmp_path), {"run_id": "r1", "connections": []}) is None


def test_failed_checks_and_a_missing_report_are_said():
    from outputs.report.artifact import sync_markdown

    md = sync_markdown("r2", [], [], [{"check_name": "balance_mismatch", "violations": 3}], None, "IOError: disk full")
    assert "- `balance_mismatch`: 3 problems" in md and "The report could not be built: IOError: disk full" in md
