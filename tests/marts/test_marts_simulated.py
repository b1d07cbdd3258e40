"""The marts on a warehouse synced from the Boursorama simulator (CSV exports with per-row balances, PDF
statements, pending card rows, monthly direct debits), each checked against the same figures computed
here in Python from ``marts.transactions`` and the core tables. Each view is queried once (the ledger
views under the marts cost ~0.5 s a query): keep it that way, the suite must stay fast."""
from __future__ import annotations

import asyncio
import calendar
import dataclasses
import datetime as dt
import re
import tomllib
from collections import defaultdict
from decimal import Decimal

import pytest

from pipeline.config import parse_config
from pipeline.runner import fetch_all, load_outcomes
from pipeline.sandbox import SandboxSet
from pipeline.datadir import DataDir

ZERO = Decimal("0.00")


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    """One sync of the simulator (seed 7; a short history to stay fast), opened read-only. The bank's
    "today" is pinned: whether card payments are pending at the sync depends on the day (a run just after
    midnight on 2026-11-25 found none), and the pending figures must be exercised whatever the date."""
    dd = DataDir(tmp_path_factory.mktemp("marts"))
    today = dt.date(2026, 11, 24)
    with SandboxSet(["boursorama"], knobs={"boursorama": {"months": 8, "statement_months": 4, "today": today}},
                    common={"seed": 7}) as sims, pytest.MonkeyPatch.context() as mp:
        text, env = sims.config(env_prefix="BF_MARTS")
        for k, v in env.items():
            mp.setenv(k, v)
        cfg = parse_config(tomllib.loads(text))
        # every statement, as the monthly-statements deployment fetches them (by default Boursorama
        # fetches only those older than its CSV history)
        conns = [dataclasses.replace(c, options={**c.options, "statements": "always"}) for c in cfg.connections]
        outcomes = load_outcomes(dd, asyncio.run(fetch_all(conns, dd, {})), "r1")
        assert all(o.ok for o in outcomes), [o.message for o in outcomes]
    w = dd.open_warehouse(read_only=True)
    yield w
    w.close()


@pytest.fixture(scope="module")
def ledger(wh) -> list[tuple]:
    """marts.transactions, once."""
    return q(wh, "SELECT account_id, booking_date, amount, pending, kind, category, coalesce(merchant, label) "
                 "FROM marts.transactions ORDER BY booking_date, txn_id")


def q(wh, text: str, params=None) -> list[tuple]:
    return wh.query(text, params).fetchall()


