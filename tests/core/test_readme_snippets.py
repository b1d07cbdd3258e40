"""The README's Python snippets run as written against the installed DuckDB, and keep money exact."""
from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from connectors.artifact import make_artifact
from connectors.records import ParsedBatch, Transaction
from pipeline.datadir import DataDir
from pipeline.ingest import load
from pipeline.normalize import normalize

README = Path(__file__).resolve().parents[2] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), flags=re.S)


def _warehouse(root: Path) -> None:
    dd = DataDir(root / "data")
    art = make_artifact(b"readme", bank="budgea", connection="c", kind="json", resource="transactions",
                        fetched_at=dt.datetime(2026, 11, 2))
    path, _ = dd.raw.land(art)
    batch = ParsedBatch(transactions=[Transaction(account_ref="A", booking_date=dt.date(2026, 11, d),
                                                  amount=Decimal(a), label_raw=f"CARTE {d}")
                                      for d, a in ((1, "0.10"), (2, "0.20"), (3, "-6122.50"))])
    dd.lake.write(art.meta, path, normalize(batch, art.meta, unique_ids=False))
    with dd.open_warehouse() as wh:
        load(dd, wh, "budgea", [art.meta.sha256])


def test_the_readme_python_snippets_run_and_keep_money_exact(tmp_path, monkeypatch):
    blocks = _python_blocks()
    assert blocks, "the README shows how to read the warehouse from Python"
    _warehouse(tmp_path)
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    for code in blocks:
        exec(compile(code, str(README), "exec"), ns)
    assert all(isinstance(t, Decimal) for _acc, t in ns["totals"])
    assert sum(t for _acc, t in ns["totals"]) == Decimal("-6122.20")
    assert isinstance(ns["first"][1], Decimal)
    df = ns["df"]
    assert isinstance(df["amount"].dtype, pd.ArrowDtype) and "decimal" in str(df["amount"].dtype)
    assert df["amount"].sum() == Decimal("-6122.20")


def test_df_would_have_turned_money_into_floats(tmp_path):
    """Why the README steers away from .df(): the check above can fail."""
    import duckdb

    _warehouse(tmp_path)
    con = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True)
    df = con.sql("SELECT amount FROM marts.transactions").df()
    con.close()
    assert not isinstance(df["amount"].dtype, pd.ArrowDtype)
