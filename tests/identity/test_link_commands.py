"""`bankflow links` / `unlink` / `link`: the user's decision is kept in links.csv and survives rebuild."""
from __future__ import annotations

import dataclasses
import datetime as dt
from datetime import timedelta as td

from typer.testing import CliRunner

from connectors.registry import all_specs
from flows.cli import app
from pipeline.datadir import DataDir
from pipeline.rebuild import rebuild

from .helpers import T0, ledger, load_all, parse_snapshot, row, snapshot

D = dt.date


def test_unlink_then_rebuild_then_link_again(tmp_path, monkeypatch):
    monkeypatch.setitem(all_specs(), "boursorama", dataclasses.replace(all_specs()["boursorama"], parse=parse_snapshot))
    dd = DataDir(tmp_path)
    load_all(dd, [snapshot(dd, [row(10, "-12.30", "PAIEMENT CB EN COURS", pending=True)],
                           start=D(2026, 11, 1), end=D(2026, 11, 10), at=T0 + td(days=9)),
                  snapshot(dd, [row(11, "-12.30", "CARTE MONOP")], start=D(2026, 11, 11), end=D(2026, 11, 11),
                           at=T0 + td(days=10))])
    assert [r[3] for r in ledger(dd)] == [False]
    with dd.open_warehouse(read_only=True) as wh:
        a, b = wh.query("SELECT a_id, b_id FROM core.int_links WHERE rule = 'pending_to_booked'").fetchone()
    cli = CliRunner()
    shown = cli.invoke(app, ["links", "--data-dir", str(tmp_path)])
    assert shown.exit_code == 0 and "pending_to_booked" in shown.output
    res = cli.invoke(app, ["unlink", a, b, "--data-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert sorted(r[3] for r in ledger(dd)) == [False, True]
    rebuild(dd)
    assert sorted(r[3] for r in ledger(dd)) == [False, True]      # the decision survived the rebuild
    assert cli.invoke(app, ["link", a, b, "--data-dir", str(tmp_path)]).exit_code == 0
    assert [r[3] for r in ledger(dd)] == [False]
    bad = cli.invoke(app, ["unlink", a, "nosuchid", "--data-dir", str(tmp_path)])
    assert bad.exit_code == 2 and "nosuchid" in bad.output
