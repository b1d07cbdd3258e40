"""Report and export benchmark (issue 14): `bankflow report` and each `bankflow export` format on a
warehouse of ~100k synthetic rows. Target: the report built in <= 2 s; the page's weight is printed.

SETUP (not measured): ``benchmarks/synth.py`` rows (default 100k, 36 months) through the real pipeline
(normalize, lake, one ``load_many``), plus one bank-reported balance per account (so balances are
anchored) and one sync run per connection. The warehouse is then opened read-only, as the commands do.

MEASURED, ``--runs`` times (median wall time, and the median CPU time of the process, all threads),
each on a fresh read-only open:
* gather   the report's named queries (outputs/report/data.py)
* render   charts and HTML (plotly.js inlined)
* report   both, as ``build_report`` (the command's work, writing index.html)
* export   each format (the marts' queries and the writing)

Run: ``python benchmarks/bench_report.py [--rows 100000] [--runs 3] [--keep DIR]``
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402
from connectors.records import BalanceSnapshot, ParsedBatch  # noqa: E402
from outputs.export import FORMATS, export  # noqa: E402
from outputs.report import build_report, plotly_js  # noqa: E402
from outputs.report.data import gather  # noqa: E402
from outputs.report.page import render  # noqa: E402
from pipeline.normalize import normalize
from pipeline.datadir import DataDir
from pipeline.ingest import load_many


def setup(root: Path, rows: int) -> DataDir:
    dd = DataDir(root)
    table = synth.generate(rows)
    items = synth.payloads(table)
    last: dict[str, tuple] = {}
    for m, b in items:
        dd.lake.write(m, synth.raw_path(m), normalize(b, m, unique_ids=False))
        last[m.account_ref] = (m, b)
    # one reported balance per account, on its last window's end: every balance gets anchored
    extra = []
    for acc, (m, b) in last.items():
        snap = ParsedBatch(balances=[BalanceSnapshot(account_ref=acc, date=b.window_end, balance=synth._money(123456),
                                                     source="api")])
        meta = synth.replace(m, sha256=f"{m.sha256[:-8]}balance0", resource="balances")
        dd.lake.write(meta, synth.raw_path(meta), normalize(snap, meta, unique_ids=False))
        extra.append((meta.bank, meta.sha256))
    with dd.open_warehouse() as wh:
        load_many(dd, wh, [(m.bank, m.sha256) for m, _ in items] + extra)
        now = dt.datetime(2026, 1, 1)
        for bank in sorted({m.bank for m, _ in items}):
            wh.record_run({"run_id": "b1", "connection": f"{bank}-synth", "bank": bank, "started_at": now,
                           "finished_at": now, "status": "ok", "message": "", "artifacts_fetched": 0,
                           "artifacts_new": 0, "rows_inserted": 0, "rows_updated": 0, "requests": 0})
        wh.run_checks()
        n = wh.query("SELECT count(*), count(DISTINCT account_id) FROM marts.transactions").fetchone()
    print(f"setup: {n[0]:,} transactions in {n[1]} accounts ({synth.loadavg()})")
    return dd


CPU: list[float] = []


def timed(fn, runs: int) -> tuple[float, object]:
    """Median wall time of ``runs`` calls; the median CPU time of this process (all threads) goes to
    ``CPU`` (on a busy machine the wall time says more about the neighbours than about us)."""
    times, cpus, out = [], [], None
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    CPU.append(statistics.median(cpus))
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build the warehouse here, or reuse the one already there")
    args = ap.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        dd = DataDir(root) if (root / "warehouse.duckdb").exists() else setup(root, args.rows)
        plotly_js()  # read once per process, as a long-lived process would
        built = dt.datetime(2026, 1, 1)

        def with_wh(fn):
            def run():
                with dd.open_warehouse(read_only=True) as wh:
                    return fn(wh)
            return run

        t_gather, data = timed(with_wh(gather), args.runs)
        t_render, html = timed(lambda: render(data, plotly_js(), built_at=built), args.runs)
        t_report, path = timed(with_wh(lambda wh: build_report(wh, root / "report", built_at=built)), args.runs)
        js = len(plotly_js().encode())
        size = path.stat().st_size
        print(f"report: gather {t_gather:.2f} s, render {t_render:.2f} s, build_report {t_report:.2f} s "
              f"(CPU {CPU[-1]:.2f} s; target <= 2 s: {'met' if t_report <= 2 else 'NOT met'}); {synth.loadavg()}")
        print(f"page: {size / 1e6:.2f} MB = plotly.js {js / 1e6:.2f} MB + {(size - js) / 1e3:.0f} kB of figures, "
              f"tables and page")
        for fmt in FORMATS:
            t, out = timed(with_wh(lambda wh, f=fmt: export(wh, f)), args.runs)
            print(f"export {fmt}: {t:.2f} s (CPU {CPU[-1]:.2f} s), {len(out) / 1e6:.1f} MB")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
