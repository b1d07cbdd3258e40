"""Each mart on a small hand-built ledger, against numbers worked out by hand."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pipeline.datadir import DataDir

from .helpers import D, balances, dicts, load, rows, snapshot, statement, tx

M = Decimal


def test_monthly_cashflow_splits_in_and_out_fills_empty_months_and_keeps_pending_apart(tmp_path):
    dd = DataDir(tmp_path)
    load(dd, [snapshot(dd, [tx(D(2026, 10, 2), "100.00", "VIR SEPA ACME SALAIRE"),
                            tx(D(2026, 10, 9), "-30.00", "CARTE 09/10/26 CARREFOUR CITY PARIS"),
                            tx(D(2026, 10, 31), "-20.00", "CARTE 31/10/26 BOULANGERIE PAUL"),
                            tx(D(2026, 12, 1), "-5.00", "CARTE 01/12/26 BOULANGERIE PAUL"),
                            tx(D(2026, 12, 2), "-7.00", "PAIEMENT CB EN COURS", pending=True)],
                       start=D(2026, 10, 1), end=D(2026, 12, 2))])
    got = rows(dd, "SELECT account_number, month, inflow, outflow, net, transactions, pending_net "
                   "FROM marts.monthly_cashflow ORDER BY month")
    assert got == [
        ("ACC1", D(2026, 10, 1), M("100.00"), M("50.00"), M("50.00"), 3, M("0.00")),
        ("ACC1", D(2026, 11, 1), M("0.00"), M("0.00"), M("0.00"), 0, M("0.00")),
        ("ACC1", D(2026, 12, 1), M("0.00"), M("5.00"), M("-5.00"), 1, M("-7.00")),
    ]


def test_spending_nets_refunds_into_the_shop_and_leaves_out_income_and_own_transfers(tmp_path):
    dd = DataDir(tmp_path)
    nov = [tx(D(2026, 11, 3), "-300.00", "CARTE 03/11/26 DARTY PARIS"),
           tx(D(2026, 11, 10), "50.00", "AVOIR CARTE 10/11/26 DARTY PARIS"),
           tx(D(2026, 11, 12), "20.00", "REMBOURST CB DARTY PARIS"),
           tx(D(2026, 11, 1), "2500.00", "VIR SEPA ACME SALAIRE"),
           tx(D(2026, 11, 2), "-100.00", "VIR SEPA Virement vers COMPTE SUR LIVRET"),
           tx(D(2026, 11, 4), "-20.00", "CARTE 04/11/26 ZORGLUB 123"),
           tx(D(2026, 11, 5), "-35.20", "CARTE 05/11/26 CARREFOUR CITY PARIS"),
           tx(D(2026, 11, 6), "-9.00", "PAIEMENT CB EN COURS", pending=True)]
    load(dd, [snapshot(dd, nov, start=D(2026, 11, 1), end=D(2026, 11, 6))])
    by_cat = rows(dd, "SELECT category, amount, debits, refunds, transactions FROM marts.spend_by_category "
                      "WHERE month = DATE '2026-11-01' ORDER BY category")
    assert by_cat == [("Achats:High-tech et électroménager", M("230.00"), M("300.00"), M("70.00"), 3),
                      ("Alimentation:Supermarché", M("35.20"), M("35.20"), M("0.00"), 1),
                      ("Non catégorisé", M("20.00"), M("20.00"), M("0.00"), 1)]
    by_merchant = rows(dd, "SELECT merchant, category, amount, transactions FROM marts.spend_by_merchant "
                           "ORDER BY merchant")
    assert by_merchant == [("CARREFOUR CITY", "Alimentation:Supermarché", M("35.20"), 1),
                           ("DARTY", "Achats:High-tech et électroménager", M("230.00"), 3),
                           ("ZORGLUB", "Non catégorisé", M("20.00"), 1)]


def test_a_refund_without_an_earlier_purchase_keeps_its_own_category(tmp_path):
    dd = DataDir(tmp_path)
    load(dd, [snapshot(dd, [tx(D(2026, 11, 2), "40.00", "REMBOURST CB FNAC PARIS"),
                            tx(D(2026, 11, 9), "-100.00", "CARTE 09/11/26 FNAC PARIS")],
                       start=D(2026, 11, 1), end=D(2026, 11, 10))])
    got = dict(rows(dd, "SELECT category, amount FROM marts.spend_by_category"))
    assert got["Revenus:Remboursements"] == M("-40.00")
    assert sum(got.values()) == M("60.00")


def test_daily_balances_are_anchored_on_the_latest_reported_balance_and_show_mismatches(tmp_path):
    dd = DataDir(tmp_path)
    snap = snapshot(dd, [tx(D(2026, 11, 1), "1000.00", "VIR SEPA ACME SALAIRE"),
                         tx(D(2026, 11, 3), "-200.00", "PRLV SEPA EDF"),
                         tx(D(2026, 11, 3), "-50.00", "CARTE 03/11/26 FNAC"),
                         tx(D(2026, 11, 6), "-100.00", "CARTE 06/11/26 FNAC"),
                         tx(D(2026, 11, 6), "-999.00", "PAIEMENT CB EN COURS", pending=True)],
                    start=D(2026, 11, 1), end=D(2026, 11, 7))
    figures = balances(dd, [(D(2026, 11, 2), "2000.00", "csv"),     # right
                            (D(2026, 11, 4), "1760.00", "csv"),     # 10 too high: the bank or we are wrong
                            (D(2026, 11, 7), "1650.00", "api")])    # the latest: the anchor
    load(dd, [snap, figures])
    got = rows(dd, "SELECT date, balance, day_net, transactions, reported_balance, difference, anchor_date "
                   "FROM marts.daily_balances ORDER BY date")
    a = D(2026, 11, 7)
    assert got == [
        (D(2026, 11, 1), M("2000.00"), M("1000.00"), 1, None, None, a),
        (D(2026, 11, 2), M("2000.00"), M("0.00"), 0, M("2000.00"), M("0.00"), a),
        (D(2026, 11, 3), M("1750.00"), M("-250.00"), 2, None, None, a),
        (D(2026, 11, 4), M("1750.00"), M("0.00"), 0, M("1760.00"), M("-10.00"), a),
        (D(2026, 11, 5), M("1750.00"), M("0.00"), 0, None, None, a),
        (D(2026, 11, 6), M("1650.00"), M("-100.00"), 1, None, None, a),
        (D(2026, 11, 7), M("1650.00"), M("0.00"), 0, M("1650.00"), M("0.00"), a),
    ]


def test_rows_booked_after_the_anchor_move_the_balance_forwards(tmp_path):
    dd = DataDir(tmp_path)
    load(dd, [snapshot(dd, [tx(D(2026, 11, 2), "-10.00", "CARTE 02/11/26 FNAC"),
                            tx(D(2026, 11, 5), "-15.00", "CARTE 05/11/26 FNAC")],
                       start=D(2026, 11, 1), end=D(2026, 11, 5)),
              balances(dd, [(D(2026, 11, 3), "500.00", "statement")])])
    got = rows(dd, "SELECT date, balance FROM marts.daily_balances ORDER BY date")
    assert got == [(D(2026, 11, 2), M("500.00")), (D(2026, 11, 3), M("500.00")), (D(2026, 11, 4), M("500.00")),
                   (D(2026, 11, 5), M("485.00"))]


def test_an_account_without_any_reported_balance_starts_from_zero(tmp_path):
    dd = DataDir(tmp_path)
    load(dd, [snapshot(dd, [tx(D(2026, 11, 2), "-10.00", "CARTE 02/11/26 FNAC"),
                            tx(D(2026, 11, 4), "25.00", "VIR SEPA M. DUPONT")],
                       start=D(2026, 11, 1), end=D(2026, 11, 5))])
    got = rows(dd, "SELECT date, balance, anchor_date FROM marts.daily_balances ORDER BY date")
    assert got == [(D(2026, 11, 2), M("-10.00"), None), (D(2026, 11, 3), M("-10.00"), None),
                   (D(2026, 11, 4), M("15.00"), None)]


def _months(first: dt.date, n: int, day: int) -> list[dt.date]:
    out = []
    y, m = first.year, first.month
    for _ in range(n):
        out.append(D(y, m, day))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def test_recurring_payments_find_monthly_weekly_yearly_and_variable_bills_but_not_noise(tmp_path):
    dd = DataDir(tmp_path)
    netflix = [tx(d, "-13.99" if i == 3 else "-13.49", f"CARTE {d:%d/%m/%y} NETFLIX.COM")
               for i, d in enumerate(_months(D(2026, 6, 1), 6, 5))]
    edf = [tx(d, a, "PRLV SEPA EDF CLIENTS PARTICULIERS")
           for d, a in zip(_months(D(2026, 4, 1), 8, 10), ["-45.10", "-98.00", "-71.30", "-60.00", "-110.45",
                                                          "-52.00", "-88.80", "-64.20"])]
    laundry = [tx(D(2026, 9, 1) + dt.timedelta(days=7 * i), "-6.00", "CARTE LAVERIE DU COIN") for i in range(6)]
    maif = [tx(D(2024, 3, 15), "-480.00", "PRLV SEPA MAIF ASSURANCE"),
            tx(D(2025, 3, 14), "-492.00", "PRLV SEPA MAIF ASSURANCE"),
            tx(D(2026, 3, 16), "-501.30", "PRLV SEPA MAIF ASSURANCE")]
    spotify = [tx(D(2026, 10, 5), "-10.99", "CARTE 05/10/26 SPOTIFY"),
               tx(D(2026, 11, 5), "-10.99", "CARTE 05/11/26 SPOTIFY")]  # two only: not yet a series
    shop_days = [D(2026, 6, 2), D(2026, 6, 3), D(2026, 6, 19), D(2026, 7, 30), D(2026, 8, 1), D(2026, 8, 28),
                 D(2026, 9, 29), D(2026, 10, 4), D(2026, 11, 2)]
    shop = [tx(d, "-35.00", "CARTE CARREFOUR CITY PARIS") for d in shop_days]  # same amount, random days
    salary = [tx(d, "2500.00", "VIR SEPA ACME SALAIRE") for d in _months(D(2026, 5, 1), 7, 28)]  # a credit
    allrows = netflix + edf + laundry + maif + spotify + shop + salary
    load(dd, [snapshot(dd, allrows, start=D(2024, 3, 1), end=D(2026, 11, 30))])
    got = {r["merchant"]: r for r in dicts(dd, "SELECT * FROM marts.recurring_payments")}
    assert set(got) == {"NETFLIX.COM", "EDF CLIENTS PARTICULIERS", "LAVERIE DU COIN", "MAIF ASSURANCE"}
    n = got["NETFLIX.COM"]
    assert (n["cadence"], n["occurrences"], n["first_date"], n["last_date"], n["next_expected_date"],
            n["typical_amount"], n["amount_varies"], n["account_number"], n["kind"]) == \
        ("monthly", 6, D(2026, 6, 5), D(2026, 11, 5), D(2026, 12, 5), M("13.49"), False, "ACC1", "card")
    e = got["EDF CLIENTS PARTICULIERS"]
    assert (e["cadence"], e["occurrences"], e["amount_varies"], e["min_amount"], e["max_amount"],
            e["next_expected_date"]) == ("monthly", 8, True, M("45.10"), M("110.45"), D(2026, 12, 10))
    w = got["LAVERIE DU COIN"]
    assert (w["cadence"], w["occurrences"], w["next_expected_date"]) == ("weekly", 6, D(2026, 10, 13))
    y = got["MAIF ASSURANCE"]
    assert (y["cadence"], y["occurrences"], y["next_expected_date"], y["active"]) == \
        ("yearly", 3, D(2027, 3, 16), True)


def test_a_subscription_that_stopped_is_no_longer_active(tmp_path):
    dd = DataDir(tmp_path)
    sub = [tx(d, "-9.99", "PRLV SEPA DEEZER") for d in _months(D(2026, 1, 1), 4, 8)]  # Jan..Apr
    later = [tx(D(2026, 11, 20), "-3.00", "CARTE 20/11/26 BOULANGERIE PAUL")]
    load(dd, [snapshot(dd, sub + later, start=D(2026, 1, 1), end=D(2026, 11, 30))])
    got = rows(dd, "SELECT merchant, cadence, next_expected_date, active FROM marts.recurring_payments")
    assert got == [("DEEZER", "monthly", D(2026, 5, 8), False)]


def test_coverage_counts_days_per_source_and_reports_each_gap_exactly(tmp_path):
    dd = DataDir(tmp_path)
    a = snapshot(dd, [tx(D(2026, 10, 5), "-5.00", "CARTE 05/10/26 FNAC")], start=D(2026, 10, 1), end=D(2026, 10, 20))
    b = snapshot(dd, [tx(D(2026, 11, 8), "-5.00", "CARTE 08/11/26 FNAC")], start=D(2026, 11, 5), end=D(2026, 11, 30))
    c = snapshot(dd, [], start=D(2026, 12, 10), end=D(2026, 12, 12))
    s = statement(dd, [(D(2026, 10, 25), "-7.00", "CARTE 25/10/26 FNAC")], start=D(2026, 10, 15), end=D(2026, 10, 31))
    other = snapshot(dd, [tx(D(2026, 10, 2), "-1.00", "CARTE FNAC", account="ACC9")], start=D(2026, 10, 1), end=D(2026, 10, 3),
                     account="ACC9")
    load(dd, [a, b, c, s, other])
    got = rows(dd, "SELECT month, days_in_month, days_covered_api, days_covered_statement, gap_days, "
                   "first_covered, last_covered FROM marts.coverage WHERE account_number = 'ACC1' ORDER BY month")
    assert got == [
        (D(2026, 10, 1), 31, 20, 17, 0, D(2026, 10, 1), D(2026, 10, 31)),
        (D(2026, 11, 1), 30, 26, 0, 4, D(2026, 11, 5), D(2026, 11, 30)),
        (D(2026, 12, 1), 31, 3, 0, 9, D(2026, 12, 10), D(2026, 12, 12)),  # after the 12th: outside the span
    ]
    gaps = rows(dd, "SELECT account_number, gap_start, gap_end, days FROM marts.coverage_gaps ORDER BY 1, 2")
    assert gaps == [("ACC1", D(2026, 11, 1), D(2026, 11, 4), 4), ("ACC1", D(2026, 12, 1), D(2026, 12, 9), 9)]
    assert rows(dd, "SELECT gap_days FROM marts.coverage WHERE account_number = 'ACC9'") == [(0,)]
