"""Identity scenarios (docs/design.md §6): each assertion is one a wrong rule would break."""
from __future__ import annotations

import datetime as dt
from datetime import timedelta as td
from decimal import Decimal

from pipeline.datadir import DataDir
from pipeline.edits import add_link, mirror_links

from .helpers import T0, ledger, links, load_all, row, snapshot, statement

D = dt.date


def test_identical_same_day_rows_survive_overlapping_snapshots(tmp_path):
    dd = DataDir(tmp_path)
    coffee = row(5, "-3.50", "CARTE 05/11/26 CAFE DE FLORE")
    a = snapshot(dd, [coffee, coffee, row(6, "-40.00", "PRLV SEPA EDF")], start=D(2026, 11, 1), end=D(2026, 11, 6), at=T0)
    b = snapshot(dd, [coffee, row(6, "-40.00", "PRLV SEPA EDF")], start=D(2026, 11, 5), end=D(2026, 11, 8),
                 at=T0 + td(days=3))  # a bank listing that (wrongly) shows one coffee only
    load_all(dd, [a])
    load_all(dd, [b])
    got = ledger(dd)
    assert [r for r in got if r[2].startswith("CARTE")] == [(D(2026, 11, 5), Decimal("-3.50"), "CARTE 05/11/26 CAFE DE FLORE", False)] * 2
    assert len(got) == 3


def test_pending_row_is_superseded_by_its_booked_twin_even_with_another_label_and_date(tmp_path):
    dd = DataDir(tmp_path)
    s1 = snapshot(dd, [row(10, "-12.30", "PAIEMENT CB EN COURS", pending=True)],
                  start=D(2026, 11, 1), end=D(2026, 11, 10), at=T0 + td(days=9))
    s2 = snapshot(dd, [row(12, "-12.30", "CARTE 10/11/26 MONOP PARIS 11")],
                  start=D(2026, 11, 1), end=D(2026, 11, 12), at=T0 + td(days=11))
    load_all(dd, [s1])
    assert ledger(dd) == [(D(2026, 11, 10), Decimal("-12.30"), "PAIEMENT CB EN COURS", True)]
    load_all(dd, [s2])
    assert ledger(dd) == [(D(2026, 11, 12), Decimal("-12.30"), "CARTE 10/11/26 MONOP PARIS 11", False)]
    assert links(dd) == [("pending_to_booked", True)]
    with dd.open_warehouse(read_only=True) as wh:  # history is kept: the pending row is still in core
        assert wh.query("SELECT count(*) FROM core.transactions WHERE pending").fetchone()[0] == 1


def test_a_pending_row_shown_beside_a_booked_row_of_the_same_amount_is_another_transaction(tmp_path):
    dd = DataDir(tmp_path)
    s1 = snapshot(dd, [row(9, "-3.50", "CARTE 09/11/26 CAFE"), row(10, "-3.50", "CARTE 10/11/26 CAFE", pending=True)],
                  start=D(2026, 11, 1), end=D(2026, 11, 10), at=T0 + td(days=9))
    load_all(dd, [s1])
    assert [r[3] for r in ledger(dd)] == [False, True]  # both count: the pending coffee is not yesterday's


def test_a_pending_row_that_disappears_expires(tmp_path):
    dd = DataDir(tmp_path)
    s1 = snapshot(dd, [row(10, "-80.00", "PAIEMENT CB EN COURS", pending=True), row(3, "5.00", "VIR RECU")],
                  start=D(2026, 11, 1), end=D(2026, 11, 10), at=T0 + td(days=9))
    s2 = snapshot(dd, [row(3, "5.00", "VIR RECU")], start=D(2026, 11, 1), end=D(2026, 11, 14), at=T0 + td(days=13))
    load_all(dd, [s1, s2])
    assert ledger(dd) == [(D(2026, 11, 3), Decimal("5.00"), "VIR RECU", False)]
    assert ("expired", False) in links(dd)