def month_of(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def test_monthly_cashflow_equals_a_python_groupby_of_the_ledger(wh, ledger):
    assert len(ledger) > 300
    want: dict[tuple, list] = defaultdict(lambda: [ZERO, ZERO, 0, ZERO])
    for acc, day, amount, pending, *_ in ledger:
        cell = want[(acc, month_of(day))]
        if pending:
            cell[3] += amount
        elif amount > 0:
            cell[0] += amount
            cell[2] += 1
        else:
            cell[1] -= amount
            cell[2] += 1
    for acc in {k[0] for k in want}:  # months without any row are present, with zeros
        months = [m for a, m in want if a == acc]
        m = min(months)
        while m < max(months):
            m = add_months(m, 1)
            want[(acc, m)]  # noqa: B018 (creates the zero cell)
    view = q(wh, "SELECT account_id, month, inflow, outflow, net, transactions, pending_net FROM marts.monthly_cashflow")
    got = {(r[0], r[1]): [r[2], r[3], r[5], r[6]] for r in view}
    assert got == {k: v for k, v in want.items()}
    assert all(r[4] == r[2] - r[3] for r in view)
    assert any(v[3] != ZERO for v in want.values()), "the simulators should show some pending rows"


def test_daily_balances_meet_every_balance_the_banks_reported(wh, ledger):
    reported: dict[str, dict[dt.date, Decimal]] = defaultdict(dict)
    prio = {"api": 0, "csv": 1, "statement": 2}
    for acc, day, source, bal in sorted(q(wh, "SELECT account_id, date, source, balance FROM core.balances"),
                                        key=lambda r: -prio.get(r[2], 3)):
        reported[acc][day] = bal  # the preferred source is written last
    booked: dict[str, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for acc, day, amount, pending, *_ in ledger:
        if not pending:
            booked[acc][day] += amount
    got: dict[str, dict[dt.date, tuple]] = defaultdict(dict)
    for acc, day, bal, rep, diff in q(wh, "SELECT account_id, date, balance, reported_balance, difference "
                                          "FROM marts.daily_balances"):
        got[acc][day] = (bal, rep, diff)
    assert set(got) == set(booked) | set(reported)
    checked = 0
    for acc, days in got.items():
        first, last = min(days), max(days)
        assert len(days) == (last - first).days + 1, f"{acc}: one row per day"
        # walk backwards from the latest reported balance, forwards after it
        anchor_day = max(reported[acc])
        want = {anchor_day: reported[acc][anchor_day]}
        d = anchor_day
        while d > first:
            want[d - dt.timedelta(days=1)] = want[d] - booked[acc].get(d, ZERO)
            d -= dt.timedelta(days=1)
        d = anchor_day
        while d < last:
            want[d + dt.timedelta(days=1)] = want[d] + booked[acc].get(d + dt.timedelta(days=1), ZERO)
            d += dt.timedelta(days=1)
        assert {k: v[0] for k, v in days.items()} == want, acc
        assert days[anchor_day][0] == reported[acc][anchor_day]  # the end meets the latest figure
        for day, figure in reported[acc].items():  # the simulators' ledgers are complete: no mismatch
            assert days[day][1] == figure and days[day][2] == ZERO, (acc, day)
            checked += 1
    assert checked > 100


def _spend_in_python(ledger) -> dict[tuple, list]:
    rows = [r[1:3] + r[4:] for r in ledger if not r[3]]  # booked: (day, amount, kind, category, merchant)
    debits_by_merchant: dict[str, list[tuple[dt.date, str | None]]] = defaultdict(list)
    for day, amount, _kind, cat, merchant in rows:
        if amount < 0:
            debits_by_merchant[merchant].append((day, cat))
    out: dict[tuple, list] = defaultdict(lambda: [ZERO, 0])
    for day, amount, kind, cat, merchant in rows:
        if (cat or "") == "Épargne et virements internes" or (cat or "").startswith("Mouvements internes"):
            continue
        if amount > 0:
            if not (cat == "Revenus:Remboursements" or kind == "card"):
                continue
            shop = re.sub(r"^(REMBOURST|REMBOURSEMENT|REMBT|REMB|AVOIR)( CB| CARTE)?[ .:-]+", "", merchant,
                          flags=re.I).strip()
            earlier = [c for d, c in debits_by_merchant.get(shop, []) if d <= day]
            cat = earlier[-1] if earlier else cat
        cell = out[(month_of(day), cat or "Non catégorisé")]
        cell[0] -= amount
        cell[1] += 1
    return out


def test_spend_by_category_equals_the_rules_applied_in_python(wh, ledger):
    want = _spend_in_python(ledger)
    view = q(wh, "SELECT month, category, amount, transactions, debits, refunds FROM marts.spend_by_category")
    got = {(r[0], r[1]): [r[2], r[3]] for r in view}
    assert got == dict(want)
    assert all(r[2] == r[4] - r[5] for r in view)
    cats = {c for _, c in got}
    assert len(cats) >= 5 and "Revenus:Salaire" not in cats and "Épargne et virements internes" not in cats
    # Boursorama's settlement of the deferred-debit card on the checking account is not spent twice
    assert not any(c.startswith("Mouvements internes") for c in cats)


def test_spend_by_merchant_adds_up_to_the_same_monthly_spend(wh, ledger):
    want: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for (month, _cat), (amount, _n) in _spend_in_python(ledger).items():
        want[month] += amount
    got = q(wh, "SELECT month, sum(amount), count(*) - count(DISTINCT merchant) FROM marts.spend_by_merchant GROUP BY 1")
    assert {r[0]: r[1] for r in got} == dict(want) and len(want) >= 8
    assert all(r[2] == 0 for r in got), "one row per month and merchant"


def test_recurring_payments_find_the_phone_bill_and_the_rent_with_their_next_dates(wh, ledger):
    view = q(wh, "SELECT merchant, account_id, cadence, occurrences, first_date, last_date, next_expected_date, "
                 "typical_amount FROM marts.recurring_payments")
    got = {(r[0], r[1]): r[2:] for r in view}
    for merchant, amount in (("FREE MOBILE", "19.99"), ("FONCIA GESTION LOYER", "1150.00")):
        series: dict[str, list[dt.date]] = defaultdict(list)
        for acc, day, amt, pending, _k, _c, m in ledger:
            if m == merchant and amt < 0 and not pending:
                series[acc].append(day)
        assert series, merchant
        for acc, dates in series.items():
            assert got[(merchant, acc)] == ("monthly", len(dates), dates[0], dates[-1], add_months(dates[-1], 1),
                                            Decimal(amount))
    merchants = {r[0] for r in view}
    assert not merchants & {"AMAZON PAYMENTS", "CARREFOUR CITY", "SNCF INTERNET"}  # shops, not subscriptions


def _days(a: dt.date, b: dt.date) -> list[dt.date]:
    return [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]


def test_coverage_counts_the_days_of_every_payload_window_and_statement(wh):
    api, stmt = defaultdict(set), defaultdict(set)
    for acc, start, end in q(wh, "SELECT a.account_id, r.window_start, r.window_end FROM core.raw_files r "
                                 "JOIN core.accounts a ON a.bank = r.bank AND a.account_ref = r.account_ref "
                                 "WHERE r.kind <> 'pdf' AND r.window_start IS NOT NULL"):
        api[acc].update(_days(start, end))
    for acc, start, end in q(wh, "SELECT account_id, period_start, period_end FROM core.statements"):
        stmt[acc].update(_days(start, end))
    assert stmt, "the Boursorama simulator serves statements"
    want: dict[tuple, tuple] = {}
    for acc in set(api) | set(stmt):
        covered = api[acc] | stmt[acc]
        first, last = min(covered), max(covered)
        m = month_of(first)
        while m <= last:
            days = _days(m, add_months(m, 1) - dt.timedelta(days=1))
            cov = [d for d in days if d in covered]
            want[(acc, m)] = (len(days), sum(d in api[acc] for d in days), sum(d in stmt[acc] for d in days),
                              sum(first <= d <= last and d not in covered for d in days),
                              min(cov, default=None), max(cov, default=None))
            m = add_months(m, 1)
    got = {(r[0], r[1]): r[2:] for r in q(wh, "SELECT account_id, month, days_in_month, days_covered_api, "
                                              "days_covered_statement, gap_days, first_covered, last_covered "
                                              "FROM marts.coverage")}
    assert got == want
    gaps = sum(v[3] for v in want.values())
    assert q(wh, "SELECT coalesce(sum(days), 0) FROM marts.coverage_gaps")[0][0] == gaps
