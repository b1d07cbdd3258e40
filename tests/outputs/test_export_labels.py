"""Hostile and awkward labels: spreadsheet formulas are neutralised in the CSV export and in
``bankflow query --format csv``; XML and beancount quoting survive their parsers; the CLI commands."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from outputs.export import export
from outputs.export.csv_safe import cell, neutralize
from tests.marts.helpers import D, balances, load, snapshot, tx
from pipeline.datadir import DataDir

HOSTILE = ["=cmd|' /C calc'!A0", "+33 6 12 34 56 78", "-SOLDE PRECEDENT", "@SUM(A1:A9)", 'M&S <LONDON> "X" \\ end']


@pytest.fixture(scope="module")
def dd(tmp_path_factory) -> DataDir:
    d = DataDir(tmp_path_factory.mktemp("labels"))
    rows = [tx(D(2026, 10, i + 1), f"-{i + 1}.50", label) for i, label in enumerate(HOSTILE)]
    load(d, [snapshot(d, rows, start=D(2026, 10, 1), end=D(2026, 10, 31)),
             balances(d, [(D(2026, 10, 31), "984.50", "api")])])
    return d


def test_neutralize():
    assert [neutralize(s)[:2] for s in HOSTILE] == ["'=", "'+", "'-", "'@", "M&"]
    assert neutralize("\t=1") == "'\t=1" and neutralize("CARTE") == "CARTE"
    assert cell(Decimal("-12.50")) == "-12.50" and cell(None) == "" and cell(7) == "7"


def test_csv_export_neutralises_formulas_and_keeps_numbers(dd):
    with dd.open_warehouse(read_only=True) as wh:
        rows = list(csv.DictReader(io.StringIO(export(wh, "csv").decode())))
    assert len(rows) == len(HOSTILE)
    for r in rows:
        for col in ("label_raw", "label", "payee"):
            assert not r[col].startswith(("=", "+", "-", "@")), r[col]
    assert {r["label_raw"] for r in rows} >= {"'=cmd|' /C calc'!A0", "'@SUM(A1:A9)"}
    assert sorted(Decimal(r["amount"]) for r in rows) == [Decimal(f"-{i}.50") for i in range(5, 0, -1)]


def test_query_csv_neutralises_formulas(dd):
    res = CliRunner().invoke(app, ["query", "SELECT label_raw, amount FROM marts.transactions ORDER BY booking_date",
                                   "--data-dir", str(dd.root), "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.output)))
    assert rows[1] == ["'=cmd|' /C calc'!A0", "-1.50"]
    assert [r[0][0] for r in rows[1:5]] == ["'"] * 4


def test_ofx_and_beancount_quote_what_they_must(dd, tmp_path):
    from beancount import loader
    from ofxtools.Parser import OFXTree

    with dd.open_warehouse(read_only=True) as wh:
        ofx, bean = export(wh, "ofx"), export(wh, "beancount")
    tree = OFXTree()
    tree.parse(io.BytesIO(ofx))
    (stmt,) = tree.convert().statements
    assert 'M&S <LONDON> "X" \\ end' in {t.memo for t in stmt.transactions}
    entries, errors, _ = loader.load_string(bean.decode())
    assert errors == []
    assert 'M&S <LONDON> "X" \\ end' in {getattr(e, "narration", None) for e in entries}


def test_cli_report_and_export(dd, tmp_path):
    cli = CliRunner()
    res = cli.invoke(app, ["report", "--data-dir", str(dd.root)])
    assert res.exit_code == 0 and (dd.root / "report" / "index.html").exists()
    out = tmp_path / "x.beancount"
    res = cli.invoke(app, ["export", "--format", "beancount", "--data-dir", str(dd.root), "-o", str(out)])
    assert res.exit_code == 0, res.output
    check = subprocess.run([str(Path(sys.executable).with_name("bean-check")), str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    bad = cli.invoke(app, ["export", "--format", "xls", "--data-dir", str(dd.root)])
    assert bad.exit_code == 2 and "unknown export format 'xls'" in bad.output
    bad = cli.invoke(app, ["export", "--format", "csv", "--account", "nope", "--data-dir", str(dd.root)])
    assert bad.exit_code == 2 and "no account 'nope'" in bad.output
    missing = cli.invoke(app, ["report", "--data-dir", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "no warehouse" in missing.output
