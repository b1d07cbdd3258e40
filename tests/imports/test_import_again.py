"""Importing a file the warehouse already loaded does not load it again (nothing would change; a 500k-row
export took ~8 s to find that out), while a file landed but never loaded (a crash) is loaded."""
from __future__ import annotations

import datetime as dt

import pytest

from connectors.boursorama.simulator.csv_profiles import render_csv, select_rows
from connectors.boursorama.simulator.ledger import build_ledger
from pipeline import importer
from pipeline.datadir import DataDir
from pipeline.importer import import_files, land_file
from pipeline.ingest import to_lake


@pytest.fixture
def export(tmp_path):
    ledger = build_ledger(seed=4, today=dt.date(2026, 5, 20), months=6)
    acc = ledger.accounts[0]
    f = tmp_path / "export-operations-20-05-2026_a.csv"
    f.write_bytes(render_csv(ledger, acc, select_rows(ledger, acc, ledger.start, ledger.today, None), "p2024"))
    return f


def _state(dd: DataDir) -> tuple:
    with dd.open_warehouse(read_only=True) as wh:
        return (wh.query("SELECT count(*), sum(amount) FROM core.transactions").fetchone(),
                wh.query("SELECT count(*) FROM core.raw_files").fetchone()[0])


def test_a_file_loaded_before_is_not_loaded_again(tmp_path, export, monkeypatch):
    dd = DataDir(tmp_path / "data")
    first = import_files(dd, [export])[0]
    assert first.status == "ok" and first.rows_inserted > 10
    before = _state(dd)
    loads = []
    real = importer.load
    monkeypatch.setattr(importer, "load", lambda *a, **k: loads.append(a[3]) or real(*a, **k))
    again = import_files(dd, [export])[0]
    assert again.status == "ok" and not again.new and again.rows_inserted == 0
    assert loads == [] and _state(dd) == before


def test_a_file_landed_but_never_loaded_is_loaded(tmp_path, export):
    dd = DataDir(tmp_path / "data")
    res, path = land_file(dd, export, connection="import", bank=None)  # landed and parsed, then a crash
    assert path is not None and res.new
    to_lake(dd, path)
    again = import_files(dd, [export])[0]
    assert again.status == "ok" and not again.new and again.rows_inserted > 10
    assert _state(dd)[1] == 1
