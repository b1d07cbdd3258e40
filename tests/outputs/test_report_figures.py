"""Every figure of the report page equals the marts: each one recomputed here in Python from the marts'
rows (Decimal, exact) and compared with the chart specs and tables the page holds."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from tests.outputs import pageparse

D = Decimal


@pytest.fixture(scope="module")
def page(demo_page):
    return pageparse.load(demo_page)


def q(wh, text, params=None):
    return wh.query(text, params).fetchall()


def last_complete_month(wh) -> tuple[dt.date, dt.date]:
    latest = q(wh, "SELECT max(booking_date) FROM marts.transactions WHERE NOT pending")[0][0]
    end = latest.replace(day=1)
    nxt = latest + dt.timedelta(days=1)
    if nxt.day != 1:
        end = (end - dt.timedelta(days=1)).replace(day=1)
    start = end
    for _ in range(11):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return end, start


def test_page_is_self_contained(demo_page):
    text = demo_page.read_text("utf-8")
    assert "Plotly.newPlot" in text and text.count("plotly.js v") >= 1
    # nothing is fetched at view time: no external script, stylesheet or image
    assert "<script src" not in text and "<link " not in text and 'src="http' not in text


def test_accounts_and_total_balance(page, demo_wh):
    tree, _ = page
    want = q(demo_wh, "SELECT balance, card_outstanding FROM marts.accounts ORDER BY bank, account_number, account_id")
    got = [r[2][1] for r in pageparse.table(tree, "accounts")]
    # each account's own figure (a card's outstanding); the total counts every euro once: cards apart
    assert got == [str(b if b is not None else c) for b, c in want] and len(got) == 11
    assert any(b is None for b, _c in want)   # the demo has card accounts
    assert pageparse.card(tree, "total-EUR") == str(sum((b for b, _c in want if b is not None), D(0)))


def test_balance_lines_equal_daily_balances(page, demo_wh):
    _, charts = page
    traces = charts["chart-balance"]["data"]
    per_acc: dict[str, dict[str, str]] = defaultdict(dict)
    for t in traces:
        if "account_id" in t["meta"]:
            for x, y in zip(t["x"], t["y"]):
                if y is not None:
                    assert per_acc[t["meta"]["account_id"]].setdefault(x, y) == y
    rows = q(demo_wh, "SELECT account_id, date, balance FROM marts.daily_balances")
    want: dict[str, dict[str, str]] = defaultdict(dict)
    for acc, d, b in rows:
        want[acc][d.isoformat()] = str(b)
    assert per_acc == want
    # the total: each account from its first day, carried after its last day; card accounts apart
    cards = {a for a, in q(demo_wh, "SELECT account_id FROM marts.accounts WHERE NOT counts_in_total")}
    assert cards and cards <= set(want)
    span = {acc: (min(v), max(v)) for acc, v in want.items() if acc not in cards}
    days = sorted({d for a, v in want.items() if a not in cards for d in v})
    total = {d: str(sum((D(want[a][min(d, last)]) for a, (first, last) in span.items() if d >= first), D(0)))
             for d in days}
    (tot,) = [t for t in traces if t["meta"].get("total") == "EUR"]
    assert dict(zip(tot["x"], tot["y"])) == total


def test_statement_periods_are_drawn_apart(page, demo_wh):
    """Months only statements cover are on the dotted traces, and only there (the join day aside)."""
    _, charts = page
    cov = {(a, m.isoformat()[:7]): (api, st) for a, m, api, st in q(
        demo_wh, "SELECT account_id, month, days_covered_api, days_covered_statement FROM marts.coverage")}
    dotted = [t for t in charts["chart-balance"]["data"] if t["meta"].get("period") == "statement"]
    assert dotted and all(t["line"]["dash"] == "dot" for t in dotted)
    for t in dotted:
        acc = t["meta"]["account_id"]
        shown = [x for x, y in zip(t["x"], t["y"]) if y is not None]
        for x in shown:
            api, st = cov.get((acc, x[:7]), (0, 0))
            if not (api == 0 and st > 0):  # only the day a statement period hands over to the next one
                before = (dt.date.fromisoformat(x) - dt.timedelta(days=1)).isoformat()
                assert before in shown and cov.get((acc, before[:7]), (0, 0))[0] == 0, (acc, x)
    statement_only = {k for k, (api, st) in cov.items() if api == 0 and st > 0}
    assert statement_only, "the demo ledger has months covered by statements only"


def test_cashflow_equals_monthly_cashflow(page, demo_wh):
    tree, charts = page
    want: dict[str, list[D]] = defaultdict(lambda: [D(0), D(0), D(0), 0])
    for m, i, o, n, k in q(demo_wh, "SELECT month, inflow, outflow, net, transactions FROM marts.monthly_cashflow"):
        cell = want[m.isoformat()]
        cell[0] += i
        cell[1] += o
        cell[2] += n
        cell[3] += k
    traces = {t["meta"]["field"]: dict(zip(t["x"], t["y"])) for t in charts["chart-cashflow"]["data"]}
    for j, f in enumerate(("inflow", "outflow", "net")):
        assert traces[f] == {m: str(v[j]) for m, v in want.items()}
    rows = pageparse.table(tree, "cashflow")
    assert [[c[1] for c in r[1:]] for r in rows] == [[str(v) for v in want[m]] for m in sorted(want, reverse=True)]


@pytest.mark.parametrize("which", ["month", "year"])
def test_spending_by_category_equals_spend_by_category(page, demo_wh, which):
    tree, charts = page
    end, start = last_complete_month(demo_wh)
    first = end if which == "month" else start
    want: dict[str, D] = defaultdict(D)
    for m, cat, amount in q(demo_wh, "SELECT month, category, amount FROM marts.spend_by_category"):
        if first <= m <= end:
            want[cat] += amount
    want = {c: str(a) for c, a in want.items() if a != 0}
    (bar,) = charts[f"chart-spend-{which}"]["data"]
    assert dict(zip(bar["y"], bar["x"])) == want
    rows = pageparse.table(tree, f"spend-{which}")
    assert {r[0][0]: r[1][1] for r in rows} == want
    assert [D(r[1][1]) for r in rows] == sorted((D(v) for v in want.values()), reverse=True)


def test_top_merchants_equal_spend_by_merchant(page, demo_wh):
    tree, charts = page
    end, start = last_complete_month(demo_wh)
    want: dict[str, D] = defaultdict(D)
    for m, merchant, amount in q(demo_wh, "SELECT month, merchant, amount FROM marts.spend_by_merchant"):
        if start <= m <= end and merchant is not None:
            want[merchant] += amount
    top = sorted(want.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    rows = pageparse.table(tree, "merchants")
    assert [(r[0][0], r[2][1]) for r in rows] == [(m, str(a)) for m, a in top]
    (bar,) = charts["chart-merchants"]["data"]
    assert list(zip(bar["y"], bar["x"]))[::-1] == [(m, str(a)) for m, a in top]


def test_recurring_payments_with_next_date_and_yearly_cost(page, demo_wh):
    tree, _ = page
    per_year = {"weekly": 52, "biweekly": 26, "monthly": 12, "quarterly": 4, "yearly": 1}
    want = sorted(((m, typical, nxt, typical * per_year[cad]) for m, typical, nxt, cad in q(
        demo_wh, "SELECT merchant, typical_amount, next_expected_date, cadence FROM marts.recurring_payments WHERE active")),
        key=lambda r: (-r[3], r[0]))
    rows = pageparse.table(tree, "recurring")
    assert len(want) > 3
    assert sorted((r[0][0], r[3][1], r[5][1], r[6][1]) for r in rows) == sorted(
        (m, str(t), n.isoformat(), str(y)) for m, t, n, y in want)
    assert pageparse.card(tree, "recurring") == str(sum((r[3] for r in want), D(0)))


def test_coverage_map_equals_coverage(page, demo_wh):
    _, charts = page
    (hm,) = charts["chart-coverage"]["data"]
    cells = {(y, x): z for y, row in zip(hm["y"], hm["z"]) for x, z in zip(hm["x"], row) if z is not None}
    rows = q(demo_wh, "SELECT account_id, month, days_covered_api, days_covered_statement, gap_days FROM marts.coverage")
    from outputs.report.charts import account_label

    labels = {r["account_id"]: account_label(r) for r in demo_wh.fetch_dicts("report_accounts.sql")}
    want = {(labels[a], m.isoformat()): 3 if gap else 1 if api else 2 if st else 0 for a, m, api, st, gap in rows}
    assert cells == want
    assert {1, 2} <= set(want.values())


def test_health_lists_every_connection_and_check(page, demo_wh):
    tree, _ = page
    runs = pageparse.table(tree, "runs")
    assert sorted((r[0][0], r[2][0]) for r in runs) == sorted(q(demo_wh, "SELECT DISTINCT connection, status FROM ops.sync_runs"))
    checks = pageparse.table(tree, "checks")
    assert sorted(r[0][0] for r in checks) == sorted(c for c, in q(demo_wh, "SELECT DISTINCT check_name FROM ops.checks"))
    assert all(r[2][0] == "passed" and r[1][0] for r in checks)  # each said in plain words