def test_the_user_can_undo_a_link(tmp_path):
    dd = DataDir(tmp_path)
    s1 = snapshot(dd, [row(10, "-12.30", "PAIEMENT CB EN COURS", pending=True)],
                  start=D(2026, 11, 1), end=D(2026, 11, 10), at=T0 + td(days=9))
    load_all(dd, [s1])
    # a later listing of the 11th only (it does not cover the pending row's day, so no expiry)
    load_all(dd, [snapshot(dd, [row(11, "-12.30", "CARTE MONOP")], start=D(2026, 11, 11), end=D(2026, 11, 11),
                           at=T0 + td(days=10))])
    assert [r[3] for r in ledger(dd)] == [False]
    with dd.open_warehouse() as wh:
        a, b = wh.query("SELECT a_id, b_id FROM core.int_links WHERE rule = 'pending_to_booked'").fetchone()
        # through links.csv, as `bankflow unlink` does: the identity results are materialized at load
        # and recomputed for the accounts whose links changed (a bare INSERT into core.user_links is not)
        add_link(dd.root, a, b, "unlink")
        mirror_links(dd.root, wh)
    assert sorted(r[3] for r in ledger(dd)) == [False, True]


def test_statement_lines_backfill_outside_coverage_and_are_evidence_inside(tmp_path):
    dd = DataDir(tmp_path)
    api = snapshot(dd, [row(20, "-25.00", "PRLV SEPA FREE MOBILE", month=10), row(2, "-9.99", "CARTE NETFLIX")],
                   start=D(2026, 10, 15), end=D(2026, 11, 5), at=T0 + td(days=5))
    st = statement(dd, [(9, 28, "-60.00", "PRLV SEPA EDF"), (10, 10, "1500.00", "VIR SALAIRE"),
                        (10, 21, "-25.00", "PRLV FREE MOBILE")], opening="100.00", at=T0)
    load_all(dd, [api, st])
    got = ledger(dd)
    assert [(r[0], r[1]) for r in got] == [
        (D(2026, 9, 28), Decimal("-60.00")), (D(2026, 10, 10), Decimal("1500.00")),  # backfilled
        (D(2026, 10, 20), Decimal("-25.00")), (D(2026, 11, 2), Decimal("-9.99"))]   # API rows, once
    with dd.open_warehouse(read_only=True) as wh:
        src = wh.query("SELECT sources FROM marts.transactions WHERE amount = -25").fetchone()[0]
        unmatched = wh.query("SELECT count(*) FROM core.int_statement_matches "
                             "WHERE covered AND matched_txn_id IS NULL").fetchone()[0]
    assert "statement" in src and unmatched == 0


def test_identical_rows_pair_one_to_one_across_sources_and_from_pending(tmp_path):
    dd = DataDir(tmp_path)
    coffee = "CB CAFE DU COIN LE 10/10"
    p = snapshot(dd, [row(10, "-3.40", "OPERATION CARTE", pending=True, month=10)] * 2,
                 start=D(2026, 10, 1), end=D(2026, 10, 10), at=T0 - td(days=22))
    api = snapshot(dd, [row(11, "-3.40", coffee, month=10)] * 2 + [row(12, "-9.00", "CB PHARMACIE", month=10)],
                   start=D(2026, 10, 5), end=D(2026, 10, 31), at=T0)
    st = statement(dd, [(10, 11, "-3.40", coffee), (10, 11, "-3.40", coffee), (10, 12, "-9.00", "CB PHARMACIE")],
                   opening="20.00", at=T0)
    load_all(dd, [p, api, st])
    assert ledger(dd) == [(D(2026, 10, 11), Decimal("-3.40"), coffee, False)] * 2 + \
        [(D(2026, 10, 12), Decimal("-9.00"), "CB PHARMACIE", False)]
    with dd.open_warehouse(read_only=True) as wh:
        rules = dict(wh.query("SELECT rule, count(*) FROM core.int_links GROUP BY 1").fetchall())
    assert rules == {"pending_to_booked": 2, "statement_match": 3}
