"""`bankflow check`: each check returns the rows that violate it; each one is shown to fire."""
from __future__ import annotations

import datetime as dt
from datetime import timedelta as td
from decimal import Decimal

from connectors.artifact import make_artifact
from connectors.records import BalanceSnapshot, ParsedBatch
from pipeline.normalize import normalize
from pipeline.datadir import DataDir

from .helpers import T0, load_all, row, snapshot, statement

D = dt.date


def _checks(dd: DataDir) -> dict[str, int]:
    with dd.open_warehouse() as wh:
        return {r.name: r.violations for r in wh.run_checks()}


def _balances(dd: DataDir, snaps: list[tuple[dt.date, str]], at: dt.datetime):
    bal = [BalanceSnapshot("ACC1", d, Decimal(v), "api") for d, v in snaps]
    art = make_artifact(repr(snaps).encode(), bank="boursorama", connection="c1", kind="json",
                        resource="accounts", fetched_at=at)
    path, _ = dd.raw.land(art)
    dd.lake.write(art.meta, path, normalize(ParsedBatch(balances=bal), art.meta, unique_ids=False))
    return "boursorama", art.meta.sha256


def test_balance_check_passes_when_the_ledger_explains_the_balances_and_fires_when_not(tmp_path):
    dd = DataDir(tmp_path)
    txns = snapshot(dd, [row(3, "-40.00", "PRLV SEPA EDF"), row(5, "1500.00", "VIR SALAIRE")],
                    start=D(2026, 11, 1), end=D(2026, 11, 6), at=T0 + td(days=6))
    good = _balances(dd, [(D(2026, 11, 2), "100.00"), (D(2026, 11, 6), "1560.00")], T0 + td(days=6))
    load_all(dd, [txns, good])
    assert _checks(dd)["balance_mismatch"] == 0
    bad = _balances(dd, [(D(2026, 11, 9), "1560.01")], T0 + td(days=9))  # a cent nobody explains
    load_all(dd, [bad])
    assert _checks(dd)["balance_mismatch"] == 1


def test_a_statement_line_the_api_does_not_have_is_reported(tmp_path):
    dd = DataDir(tmp_path)
    api = snapshot(dd, [row(10, "-25.00", "PRLV FREE MOBILE", month=10)],
                   start=D(2026, 10, 1), end=D(2026, 10, 31), at=T0)
    st = statement(dd, [(10, 10, "-25.00", "PRLV SEPA FREE MOBILE"), (10, 12, "-7.00", "FRAIS TENUE")],
                   opening="50.00", at=T0)
    load_all(dd, [api, st])
    got = _checks(dd)
    assert got["statement_line_unmatched"] == 1      # the fee line, inside API coverage, unmatched
    assert got["statement_not_reconciled"] == 0
    with dd.open_warehouse() as wh:   # break a statement: the table-level guard fires
        wh.query("UPDATE core.statements SET closing_balance = closing_balance + 1")
    assert _checks(dd)["statement_not_reconciled"] == 1


def test_duplicate_keys_are_reported(tmp_path):
    dd = DataDir(tmp_path)
    load_all(dd, [snapshot(dd, [row(3, "-40.00", "PRLV SEPA EDF")], start=D(2026, 11, 1), end=D(2026, 11, 3), at=T0)])
    assert _checks(dd)["duplicate_keys"] == 0
    with dd.open_warehouse() as wh:  # what a faulty load would leave: the same transaction twice
        wh.query("INSERT INTO core.transactions SELECT * FROM core.transactions")
    assert _checks(dd)["duplicate_keys"] == 1


def test_reloading_a_payload_adds_no_sighting(tmp_path):
    dd = DataDir(tmp_path)
    s = snapshot(dd, [row(3, "-40.00", "PRLV SEPA EDF"), row(3, "-40.00", "PRLV SEPA EDF")],
                 start=D(2026, 11, 1), end=D(2026, 11, 3), at=T0)
    load_all(dd, [s])
    load_all(dd, [s])  # the same payload again (e.g. a recovery scan that finds it)
    with dd.open_warehouse(read_only=True) as wh:
        assert wh.query("SELECT count(*) FROM core.transaction_sightings").fetchone()[0] == 2
        assert wh.query("SELECT count(*) FROM core.transactions").fetchone()[0] == 2
