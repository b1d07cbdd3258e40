"""An import or a sync whose load failed leaves no raw file that a later `bankflow rebuild` would load as
data (issue 17). The warehouse's refusal is injected (a load that raises): what is checked is what
bankflow leaves behind."""
from __future__ import annotations

import datetime as dt

from connectors.boursorama.simulator.csv_profiles import render_csv, select_rows
from connectors.boursorama.simulator.ledger import build_ledger
from connectors.errors import ParseError
from pipeline import importer, runner
from pipeline.datadir import DataDir
from pipeline.importer import import_files
from pipeline.rebuild import rebuild
from pipeline.runner import Outcome, load_outcomes


def _csv(tmp_path, start: dt.date, end: dt.date):
    ledger = build_ledger(seed=3, today=dt.date(2026, 11, 20))
    acc = next(a for a in ledger.accounts if ledger.booked(a.number))
    f = tmp_path / f"export-{start}.csv"
    f.write_bytes(render_csv(ledger, acc, select_rows(ledger, acc, start, end, None), "p2024"))
    return f


def _refuse(*_a, **_k):
    raise ParseError("injected: the warehouse refused this batch", file="(load)")


def _rows(dd: DataDir) -> int:
    with dd.open_warehouse(read_only=True) as wh:
        return wh.query("SELECT count(*) FROM core.transactions").fetchone()[0]


def test_an_import_whose_load_failed_leaves_nothing_for_rebuild(tmp_path, monkeypatch):
    dd = DataDir(tmp_path / "data")
    good = import_files(dd, [_csv(tmp_path, dt.date(2026, 6, 1), dt.date(2026, 6, 30))])
    assert good[0].status == "ok"
    n = _rows(dd)
    with monkeypatch.context() as mp:
        mp.setattr(importer, "load", _refuse)
        bad = import_files(dd, [_csv(tmp_path, dt.date(2026, 8, 1), dt.date(2026, 8, 31))])
    assert bad[0].status == "load_error" and "refused" in bad[0].message
    assert len(list(dd.raw.iter_paths())) == 1          # only the good import's file
    rebuild(dd)
    assert _rows(dd) == n                               # the refused file did not become rows


def test_a_sync_whose_load_failed_moves_its_payloads_out_of_raw(tmp_path, monkeypatch):
    dd = DataDir(tmp_path / "data")
    f = _csv(tmp_path, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    # a payload a sync landed and parsed (as fetch_connection does), whose load then fails
    from connectors.artifact import make_artifact
    from pipeline.ingest import to_lake

    art = make_artifact(f.read_bytes(), bank="boursorama", connection="bourso", kind="csv", resource="transactions",
                        source_name=f.name)
    path, _ = dd.raw.land(art)
    to_lake(dd, path)
    out = Outcome(connection="bourso", bank="boursorama", shas=[art.meta.sha256])
    out.finished_at = out.started_at
    monkeypatch.setattr(runner, "load_many", _refuse)
    res = load_outcomes(dd, [out], "r1")
    assert res[0].status == "parse_error" and "rejected" in res[0].message
    assert list(dd.raw.iter_paths()) == []
    assert list((dd.root / "rejected").rglob(f"{art.meta.sha256}.*"))   # kept for a bug report
    monkeypatch.undo()
    rebuild(dd)
    assert _rows(dd) == 0
    with dd.open_warehouse(read_only=True) as wh:
        assert wh.query("SELECT status FROM ops.sync_runs").fetchall() == [("parse_error",)]
