"""A large CSV export is parsed and normalized in batches (issue 13, item 4): the lake gets exactly the rows
the one-batch path gives, identity keys included, whatever the batch boundaries."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from connectors.artifact import make_artifact
from connectors.boursorama import SPEC
from connectors.boursorama.parse_csv import iter_movements_csv, parse_movements_csv
from connectors.boursorama.simulator.csv_profiles import render_csv, select_rows
from connectors.boursorama.simulator.ledger import build_ledger
from connectors.errors import ParseError
from pipeline.normalize import normalize, normalize_batches


def _export(profile: str) -> bytes:
    """The three accounts of a simulated ledger in one file (a file may hold several accounts)."""
    ledger = build_ledger(5, dt.date(2026, 5, 20), months=14)
    parts = [render_csv(ledger, a, select_rows(ledger, a, ledger.start, ledger.today, None), profile)
             for a in ledger.accounts]
    head, _, first = parts[0].partition(b"\n")
    return b"\n".join([head, first] + [p.partition(b"\n")[2] for p in parts[1:]])


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by([("row_number", "ascending")])


@pytest.mark.parametrize("profile", ["p2018", "p2024", "p2026fr"])
def test_batches_give_the_rows_of_one_batch(profile):
    body = _export(profile)
    meta = make_artifact(body, bank="boursorama", connection="import", kind="csv", resource="transactions",
                         source_name="export-operations-20-05-2026_x.csv").meta
    whole = normalize(parse_movements_csv(body, meta), meta, unique_ids=False)
    n = whole["transactions"].num_rows
    assert n > 500  # several batches and several day groups below
    # the identical same-day coffees straddle no group, but batches cut anywhere
    streamed = normalize_batches(iter_movements_csv(body, meta, chunk_rows=97), meta, unique_ids=False,
                                 slice_rows=101)
    slices = list(streamed["transactions"])
    assert len(slices) > 2
    assert _sorted(pa.concat_tables(slices)).equals(_sorted(whole["transactions"]))
    assert whole["transactions"]["occurrence"].to_pylist().count(1) > 0  # identical rows were counted
    for entity in ("accounts", "statements", "statement_lines"):
        assert streamed[entity].equals(whole[entity]), entity
    balances = list(streamed["balances"])
    assert len(balances) > 1 and pa.concat_tables(balances).equals(whole["balances"])


def test_parsing_from_a_file_equals_parsing_the_bytes(tmp_path):
    body = _export("p2019")  # cp1252: the encoding is found by reading the file through
    path = tmp_path / "export.csv"
    path.write_bytes(body)
    meta = make_artifact(body, bank="boursorama", connection="import", kind="csv", resource="transactions").meta
    with path.open("rb") as f:
        streamed = normalize_batches(SPEC.parse_chunks(f, meta), meta, unique_ids=False)  # read column-wise
        rows = pa.concat_tables(list(streamed["transactions"]))
        assert not f.closed  # the caller's file
    whole = normalize(parse_movements_csv(body, meta), meta, unique_ids=False)
    assert rows.num_rows > 500 and _sorted(rows).equals(_sorted(whole["transactions"]))
    assert pa.concat_tables(list(streamed["balances"])).equals(whole["balances"])


def test_a_bad_line_late_in_a_streamed_file_is_refused_naming_it():
    body = _export("p2024") + b"\n2024-13-01;2024-01-02;\"X\";a;b;;-1,00;;001;\"B\";1.00"
    meta = make_artifact(body, bank="boursorama", connection="import", kind="csv", resource="transactions",
                         source_name="late.csv").meta
    with pytest.raises(ParseError) as ei:
        normalize_batches(iter_movements_csv(body, meta, chunk_rows=50), meta, unique_ids=False)
    assert "late.csv" in str(ei.value) and "dateOp" in str(ei.value)


def test_identical_rows_far_apart_in_the_file_are_still_counted_once_each():
    """Two identical same-day rows (two coffees) placed at both ends of the file, further apart than a group:
    still occurrences 0 and 1, as in one batch (the groups are whole days, not positions)."""
    lines = _export("p2024").split(b"\n")
    seen: dict[bytes, int] = {}
    twin = next(i for i, ln in enumerate(lines[1:], 1) if seen.setdefault(ln, i) != i)
    first = seen[lines[twin]]
    lines.append(lines.pop(twin))          # the twin last
    lines.insert(1, lines.pop(first))      # the first right after the header
    body = b"\n".join(lines)
    meta = make_artifact(body, bank="boursorama", connection="import", kind="csv", resource="transactions").meta
    whole = normalize(parse_movements_csv(body, meta), meta, unique_ids=False)["transactions"]
    streamed = pa.concat_tables(normalize_batches(iter_movements_csv(body, meta, chunk_rows=64), meta,
                                                  unique_ids=False, slice_rows=50)["transactions"])
    assert len(lines) - 1 > 4 * 50
    assert _sorted(streamed).equals(_sorted(whole))
    ends = _sorted(whole).take([0, whole.num_rows - 1])
    assert ends["txn_id"][0] != ends["txn_id"][1] and sorted(ends["occurrence"].to_pylist()) == [0, 1]


def _warehouse(dd) -> tuple:
    with dd.open_warehouse(read_only=True) as wh:
        return (wh.query("SELECT count(*), sum(amount), sum(hash(txn_id)) FROM core.transactions").fetchone(),
                wh.query("SELECT count(*), sum(balance) FROM core.balances").fetchone())


def test_a_streamed_import_loads_what_a_one_batch_import_loads(tmp_path, monkeypatch):
    from pipeline import ingest
    from pipeline.datadir import DataDir
    from pipeline.importer import import_files

    f = tmp_path / "export-operations-20-05-2026_all.csv"
    f.write_bytes(_export("p2024"))
    whole = DataDir(tmp_path / "whole")
    assert import_files(whole, [f])[0].status == "ok"
    monkeypatch.setattr(ingest, "STREAM_BYTES", 0)  # every payload of a bank with parse_chunks streams
    streamed = DataDir(tmp_path / "streamed")
    res = import_files(streamed, [f])
    assert res[0].status == "ok" and res[0].rows_inserted > 500
    assert _warehouse(streamed) == _warehouse(whole)


def test_a_streamed_file_refused_late_leaves_nothing(tmp_path, monkeypatch):
    from pipeline import ingest
    from pipeline.datadir import DataDir
    from pipeline.importer import import_files

    monkeypatch.setattr(ingest, "STREAM_BYTES", 0)
    f = tmp_path / "late.csv"
    f.write_bytes(_export("p2024") + b"\n2024-01-02;2024-01-02;\"X\";a;b;;12,3,4;;001;\"B\";1.00")
    dd = DataDir(tmp_path / "data")
    res = import_files(dd, [f])
    assert res[0].status != "ok" and "late.csv" in res[0].message and "amount" in res[0].message
    assert list(dd.raw.iter_paths()) == []
    assert not (tmp_path / "data" / "lake").exists() or not any(
        p.suffix == ".parquet" for p in (tmp_path / "data" / "lake").rglob("*"))


def test_the_cli_keeps_pyarrow_from_importing_pandas_yet_pandas_still_works():
    """pyarrow imports pandas (~50 MB) at its first conversion of Python objects, only to probe for pandas
    objects: the CLI skips that probe; converting still works, and so does an explicit pandas use."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, flows.cli, pyarrow as pa\n"
            "assert pa.array(['x', None]).to_pylist() == ['x', None]\n"
            "print('pandas' in sys.modules)\n"
            "print(type(pa.table({'a': [1]}).to_pandas()).__name__)\n")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         env={**os.environ, "PYTHONPATH": str(root)}, check=True)
    assert out.stdout.split() == ["False", "DataFrame"]
