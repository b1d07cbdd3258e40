"""Marts at scale and the publish of the readers' snapshot (issue 17). Prints, at ``--rows`` rows:

* the snapshot publish alone (copy of the writer file + ``os.replace``), and the file's size;
* a 1k-row incremental load as a sync does it: open the writer (lock, migrations check), normalize,
  lake, ``load_many`` (incl. the identity results of the 10 touched accounts, ``loads/1x_*``), close
  = checkpoint + publish; per part;
* readers on the published file (a new read-only connection, as ``bankflow query``): one account's rows
  from ``marts.transactions`` (count+sum, latest 50), the whole ledger's ``marts.monthly_cashflow``.

Targets (issue 17): one account <= 0.3 s and monthly_cashflow <= 2 s at 10M; the 1k-row load, publish
included, <= 2 s at 10M; publish <= 0.3 s at 100k. SETUP is bench_incremental's (direct SQL, not the
pipeline), then every account's identity results computed once, as a rebuild would.

Run: ``python benchmarks/bench_marts_scale.py --rows 100000`` (1000000, 10000000: minutes and ~2 GB x 2)
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb  # noqa: E402

import synth  # noqa: E402
from bench_incremental import new_payloads, setup, step  # noqa: E402
from pipeline.datadir import DataDir  # noqa: E402
from warehouse.db import _sql_files  # noqa: E402
from warehouse.snapshot import publish  # noqa: E402

QUERIES = (
    ("one account: count+sum", "SELECT count(*), sum(amount) FROM marts.transactions WHERE account_id = ?", True),
    ("one account: latest 50 rows", "SELECT booking_date, label, amount, category FROM marts.transactions "
                                    "WHERE account_id = ? ORDER BY booking_date DESC LIMIT 50", True),
    ("whole ledger: marts.monthly_cashflow", "SELECT * FROM marts.monthly_cashflow", False),
    ("whole ledger: spend_by_category", "SELECT * FROM marts.spend_by_category", False),
)


def reader_queries(dd: DataDir, runs: int) -> dict[str, float]:
    """Each query on a new read-only connection to the published file; best of ``runs``."""
    out: dict[str, list[float]] = {}
    con = duckdb.connect(str(dd.warehouse_path), read_only=True)
    acc = con.execute("SELECT account_id FROM core.accounts ORDER BY account_ref LIMIT 1").fetchone()[0]
    con.close()
    for _ in range(runs):
        t = time.perf_counter()
        con = duckdb.connect(str(dd.warehouse_path), read_only=True)
        out.setdefault("open read-only", []).append(time.perf_counter() - t)
        for name, text, one in QUERIES:
            t = time.perf_counter()
            con.execute(text, [acc] if one else []).fetchall()
            out.setdefault(name, []).append(time.perf_counter() - t)
        con.close()
    return {k: min(v) for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", type=Path, default=None)
    a = ap.parse_args()
    root = a.keep or Path(tempfile.mkdtemp(prefix="bench-marts-"))
    dd = DataDir(root)
    try:
        info = setup(dd, a.rows, a.seed)
        size = dd.writer_path.stat().st_size / 1e9
        pubs = []
        for _ in range(a.runs):
            with dd.writer_lock():
                pubs.append(publish(dd.writer_path, dd.warehouse_path))
        names = {text: name for name, text in _sql_files("loads")}
        rec: dict[str, list[float]] = {}
        for run in range(a.runs):
            _tab, items = new_payloads(run, a.seed, None)
            t0 = time.perf_counter()
            wh = dd.open_warehouse()
            t_open = time.perf_counter() - t0
            wh.con = synth.TimedConnection(wh.con, names)
            t_norm, t_lake, t_load, res = step(dd, wh, items)
            per_sql = dict(wh.con.times)
            wh.con = wh.con._con
            t = time.perf_counter()
            wh.close()  # checkpoint + publish
            t_close = time.perf_counter() - t
            total = time.perf_counter() - t0
            for k, v in {"open writer": t_open, "normalize": t_norm, "lake": t_lake, "load_many": t_load,
                         "close (checkpoint+publish)": t_close, "  of which publish": dd.last_publish,
                         "TOTAL 1k-row load, publish included": total,
                         **{f"  load {n}": x for n, x in per_sql.items() if x >= 0.005}}.items():
                rec.setdefault(k, []).append(v)
            print(f"  run {run + 1}: inserted {res.inserted}, total {total:.2f} s (publish {dd.last_publish:.2f} s)"
                  f"  [{synth.loadavg()}]")
        q = reader_queries(dd, a.runs)
        print(f"\n{info['n']:,} rows; writer file {size:.2f} GB; median of {a.runs} (queries: best of {a.runs})")
        print(f"  publish alone (copy + os.replace)            {statistics.median(pubs):7.3f} s")
        for k, v in rec.items():
            print(f"  {k:<44} {statistics.median(v):7.3f} s")
        for k, v in q.items():
            print(f"  reader: {k:<36} {v:7.3f} s")
        print(f"  [{synth.loadavg()}]")
    finally:
        if a.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
